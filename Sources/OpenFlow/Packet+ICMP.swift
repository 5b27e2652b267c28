// ICMPv4, and ICMPv6 with neighbour discovery (RFC 4861 solicitation 135 and
// advertisement 136: target address, then link-layer address options).

extension PacketDecoder {
  @inlinable
  static func decodeICMPv4<S: PacketFieldSink>(_ c: inout Cursor, _ s: inout S) {
    guard c.has(4) else { return }
    s.uint(.icmpv4_type, c.u8(0))
    s.uint(.icmpv4_code, c.u8(1))
    c.pos += 4
  }

  @inlinable
  static func decodeICMPv6<S: PacketFieldSink>(_ c: inout Cursor, _ s: inout S) {
    guard c.has(4) else { return }
    let type = c.u8(0)
    s.uint(.icmpv6_type, type)
    s.uint(.icmpv6_code, c.u8(1))
    c.pos += 4
    guard type == 135 || type == 136, c.has(20) else { return }
    // NA flags: R, S, O are the top three bits of the word after the checksum.
    if type == 136 { s.uint(.ipv6_nd_flags, c.u8(0) >> 5) }
    s.ipv6(.ipv6_nd_target, c.bytes(4, 16))
    c.pos += 20
    // Ethernet link-layer options are 8 bytes (length 1). Anything else, a
    // repeat or SLL after TLL ends the walk, so what is decoded builds back
    // in the same order.
    var last: UInt8 = 0
    while c.has(8) {
      let opt = c.u8(0)
      guard opt == 1 || opt == 2, opt > last, c.u8(1) == 1 else { break }
      s.mac(opt == 1 ? .ipv6_nd_sll : .ipv6_nd_tll, c.bytes(2, 6))
      last = opt
      c.pos += 8
    }
  }
}

extension PacketBuilder {
  /// Type, code and a zero checksum (patched once the rest is written);
  /// returns where the header starts and the type.
  mutating func icmpHeader(_ prefix: String, layer: String) throws(PacketBuildError) -> (Int, UInt64) {
    let type = try p.uint(prefix + "_type", bits: 8, default: nil)
    let code = try p.uint(prefix + "_code", bits: 8, default: 0)
    let start = w.count
    w.u8(UInt8(type))
    w.u8(UInt8(code))
    w.u16(0)
    layers.append(layer)
    return (start, type)
  }

  mutating func icmpv4() throws(PacketBuildError) {
    let (start, _) = try icmpHeader("icmpv4", layer: "ICMPv4")
    try payload()
    w.patchU16(at: start + 2, Checksum.fold(Checksum.add(w.bytes[start...], 0)))
  }

  mutating func icmpv6(pseudo: UInt64) throws(PacketBuildError) {
    let (start, type) = try icmpHeader("icmpv6", layer: "ICMPv6")
    if type == 135 || type == 136 {
      var flags: UInt64 = 0
      if type == 136 { flags = try p.uint("ipv6_nd_flags", bits: 3, default: 0) }
      let target = try p.ipv6("ipv6_nd_target")
      w.u32(UInt32(flags) << 29)
      w.append(target)
      for (opt, name) in [(UInt8(1), "ipv6_nd_sll"), (2, "ipv6_nd_tll")] where p.has(name) {
        w.u8(opt)
        w.u8(1)
        w.append(try p.mac(name, default: nil))
      }
    }
    try payload()
    patchTransportChecksum(start: start, at: 2, proto: IPProto.icmpv6, pseudo: pseudo)
  }
}
