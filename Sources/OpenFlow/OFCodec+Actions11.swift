// OpenFlow 1.1 actions: the 1.3 list except SET_FIELD, plus 1.1's own
// SET_VLAN_*/SET_DL_*/SET_NW_*/SET_TP_*/SET_MPLS_LABEL/TC, shown as SET_FIELD
// with OXM names (as 1.0's are), so one action table serves every version.

enum OFAction11 {
  /// 1.1 set-action type -> (OXM field, wire size of the value, bytes of padding after it).
  static let sets: [UInt16: (String, Int, Int)] = [
    1: ("vlan_vid", 2, 2), 2: ("vlan_pcp", 1, 3), 3: ("eth_src", 6, 6), 4: ("eth_dst", 6, 6), 5: ("ipv4_src", 4, 0),
    6: ("ipv4_dst", 4, 0), 7: ("ip_dscp", 1, 3), 8: ("ip_ecn", 1, 3), 9: ("tcp_src", 2, 2), 10: ("tcp_dst", 2, 2),
    13: ("mpls_label", 4, 0), 14: ("mpls_tc", 1, 3),
  ]
  static let byField: [String: UInt16] = {
    var d: [String: UInt16] = [:]
    for (t, s) in sets { d[s.0] = t }
    d["udp_src"] = 9
    d["udp_dst"] = 10
    d["sctp_src"] = 9
    d["sctp_dst"] = 10
    return d
  }()
}

extension OFCodec {
  static func decodeAction11(_ type: UInt16, _ r: inout ByteReader) throws(OFCodecError) -> OFValue {
    guard let (field, size, pad) = OFAction11.sets[type] else {
      // 1.1 shares the other numbers with 1.3, but has no SET_FIELD (25) or PBB (26, 27).
      if type >= 25 && type != 0xffff { return .table([OFField("action", .uint(UInt64(type))), OFField("data", .bytes(r.rest()))]) }
      return try decodeAction(type, &r)
    }
    let value: OFValue
    switch field {
    case "eth_src", "eth_dst": value = .string(AddressText.mac(try r.bytes(6, field)))
    case "ipv4_src", "ipv4_dst": value = .string(AddressText.ipv4(try r.u32(field)))
    case "vlan_vid": value = .uint(0x1000 | (try r.uint(size: size, field) & 0xfff))
    case "ip_dscp": value = .uint(try r.uint(size: size, field) >> 2)
    default: value = .uint(try r.uint(size: size, field))
    }
    try r.skip(pad)
    try r.expectEnd("1.1 action \(type)")
    if case .uint(let x) = value, field == "vlan_pcp" || field == "mpls_tc" || field == "ip_ecn", x > (field == "ip_ecn" ? 3 : 7) {
      throw r.error("\(field) \(x) is out of range")
    }
    if case .uint(let x) = value, field == "mpls_label", x >> 20 != 0 { throw r.error("mpls_label \(x) is out of range") }
    return setField(field, value)
  }

  static func encodeAction11(_ nameValue: OFValue, _ a: OFValue, _ e: inout OFEncoder) throws(OFCodecError) -> UInt16 {
    // Numbers 1.1 does not define as 1.3 does (SET_FIELD, PBB and above) stay raw.
    if case .uint(let n) = nameValue, n >= 25, n != 0xffff {
      guard n <= 0xffff else { throw e.fail("action \(n) does not fit in 16 bits") }
      e.out.append(try e.bytes(a, "data"))
      return UInt16(n)
    }
    let name = nameValue.string?.uppercased()
    if name == "PUSH_PBB" || name == "POP_PBB" { throw e.cannot("action \(name!)") }
    guard name == "SET_FIELD" else { return try encodeAction(nameValue, a, &e) }
    guard case .string(let field)? = a["field"], let value = a["value"] else {
      throw e.fail("SET_FIELD needs `field` (an OXM name) and `value`")
    }
    guard let type = OFAction11.byField[field], a["mask"] == nil, let (_, size, pad) = OFAction11.sets[type] else {
      throw e.cannot("SET_FIELD of `\(field)`" + (a["mask"] == nil ? "" : " with a mask"))
    }
    switch field {
    case "eth_src", "eth_dst": e.out.append(try e.mac(value, field))
    case "ipv4_src", "ipv4_dst": e.out.u32(try e.ipv4(value, field))
    case "vlan_vid": e.out.u16(UInt16(truncatingIfNeeded: try e.number(value, field, bits: 13) & 0xfff))
    case "ip_dscp": e.out.u8(UInt8(truncatingIfNeeded: try e.number(value, field, bits: 6)) << 2)
    case "vlan_pcp", "mpls_tc": e.out.uint(try e.number(value, field, bits: 3), size: size)
    case "ip_ecn": e.out.uint(try e.number(value, field, bits: 2), size: size)
    case "mpls_label": e.out.uint(try e.number(value, field, bits: 20), size: size)
    default: e.out.uint(try e.number(value, field, bits: size * 8), size: size)
    }
    e.out.zeros(pad)
    return type
  }
}
