// Ethernet II header and its VLAN tags (802.1Q, 802.1ad, QinQ 0x9100).

enum EtherType {
  static let ipv4: UInt16 = 0x0800, arp: UInt16 = 0x0806, ipv6: UInt16 = 0x86dd, lldp: UInt16 = 0x88cc
  static let mpls: UInt16 = 0x8847, mplsMulticast: UInt16 = 0x8848
  static let dot1q: UInt16 = 0x8100, dot1ad: UInt16 = 0x88a8, qinq: UInt16 = 0x9100

  /// A switch, not a Set: this runs for every decoded frame.
  @inline(__always)
  static func isTPID(_ t: UInt16) -> Bool { t == dot1q || t == dot1ad || t == qinq }
}

extension PacketDecoder {
  static func decodeEthernet(_ c: inout Cursor, _ f: inout [OFField]) {
    guard c.has(14) else { return }
    f.add("eth_dst", .string(AddressText.mac(c.slice(0, 6))))
    f.add("eth_src", .string(AddressText.mac(c.slice(6, 6))))
    var type = c.u16(12)
    c.pos += 14
    // A tag cut short stays payload, and eth_type is then its TPID.
    if EtherType.isTPID(type) && c.has(4) { type = decodeVLANs(type, &c, &f) }
    f.add("eth_type", type)
    switch type {
    case EtherType.ipv4: decodeIPv4(&c, &f)
    case EtherType.arp: decodeARP(&c, &f)
    case EtherType.ipv6: decodeIPv6(&c, &f)
    case EtherType.mpls, EtherType.mplsMulticast: decodeMPLS(&c, &f)
    case EtherType.lldp: decodeLLDP(&c, &f)
    default: break
    }
  }

  /// vlan_vid/vlan_pcp describe the outermost tag, as OXM does. The whole
  /// stack goes in `vlans` only when those two would not say it all: more
  /// than one tag, another TPID than 0x8100, or DEI set. Returns the type
  /// after the last tag.
  static func decodeVLANs(_ tpid: UInt16, _ c: inout Cursor, _ f: inout [OFField]) -> UInt16 {
    let tci = c.u16(0)
    f.add("vlan_vid", tci & 0xfff)
    f.add("vlan_pcp", tci >> 13)
    var next = c.u16(2)
    c.pos += 4
    let plain = tpid == EtherType.dot1q && tci & 0x1000 == 0
    if plain && !(EtherType.isTPID(next) && c.has(4)) { return next }
    var tags: [OFValue] = [vlanTag(tpid, tci)]
    while EtherType.isTPID(next) && c.has(4) {
      tags.append(vlanTag(next, c.u16(0)))
      next = c.u16(2)
      c.pos += 4
    }
    f.add("vlans", .list(tags))
    return next
  }

  static func vlanTag(_ tpid: UInt16, _ tci: UInt16) -> OFValue {
    .table([
      OFField("tpid", .uint(UInt64(tpid))), OFField("pcp", .uint(UInt64(tci >> 13))),
      OFField("dei", .uint(UInt64(tci >> 12 & 1))), OFField("vid", .uint(UInt64(tci & 0xfff))),
    ])
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
