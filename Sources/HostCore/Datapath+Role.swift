import OpenFlow

/// A send the datapath's role forbids, refused before anything reached the wire.
public struct RoleRefusal: Error, CustomStringConvertible {
  public let description: String
}

/// What a switch said about this controller's role.
struct RoleStatement {
  var role: String
  var generationId: UInt64?
  /// "request" (a reply to a role request) or "status" (the switch told us).
  var reason: String
  /// ROLE_STATUS's own reason ("MASTER_REQUEST", "CONFIG", ...).
  var statusReason: String?
  /// A reply whose xid no role request of ours is waiting for: not taken in.
  var unsolicited = false
}

extension Datapath {
  /// The roles apps and the command line name.
  public static let roleNames = ["EQUAL", "MASTER", "SLAVE"]
  /// Messages a slave controller may not send (OpenFlow 1.3 §6.3.7, 1.5 §6.3.8):
  /// they change the switch's state or send packets.
  public static let slaveRefused: Set<String> = [
    "FLOW_MOD", "GROUP_MOD", "PORT_MOD", "TABLE_MOD", "METER_MOD", "PACKET_OUT",
    "BUNDLE_CONTROL", "BUNDLE_ADD_MESSAGE",
  ]
  static let nxVendor: UInt32 = 0x0000_2320
  static let onfVendor: UInt32 = 0x4f4e_4600
  static let nxtRoleRequest: UInt32 = 10
  static let nxtRoleReply: UInt32 = 11
  static let onftRoleStatus: UInt32 = 1911
  /// OpenFlow 1.2+ role numbers (0 is NOCHANGE) and Nicira's (0 is "other", i.e. EQUAL).
  static let ofRoles = ["NOCHANGE", "EQUAL", "MASTER", "SLAVE"]
  static let nxRoles = ["EQUAL", "MASTER", "SLAVE"]

  /// Called only while `restricted`: throws when wire type `type` is one a slave may not send.
  @usableFromInline
  func refuse(_ type: UInt8) throws(RoleRefusal) {
    let name = [version, type].withUnsafeBytes { OFCodec.typeName($0) }
    guard Self.slaveRefused.contains(name) else { return }
    let state = role == "SLAVE" ? "is SLAVE" : "has a SLAVE role request out"
    throw RoleRefusal(description: "datapath \(idText) \(state): \(name) refused (a slave controller may not change the switch or send packets)")
  }

  /// The role request for this switch's version: ROLE_REQUEST from 1.2,
  /// Nicira's NXT_ROLE_REQUEST on 1.0 (as Open vSwitch takes it).
  public func roleRequest(_ role: String, generationId: UInt64?) throws(RoleRefusal) -> OFMessage {
    guard let n = Self.nxRoles.firstIndex(of: role) else {
      throw RoleRefusal(description: "unknown role \"\(role)\" (roles are EQUAL, MASTER, SLAVE)")
    }
    if version >= OFVersion.v1_2 {
      return OFMessage(version: version, type: "ROLE_REQUEST", xid: 0, msg: .table([
        "role": .string(role), "generation_id": .uint(generationId ?? self.generationId ?? 0),
      ]))
    }
    guard version == OFVersion.v1_0 else {
      throw RoleRefusal(description: "roles need OpenFlow 1.0 (Nicira's extension) or 1.2 and later; datapath \(idText) speaks \(OFVersion.name(version))")
    }
    var data: [UInt8] = []
    for x in [Self.nxtRoleRequest, UInt32(n)] { withUnsafeBytes(of: x.bigEndian) { data.append(contentsOf: $0) } }
    return OFMessage(version: version, type: "EXPERIMENTER", xid: 0, msg: .table([
      "experimenter": .uint(UInt64(Self.nxVendor)), "data": .bytes(data),
    ]))
  }

  /// The role a role request in `bytes` asks for, if it is one.
  static func requestedRole(_ b: [UInt8]) -> String? {
    guard b.count >= 16 else { return nil }
    if b[0] >= OFVersion.v1_2, b[1] == 24 {  // ROLE_REQUEST
      let n = Int(u32(b, 8))
      return n < ofRoles.count ? ofRoles[n] : nil
    }
    if b[0] == OFVersion.v1_0, b[1] == 4, b.count >= 20, u32(b, 8) == nxVendor, u32(b, 12) == nxtRoleRequest {
      let n = Int(u32(b, 16))
      return n < nxRoles.count ? nxRoles[n] : nil
    }
    return nil
  }

  /// A role request went out: while a SLAVE request is out, sends are
  /// restricted already (the switch takes messages in order, so what follows
  /// the request would be refused by it anyway).
  func noteRoleRequest(_ bytes: [UInt8], xid: UInt32) {
    guard let r = Self.requestedRole(bytes), r != "NOCHANGE" else { return }
    roleRequests[xid] = r
    if r == "SLAVE" { restricted = true }
  }

