// IPv4 header with options. Ethernet pads short frames, so the total length,
// not the frame, says where the packet ends.

extension PacketDecoder {
  @inlinable
  static func decodeIPv4<S: PacketFieldSink>(_ c: inout Cursor, _ s: inout S) {
    guard c.has(20), c.u8(0) >> 4 == 4 else { return }
    let ihl = Int(c.u8(0) & 15) * 4
    guard ihl >= 20, c.has(ihl) else { return }
    let tos = c.u8(1)
    let total = Int(c.u16(2))
    let flagsFrag = c.u16(6)
    let proto = c.u8(9)
    s.uint(.ip_dscp, tos >> 2)
    s.uint(.ip_ecn, tos & 3)
    s.uint(.nw_ttl, c.u8(8))
    s.uint(.ip_proto, proto)
    s.ipv4(.ipv4_src, c.u32(12))
    s.ipv4(.ipv4_dst, c.u32(16))
    s.uint(.ipv4_id, c.u16(4))
    s.uint(.ipv4_flags, flagsFrag >> 13)
    s.uint(.ipv4_frag_offset, flagsFrag & 0x1fff)
    if ihl > 20 { s.bytes(.ipv4_options, c.bytes(20, ihl - 20)) }
    if total >= ihl && total <= c.end - c.pos { c.end = c.pos + total }
    c.pos += ihl
    // Later fragments start mid-datagram: their first bytes are no header.
    guard flagsFrag & 0x1fff == 0 else { return }
    decodeL4(proto, icmp: IPProto.icmpv4, &c, &s)
  }
}

extension PacketBuilder {
  /// Fields that make an IPv4 header when eth_type is IPv4 (or after MPLS).
  static let ipv4LayerPrefixes = ["ipv4_", "ip_", "nw_ttl", "tcp_", "udp_", "sctp_", "icmpv4_"]

  mutating func ipv4() throws(PacketBuildError) {
    let dscp = try p.uint("ip_dscp", bits: 6, default: 0)
    let ecn = try p.uint("ip_ecn", bits: 2, default: 0)
    let ttl = try p.uint("nw_ttl", bits: 8, default: 64)
    let src = try p.ipv4("ipv4_src")
    let dst = try p.ipv4("ipv4_dst")
    let id = try p.uint("ipv4_id", bits: 16, default: 0)
    let flags = try p.uint("ipv4_flags", bits: 3, default: 0)
    let frag = try p.uint("ipv4_frag_offset", bits: 13, default: 0)
    let options = try p.headerOptions("ipv4_options")
    let proto = try ipProto(v6: false)
    let start = w.count
    w.u8(0x45 + UInt8(options.count / 4))
    w.u8(UInt8(dscp << 2 | ecn))
    w.u16(0)  // total length, patched below
    w.u16(UInt16(id))
    w.u16(UInt16(flags << 13 | frag))
    w.u8(UInt8(ttl))
    w.u8(proto)
    w.u16(0)  // header checksum, patched below
    w.u32(src)
    w.u32(dst)
    w.append(options)
    let headerEnd = w.count
    layers.append("IPv4")
    if frag == 0 {
      let pseudo = UInt64(src >> 16) + UInt64(src & 0xffff) + UInt64(dst >> 16) + UInt64(dst & 0xffff)
      try transport(proto, v6: false, pseudo: pseudo)
    } else {
      layers.append("fragment")
      try payload()
    }
    let total = w.count - start
    guard total <= 0xffff else { throw PacketBuildError("payload", "makes the IPv4 packet \(total) bytes, over 65535") }
    w.patchU16(at: start + 2, UInt16(total))
    w.patchU16(at: start + 10, Checksum.fold(Checksum.add(w.bytes[start..<headerEnd], 0)))
  }
}
