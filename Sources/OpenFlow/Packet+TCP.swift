// TCP header with options.

extension PacketDecoder {
  @inlinable
  static func decodeTCP<S: PacketFieldSink>(_ c: inout Cursor, _ s: inout S) {
    guard c.has(20) else { return }
    let off = Int(c.u8(12) >> 4) * 4
    s.uint(.tcp_src, c.u16(0))
    s.uint(.tcp_dst, c.u16(2))
    s.uint(.tcp_flags, c.u16(12) & 0x0fff)
    s.uint(.tcp_seq, c.u32(4))
    s.uint(.tcp_ack, c.u32(8))
    s.uint(.tcp_window, c.u16(14))
    s.uint(.tcp_urgent, c.u16(18))
    // A data offset below 5 or past the end is ignored: the header is 20 bytes then.
    if off > 20 && c.has(off) {
      s.bytes(.tcp_options, c.bytes(20, off - 20))
      c.pos += off
    } else {
      c.pos += 20
    }
  }
}

extension PacketBuilder {
  mutating func tcp(pseudo: UInt64) throws(PacketBuildError) {
    let src = try p.uint("tcp_src", bits: 16, default: nil)
    let dst = try p.uint("tcp_dst", bits: 16, default: nil)
    let seq = try p.uint("tcp_seq", bits: 32, default: 0)
    let ack = try p.uint("tcp_ack", bits: 32, default: 0)
    let flags = try p.uint("tcp_flags", bits: 12, default: 0)
    let window = try p.uint("tcp_window", bits: 16, default: 0)
    let urgent = try p.uint("tcp_urgent", bits: 16, default: 0)
    let options = try p.headerOptions("tcp_options")
    let start = w.count
    w.u16(UInt16(src))
    w.u16(UInt16(dst))
    w.u32(UInt32(seq))
    w.u32(UInt32(ack))
    w.u16(UInt16(5 + options.count / 4) << 12 | UInt16(flags))
    w.u16(UInt16(window))
    w.u16(0)  // checksum, patched below
    w.u16(UInt16(urgent))
    w.append(options)
    layers.append("TCP")
    try payload()
    patchTransportChecksum(start: start, at: 16, proto: IPProto.tcp, pseudo: pseudo)
  }
}
