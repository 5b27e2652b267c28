// OpenFlow 1.1 standard match (88 bytes) <-> the OXM-named schema, and the
// per-version match dispatch. 1.1 masks mark ignored bits with 1; the schema's
// `_mask` marks matched bits (OXM sense), so the mask is inverted both ways.

enum Wild11 {
  static let inPort: UInt32 = 1, dlVlan: UInt32 = 2, dlVlanPcp: UInt32 = 4, dlType: UInt32 = 8, nwTos: UInt32 = 16
  static let nwProto: UInt32 = 32, tpSrc: UInt32 = 64, tpDst: UInt32 = 128, mplsLabel: UInt32 = 256, mplsTc: UInt32 = 512
  static let size = 88
}

extension OFCodec {
  static func decodeMatchAny(_ r: inout ByteReader, _ v: UInt8) throws(OFCodecError) -> OFValue {
    switch v {
    case OFVersion.v1_0: return try decodeMatch10(&r)
    case OFVersion.v1_1: return try decodeMatch11(&r)
    default: return try decodeOXMMatch(&r)
    }
  }

  static func encodeMatchAny(_ match: OFValue, _ e: inout OFEncoder) throws(OFCodecError) {
    switch e.version {
    case OFVersion.v1_0: try encodeMatch10(match, &e)
    case OFVersion.v1_1: try encodeMatch11(match, &e)
    default: try encodeOXMMatch(match, &e)
    }
  }

