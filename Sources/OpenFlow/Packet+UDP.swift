// UDP header.

extension PacketDecoder {
  @inlinable
  static func decodeUDP<S: PacketFieldSink>(_ c: inout Cursor, _ s: inout S) {
    guard c.has(8) else { return }
    s.uint(.udp_src, c.u16(0))
    s.uint(.udp_dst, c.u16(2))
    c.pos += 8
  }
}

extension PacketBuilder {
  mutating func udp(pseudo: UInt64) throws(PacketBuildError) {
    let src = try p.uint("udp_src", bits: 16, default: nil)
    let dst = try p.uint("udp_dst", bits: 16, default: nil)
    let start = w.count
    w.u16(UInt16(src))
    w.u16(UInt16(dst))
    w.u16(0)  // length, patched below
    w.u16(0)  // checksum, patched below
    layers.append("UDP")
    try payload()
    let len = w.count - start
    guard len <= 0xffff else { throw PacketBuildError("payload", "makes the UDP datagram \(len) bytes, over 65535") }
    w.patchU16(at: start + 4, UInt16(len))
    patchTransportChecksum(start: start, at: 6, proto: IPProto.udp, pseudo: pseudo, zeroAsOnes: true)
  }
}
