import CLua
import HostCore
import OpenFlow

extension LuaRuntime {
  /// The report of the loaded apps.
  public func appReport() -> AppReport {
    pushEntry(.report)
    // In the dispatcher's order, the one events go in.
    lua.push(OFValue.list(Dispatcher.order(appList).map { .uint(UInt64($0.index)) }))
    if let err = lua.call(nargs: 1, nresults: 1) {
      report(err, "app report")
      return AppReport(apps: [], unheard: [])
    }
    defer { lua.pop() }
    guard let v = try? lua.value(at: -1) else { return AppReport(apps: [], unheard: []) }
    return AppReport(v)
  }
}