  static func decodeMatch11(_ reader: inout ByteReader) throws(OFCodecError) -> OFValue {
    let at = reader.offset
    var r = try reader.sub(Wild11.size, "ofp_match")
    let type = try r.u16("match type")
    let len = try r.u16("match length")
    guard type == 0, len == 88 else { throw r.error("1.1 match type \(type) length \(len) is not the standard match (0, 88)", at: at) }
    let inPort = UInt64(try r.u32("in_port"))
    let wc = try r.u32("wildcards")
    let dlSrc = try r.bytes(6), dlSrcMask = try r.bytes(6), dlDst = try r.bytes(6), dlDstMask = try r.bytes(6)
    let vlan = UInt64(try r.u16("dl_vlan")), pcp = UInt64(try r.u8("dl_vlan_pcp"))
    try r.skip(1)
    let dlType = UInt64(try r.u16("dl_type")), tos = UInt64(try r.u8("nw_tos")), proto = UInt64(try r.u8("nw_proto"))
    let nwSrc = try r.u32("nw_src"), nwSrcMask = try r.u32("nw_src_mask")
    let nwDst = try r.u32("nw_dst"), nwDstMask = try r.u32("nw_dst_mask")
    let tpSrc = UInt64(try r.u16("tp_src")), tpDst = UInt64(try r.u16("tp_dst"))
    let label = UInt64(try r.u32("mpls_label")), tc = UInt64(try r.u8("mpls_tc"))
    try r.skip(3)
    let meta = try r.u64("metadata"), metaMask = try r.u64("metadata_mask")

    func on(_ bit: UInt32) -> Bool { wc & bit == 0 }
    var f: [OFField] = []
    if on(Wild11.inPort) { f.append(OFField("in_port", portValue(inPort, OFVersion.v1_1))) }
    if metaMask != UInt64.max {
      f.append(OFField("metadata", .uint(meta)))
      if metaMask != 0 { f.append(OFField("metadata_mask", .uint(~metaMask))) }
    }
    func macField(_ name: String, _ value: [UInt8], _ mask: [UInt8]) {
      guard mask.contains(where: { $0 != 0xff }) else { return }
      f.append(OFField(name, .string(AddressText.mac(value))))
      if mask.contains(where: { $0 != 0 }) { f.append(OFField(name + "_mask", .string(AddressText.mac(mask.map { ~$0 })))) }
    }
    macField("eth_dst", dlDst, dlDstMask)
    macField("eth_src", dlSrc, dlSrcMask)
    if on(Wild11.dlType) { f.append(OFField("eth_type", .uint(dlType))) }
    if on(Wild11.dlVlan) { f.append(OFField("vlan_vid", .uint(vlan == 0xffff ? 0 : 0x1000 | (vlan & 0xfff)))) }
    if on(Wild11.dlVlanPcp) && pcp > 7 { throw r.error("dl_vlan_pcp \(pcp) is out of range (0-7)", at: at + 46) }
    if on(Wild11.dlVlanPcp) { f.append(OFField("vlan_pcp", .uint(pcp))) }
    if on(Wild11.nwTos) { f.append(OFField("ip_dscp", .uint(tos >> 2))) }
    // Names depend on eth_type / ip_proto only when those are matched (as on 1.0).
    let arp = on(Wild11.dlType) && dlType == Wild10.ethARP
    if on(Wild11.nwProto) { f.append(OFField(arp ? "arp_op" : "ip_proto", .uint(proto))) }
    func ipField(_ name: String, _ value: UInt32, _ mask: UInt32) {
      guard mask != UInt32.max else { return }
      f.append(OFField(name, .string(AddressText.ipv4(value))))
      if mask != 0 { f.append(OFField(name + "_mask", .string(AddressText.ipv4(~mask)))) }
    }
    ipField(arp ? "arp_spa" : "ipv4_src", nwSrc, nwSrcMask)
    ipField(arp ? "arp_tpa" : "ipv4_dst", nwDst, nwDstMask)
    let l4p = on(Wild11.nwProto) && !arp ? proto : 6
    let l4 = l4p == 17 ? "udp" : l4p == 132 ? "sctp" : l4p == 1 ? "icmpv4" : "tcp"
    if on(Wild11.tpSrc) { f.append(OFField(l4 == "icmpv4" ? "icmpv4_type" : l4 + "_src", .uint(tpSrc))) }
    if on(Wild11.tpDst) { f.append(OFField(l4 == "icmpv4" ? "icmpv4_code" : l4 + "_dst", .uint(tpDst))) }
    if on(Wild11.mplsLabel) && label >> 20 != 0 { throw r.error("mpls_label \(label) is out of range (20 bits)", at: at + 68) }
    if on(Wild11.mplsTc) && tc > 7 { throw r.error("mpls_tc \(tc) is out of range (0-7)", at: at + 72) }
    if on(Wild11.mplsLabel) { f.append(OFField("mpls_label", .uint(label))) }
    if on(Wild11.mplsTc) { f.append(OFField("mpls_tc", .uint(tc))) }
    return .table(f)
  }

