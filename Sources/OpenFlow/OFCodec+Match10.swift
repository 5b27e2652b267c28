// OpenFlow 1.0 ofp_match (40 bytes, wildcard bits) <-> the OXM-named schema.

enum Wild10 {
  static let inPort: UInt32 = 1 << 0
  static let dlVlan: UInt32 = 1 << 1
  static let dlSrc: UInt32 = 1 << 2
  static let dlDst: UInt32 = 1 << 3
  static let dlType: UInt32 = 1 << 4
  static let nwProto: UInt32 = 1 << 5
  static let tpSrc: UInt32 = 1 << 6
  static let tpDst: UInt32 = 1 << 7
  static let nwSrcShift: UInt32 = 8
  static let nwDstShift: UInt32 = 14
  static let dlVlanPcp: UInt32 = 1 << 20
  static let nwTos: UInt32 = 1 << 21
  static let all: UInt32 = (1 << 22) - 1
  static let vlanNone: UInt16 = 0xffff
  static let ethARP: UInt64 = 0x0806
}

extension OFCodec {
  static let match10Size = 40
  /// The match field holding the 40 bytes as received when they say more than
  /// the fields do (see `decodeMatch10`); only the 1.0 encoder reads it.
  static let match10Wire = "_wildcarded"

  /// A field the wildcards mask is not part of the match, whatever its bytes
  /// hold (OVS ignores them too): it is left out of the table. When those
  /// bytes (or padding, ECN bits, wildcard bits past the 22 defined, an
  /// IP wildcard count over 32...) are not what the encoder would write, the
  /// whole 40 bytes go in `_wildcarded`, and the encoder takes from it every
  /// bit the match does not use: decode -> encode gives the same bytes.
  static func decodeMatch10(_ reader: inout ByteReader) throws(OFCodecError) -> OFValue {
    let at = reader.offset
    let match = try decodeMatch10Fields(&reader)
    let wire = Array(reader.buf[at..<(at + match10Size)])
    guard case .table(var f) = match, (try? canonicalMatch10(match)) != wire else { return match }
    f.append(OFField(match10Wire, .bytes(wire)))
    return .table(f)
  }

  /// The 40 bytes the encoder writes for `match` alone.
  static func canonicalMatch10(_ match: OFValue, type: String = "ofp_match") throws(OFCodecError) -> [UInt8] {
    var e = OFEncoder(version: OFVersion.v1_0, type: type)
    try encodeMatch10Fields(match, &e)
    return e.out.bytes
  }

  /// Which bits of `canonical` the match uses (1) given its wildcards; the
  /// others may hold anything. `wire` is the match as received, for the IP
  /// wildcard counts: any count of 32 or more means "all".
  static func match10UsedBits(_ canonical: [UInt8], _ wire: [UInt8]) -> [UInt8] {
    func u32(_ b: [UInt8]) -> UInt32 { b[0..<4].reduce(0) { $0 << 8 | UInt32($1) } }
    let wc = u32(canonical), wcWire = u32(wire)
    var used = [UInt8](repeating: 0, count: match10Size)
    func use(_ range: Range<Int>, _ mask: UInt8 = 0xff) { for i in range { used[i] = mask } }
    // Wildcards: the 8 flag bits, dl_vlan_pcp and nw_tos flags, and each IP
    // count unless both sides say "all".
    var wcUsed: UInt32 = 0xff | Wild10.dlVlanPcp | Wild10.nwTos
    for shift in [Wild10.nwSrcShift, Wild10.nwDstShift] where !((wc >> shift) & 0x3f >= 32 && (wcWire >> shift) & 0x3f >= 32) {
      wcUsed |= 0x3f << shift
    }
    for i in 0..<4 { used[i] = UInt8(truncatingIfNeeded: wcUsed >> (24 - 8 * UInt32(i))) }
    func on(_ bit: UInt32) -> Bool { wc & bit == 0 }
    if on(Wild10.inPort) { use(4..<6) }
    if on(Wild10.dlSrc) { use(6..<12) }
    if on(Wild10.dlDst) { use(12..<18) }
    if on(Wild10.dlVlan) {
      // 0xffff is "no VLAN"; otherwise only the 12-bit VID counts.
      if canonical[18] == 0xff && canonical[19] == 0xff { use(18..<20) } else { use(18..<19, 0x0f); use(19..<20) }
    }
    if on(Wild10.dlVlanPcp) { use(20..<21) }
    if on(Wild10.dlType) { use(22..<24) }
    if on(Wild10.nwTos) { use(24..<25, 0xfc) }  // DSCP; the ECN bits are not matched
    if on(Wild10.nwProto) { use(25..<26) }
    for (shift, start) in [(Wild10.nwSrcShift, 28), (Wild10.nwDstShift, 32)] {
      let bits = (wc >> shift) & 0x3f
      guard bits < 32 else { continue }
      let mask = UInt32.max << bits
      for i in 0..<4 { used[start + i] = UInt8(truncatingIfNeeded: mask >> (24 - 8 * UInt32(i))) }
    }
    if on(Wild10.tpSrc) { use(36..<38) }
    if on(Wild10.tpDst) { use(38..<40) }
    return used
  }

