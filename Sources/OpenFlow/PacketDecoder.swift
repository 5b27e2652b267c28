/// Ethernet frame -> flat table of OXM-named fields, so one filter works on
/// a match and on a packet. Never throws: a header is decoded only when it is
/// there whole; decoding stops at the first one that is not, and `payload`
/// holds the bytes after the last decoded header. The layers live in the
/// Packet+<protocol>.swift files, each next to its builder half.
///
/// The layers hand each field to a PacketFieldSink as they read it. They are
/// @inlinable so that every sink, in this module or another, gets its own
/// specialized copy with direct calls; `decode` uses the one that builds an
/// OFValue.
public enum PacketDecoder {
  /// A non-throwing cursor; every read is bounds-checked by `has` first.
  /// `end` shrinks when a length field says the rest is padding.
  @usableFromInline
  struct Cursor {
    @usableFromInline let buf: UnsafeRawBufferPointer
    @usableFromInline var pos: Int
    @usableFromInline var end: Int

    @inlinable init(_ buf: UnsafeRawBufferPointer) {
      self.buf = buf
      pos = 0
      end = buf.count
    }

    @inlinable func has(_ n: Int) -> Bool { n >= 0 && n <= end - pos }
    @inlinable func u8(_ at: Int) -> UInt8 { buf[pos + at] }
    @inlinable func u16(_ at: Int) -> UInt16 { UInt16(bigEndian: buf.loadUnaligned(fromByteOffset: pos + at, as: UInt16.self)) }
    @inlinable func u32(_ at: Int) -> UInt32 { UInt32(bigEndian: buf.loadUnaligned(fromByteOffset: pos + at, as: UInt32.self)) }
    @inlinable func bytes(_ at: Int, _ n: Int) -> UnsafeRawBufferPointer {
      UnsafeRawBufferPointer(rebasing: buf[(pos + at)..<(pos + at + n)])
    }
  }

  public static func decode(_ frame: UnsafeRawBufferPointer) -> OFValue {
    var s = OFValueSink()
    decode(frame, into: &s)
    return .table(s.fields)
  }

  /// Hands the frame's fields to `s`, `payload` last.
  @inlinable
  public static func decode<S: PacketFieldSink>(_ frame: UnsafeRawBufferPointer, into s: inout S) {
    var c = Cursor(frame)
    decodeEthernet(&c, &s)
    s.bytes(.payload, c.pos < c.end ? c.bytes(0, c.end - c.pos) : UnsafeRawBufferPointer(start: nil, count: 0))
  }
}

/// What the decoder reads, field by field in the order of the table it
/// makes. A key comes at most once per table. Lists hold only tables
/// (beginItem...endItem), and the counts are exact, so a sink can make its
/// containers at their final size.
public protocol PacketFieldSink {
  mutating func uint(_ key: PacketKey, _ v: UInt64)
  /// A MAC address (6 bytes) as "aa:bb:cc:dd:ee:ff".
  mutating func mac(_ key: PacketKey, _ b: UnsafeRawBufferPointer)
  /// Dotted quad.
  mutating func ipv4(_ key: PacketKey, _ v: UInt32)
  /// 16 bytes as RFC 5952 text.
  mutating func ipv6(_ key: PacketKey, _ b: UnsafeRawBufferPointer)
  mutating func bytes(_ key: PacketKey, _ b: UnsafeRawBufferPointer)
  /// Text when the bytes are UTF-8, else bytes: names and descriptions that
  /// are text read as text, and anything else still builds back exactly.
  mutating func text(_ key: PacketKey, _ b: UnsafeRawBufferPointer)
  mutating func beginList(_ key: PacketKey, count: Int)
  mutating func beginItem(fields: Int)
  mutating func endItem()
  mutating func endList()
  /// False: the decoder stops after the Ethernet header (and its tags),
  /// then hands over `payload` as ever.
  var wantsUpperLayers: Bool { get }
}

extension PacketFieldSink {
  @inlinable @inline(__always)
  mutating func uint<T: FixedWidthInteger>(_ key: PacketKey, _ v: T) { uint(key, UInt64(v)) }
  @inlinable public var wantsUpperLayers: Bool { true }
}

