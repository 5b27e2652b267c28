// IPv6 header and extension headers.
//
// Walked: the headers of the IANA "IPv6 Extension Header Types" list that
// have the common next-header/length layout, so what follows them can be
// found: hop-by-hop 0, routing 43, fragment 44 (fixed 8 bytes), AH 51
// (length in 4-byte units), destination options 60, mobility 135, HIP 139,
// shim6 140, experimental 253/254. ESP 50 is encrypted, so it ends the walk
// like any other number and becomes ip_proto.

extension PacketDecoder {
  @inlinable @inline(__always)
  static func isIPv6Extension(_ h: UInt8) -> Bool {
    switch h {
    case 0, 43, 44, 51, 60, 135, 139, 140, 253, 254: return true
    default: return false
    }
  }

  /// The whole length of extension header `h` from its length byte.
  @inlinable
  static func ipv6ExtensionLength(_ h: UInt8, _ lengthByte: UInt8) -> Int {
    switch h {
    case 44: return 8
    case 51: return (Int(lengthByte) + 2) * 4
    default: return (Int(lengthByte) + 1) * 8
    }
  }

  @inlinable
  static func decodeIPv6<S: PacketFieldSink>(_ c: inout Cursor, _ s: inout S) {
    guard c.has(40), c.u8(0) >> 4 == 6 else { return }
    let word = c.u32(0)
    let tc = UInt8(truncatingIfNeeded: word >> 20)
    let plen = Int(c.u16(4))
    let first = c.u8(6)
    s.uint(.ip_dscp, tc >> 2)
    s.uint(.ip_ecn, tc & 3)
    s.uint(.ipv6_flabel, word & 0xfffff)
    s.uint(.nw_ttl, c.u8(7))
    s.ipv6(.ipv6_src, c.bytes(8, 16))
    s.ipv6(.ipv6_dst, c.bytes(24, 16))
    c.pos += 40
    if plen <= c.end - c.pos { c.end = c.pos + plen }
    // Each header takes at least 8 bytes, so the walks end. The first finds
    // ip_proto, which comes before the list, and how many headers there are.
    var next = first, size = 0, count = 0
    var laterFragment = false
    while isIPv6Extension(next) && c.has(size + 8) {
      let len = ipv6ExtensionLength(next, c.u8(size + 1))
      guard c.has(size + len) else { break }
      if next == 44 && c.u16(size + 2) & 0xfff8 != 0 { laterFragment = true }
      next = c.u8(size)
      size += len
      count += 1
    }
    s.uint(.ip_proto, next)
    if count > 0 {
      s.beginList(.ipv6_ext, count: count)
      var h = first, at = 0
      for _ in 0..<count {
        let len = ipv6ExtensionLength(h, c.u8(at + 1))
        s.beginItem(fields: 2)
        s.uint(.hdr, h)
        s.bytes(.data, c.bytes(at + 2, len - 2))
        s.endItem()
        h = c.u8(at)
        at += len
      }
      s.endList()
    }
    c.pos += size
    guard !laterFragment, !isIPv6Extension(next) else { return }
    decodeL4(next, icmp: IPProto.icmpv6, &c, &s)
  }
}

extension PacketBuilder {
  /// Fields that make an IPv6 header when eth_type is IPv6 (or after MPLS).
  static let ipv6LayerPrefixes = ["ipv6_", "ip_", "nw_ttl", "tcp_", "udp_", "sctp_", "icmpv6_"]

  mutating func ipv6() throws(PacketBuildError) {
    let dscp = try p.uint("ip_dscp", bits: 6, default: 0)
    let ecn = try p.uint("ip_ecn", bits: 2, default: 0)
    let flabel = try p.uint("ipv6_flabel", bits: 20, default: 0)
    let ttl = try p.uint("nw_ttl", bits: 8, default: 64)
    let src = try p.ipv6("ipv6_src")
    var dst = try p.ipv6("ipv6_dst")
    var exts: [(hdr: UInt8, data: [UInt8])] = []
    for var e in try p.items("ipv6_ext", known: ["hdr", "data"]) {
      let hdr = UInt8(try e.uint("hdr", bits: 8, default: nil))
      guard PacketDecoder.isIPv6Extension(hdr) else {
        throw e.error("hdr", "\(hdr) is not an extension header walked here (0, 43, 44, 51, 60, 135, 139, 140, 253, 254)")
      }
      let data = try e.bytes("data")
      let size = 2 + data.count
      switch hdr {
      case 44:
        guard data.count == 6 else { throw e.error("data", "\(data.count) bytes; a fragment header has 6 after its first two") }
      case 51:
        guard size >= 8, size % 4 == 0, size / 4 - 2 <= 255 else {
          throw e.error("data", "\(data.count) bytes; AH has 2 less than a multiple of 4, from 6 to 1022")
        }
      default:
        guard size % 8 == 0, size / 8 - 1 <= 255 else {
          throw e.error("data", "\(data.count) bytes; this header has 2 less than a multiple of 8, from 6 to 2046")
        }
      }
      exts.append((hdr, data))
    }
    let proto = try ipProto(v6: true)
    let start = w.count
    w.u32(6 << 28 | UInt32(dscp << 2 | ecn) << 20 | UInt32(flabel))
    w.u16(0)  // payload length, patched below
    w.u8(exts.first?.hdr ?? proto)
    w.u8(UInt8(ttl))
    w.append(src)
    w.append(dst)
    layers.append("IPv6")
    var laterFragment = false
    for (i, e) in exts.enumerated() {
      w.u8(i + 1 < exts.count ? exts[i + 1].hdr : proto)
      switch e.hdr {
      case 44:
        w.u8(0)
        laterFragment = laterFragment || (UInt16(e.data[0]) << 8 | UInt16(e.data[1])) & 0xfff8 != 0
      case 51: w.u8(UInt8((2 + e.data.count) / 4 - 2))
      default: w.u8(UInt8((2 + e.data.count) / 8 - 1))
      }
      w.append(e.data)
      if e.hdr == 43, let final = PacketBuilder.routingFinalDestination(e.data) { dst = final }
    }
    if laterFragment || PacketDecoder.isIPv6Extension(proto) {
      layers.append(laterFragment ? "fragment" : "ip_proto \(proto)")
      try payload()
    } else {
      var pseudo: UInt64 = Checksum.add(src[...], 0)
      pseudo = Checksum.add(dst[...], pseudo)
      try transport(proto, v6: true, pseudo: pseudo)
    }
    let plen = w.count - start - 40
    guard plen <= 0xffff else { throw PacketBuildError("payload", "makes the IPv6 payload \(plen) bytes, over 65535") }
    w.patchU16(at: start + 4, UInt16(plen))
  }

  /// With segments left, the transport checksum covers the final destination
  /// (RFC 8200 8.1), which a routing header carries: the last address of
  /// type 0 and type 2, the first segment of a segment routing header (4).
  static func routingFinalDestination(_ data: [UInt8]) -> [UInt8]? {
    guard data.count >= 22, data[1] > 0 else { return nil }
    switch data[0] {
    case 0, 2:
      let n = (data.count - 6) / 16
      return Array(data[(6 + 16 * (n - 1))..<(6 + 16 * n)])
    case 4: return Array(data[6..<22])
    default: return nil
    }
  }
}
