/// A packet that cannot be built, naming the field: `pkt.ipv4_src: 'x' is
/// not an IPv4 address`. Fields inside lists read like `vlans[2].vid`.
public struct PacketBuildError: Error, Equatable, CustomStringConvertible, Sendable {
  public var field: String
  public var reason: String

  public init(_ field: String, _ reason: String) {
    self.field = field
    self.reason = reason
  }

  public var description: String { field.isEmpty ? "pkt: \(reason)" : "pkt.\(field): \(reason)" }
}

/// Fields in the decoder's names -> Ethernet frame. The layers come from the
/// fields given: eth_type and ip_proto may be left out when other fields
/// tell them. Lengths, next-header bytes and checksums are computed, and the
/// frame is zero-padded to Ethernet's 60-byte minimum. Every field given
/// must end up in the frame: a misspelt or misplaced one is an error, not
/// silently dropped. Built frames decode back to the fields they came from.
public struct PacketBuilder {
  var p: PacketFields
  var w = ByteWriter(capacity: 128)
  var ethSrc: [UInt8] = []
  /// The headers written so far, for errors about fields no header took.
  var layers: [String] = []

  public static func build(_ fields: OFValue) throws(PacketBuildError) -> [UInt8] {
    try build(fields, minimumSize: 60)
  }

  /// `minimumSize` 0 leaves the frame unpadded, for a frame that goes inside
  /// another packet (a tunnel's payload, an ICMP error's quote).
  public static func build(_ fields: OFValue, minimumSize: Int) throws(PacketBuildError) -> [UInt8] {
    var b = PacketBuilder(p: try PacketFields(fields, path: "", known: names))
    try b.ethernet()
    if let unused = b.p.firstUnused {
      throw PacketBuildError(unused, "not used: this packet is " + b.layers.joined(separator: "/"))
    }
    if b.w.count < minimumSize { b.w.zeros(minimumSize - b.w.count) }
    return b.w.bytes
  }

  mutating func payload() throws(PacketBuildError) { w.append(try p.bytes("payload")) }

  static func hex(_ v: UInt64, digits: Int) -> String {
    let s = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, digits - s.count)) + s
  }

  /// Every top-level field name the builder knows.
  static let names: Set<String> = [
    "eth_dst", "eth_src", "eth_type", "vlan_vid", "vlan_pcp", "vlans",
    "mpls_label", "mpls_tc", "mpls_bos", "mpls_ttl", "mpls",
    "arp_op", "arp_sha", "arp_spa", "arp_tha", "arp_tpa",
    "ip_dscp", "ip_ecn", "nw_ttl", "ip_proto",
    "ipv4_src", "ipv4_dst", "ipv4_id", "ipv4_flags", "ipv4_frag_offset", "ipv4_options",
    "ipv6_src", "ipv6_dst", "ipv6_flabel", "ipv6_ext",
    "icmpv4_type", "icmpv4_code", "icmpv6_type", "icmpv6_code",
    "ipv6_nd_target", "ipv6_nd_sll", "ipv6_nd_tll", "ipv6_nd_flags",
    "tcp_src", "tcp_dst", "tcp_seq", "tcp_ack", "tcp_flags", "tcp_window", "tcp_urgent", "tcp_options",
    "udp_src", "udp_dst", "sctp_src", "sctp_dst", "sctp_vtag",
    "lldp_chassis_id_subtype", "lldp_chassis_id", "lldp_port_id_subtype", "lldp_port_id", "lldp_ttl",
    "lldp_port_description", "lldp_system_name", "lldp_system_description",
    "lldp_system_capabilities", "lldp_enabled_capabilities",
    "lldp_management_addresses", "lldp_org_specific", "lldp_unknown",
    "payload",
  ]
}

/// A table of fields being built from. Reading a field marks it used, so
/// the builder can tell which ones no header took.
struct PacketFields {
  let fields: [OFField]
  var used: [Bool]
  /// "" at the top, "vlans[2]." inside a list item: prefixes error names.
  let path: String

  init(_ v: OFValue, path: String, known: Set<String>) throws(PacketBuildError) {
    let here = path.isEmpty ? "" : String(path.dropLast())
    switch v {
    case .table(let f): fields = f
    case .list(let l) where l.isEmpty: fields = []
    default: throw PacketBuildError(here, "must be a table of fields, not \(PacketFields.show(v))")
    }
    used = [Bool](repeating: false, count: fields.count)
    self.path = path
    for (i, f) in fields.enumerated() {
      guard known.contains(f.name) else { throw PacketBuildError(path + f.name, "unknown field") }
      for g in fields[..<i] where g.name == f.name { throw PacketBuildError(path + f.name, "given twice") }
    }
  }

  func error(_ name: String, _ reason: String) -> PacketBuildError { PacketBuildError(path + name, reason) }

  var firstUnused: String? {
    for (i, f) in fields.enumerated() where !used[i] { return path + f.name }
    return nil
  }

  func index(_ name: String) -> Int? { fields.firstIndex { $0.name == name } }

  func has(_ name: String) -> Bool { index(name) != nil }

  func has(prefix: String) -> Bool { fields.contains { $0.name.hasPrefix(prefix) } }

  func has(anyPrefix prefixes: [String]) -> Bool { prefixes.contains { has(prefix: $0) } }