/// The packet table's field names, by number rather than by string.
public enum PacketKey: UInt8, CaseIterable, Sendable {
  case eth_dst, eth_src, eth_type, vlan_vid, vlan_pcp, vlans, tpid, pcp, dei, vid
  case mpls_label, mpls_tc, mpls_bos, mpls_ttl, mpls, label, tc, bos, ttl
  case ip_dscp, ip_ecn, ipv6_flabel, nw_ttl, ip_proto, ipv4_src, ipv4_dst, ipv4_id, ipv4_flags, ipv4_frag_offset
  case ipv4_options, ipv6_src, ipv6_dst, ipv6_ext, hdr, data
  case arp_op, arp_sha, arp_spa, arp_tha, arp_tpa
  case tcp_src, tcp_dst, tcp_flags, tcp_seq, tcp_ack, tcp_window, tcp_urgent, tcp_options
  case udp_src, udp_dst, sctp_src, sctp_dst, sctp_vtag
  case icmpv4_type, icmpv4_code, icmpv6_type, icmpv6_code, ipv6_nd_flags, ipv6_nd_target, ipv6_nd_sll, ipv6_nd_tll
  case lldp_chassis_id_subtype, lldp_chassis_id, lldp_port_id_subtype, lldp_port_id, lldp_ttl
  case lldp_port_description, lldp_system_name, lldp_system_description
  case lldp_system_capabilities, lldp_enabled_capabilities
  case lldp_management_addresses, address_subtype, address, interface_subtype, interface_number, oid
  case lldp_org_specific, oui, subtype, info
  case lldp_unknown, type, value
  case payload

  /// Names in case order (a test holds them to the case names).
  public static let names: [String] = [
    "eth_dst", "eth_src", "eth_type", "vlan_vid", "vlan_pcp", "vlans", "tpid", "pcp", "dei", "vid",
    "mpls_label", "mpls_tc", "mpls_bos", "mpls_ttl", "mpls", "label", "tc", "bos", "ttl",
    "ip_dscp", "ip_ecn", "ipv6_flabel", "nw_ttl", "ip_proto", "ipv4_src", "ipv4_dst", "ipv4_id", "ipv4_flags", "ipv4_frag_offset",
    "ipv4_options", "ipv6_src", "ipv6_dst", "ipv6_ext", "hdr", "data",
    "arp_op", "arp_sha", "arp_spa", "arp_tha", "arp_tpa",
    "tcp_src", "tcp_dst", "tcp_flags", "tcp_seq", "tcp_ack", "tcp_window", "tcp_urgent", "tcp_options",
    "udp_src", "udp_dst", "sctp_src", "sctp_dst", "sctp_vtag",
    "icmpv4_type", "icmpv4_code", "icmpv6_type", "icmpv6_code", "ipv6_nd_flags", "ipv6_nd_target", "ipv6_nd_sll", "ipv6_nd_tll",
    "lldp_chassis_id_subtype", "lldp_chassis_id", "lldp_port_id_subtype", "lldp_port_id", "lldp_ttl",
    "lldp_port_description", "lldp_system_name", "lldp_system_description",
    "lldp_system_capabilities", "lldp_enabled_capabilities",
    "lldp_management_addresses", "address_subtype", "address", "interface_subtype", "interface_number", "oid",
    "lldp_org_specific", "oui", "subtype", "info",
    "lldp_unknown", "type", "value",
    "payload",
  ]

  public var name: String { PacketKey.names[Int(rawValue)] }
}

/// The sink behind `decode`: the packet as an OFValue table.
struct OFValueSink: PacketFieldSink {
  // Ethernet + IPv4 + TCP is 20 fields with the payload: one allocation.
  var fields: [OFField] = {
    var f: [OFField] = []
    f.reserveCapacity(24)
    return f
  }()
  var list: (key: PacketKey, items: [OFValue]) = (.payload, [])
  var item: [OFField] = []
  var inItem = false

  mutating func add(_ key: PacketKey, _ v: OFValue) {
    if inItem { item.append(OFField(key.name, v)) } else { fields.append(OFField(key.name, v)) }
  }

  mutating func uint(_ key: PacketKey, _ v: UInt64) { add(key, .uint(v)) }
  mutating func mac(_ key: PacketKey, _ b: UnsafeRawBufferPointer) { add(key, .string(AddressText.mac(b))) }
  mutating func ipv4(_ key: PacketKey, _ v: UInt32) { add(key, .string(AddressText.ipv4(v))) }
  mutating func ipv6(_ key: PacketKey, _ b: UnsafeRawBufferPointer) { add(key, .string(AddressText.ipv6(b))) }
  mutating func bytes(_ key: PacketKey, _ b: UnsafeRawBufferPointer) { add(key, .bytes(Array(b))) }
  mutating func text(_ key: PacketKey, _ b: UnsafeRawBufferPointer) {
    if let t = String(validating: b, as: UTF8.self) { add(key, .string(t)) } else { add(key, .bytes(Array(b))) }
  }

  mutating func beginList(_ key: PacketKey, count: Int) {
    list = (key, [])
    list.items.reserveCapacity(count)
  }

  mutating func beginItem(fields: Int) {
    item = []
    item.reserveCapacity(fields)
    inItem = true
  }

  mutating func endItem() {
    list.items.append(.table(item))
    inItem = false
  }

  mutating func endList() {
    fields.append(OFField(list.key.name, .list(list.items)))
    list.items = []
  }
}
