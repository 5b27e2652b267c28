// Ethernet II header and its VLAN tags (802.1Q, 802.1ad, QinQ 0x9100).

/// Computed constants: code inlined into another module folds them, where a
/// stored `static let` would be read through its accessor.
@usableFromInline
enum EtherType {
  @inlinable static var ipv4: UInt16 { 0x0800 }
  @inlinable static var arp: UInt16 { 0x0806 }
  @inlinable static var ipv6: UInt16 { 0x86dd }
  @inlinable static var lldp: UInt16 { 0x88cc }
  @inlinable static var mpls: UInt16 { 0x8847 }
  @inlinable static var mplsMulticast: UInt16 { 0x8848 }
  @inlinable static var dot1q: UInt16 { 0x8100 }
  @inlinable static var dot1ad: UInt16 { 0x88a8 }
  @inlinable static var qinq: UInt16 { 0x9100 }

  /// A switch, not a Set: this runs for every decoded frame.
  @inlinable @inline(__always)
  static func isTPID(_ t: UInt16) -> Bool { t == dot1q || t == dot1ad || t == qinq }
}

extension PacketDecoder {
  @inlinable
  static func decodeEthernet<S: PacketFieldSink>(_ c: inout Cursor, _ s: inout S) {
    guard c.has(14) else { return }
    s.mac(.eth_dst, c.bytes(0, 6))
    s.mac(.eth_src, c.bytes(6, 6))
    var type = c.u16(12)
    c.pos += 14
    // A tag cut short stays payload, and eth_type is then its TPID.
    if EtherType.isTPID(type) && c.has(4) { type = decodeVLANs(type, &c, &s) }
    s.uint(.eth_type, type)
    guard s.wantsUpperLayers else { return }
    switch type {
    case EtherType.ipv4: decodeIPv4(&c, &s)
    case EtherType.arp: decodeARP(&c, &s)
    case EtherType.ipv6: decodeIPv6(&c, &s)
    case EtherType.mpls, EtherType.mplsMulticast: decodeMPLS(&c, &s)
    case EtherType.lldp: decodeLLDP(&c, &s)
    default: break
    }
  }

  /// Tags decoded at most; the rest of a deeper stack stays payload, with
  /// eth_type the next tag's TPID. Real stacks have 1-3 tags (Open vSwitch
  /// parses 2); without a bound a frame of 1,000 tags cost 1,000 tables.
  @inlinable static var maxVLANTags: Int { 8 }

  /// vlan_vid/vlan_pcp describe the outermost tag, as OXM does. The whole
  /// stack goes in `vlans` only when those two would not say it all: more
  /// than one tag, another TPID than 0x8100, or DEI set. Returns the type
  /// after the last tag decoded (at most `maxVLANTags`).
  @inlinable
  static func decodeVLANs<S: PacketFieldSink>(_ tpid: UInt16, _ c: inout Cursor, _ s: inout S) -> UInt16 {
    let tci = c.u16(0)
    s.uint(.vlan_vid, tci & 0xfff)
    s.uint(.vlan_pcp, tci >> 13)
    // Tag n sits at 4n, its TPID in the 2 bytes before; counted first so
    // the list is made at its size.
    var n = 1
    while n < maxVLANTags && EtherType.isTPID(c.u16(4 * n - 2)) && c.has(4 * n + 4) { n += 1 }
    let next = c.u16(4 * n - 2)
    let plain = tpid == EtherType.dot1q && tci & 0x1000 == 0
    if !(plain && n == 1) {
      s.beginList(.vlans, count: n)
      vlanTag(tpid, tci, &s)
      for i in 1..<n { vlanTag(c.u16(4 * i - 2), c.u16(4 * i), &s) }
      s.endList()
    }
    c.pos += 4 * n
    return next
  }

  @inlinable
  static func vlanTag<S: PacketFieldSink>(_ tpid: UInt16, _ tci: UInt16, _ s: inout S) {
    s.beginItem(fields: 4)
    s.uint(.tpid, tpid)
    s.uint(.pcp, tci >> 13)
    s.uint(.dei, tci >> 12 & 1)
    s.uint(.vid, tci & 0xfff)
    s.endItem()
  }
}

