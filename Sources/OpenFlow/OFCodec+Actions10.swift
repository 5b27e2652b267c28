// OpenFlow 1.0 actions, shown in the 1.3 vocabulary (SET_FIELD, POP_VLAN, EXPERIMENTER).

enum OFAction10 {
  static let output: UInt16 = 0, setVlanVid: UInt16 = 1, setVlanPcp: UInt16 = 2, stripVlan: UInt16 = 3
  static let setDlSrc: UInt16 = 4, setDlDst: UInt16 = 5, setNwSrc: UInt16 = 6, setNwDst: UInt16 = 7
  static let setNwTos: UInt16 = 8, setTpSrc: UInt16 = 9, setTpDst: UInt16 = 10, enqueue: UInt16 = 11
  static let vendor: UInt16 = 0xffff

  /// SET_FIELD field -> 1.0 action type.
  static let setField: [String: UInt16] = [
    "vlan_vid": setVlanVid, "vlan_pcp": setVlanPcp, "eth_src": setDlSrc, "eth_dst": setDlDst,
    "ipv4_src": setNwSrc, "ipv4_dst": setNwDst, "ip_dscp": setNwTos,
    "tcp_src": setTpSrc, "udp_src": setTpSrc, "tcp_dst": setTpDst, "udp_dst": setTpDst,
  ]
}

extension OFCodec {
  static func setField(_ name: String, _ value: OFValue) -> OFValue {
    action("SET_FIELD", [OFField("field", .string(name)), OFField("value", value)])
  }

  static func decodeAction10(_ type: UInt16, _ r: inout ByteReader) throws(OFCodecError) -> OFValue {
    let out: OFValue
    switch type {
    case OFAction10.output:
      let port = portValue(UInt64(try r.u16("port")), OFVersion.v1_0)
      out = action("OUTPUT", [OFField("port_no", port), OFField("max_len", OFNames.maxLen.decode(UInt64(try r.u16("max_len"))))])
    case OFAction10.setVlanVid:
      out = setField("vlan_vid", .uint(0x1000 | UInt64(try r.u16("vlan_vid") & 0xfff)))
      try r.skip(2)
    case OFAction10.setVlanPcp:
      let pcp = try r.u8("vlan_pcp")
      guard pcp <= 7 else { throw r.error("SET_VLAN_PCP \(pcp) is out of range (0-7)", at: r.offset - 1) }
      out = setField("vlan_pcp", .uint(UInt64(pcp)))
      try r.skip(3)
    case OFAction10.stripVlan:
      out = action("POP_VLAN")
      try r.skip(4)
    case OFAction10.setDlSrc, OFAction10.setDlDst:
      out = setField(type == OFAction10.setDlSrc ? "eth_src" : "eth_dst", .string(AddressText.mac(try r.bytes(6, "dl_addr"))))
      try r.skip(6)
    case OFAction10.setNwSrc, OFAction10.setNwDst:
      out = setField(type == OFAction10.setNwSrc ? "ipv4_src" : "ipv4_dst", .string(AddressText.ipv4(try r.u32("nw_addr"))))
    case OFAction10.setNwTos:
      out = setField("ip_dscp", .uint(UInt64(try r.u8("nw_tos") >> 2)))
      try r.skip(3)
    case OFAction10.setTpSrc, OFAction10.setTpDst:
      out = setField(type == OFAction10.setTpSrc ? "tcp_src" : "tcp_dst", .uint(UInt64(try r.u16("tp_port"))))
      try r.skip(2)
    case OFAction10.enqueue:
      let port = portValue(UInt64(try r.u16("port")), OFVersion.v1_0)
      try r.skip(6)
      out = action("ENQUEUE", [OFField("port_no", port), OFField("queue_id", .uint(UInt64(try r.u32("queue_id"))))])
    case OFAction10.vendor:
      let vendor = UInt64(try r.u32("vendor"))
      out = action("EXPERIMENTER", [OFField("experimenter", .uint(vendor)), OFField("data", .bytes(r.rest()))])
    default:
      return .table([OFField("action", .uint(UInt64(type))), OFField("data", .bytes(r.rest()))])
    }
    try r.expectEnd("1.0 action \(type)")
    return out
  }

  static func encodeAction10(_ nameValue: OFValue, _ a: OFValue, _ e: inout OFEncoder) throws(OFCodecError) -> UInt16 {
    guard case .string(let given) = nameValue else {
      // A bare number is a raw 1.0 action type.
      let type = try e.number(nameValue, "action", bits: 16)
      e.out.append(try e.bytes(a, "data"))
      return UInt16(truncatingIfNeeded: type)
    }
    let name = given.uppercased()
    switch name {
    case "OUTPUT":
      guard a["port_no"] != nil else { throw e.fail("OUTPUT needs `port_no`") }
      e.out.u16(UInt16(truncatingIfNeeded: try e.port(a, "port_no", default: nil)))
      e.out.u16(UInt16(truncatingIfNeeded: try e.field(a, "max_len", names: OFNames.maxLen, bits: 16, default: 0xffff)))
      return OFAction10.output
    case "POP_VLAN", "STRIP_VLAN":
      e.out.zeros(4)
      return OFAction10.stripVlan
    case "ENQUEUE":
      e.out.u16(UInt16(truncatingIfNeeded: try e.port(a, "port_no", default: nil)))
      e.out.zeros(6)
      e.out.u32(UInt32(truncatingIfNeeded: try e.field(a, "queue_id", bits: 32, default: nil)))
      return OFAction10.enqueue
    case "EXPERIMENTER", "VENDOR":
      e.out.u32(UInt32(truncatingIfNeeded: try e.field(a, "experimenter", bits: 32, default: nil)))
      e.out.append(try e.bytes(a, "data"))
      return OFAction10.vendor
    case "SET_FIELD":
      guard case .string(let field)? = a["field"], let value = a["value"] else {
        throw e.fail("SET_FIELD needs `field` (an OXM name) and `value`")
      }
      guard let type = OFAction10.setField[field], a["mask"] == nil else { throw e.cannot("SET_FIELD of `\(field)`" + (a["mask"] == nil ? "" : " with a mask")) }
      switch type {
      case OFAction10.setVlanVid:
        e.out.u16(UInt16(truncatingIfNeeded: try e.number(value, field, bits: 13) & 0xfff))
        e.out.zeros(2)
      case OFAction10.setVlanPcp:
        e.out.u8(UInt8(truncatingIfNeeded: try e.number(value, field, bits: 3)))
        e.out.zeros(3)
      case OFAction10.setDlSrc, OFAction10.setDlDst:
        e.out.append(try e.mac(value, field))
        e.out.zeros(6)
      case OFAction10.setNwSrc, OFAction10.setNwDst:
        e.out.u32(try e.ipv4(value, field))
      case OFAction10.setNwTos:
        e.out.u8(UInt8(truncatingIfNeeded: try e.number(value, field, bits: 6)) << 2)
        e.out.zeros(3)
      default:
        e.out.u16(UInt16(truncatingIfNeeded: try e.number(value, field, bits: 16)))
        e.out.zeros(2)
      }
      return type
    default:
      throw e.cannot("action \(given)")
    }
  }
}