  static func decodeMatch10Fields(_ reader: inout ByteReader) throws(OFCodecError) -> OFValue {
    var r = try reader.sub(match10Size, "ofp_match")
    let wc = try r.u32("wildcards")
    let inPort = try r.u16("in_port")
    let dlSrc = try r.bytes(6, "dl_src")
    let dlDst = try r.bytes(6, "dl_dst")
    let dlVlan = try r.u16("dl_vlan")
    let pcpAt = r.offset
    let pcp = try r.u8("dl_vlan_pcp")
    try r.skip(1)
    let dlType = UInt64(try r.u16("dl_type"))
    let tos = try r.u8("nw_tos")
    let proto = UInt64(try r.u8("nw_proto"))
    try r.skip(2)
    let nwSrc = try r.u32("nw_src")
    let nwDst = try r.u32("nw_dst")
    let tpSrc = UInt64(try r.u16("tp_src"))
    let tpDst = UInt64(try r.u16("tp_dst"))

    func on(_ bit: UInt32) -> Bool { wc & bit == 0 }
    var f: [OFField] = []
    if on(Wild10.inPort) { f.append(OFField("in_port", portValue(UInt64(inPort), OFVersion.v1_0))) }
    if on(Wild10.dlDst) { f.append(OFField("eth_dst", .string(AddressText.mac(dlDst)))) }
    if on(Wild10.dlSrc) { f.append(OFField("eth_src", .string(AddressText.mac(dlSrc)))) }
    if on(Wild10.dlType) { f.append(OFField("eth_type", .uint(dlType))) }
    if on(Wild10.dlVlan) {
      f.append(OFField("vlan_vid", .uint(dlVlan == Wild10.vlanNone ? 0 : 0x1000 | UInt64(dlVlan & 0xfff))))
    }
    // A PCP is 3 bits: a larger value has no meaning and could not be sent back.
    if on(Wild10.dlVlanPcp) && pcp > 7 { throw r.error("dl_vlan_pcp \(pcp) is out of range (0-7)", at: pcpAt) }
    if on(Wild10.dlVlanPcp) { f.append(OFField("vlan_pcp", .uint(UInt64(pcp)))) }
    let isARP = on(Wild10.dlType) && dlType == Wild10.ethARP
    if on(Wild10.nwTos) { f.append(OFField("ip_dscp", .uint(UInt64(tos >> 2)))) }
    if on(Wild10.nwProto) { f.append(OFField(isARP ? "arp_op" : "ip_proto", .uint(proto))) }
    for (shift, addr, ipName, arpName) in [(Wild10.nwSrcShift, nwSrc, "ipv4_src", "arp_spa"), (Wild10.nwDstShift, nwDst, "ipv4_dst", "arp_tpa")] {
      let bits = (wc >> shift) & 0x3f
      guard bits < 32 else { continue }
      let name = isARP ? arpName : ipName
      f.append(OFField(name, .string(AddressText.ipv4(addr))))
      if bits > 0 { f.append(OFField(name + "_mask", .string(AddressText.ipv4(UInt32.max << bits)))) }
    }
    let l4: (String, String)
    switch on(Wild10.nwProto) && !isARP ? proto : 6 {
    case 1: l4 = ("icmpv4_type", "icmpv4_code")
    case 17: l4 = ("udp_src", "udp_dst")
    case 132: l4 = ("sctp_src", "sctp_dst")
    default: l4 = ("tcp_src", "tcp_dst")
    }
    if on(Wild10.tpSrc) { f.append(OFField(l4.0, .uint(tpSrc))) }
    if on(Wild10.tpDst) { f.append(OFField(l4.1, .uint(tpDst))) }
    return .table(f)
  }

