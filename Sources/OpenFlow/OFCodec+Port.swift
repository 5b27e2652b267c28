// Port descriptions (1.0 ofp_phy_port, 48 bytes; 1.3 ofp_port, 64 bytes) and PORT_STATUS.

enum OFPortNames {
  static let config10 = FlagTable(bits: ["PORT_DOWN", "NO_STP", "NO_RECV", "NO_RECV_STP", "NO_FLOOD", "NO_FWD", "NO_PACKET_IN"])
  static let config13 = FlagTable(bits: ["PORT_DOWN", "", "NO_RECV", "", "", "NO_FWD", "NO_PACKET_IN"])
  // 1.0 state: bit 0 plus a 2-bit STP state; STP_LISTEN is the zero value.
  static let state10 = FlagTable([
    ("LINK_DOWN", 1, 1), ("STP_LISTEN", 0, 3 << 8), ("STP_LEARN", 1 << 8, 3 << 8), ("STP_FORWARD", 2 << 8, 3 << 8),
    ("STP_BLOCK", 3 << 8, 3 << 8),
  ])
  static let state13 = FlagTable(bits: ["LINK_DOWN", "BLOCKED", "LIVE"])
  static let features10 = FlagTable(bits: [
    "10MB_HD", "10MB_FD", "100MB_HD", "100MB_FD", "1GB_HD", "1GB_FD", "10GB_FD", "COPPER", "FIBER",
    "AUTONEG", "PAUSE", "PAUSE_ASYM",
  ])
  static let features13 = FlagTable(bits: [
    "10MB_HD", "10MB_FD", "100MB_HD", "100MB_FD", "1GB_HD", "1GB_FD", "10GB_FD", "40GB_FD", "100GB_FD",
    "1TB_FD", "OTHER", "COPPER", "FIBER", "AUTONEG", "PAUSE", "PAUSE_ASYM",
  ])
  static let statusReason = NameTable(sequential: ["ADD", "DELETE", "MODIFY"])
  static let featureFields = ["curr", "advertised", "supported", "peer"]
}

extension OFCodec {
  static let portNameSize = 16

  static func portValue(_ n: UInt64, _ v: UInt8) -> OFValue {
    // 1.0's NONE and 1.1+'s ANY are the same idea: show both as ANY.
    if v == OFVersion.v1_0 && n == 0xffff { return .string("ANY") }
    return OFNames.ports(v).decode(n)
  }

  static func readPortNo(_ r: inout ByteReader, _ v: UInt8, _ what: String = "port") throws(OFCodecError) -> OFValue {
    v == OFVersion.v1_0 ? portValue(UInt64(try r.u16(what)), v) : portValue(UInt64(try r.u32(what)), v)
  }

  static func writePortNo(_ n: UInt64, _ e: inout OFEncoder) {
    if e.version == OFVersion.v1_0 { e.out.u16(UInt16(truncatingIfNeeded: n)) } else { e.out.u32(UInt32(truncatingIfNeeded: n)) }
  }

  static func portDescSize(_ v: UInt8) -> Int { v == OFVersion.v1_0 ? 48 : 64 }

  static func readPortName(_ r: inout ByteReader) throws(OFCodecError) -> OFValue {
    try readText(&r, portNameSize, "port name")
  }

  /// NUL-padded text: a string when it is UTF-8, else its bytes (so it re-encodes exactly).
  static func readText(_ r: inout ByteReader, _ size: Int, _ what: String) throws(OFCodecError) -> OFValue {
    let raw = try r.bytes(size, what)
    let end = raw.firstIndex(of: 0) ?? raw.count
    if let s = String(validating: raw[..<end], as: UTF8.self) { return .string(s) }
    return .bytes(Array(raw[..<end]))
  }

  static func writeText(_ v: OFValue?, _ size: Int, _ field: String, _ e: inout OFEncoder) throws(OFCodecError) {
    guard let v else { e.out.zeros(size); return }
    guard let b = v.bytes else { throw e.fail("`\(field)` must be text") }
    guard b.count <= size else { throw e.fail("`\(field)` '\(v.string ?? "")' is longer than \(size) bytes") }
    e.out.append(b)
    e.out.zeros(size - b.count)
  }

