// MPLS label stack (eth_type 0x8847 unicast, 0x8848 multicast). MPLS does
// not say what it carries; after the bottom label the IP version nibble does.

extension PacketDecoder {
  @inlinable
  static func decodeMPLS<S: PacketFieldSink>(_ c: inout Cursor, _ s: inout S) {
    guard c.has(4) else { return }
    let top = c.u32(0)
    s.uint(.mpls_label, top >> 12)
    s.uint(.mpls_tc, top >> 9 & 7)
    s.uint(.mpls_bos, top >> 8 & 1)
    s.uint(.mpls_ttl, top & 0xff)
    // The stack goes down to the bottom label or the end of the frame;
    // counted first so the list is made at its size.
    var n = 1
    var bottom = top >> 8 & 1 == 1
    while !bottom && c.has(4 * n + 4) {
      bottom = c.u32(4 * n) >> 8 & 1 == 1
      n += 1
    }
    if n > 1 {
      s.beginList(.mpls, count: n)
      for i in 0..<n { mplsLabel(c.u32(4 * i), &s) }
      s.endList()
    }
    c.pos += 4 * n
    guard bottom, c.has(1) else { return }
    switch c.u8(0) >> 4 {
    case 4: decodeIPv4(&c, &s)
    case 6: decodeIPv6(&c, &s)
    default: break
    }
  }

  @inlinable
  static func mplsLabel<S: PacketFieldSink>(_ w: UInt32, _ s: inout S) {
    s.beginItem(fields: 4)
    s.uint(.label, w >> 12)
    s.uint(.tc, w >> 9 & 7)
    s.uint(.bos, w >> 8 & 1)
    s.uint(.ttl, w & 0xff)
    s.endItem()
  }
}

extension PacketBuilder {
  /// `mpls` (outer first) when given, else one label from mpls_label and
  /// friends. bos is set on the last label unless given; IP follows the
  /// bottom label when ipv4_ or ipv6_ fields are given.
  mutating func mpls() throws(PacketBuildError) {
    var labels: [(label: UInt64, tc: UInt64, bos: UInt64?, ttl: UInt64)] = []
    if p.has("mpls") {
      let items = try p.items("mpls", known: ["label", "tc", "bos", "ttl"])
      guard !items.isEmpty else { throw PacketBuildError("mpls", "an empty list; give at least one label") }
      for var t in items {
        labels.append((
          try t.uint("label", bits: 20, default: nil), try t.uint("tc", bits: 3, default: 0),
          t.has("bos") ? try t.uint("bos", bits: 1, default: nil) : nil, try t.uint("ttl", bits: 8, default: 64)
        ))
      }
      let top = labels[0]
      try p.agrees("mpls_label", bits: 20, with: top.label, "mpls[1].label")
      try p.agrees("mpls_tc", bits: 3, with: top.tc, "mpls[1].tc")
      try p.agrees("mpls_bos", bits: 1, with: top.bos ?? (labels.count == 1 ? 1 : 0), "mpls[1].bos")
      try p.agrees("mpls_ttl", bits: 8, with: top.ttl, "mpls[1].ttl")
    } else {
      labels.append((
        try p.uint("mpls_label", bits: 20, default: nil), try p.uint("mpls_tc", bits: 3, default: 0),
        p.has("mpls_bos") ? try p.uint("mpls_bos", bits: 1, default: nil) : nil, try p.uint("mpls_ttl", bits: 8, default: 64)
      ))
    }
    var bottom = false
    for (i, l) in labels.enumerated() {
      let last = i == labels.count - 1
      let bos = l.bos ?? (last ? 1 : 0)
      // A bottom label ends the stack on decode: one before the last would cut it.
      if bos == 1 && !last { throw PacketBuildError("mpls[\(i + 1)].bos", "1, but label \(i + 2) follows") }
      w.u32(UInt32(l.label << 12 | l.tc << 9 | bos << 8 | l.ttl))
      bottom = bos == 1
    }
    layers.append(labels.count == 1 ? "MPLS" : "\(labels.count) MPLS labels")
    if bottom && p.has(prefix: "ipv4_") {
      try ipv4()
    } else if bottom && p.has(prefix: "ipv6_") {
      try ipv6()
    } else {
      try payload()
    }
  }
}