  /// Exact-only fields accept a mask only when it is all ones.
  static func requireExact(_ match: OFValue, _ name: String, bits: Int, _ e: OFEncoder) throws(OFCodecError) {
    guard let m = match[name + "_mask"] else { return }
    let full: UInt64 = bits >= 64 ? .max : (1 << UInt64(bits)) - 1
    let value: UInt64?
    if bits == 48, case .string = m { value = (try? e.mac(m, name)).map { b in b.reduce(0) { $0 << 8 | UInt64($1) } } } else { value = m.uint }
    guard value == full else { throw e.cannot("`\(name)_mask`") }
  }

  /// Wildcard bit count for a prefix mask (0 = exact, 32 = all).
  static func prefixWildcards(_ match: OFValue, _ name: String, _ e: OFEncoder) throws(OFCodecError) -> UInt32 {
    guard let m = match[name + "_mask"] else { return 0 }
    let mask = try e.ipv4(m, name + "_mask")
    let inv = ~mask
    guard inv & (inv &+ 1) == 0 else { throw e.cannot("`\(name)_mask` \(AddressText.ipv4(mask)) (not a prefix)") }
    return UInt32(32 - mask.nonzeroBitCount)
  }

  /// Encodes the match's fields; bits they leave unused come from
  /// `_wildcarded` when given (and only if the result means the same match).
  static func encodeMatch10(_ match: OFValue, _ e: inout OFEncoder) throws(OFCodecError) {
    guard match[match10Wire] != nil else { return try encodeMatch10Fields(match, &e) }
    let wire = try e.bytes(match, match10Wire)
    guard wire.count == match10Size else {
      throw e.fail("match `\(match10Wire)` must be the \(match10Size) bytes of a 1.0 ofp_match")
    }
    let canonical = try canonicalMatch10(match, type: e.type)
    let used = match10UsedBits(canonical, wire)
    var merged = canonical
    for i in 0..<match10Size { merged[i] = canonical[i] & used[i] | wire[i] & ~used[i] }
    // The merge must not change what is matched (e.g. a VID edited to
    // 0xfff under a wire's 0xf high nibble would read as "no VLAN").
    let same: Bool = merged.withUnsafeBytes { mb in canonical.withUnsafeBytes { cb in
      var mr = ByteReader(mb, context: e.type), cr = ByteReader(cb, context: e.type)
      return (try? decodeMatch10Fields(&mr)) == (try? decodeMatch10Fields(&cr))
    } }
    e.out.append(same ? merged : canonical)
  }