  /// A role request ended without a reply that states a role (an ERROR, a
  /// timeout, a cancel): the restriction follows the known role again. One
  /// `abandoned` (timed out, cancelled) may still get its reply late.
  func roleRequestEnded(xid: UInt32, abandoned: Bool = false) {
    guard roleRequests.removeValue(forKey: xid) != nil else { return }
    if abandoned {
      if abandonedRoleRequests.count >= 8 { abandonedRoleRequests.removeFirst() }
      abandonedRoleRequests.append(xid)
    }
    restricted = role == "SLAVE" || roleRequests.values.contains("SLAVE")
  }

  /// True when `xid` is a role request of ours, waited for or given up on;
  /// it is answered now and forgotten.
  func takeRoleReply(xid: UInt32) -> Bool {
    if roleRequests.removeValue(forKey: xid) != nil { return true }
    guard let i = abandonedRoleRequests.firstIndex(of: xid) else { return false }
    abandonedRoleRequests.remove(at: i)
    return true
  }

  /// Reads what a message from the switch says about our role, if anything:
  /// ROLE_REPLY, ROLE_STATUS (1.4+), the ONF ROLE_STATUS Open vSwitch sends
  /// on 1.3, Nicira's role reply on 1.0. An ERROR answering a role request
  /// ends that request.
  func roleStatement(_ f: UnsafeRawBufferPointer, type: String, xid: UInt32) -> RoleStatement? {
    func gen(_ at: Int) -> UInt64? {
      guard f.count >= at + 8 else { return nil }
      let g = UInt64(Self.u32(f, at)) << 32 | UInt64(Self.u32(f, at + 4))
      return g == .max ? nil : g  // Open vSwitch says 2^64-1 when no id is in force
    }
    func ofRole(_ at: Int) -> String? {
      guard f.count >= at + 4 else { return nil }
      let n = Int(Self.u32(f, at))
      return n >= 1 && n < Self.ofRoles.count ? Self.ofRoles[n] : nil
    }
    let reasons = ["MASTER_REQUEST", "CONFIG", "EXPERIMENTER"]
    func statusReason(_ at: Int) -> String? {
      guard f.count > at else { return nil }
      return Int(f[at]) < reasons.count ? reasons[Int(f[at])] : String(f[at])
    }
    switch type {
    case "ROLE_REPLY":
      let asked = takeRoleReply(xid: xid)
      guard let r = ofRole(8) else { return nil }
      return RoleStatement(role: r, generationId: gen(16), reason: "request", unsolicited: !asked)
    case "ROLE_STATUS":
      guard let r = ofRole(8) else { return nil }
      return RoleStatement(role: r, generationId: gen(16), reason: "status", statusReason: statusReason(12))
    case "EXPERIMENTER":
      guard f.count >= 20 else { return nil }
      let vendor = Self.u32(f, 8), sub = Self.u32(f, 12)
      if version == OFVersion.v1_0, vendor == Self.nxVendor, sub == Self.nxtRoleReply {
        let asked = takeRoleReply(xid: xid)
        let n = Int(Self.u32(f, 16))
        guard n < Self.nxRoles.count else { return nil }
        return RoleStatement(role: Self.nxRoles[n], generationId: nil, reason: "request", unsolicited: !asked)
      }
      if vendor == Self.onfVendor, sub == Self.onftRoleStatus, let r = ofRole(16) {
        return RoleStatement(role: r, generationId: gen(24), reason: "status", statusReason: statusReason(20))
      }
      return nil
    case "ERROR":
      roleRequestEnded(xid: xid)
      return nil
    default:
      return nil
    }
  }

  /// Takes a statement in: true when role or generation id changed.
  func apply(_ s: RoleStatement) -> Bool {
    let changed = s.role != role || (s.generationId != nil && s.generationId != generationId)
    role = s.role
    if let g = s.generationId { generationId = g }
    restricted = role == "SLAVE" || roleRequests.values.contains("SLAVE")
    return changed
  }

  /// The ROLE_CHANGED `msg`.
  func roleFields(_ s: RoleStatement) -> OFValue {
    var f: [OFField] = [
      OFField("datapath_id", .string(idText)), OFField("role", .string(role)),
    ]
    if let g = generationId { f.append(OFField("generation_id", .uint(g))) }
    f.append(OFField("reason", .string(s.reason)))
    if let r = s.statusReason { f.append(OFField("status_reason", .string(r))) }
    return .table(f)
  }

  static func u32(_ b: some RandomAccessCollection<UInt8>, _ at: Int) -> UInt32 {
    let i = b.index(b.startIndex, offsetBy: at)
    return b[i...].prefix(4).reduce(0) { $0 << 8 | UInt32($1) }
  }
}
