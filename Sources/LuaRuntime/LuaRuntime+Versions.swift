import HostCore
import OpenFlow

/// Per-app OpenFlow versions: `zof.app(name, {versions = {"1.3", "1.4"}})`.
/// Switches are offered (HELLO) what --versions and every app that names
/// versions all take; none in common is a load error naming those apps.
extension LuaRuntime {
  /// What HELLO offers with these apps: nil when no app names versions.
  var offeredVersions: Set<UInt8>? {
    var common: Set<UInt8>?
    for case let v? in appVersions {
      let set = Set(v.compactMap(OFVersion.parse))
      common = common.map { $0.intersection(set) } ?? set
    }
    return common
  }

  func checkVersions() throws {
    guard let common = offeredVersions else { return }
    let offered = host.config.versions.intersection(common)
    guard offered.isEmpty else { return }
    let named = zip(appList, appVersions).compactMap { app, v in v.map { "\(app.name) takes \($0.joined(separator: ", "))" } }
    let ours = host.config.versions.sorted().map(OFVersion.name).joined(separator: ", ")
    throw LoadError(errors: [
      "no OpenFlow version every app takes, within --versions \(ours): \(named.joined(separator: "; "))"
    ])
  }
}