  static func encodeMatch10Fields(_ match: OFValue, _ e: inout OFEncoder) throws(OFCodecError) {
    var wc = Wild10.all & ~(0xfff << Wild10.nwSrcShift) | 32 << Wild10.nwSrcShift | 32 << Wild10.nwDstShift
    var inPort: UInt16 = 0, dlVlan: UInt16 = 0, dlType: UInt16 = 0, tpSrc: UInt16 = 0, tpDst: UInt16 = 0
    var dlSrc = [UInt8](repeating: 0, count: 6), dlDst = dlSrc
    var pcp: UInt8 = 0, tos: UInt8 = 0, proto: UInt8 = 0
    var nwSrc: UInt32 = 0, nwDst: UInt32 = 0
    var owner: [String: String] = [:]  // 1.0 slot -> schema field, to reject two fields in one slot

    func claim(_ slot: String, _ name: String, _ e: OFEncoder) throws(OFCodecError) {
      if let other = owner[slot] { throw e.fail("match fields `\(other)` and `\(name)` share one OpenFlow 1.0 field (\(slot))") }
      owner[slot] = name
    }

    guard let fields = match.fields else { throw e.fail("match must be a table of OXM fields") }
    for f in fields where f.name != match10Wire {
      let n = f.name, v = f.value
      if n.hasSuffix("_mask") {
        guard match[String(n.dropLast(5))] != nil else { throw e.fail("match has `\(n)` without `\(n.dropLast(5))`") }
        continue
      }
      switch n {
      case "in_port":
        try requireExact(match, n, bits: 16, e)
        inPort = UInt16(truncatingIfNeeded: try e.port(v, n))
        wc &= ~Wild10.inPort
      case "eth_src", "eth_dst":
        try requireExact(match, n, bits: 48, e)
        if n == "eth_src" { dlSrc = try e.mac(v, n); wc &= ~Wild10.dlSrc } else { dlDst = try e.mac(v, n); wc &= ~Wild10.dlDst }
      case "eth_type":
        try requireExact(match, n, bits: 16, e)
        dlType = UInt16(truncatingIfNeeded: try e.number(v, n, bits: 16))
        wc &= ~Wild10.dlType
      case "vlan_vid":
        try requireExact(match, n, bits: 13, e)
        let vid = try e.number(v, n, bits: 13)
        dlVlan = vid == 0 ? Wild10.vlanNone : UInt16(truncatingIfNeeded: vid & 0xfff)
        wc &= ~Wild10.dlVlan
      case "vlan_pcp":
        try requireExact(match, n, bits: 8, e)
        pcp = UInt8(truncatingIfNeeded: try e.number(v, n, bits: 3))
        wc &= ~Wild10.dlVlanPcp
      case "ip_dscp":
        try requireExact(match, n, bits: 8, e)
        tos = UInt8(truncatingIfNeeded: try e.number(v, n, bits: 6)) << 2
        wc &= ~Wild10.nwTos
      case "ip_proto", "arp_op":
        try requireExact(match, n, bits: n == "ip_proto" ? 8 : 16, e)
        try claim("nw_proto", n, e)
        proto = UInt8(truncatingIfNeeded: try e.number(v, n, bits: 8))
        wc &= ~Wild10.nwProto
      case "ipv4_src", "arp_spa":
        try claim("nw_src", n, e)
        nwSrc = try e.ipv4(v, n)
        let bits = try prefixWildcards(match, n, e)
        wc = wc & ~(0x3f << Wild10.nwSrcShift) | bits << Wild10.nwSrcShift
      case "ipv4_dst", "arp_tpa":
        try claim("nw_dst", n, e)
        nwDst = try e.ipv4(v, n)
        let bits = try prefixWildcards(match, n, e)
        wc = wc & ~(0x3f << Wild10.nwDstShift) | bits << Wild10.nwDstShift
      case "tcp_src", "udp_src", "sctp_src", "icmpv4_type":
        try requireExact(match, n, bits: n == "icmpv4_type" ? 8 : 16, e)
        try claim("tp_src", n, e)
        tpSrc = UInt16(truncatingIfNeeded: try e.number(v, n, bits: 16))
        wc &= ~Wild10.tpSrc
      case "tcp_dst", "udp_dst", "sctp_dst", "icmpv4_code":
        try requireExact(match, n, bits: n == "icmpv4_code" ? 8 : 16, e)
        try claim("tp_dst", n, e)
        tpDst = UInt16(truncatingIfNeeded: try e.number(v, n, bits: 16))
        wc &= ~Wild10.tpDst
      default:
        throw e.cannot("match field `\(n)`")
      }
    }
    e.out.u32(wc)
    e.out.u16(inPort)
    e.out.append(dlSrc)
    e.out.append(dlDst)
    e.out.u16(dlVlan)
    e.out.u8(pcp)
    e.out.zeros(1)
    e.out.u16(dlType)
    e.out.u8(tos)
    e.out.u8(proto)
    e.out.zeros(2)
    e.out.u32(nwSrc)
    e.out.u32(nwDst)
    e.out.u16(tpSrc)
    e.out.u16(tpDst)
  }
}
