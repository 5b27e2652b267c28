/// Ethernet frame -> flat table of OXM-named fields, so one filter works on
/// a match and on a packet. Never throws: a header is decoded only when it is
/// there whole; decoding stops at the first one that is not, and `payload`
/// holds the bytes after the last decoded header.
public enum PacketDecoder {
  static let ethIPv4: UInt64 = 0x0800, ethARP: UInt64 = 0x0806, ethIPv6: UInt64 = 0x86dd
  static let vlanTPIDs: Set<UInt16> = [0x8100, 0x88a8, 0x9100]
  static let ipv6ExtHeaders: Set<UInt8> = [0, 43, 44, 60]

  /// A non-throwing cursor; every read is bounds-checked by `has`.
  struct Cursor {
    let buf: UnsafeRawBufferPointer
    var pos: Int
    var end: Int
    func has(_ n: Int) -> Bool { n >= 0 && n <= end - pos }
    func u8(_ at: Int) -> UInt8 { buf[pos + at] }
    func u16(_ at: Int) -> UInt16 { UInt16(buf[pos + at]) << 8 | UInt16(buf[pos + at + 1]) }
    func u32(_ at: Int) -> UInt32 { UInt32(u16(at)) << 16 | UInt32(u16(at + 2)) }
    func slice(_ at: Int, _ n: Int) -> Slice<UnsafeRawBufferPointer> { buf[(pos + at)..<(pos + at + n)] }
  }

  public static func decode(_ frame: UnsafeRawBufferPointer) -> OFValue {
    var c = Cursor(buf: frame, pos: 0, end: frame.count)
    var f: [OFField] = []
    f.reserveCapacity(16)
    decodeEthernet(&c, &f)
    let payload = c.pos < c.end ? Array(frame[c.pos..<c.end]) : []
    f.append(OFField("payload", .bytes(payload)))
    return .table(f)
  }

  static func decodeEthernet(_ c: inout Cursor, _ f: inout [OFField]) {
    guard c.has(14) else { return }
    f.append(OFField("eth_dst", .string(AddressText.mac(c.slice(0, 6)))))
    f.append(OFField("eth_src", .string(AddressText.mac(c.slice(6, 6)))))
    var type = c.u16(12)
    c.pos += 14
    var tagged = false
    while vlanTPIDs.contains(type) && c.has(4) {
      let tci = c.u16(0)
      if !tagged {
        f.append(OFField("vlan_vid", .uint(UInt64(tci & 0xfff))))
        f.append(OFField("vlan_pcp", .uint(UInt64(tci >> 13))))
        tagged = true
      }
      type = c.u16(2)
      c.pos += 4
    }
    f.append(OFField("eth_type", .uint(UInt64(type))))
    switch UInt64(type) {
    case ethARP: decodeARP(&c, &f)
    case ethIPv4: decodeIPv4(&c, &f)
    case ethIPv6: decodeIPv6(&c, &f)
    default: break
    }
  }

  static func decodeARP(_ c: inout Cursor, _ f: inout [OFField]) {
    // Only Ethernet/IPv4 ARP has the fixed 28-byte layout.
    guard c.has(28), c.u16(0) == 1, c.u16(2) == 0x0800, c.u8(4) == 6, c.u8(5) == 4 else { return }
    f.append(OFField("arp_op", .uint(UInt64(c.u16(6)))))
    f.append(OFField("arp_sha", .string(AddressText.mac(c.slice(8, 6)))))
    f.append(OFField("arp_spa", .string(AddressText.ipv4(c.u32(14)))))
    f.append(OFField("arp_tha", .string(AddressText.mac(c.slice(18, 6)))))
    f.append(OFField("arp_tpa", .string(AddressText.ipv4(c.u32(24)))))
    c.pos += 28
  }

