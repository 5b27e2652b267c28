// SCTP common header; the chunks stay in the payload.

extension PacketDecoder {
  @inlinable
  static func decodeSCTP<S: PacketFieldSink>(_ c: inout Cursor, _ s: inout S) {
    guard c.has(12) else { return }
    s.uint(.sctp_src, c.u16(0))
    s.uint(.sctp_dst, c.u16(2))
    s.uint(.sctp_vtag, c.u32(4))
    c.pos += 12
  }
}

extension PacketBuilder {
  mutating func sctp() throws(PacketBuildError) {
    let src = try p.uint("sctp_src", bits: 16, default: nil)
    let dst = try p.uint("sctp_dst", bits: 16, default: nil)
    let vtag = try p.uint("sctp_vtag", bits: 32, default: 0)
    let start = w.count
    w.u16(UInt16(src))
    w.u16(UInt16(dst))
    w.u32(UInt32(vtag))
    w.u32(0)  // checksum, patched below
    layers.append("SCTP")
    try payload()
    // CRC32c over the whole packet, no pseudo-header; it goes on the wire
    // least significant byte first (RFC 9260 appendix A).
    let crc = Checksum.crc32c(w.bytes[start...])
    for i in 0..<4 { w.bytes[start + 8 + i] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(i))) }
  }
}