extension PacketBuilder {
  static let lldpMulticast: [UInt8] = [0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e]

  mutating func ethernet() throws(PacketBuildError) {
    let type = try etherType()
    let lldp = type == EtherType.lldp && p.has(prefix: "lldp_")
    w.append(try p.mac("eth_dst", default: lldp ? PacketBuilder.lldpMulticast : nil))
    ethSrc = try p.mac("eth_src", default: nil)
    w.append(ethSrc)
    layers.append("Ethernet")
    try vlanTags()
    w.u16(type)
    switch type {
    case EtherType.ipv4 where p.has(anyPrefix: PacketBuilder.ipv4LayerPrefixes): try ipv4()
    case EtherType.ipv6 where p.has(anyPrefix: PacketBuilder.ipv6LayerPrefixes): try ipv6()
    case EtherType.arp where p.has(prefix: "arp_"): try arp()
    case EtherType.mpls where p.has(prefix: "mpls"), EtherType.mplsMulticast where p.has(prefix: "mpls"): try mpls()
    case EtherType.lldp where lldp: try lldpTLVs()
    default:
      layers.append("eth_type " + PacketBuilder.hex(UInt64(type), digits: 4))
      try payload()
    }
  }

  /// eth_type as given, else from the fields of the layer above it.
  mutating func etherType() throws(PacketBuildError) -> UInt16 {
    if p.has("eth_type") { return UInt16(truncatingIfNeeded: try p.uint("eth_type", bits: 16, default: nil)) }
    if p.has(prefix: "mpls") { return EtherType.mpls }
    if p.has(prefix: "arp_") { return EtherType.arp }
    if p.has(prefix: "lldp_") { return EtherType.lldp }
    if p.has(prefix: "ipv4_") || p.has(prefix: "icmpv4_") { return EtherType.ipv4 }
    if p.has(prefix: "ipv6_") || p.has(prefix: "icmpv6_") { return EtherType.ipv6 }
    throw PacketBuildError("eth_type", "missing, and no arp_, ipv4_, ipv6_, mpls_ or lldp_ field tells it")
  }

  /// `vlans` (outer first) when given, else one 802.1Q tag from vlan_vid/vlan_pcp.
  mutating func vlanTags() throws(PacketBuildError) {
    if p.has("vlans") {
      let tags = try p.items("vlans", known: ["tpid", "pcp", "dei", "vid"])
      for (i, var t) in tags.enumerated() {
        let tpid = try t.uint("tpid", bits: 16, default: UInt64(EtherType.dot1q))
        guard EtherType.isTPID(UInt16(tpid)) else {
          throw t.error("tpid", "\(PacketBuilder.hex(tpid, digits: 4)) is not a VLAN TPID (0x8100, 0x88a8 or 0x9100)")
        }
        let pcp = try t.uint("pcp", bits: 3, default: 0)
        let dei = try t.uint("dei", bits: 1, default: 0)
        let vid = try t.uint("vid", bits: 12, default: nil)
        if i == 0 {
          try p.agrees("vlan_vid", bits: 12, with: vid, "vlans[1].vid")
          try p.agrees("vlan_pcp", bits: 3, with: pcp, "vlans[1].pcp")
        }
        w.u16(UInt16(tpid))
        w.u16(UInt16(pcp << 13 | dei << 12 | vid))
      }
      if tags.isEmpty, p.has("vlan_vid") || p.has("vlan_pcp") {
        throw PacketBuildError(p.has("vlan_vid") ? "vlan_vid" : "vlan_pcp", "given, but `vlans` is empty")
      }
      if !tags.isEmpty { layers.append(tags.count == 1 ? "VLAN" : "\(tags.count) VLAN tags") }
    } else if p.has("vlan_vid") || p.has("vlan_pcp") {
      let vid = try p.uint("vlan_vid", bits: 12, default: 0)
      let pcp = try p.uint("vlan_pcp", bits: 3, default: 0)
      w.u16(EtherType.dot1q)
      w.u16(UInt16(pcp << 13 | vid))
      layers.append("VLAN")
    }
  }
}
