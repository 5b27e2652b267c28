import CLua

extension LuaRuntime {
  /// The report of the loaded apps.
  public func appReport() -> AppReport {
    pushEntry(.report)
    if let err = lua.call(nargs: 0, nresults: 1) {
      report(err, "app report")
      return AppReport(apps: [], unheard: [])
    }
    defer { lua.pop() }
    guard let v = try? lua.value(at: -1) else { return AppReport(apps: [], unheard: []) }
    return AppReport(v)
  }
}
