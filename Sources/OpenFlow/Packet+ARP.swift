// ARP for IPv4 over Ethernet, the only kind with a fixed 28-byte layout.

extension PacketDecoder {
  @inlinable
  static func decodeARP<S: PacketFieldSink>(_ c: inout Cursor, _ s: inout S) {
    guard c.has(28), c.u16(0) == 1, c.u16(2) == EtherType.ipv4, c.u8(4) == 6, c.u8(5) == 4 else { return }
    s.uint(.arp_op, c.u16(6))
    s.mac(.arp_sha, c.bytes(8, 6))
    s.ipv4(.arp_spa, c.u32(14))
    s.mac(.arp_tha, c.bytes(18, 6))
    s.ipv4(.arp_tpa, c.u32(24))
    c.pos += 28
  }
}

extension PacketBuilder {
  /// arp_sha defaults to eth_src and arp_tha to zeros (what a request carries).
  mutating func arp() throws(PacketBuildError) {
    let op = try p.uint("arp_op", bits: 16, default: nil)
    let sha = try p.mac("arp_sha", default: ethSrc)
    let spa = try p.ipv4("arp_spa")
    let tha = try p.mac("arp_tha", default: [0, 0, 0, 0, 0, 0])
    let tpa = try p.ipv4("arp_tpa")
    w.u16(1)
    w.u16(EtherType.ipv4)
    w.u8(6)
    w.u8(4)
    w.u16(UInt16(op))
    w.append(sha)
    w.u32(spa)
    w.append(tha)
    w.u32(tpa)
    layers.append("ARP")
    try payload()
  }
}