  static func encodeMatch11(_ match: OFValue, _ e: inout OFEncoder) throws(OFCodecError) {
    let known: Set<String> = [
      "in_port", "metadata", "metadata_mask", "eth_dst", "eth_dst_mask", "eth_src", "eth_src_mask", "eth_type",
      "vlan_vid", "vlan_pcp", "ip_dscp", "ip_proto", "arp_op", "ipv4_src", "ipv4_src_mask", "ipv4_dst",
      "ipv4_dst_mask", "arp_spa", "arp_spa_mask", "arp_tpa", "arp_tpa_mask", "tcp_src", "tcp_dst", "udp_src",
      "udp_dst", "sctp_src", "sctp_dst", "icmpv4_type", "icmpv4_code", "mpls_label", "mpls_tc",
      // A decoded 1.0 match's unused bits: nothing 1.1 needs.
      match10Wire,
    ]
    for f in match.fields ?? [] where !known.contains(f.name) { throw e.cannot("match field `\(f.name)`") }
    var wc: UInt32 = 0
    func num(_ name: String, _ bit: UInt32, bits: Int) throws(OFCodecError) -> UInt64 {
      guard let v = match[name] else { wc |= bit; return 0 }
      return try e.number(v, name, bits: bits)
    }
    func first(_ names: [String]) -> String? { names.first { match[$0] != nil } }
    let inPort: UInt64
    if let p = match["in_port"] { inPort = try e.port(p, "in_port") } else { wc |= Wild11.inPort; inPort = 0 }
    func mac(_ n: String) throws(OFCodecError) -> ([UInt8], [UInt8]) {
      guard let v = match[n] else { return ([0, 0, 0, 0, 0, 0], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff]) }
      let m = try match[n + "_mask"].map { x throws(OFCodecError) in try e.mac(x, n + "_mask") } ?? [0xff, 0xff, 0xff, 0xff, 0xff, 0xff]
      return (try e.mac(v, n), m.map { ~$0 })
    }
    func ip(_ names: [String]) throws(OFCodecError) -> (UInt32, UInt32) {
      guard let n = first(names), let v = match[n] else { return (0, UInt32.max) }
      let m = try match[n + "_mask"].map { x throws(OFCodecError) in try e.ipv4(x, n + "_mask") } ?? UInt32.max
      return (try e.ipv4(v, n), ~m)
    }
    let (src, srcMask) = try mac("eth_src"), (dst, dstMask) = try mac("eth_dst")
    let dlType = try num("eth_type", Wild11.dlType, bits: 16)
    var vlan: UInt64 = 0
    if let v = match["vlan_vid"] {
      let x = try e.number(v, "vlan_vid", bits: 13)
      vlan = x == 0 ? 0xffff : x & 0xfff
    } else { wc |= Wild11.dlVlan }
    let pcp = try num("vlan_pcp", Wild11.dlVlanPcp, bits: 3)
    let tos = try num("ip_dscp", Wild11.nwTos, bits: 6) << 2
    let proto = try num(first(["ip_proto", "arp_op"]) ?? "ip_proto", Wild11.nwProto, bits: 8)
    let (nwSrc, nwSrcMask) = try ip(["ipv4_src", "arp_spa"]), (nwDst, nwDstMask) = try ip(["ipv4_dst", "arp_tpa"])
    let tpSrc = try num(first(["tcp_src", "udp_src", "sctp_src", "icmpv4_type"]) ?? "tcp_src", Wild11.tpSrc, bits: 16)
    let tpDst = try num(first(["tcp_dst", "udp_dst", "sctp_dst", "icmpv4_code"]) ?? "tcp_dst", Wild11.tpDst, bits: 16)
    let label = try num("mpls_label", Wild11.mplsLabel, bits: 20)
    let tc = try num("mpls_tc", Wild11.mplsTc, bits: 3)
    var meta: UInt64 = 0, metaMask = UInt64.max
    if let v = match["metadata"] {
      meta = try e.number(v, "metadata", bits: 64)
      metaMask = ~(try e.field(match, "metadata_mask", bits: 64, default: UInt64.max))
    }
    e.out.u16(0)
    e.out.u16(88)
    e.out.u32(UInt32(truncatingIfNeeded: inPort))
    e.out.u32(wc)
    e.out.append(src); e.out.append(srcMask); e.out.append(dst); e.out.append(dstMask)
    e.out.u16(UInt16(truncatingIfNeeded: vlan)); e.out.u8(UInt8(truncatingIfNeeded: pcp)); e.out.zeros(1)
    e.out.u16(UInt16(truncatingIfNeeded: dlType)); e.out.u8(UInt8(truncatingIfNeeded: tos)); e.out.u8(UInt8(truncatingIfNeeded: proto))
    e.out.u32(nwSrc); e.out.u32(nwSrcMask); e.out.u32(nwDst); e.out.u32(nwDstMask)
    e.out.u16(UInt16(truncatingIfNeeded: tpSrc)); e.out.u16(UInt16(truncatingIfNeeded: tpDst))
    e.out.u32(UInt32(truncatingIfNeeded: label)); e.out.u8(UInt8(truncatingIfNeeded: tc)); e.out.zeros(3)
    e.out.u64(meta); e.out.u64(metaMask)
  }
}