  /// The value, marked used; nil when absent.
  mutating func take(_ name: String) -> OFValue? {
    guard let i = index(name) else { return nil }
    used[i] = true
    return fields[i].value
  }

  /// A short form of a bad value for an error.
  static func show(_ v: OFValue) -> String {
    switch v {
    case .string(let s): return "'\(s)'"
    case .uint(let n): return String(n)
    case .int(let n): return String(n)
    case .bool(let b): return String(b)
    case .bytes(let b): return "\(b.count) bytes"
    case .list: return "a list"
    case .table: return "a table"
    }
  }

  /// A number that fits in `bits`, given as a number or numeric text;
  /// `default` nil means required.
  mutating func uint(_ name: String, bits: Int, default def: UInt64?) throws(PacketBuildError) -> UInt64 {
    guard let v = take(name) else {
      if let def { return def }
      throw error(name, "missing")
    }
    let n: UInt64
    switch v {
    case .string(let s):
      guard let x = OFEncoder.parseNumber(s) else { throw error(name, "'\(s)' is not a number") }
      n = x
    case .int(let i) where i < 0:
      throw error(name, "\(i) is negative")
    default:
      guard let x = v.uint else { throw error(name, "must be a number, not \(PacketFields.show(v))") }
      n = x
    }
    guard bits >= 64 || n >> UInt64(bits) == 0 else {
      // The match's vlan_vid carries OXM's "present" bit; a packet's does not.
      let hint = name == "vlan_vid" || name == "vid" ? " (the packet's vid has no OXM 0x1000 bit)" : ""
      throw error(name, "\(n) does not fit in \(bits) bits" + hint)
    }
    return n
  }

  /// Checks a field that repeats what a list item says (vlan_vid next to
  /// vlans[1].vid); absent is fine.
  mutating func agrees(_ name: String, bits: Int, with value: UInt64, _ other: String) throws(PacketBuildError) {
    guard has(name) else { return }
    let v = try uint(name, bits: bits, default: nil)
    guard v == value else { throw error(name, "\(v) differs from \(other) (\(value))") }
  }

  /// MAC text, 6 bytes, or a 48-bit number.
  mutating func mac(_ name: String, default def: [UInt8]?) throws(PacketBuildError) -> [UInt8] {
    guard let v = take(name) else {
      if let def { return def }
      throw error(name, "missing")
    }
    switch v {
    case .string(let s): if let m = AddressText.parseMAC(s) { return m }
    case .bytes(let b) where b.count == 6: return b
    default:
      if let n = v.uint, n >> 48 == 0 { return (0..<6).map { UInt8(truncatingIfNeeded: n >> UInt64(40 - 8 * $0)) } }
    }
    throw error(name, "\(PacketFields.show(v)) is not a MAC address")
  }

  /// Dotted-quad text or a 32-bit number; required.
  mutating func ipv4(_ name: String) throws(PacketBuildError) -> UInt32 {
    guard let v = take(name) else { throw error(name, "missing") }
    switch v {
    case .string(let s): if let a = AddressText.parseIPv4(s) { return a }
    case .bytes(let b) where b.count == 4: return UInt32(b[0]) << 24 | UInt32(b[1]) << 16 | UInt32(b[2]) << 8 | UInt32(b[3])
    default: if let n = v.uint, n >> 32 == 0 { return UInt32(n) }
    }
    throw error(name, "\(PacketFields.show(v)) is not an IPv4 address")
  }

  /// IPv6 text or 16 bytes; required.
  mutating func ipv6(_ name: String) throws(PacketBuildError) -> [UInt8] {
    guard let v = take(name) else { throw error(name, "missing") }
    switch v {
    case .string(let s): if let a = AddressText.parseIPv6(s) { return a }
    case .bytes(let b) where b.count == 16: return b
    default: break
    }
    throw error(name, "\(PacketFields.show(v)) is not an IPv6 address")
  }

  /// Bytes from a Lua string (text or not); absent is empty.
  mutating func bytes(_ name: String) throws(PacketBuildError) -> [UInt8] {
    guard let v = take(name) else { return [] }
    guard let b = v.bytes else { throw error(name, "must be bytes (a string), not \(PacketFields.show(v))") }
    return b
  }

  /// IPv4 or TCP options: whole 32-bit words, at most 40 bytes (what the
  /// header length field can count); absent is none.
  mutating func headerOptions(_ name: String) throws(PacketBuildError) -> [UInt8] {
    let options = try bytes(name)
    guard options.count % 4 == 0, options.count <= 40 else {
      throw error(name, "\(options.count) bytes; options take a multiple of 4 bytes, at most 40 (pad with 0 or 1)")
    }
    return options
  }

  /// The tables of a list field, each checked against `known`; absent is empty.
  mutating func items(_ name: String, known: Set<String>) throws(PacketBuildError) -> [PacketFields] {
    guard let v = take(name) else { return [] }
    let list: [OFValue]
    switch v {
    case .list(let l): list = l
    case .table(let f) where f.isEmpty: list = []
    default: throw error(name, "must be a list of tables, not \(PacketFields.show(v))")
    }
    var out: [PacketFields] = []
    out.reserveCapacity(list.count)
    for (i, item) in list.enumerated() {
      out.append(try PacketFields(item, path: "\(path)\(name)[\(i + 1)].", known: known))
    }
    return out
  }
}
