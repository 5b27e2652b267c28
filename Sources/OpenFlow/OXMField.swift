// OpenFlow-basic OXM fields (class 0x8000): number, size and text form.
// The one table of them: the codec, the PACKET_IN view and the app runtime's
// field names all read it.

/// How a field's value reads: a number, a MAC address, an IPv4 or IPv6
/// address (text), or a port (number, or the name of a reserved one).
public enum OXMKind: Sendable { case uint, mac, ipv4, ipv6, port }

public struct OXMField: Sendable {
  public let name: String
  public let number: UInt8
  /// The value's size in bytes (a mask is as long).
  public let size: Int
  public let kind: OXMKind

  public static let basicClass: UInt16 = 0x8000
  public static let experimenterClass: UInt16 = 0xffff

  public static let all: [OXMField] = [
    .init(name: "in_port", number: 0, size: 4, kind: .port),
    .init(name: "in_phy_port", number: 1, size: 4, kind: .port),
    .init(name: "metadata", number: 2, size: 8, kind: .uint),
    .init(name: "eth_dst", number: 3, size: 6, kind: .mac),
    .init(name: "eth_src", number: 4, size: 6, kind: .mac),
    .init(name: "eth_type", number: 5, size: 2, kind: .uint),
    .init(name: "vlan_vid", number: 6, size: 2, kind: .uint),
    .init(name: "vlan_pcp", number: 7, size: 1, kind: .uint),
    .init(name: "ip_dscp", number: 8, size: 1, kind: .uint),
    .init(name: "ip_ecn", number: 9, size: 1, kind: .uint),
    .init(name: "ip_proto", number: 10, size: 1, kind: .uint),
    .init(name: "ipv4_src", number: 11, size: 4, kind: .ipv4),
    .init(name: "ipv4_dst", number: 12, size: 4, kind: .ipv4),
    .init(name: "tcp_src", number: 13, size: 2, kind: .uint),
    .init(name: "tcp_dst", number: 14, size: 2, kind: .uint),
    .init(name: "udp_src", number: 15, size: 2, kind: .uint),
    .init(name: "udp_dst", number: 16, size: 2, kind: .uint),
    .init(name: "sctp_src", number: 17, size: 2, kind: .uint),
    .init(name: "sctp_dst", number: 18, size: 2, kind: .uint),
    .init(name: "icmpv4_type", number: 19, size: 1, kind: .uint),
    .init(name: "icmpv4_code", number: 20, size: 1, kind: .uint),
    .init(name: "arp_op", number: 21, size: 2, kind: .uint),
    .init(name: "arp_spa", number: 22, size: 4, kind: .ipv4),
    .init(name: "arp_tpa", number: 23, size: 4, kind: .ipv4),
    .init(name: "arp_sha", number: 24, size: 6, kind: .mac),
    .init(name: "arp_tha", number: 25, size: 6, kind: .mac),
    .init(name: "ipv6_src", number: 26, size: 16, kind: .ipv6),
    .init(name: "ipv6_dst", number: 27, size: 16, kind: .ipv6),
    .init(name: "ipv6_flabel", number: 28, size: 4, kind: .uint),
    .init(name: "icmpv6_type", number: 29, size: 1, kind: .uint),
    .init(name: "icmpv6_code", number: 30, size: 1, kind: .uint),
    .init(name: "ipv6_nd_target", number: 31, size: 16, kind: .ipv6),
    .init(name: "ipv6_nd_sll", number: 32, size: 6, kind: .mac),
    .init(name: "ipv6_nd_tll", number: 33, size: 6, kind: .mac),
    .init(name: "mpls_label", number: 34, size: 4, kind: .uint),
    .init(name: "mpls_tc", number: 35, size: 1, kind: .uint),
    .init(name: "mpls_bos", number: 36, size: 1, kind: .uint),
    .init(name: "pbb_isid", number: 37, size: 3, kind: .uint),
    .init(name: "tunnel_id", number: 38, size: 8, kind: .uint),
    .init(name: "ipv6_exthdr", number: 39, size: 2, kind: .uint),
    // 1.4 / 1.5 additions, so later versions need no new table.
    .init(name: "pbb_uca", number: 41, size: 1, kind: .uint),
    .init(name: "tcp_flags", number: 42, size: 2, kind: .uint),
    .init(name: "actset_output", number: 43, size: 4, kind: .port),
    .init(name: "packet_type", number: 44, size: 4, kind: .uint),
  ]

  static let byNumber: [OXMField?] = {
    var t = [OXMField?](repeating: nil, count: 128)
    for f in all { t[Int(f.number)] = f }
    return t
  }()

  /// One past the highest number `all` has (a constant, for callers that
  /// size things by it; a test holds it to the table).
  public static let numberLimit = 45

  static let byName: [String: OXMField] = {
    var d: [String: OXMField] = [:]
    for f in all { d[f.name] = f }
    return d
  }()