  static func decodePortDesc(_ r: inout ByteReader, _ v: UInt8) throws(OFCodecError) -> OFValue {
    var p = try r.sub(portDescSize(v), "port description")
    let is10 = v == OFVersion.v1_0
    let portNo = try readPortNo(&p, v, "port_no")
    if !is10 { try p.skip(4) }
    let hw = AddressText.mac(try p.bytes(6, "hw_addr"))
    if !is10 { try p.skip(2) }
    let name = try readPortName(&p)
    let feats = is10 ? OFPortNames.features10 : OFPortNames.features13
    var f: [OFField] = [
      OFField("port_no", portNo), OFField("hw_addr", .string(hw)), OFField("name", name),
      OFField("config", (is10 ? OFPortNames.config10 : OFPortNames.config13).decode(UInt64(try p.u32("config")))),
      OFField("state", (is10 ? OFPortNames.state10 : OFPortNames.state13).decode(UInt64(try p.u32("state")))),
    ]
    for n in OFPortNames.featureFields { f.append(OFField(n, feats.decode(UInt64(try p.u32(n))))) }
    if !is10 {
      f.append(OFField("curr_speed", .uint(UInt64(try p.u32("curr_speed")))))
      f.append(OFField("max_speed", .uint(UInt64(try p.u32("max_speed")))))
    }
    return .table(f)
  }

  static func encodePortDesc(_ d: OFValue, _ e: inout OFEncoder) throws(OFCodecError) {
    guard d.fields != nil else { throw e.fail("a port description must be a table") }
    let is10 = e.version == OFVersion.v1_0
    writePortNo(try e.port(d, "port_no", default: nil), &e)
    if !is10 { e.out.zeros(4) }
    e.out.append(try e.mac(d["hw_addr"] ?? .uint(0), "hw_addr"))
    if !is10 { e.out.zeros(2) }
    try writeText(d["name"], portNameSize, "name", &e)
    e.out.u32(UInt32(truncatingIfNeeded: try e.flags(d, "config", is10 ? OFPortNames.config10 : OFPortNames.config13, bits: 32)))
    e.out.u32(UInt32(truncatingIfNeeded: try e.flags(d, "state", is10 ? OFPortNames.state10 : OFPortNames.state13, bits: 32)))
    let feats = is10 ? OFPortNames.features10 : OFPortNames.features13
    for n in OFPortNames.featureFields { e.out.u32(UInt32(truncatingIfNeeded: try e.flags(d, n, feats, bits: 32))) }
    if is10 {
      for n in ["curr_speed", "max_speed"] where d[n] != nil { throw e.cannot("port `\(n)`") }
    } else {
      e.out.u32(UInt32(truncatingIfNeeded: try e.field(d, "curr_speed", bits: 32, default: 0)))
      e.out.u32(UInt32(truncatingIfNeeded: try e.field(d, "max_speed", bits: 32, default: 0)))
    }
  }

  /// A run of port descriptions filling the reader.
  static func decodePortList(_ r: inout ByteReader, _ v: UInt8) throws(OFCodecError) -> OFValue {
    guard r.remaining % portDescSize(v) == 0 else {
      throw r.error("port list of \(r.remaining) bytes is not a multiple of \(portDescSize(v))")
    }
    var ports: [OFValue] = []
    while !r.isAtEnd { ports.append(try decodePortDesc(&r, v)) }
    return .list(ports)
  }

  static func encodePortList(_ m: OFValue, _ e: inout OFEncoder) throws(OFCodecError) {
    for p in try e.list(m, "ports") { try encodePortDesc(p, &e) }
  }

  static func decodePortStatus(_ r: inout ByteReader, _ v: UInt8) throws(OFCodecError) -> OFValue {
    let reason = OFPortNames.statusReason.decode(UInt64(try r.u8("reason")))
    try r.skip(7)
    return .table([OFField("reason", reason), OFField("desc", try decodePortDescAny(&r, v))])
  }

  static func encodePortStatus(_ m: OFValue, _ e: inout OFEncoder) throws(OFCodecError) {
    e.out.u8(UInt8(truncatingIfNeeded: try e.field(m, "reason", names: OFPortNames.statusReason, bits: 8, default: nil)))
    e.out.zeros(7)
    guard let d = m["desc"] else { throw e.fail("missing field `desc`") }
    try encodePortDescAny(d, &e)
  }
}
