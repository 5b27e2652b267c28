import Foundation
import OpenFlow

/// zofhost's own publications on the bus (`zofhost.*`), which no client can
/// forge: the server drops any pushed event under the reserved prefix.
extension Bus {
  public func publishSwitch(up: Bool, _ dp: Datapath, reason: String? = nil) {
    var fields: [(String, JSONValue)] = [("datapath_id", .string(dp.idText)), ("conn_id", .int(Int64(dp.connId))),
                                         ("version", .string(OFVersion.name(dp.version)))]
    if let reason { fields.append(("reason", .string(reason))) }
    publishHost(up ? "switch_up" : "switch_down", fields)
  }

  public func publishPortStatus(_ dp: Datapath, reason: String, desc: OFValue) {
    publishHost("port_status", [("datapath_id", .string(dp.idText)), ("reason", .string(reason)), ("desc", JSONValue(desc))])
  }

  public func publishReload(ok: Bool, apps: Int = 0, errors: [String] = []) {
    if ok {
      publishHost("reload_done", [("apps", .int(Int64(apps)))])
    } else {
      publishHost("reload_failed", [("errors", .array(errors.map { .string($0) }))])
    }
  }
}

extension JSONValue {
  /// A schema value as JSON: bytes as lower-case hex.
  public init(_ v: OFValue) {
    switch v {
    case .uint(let u): self = u <= UInt64(Int64.max) ? .int(Int64(u)) : .string(String(u))
    case .int(let i): self = .int(i)
    case .bool(let b): self = .bool(b)
    case .string(let s): self = .string(s)
    case .bytes(let b): self = .string(b.map { String(format: "%02x", $0) }.joined())
    case .list(let l): self = .array(l.map(JSONValue.init))
    case .table(let f): self = .object(f.map { ($0.name, JSONValue($0.value)) })
    }
  }
}