  static func decodeIPv4(_ c: inout Cursor, _ f: inout [OFField]) {
    guard c.has(20), c.u8(0) >> 4 == 4 else { return }
    let ihl = Int(c.u8(0) & 15) * 4
    guard ihl >= 20, c.has(ihl) else { return }
    let tos = c.u8(1)
    let total = Int(c.u16(2))
    let fragOffset = c.u16(6) & 0x1fff
    let proto = c.u8(9)
    f.append(OFField("ip_dscp", .uint(UInt64(tos >> 2))))
    f.append(OFField("ip_ecn", .uint(UInt64(tos & 3))))
    f.append(OFField("nw_ttl", .uint(UInt64(c.u8(8)))))
    f.append(OFField("ip_proto", .uint(UInt64(proto))))
    f.append(OFField("ipv4_src", .string(AddressText.ipv4(c.u32(12)))))
    f.append(OFField("ipv4_dst", .string(AddressText.ipv4(c.u32(16)))))
    // Ethernet padding is not payload: stop at the IP total length.
    if total >= ihl && total <= c.end - c.pos { c.end = c.pos + total }
    c.pos += ihl
    guard fragOffset == 0 else { return }
    decodeL4(proto, icmp: 1, &c, &f)
  }

  static func decodeIPv6(_ c: inout Cursor, _ f: inout [OFField]) {
    guard c.has(40), c.u8(0) >> 4 == 6 else { return }
    let word = c.u32(0)
    let tc = UInt8(truncatingIfNeeded: word >> 20)
    let plen = Int(c.u16(4))
    var next = c.u8(6)
    f.append(OFField("ip_dscp", .uint(UInt64(tc >> 2))))
    f.append(OFField("ip_ecn", .uint(UInt64(tc & 3))))
    f.append(OFField("ipv6_flabel", .uint(UInt64(word & 0xfffff))))
    f.append(OFField("nw_ttl", .uint(UInt64(c.u8(7)))))
    f.append(OFField("ipv6_src", .string(AddressText.ipv6(c.slice(8, 16)))))
    f.append(OFField("ipv6_dst", .string(AddressText.ipv6(c.slice(24, 16)))))
    c.pos += 40
    if plen <= c.end - c.pos { c.end = c.pos + plen }
    // Skip extension headers; each consumes at least 8 bytes, so this ends.
    var fragmented = false
    while ipv6ExtHeaders.contains(next) && c.has(8) {
      let len = next == 44 ? 8 : (Int(c.u8(1)) + 1) * 8
      guard c.has(len) else { break }
      if next == 44 && c.u16(2) & 0xfff8 != 0 { fragmented = true }
      next = c.u8(0)
      c.pos += len
    }
    f.append(OFField("ip_proto", .uint(UInt64(next))))
    guard !fragmented, !ipv6ExtHeaders.contains(next) else { return }
    decodeL4(next, icmp: 58, &c, &f)
  }

  static func decodeL4(_ proto: UInt8, icmp: UInt8, _ c: inout Cursor, _ f: inout [OFField]) {
    switch proto {
    case 6:
      guard c.has(20) else { return }
      let off = Int(c.u8(12) >> 4) * 4
      f.append(OFField("tcp_src", .uint(UInt64(c.u16(0)))))
      f.append(OFField("tcp_dst", .uint(UInt64(c.u16(2)))))
      f.append(OFField("tcp_flags", .uint(UInt64(c.u16(12) & 0x0fff))))
      c.pos += off >= 20 && c.has(off) ? off : 20
    case 17:
      guard c.has(8) else { return }
      f.append(OFField("udp_src", .uint(UInt64(c.u16(0)))))
      f.append(OFField("udp_dst", .uint(UInt64(c.u16(2)))))
      c.pos += 8
    case icmp:
      guard c.has(4) else { return }
      let prefix = icmp == 1 ? "icmpv4" : "icmpv6"
      f.append(OFField(prefix + "_type", .uint(UInt64(c.u8(0)))))
      f.append(OFField(prefix + "_code", .uint(UInt64(c.u8(1)))))
      c.pos += 4
    default: break
    }
  }
}