  /// fieldRank values: a field and its mask sit together, in field-number order.
  static let ranks: [String: Int] = {
    var d: [String: Int] = [:]
    for f in all {
      d[f.name] = Int(f.number) * 2
      d[f.name + "_mask"] = Int(f.number) * 2 + 1
    }
    return d
  }()

  public static func field(_ number: UInt8) -> OXMField? {
    Int(number) < byNumber.count ? byNumber[Int(number)] : nil
  }

  /// Size and kind of field `number`, nil for one the table lacks: what a
  /// reader of values needs, without the name.
  static func layout(_ number: UInt8) -> (size: Int, kind: OXMKind)? {
    guard Int(number) < byNumber.count, let f = byNumber[Int(number)] else { return nil }
    return (f.size, f.kind)
  }

  /// Key for an OXM of another class: "oxm_0001_31".
  static func rawName(_ cls: UInt16, _ field: UInt8) -> String {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: rawNameCapacity) { out in
      let n = writeRawName(cls, field, mask: false, into: out.baseAddress!)
      return String(decoding: UnsafeBufferPointer(start: out.baseAddress, count: n), as: UTF8.self)
    }
  }

  /// Room `writeRawName` needs at most.
  public static let rawNameCapacity = 20

  /// Writes the key for an OXM of another class ("oxm_", the class in 4 hex
  /// digits, "_", the field number in decimal), with `mask` its mask's key
  /// (then "_mask"), into `out`; returns how many bytes it wrote. Makes no
  /// String, for a caller that pushes the bytes on elsewhere.
  @inlinable
  public static func writeRawName(_ cls: UInt16, _ field: UInt8, mask: Bool, into out: UnsafeMutablePointer<UInt8>) -> Int {
    let hex: StaticString = "0123456789abcdef"
    let h = hex.utf8Start
    var n = 0
    func put(_ s: StaticString) {
      for i in 0..<s.utf8CodeUnitCount {
        out[n] = s.utf8Start[i]
        n += 1
      }
    }
    put("oxm_")
    var shift = 12
    while shift >= 0 {
      out[n] = h[Int(cls >> UInt16(shift)) & 15]
      n += 1
      shift -= 4
    }
    put("_")
    if field >= 100 { out[n] = 48 + field / 100; n += 1 }
    if field >= 10 { out[n] = 48 + (field / 10) % 10; n += 1 }
    out[n] = 48 + field % 10
    n += 1
    if mask { put("_mask") }
    return n
  }

  /// (class, field) from a raw key, nil when the name is not of that form.
  static func parseRawName(_ name: String) -> (UInt16, UInt8)? {
    guard name.hasPrefix("oxm_") else { return nil }
    let parts = name.dropFirst(4).split(separator: "_", omittingEmptySubsequences: false)
    guard parts.count == 2, parts[0].count == 4, let c = UInt16(parts[0], radix: 16), let f = UInt8(parts[1]), f < 128 else { return nil }
    return (c, f)
  }
}

extension OFCodec {
  /// Rank for ordering keys of a table that came from Lua (unordered): OXM
  /// fields by their OXM field number (a mask right after its field), OXM of
  /// other classes next, other names after them.
  public static func fieldRank(_ name: String) -> Int {
    if let r = OXMField.ranks[name] { return r }
    if name.hasPrefix("oxm_") {
      let base = name.hasSuffix("_mask") ? String(name.dropLast(5)) : name
      if let (c, f) = OXMField.parseRawName(base) {
        return 1000 + (Int(c) << 8 | Int(f) << 1) + (base.count == name.count ? 0 : 1)
      }
    }
    return 1 << 30
  }

  /// One OXM value in its text/number form.
  static func readOXMValue(_ r: inout ByteReader, _ f: OXMField, mask: Bool) throws(OFCodecError) -> OFValue {
    switch f.kind {
    case .uint: return .uint(try r.uint(size: f.size, f.name))
    case .mac: return .string(AddressText.mac(try r.bytes(6, f.name)))
    case .ipv4: return .string(AddressText.ipv4(try r.u32(f.name)))
    case .ipv6: return .string(AddressText.ipv6(try r.bytes(16, f.name)))
    case .port:
      let n = UInt64(try r.u32(f.name))
      return mask ? .uint(n) : portValue(n, OFVersion.v1_3)
    }
  }

  static func writeOXMValue(_ v: OFValue, _ f: OXMField, _ key: String, _ e: inout OFEncoder) throws(OFCodecError) {
    switch f.kind {
    case .uint: e.out.uint(try e.number(v, key, bits: f.size * 8), size: f.size)
    case .mac: e.out.append(try e.mac(v, key))
    case .ipv4: e.out.u32(try e.ipv4(v, key))
    case .ipv6: e.out.append(try e.ipv6(v, key))
    case .port: e.out.u32(UInt32(truncatingIfNeeded: try e.number(v, key, names: OFNames.ports, bits: 32)))
    }
  }
}
