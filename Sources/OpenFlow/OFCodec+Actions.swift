// Action lists of 1.1+ (ofp_action_header {type, len}, each a multiple of 8).

enum OFActionNames {
  static let types13 = NameTable([
    ("OUTPUT", 0), ("COPY_TTL_OUT", 11), ("COPY_TTL_IN", 12), ("SET_MPLS_TTL", 15), ("DEC_MPLS_TTL", 16),
    ("PUSH_VLAN", 17), ("POP_VLAN", 18), ("PUSH_MPLS", 19), ("POP_MPLS", 20), ("SET_QUEUE", 21),
    ("GROUP", 22), ("SET_NW_TTL", 23), ("DEC_NW_TTL", 24), ("SET_FIELD", 25), ("PUSH_PBB", 26),
    ("POP_PBB", 27), ("EXPERIMENTER", 0xffff),
  ])
  static let defaultEthertype: [String: UInt64] = ["PUSH_VLAN": 0x8100, "PUSH_MPLS": 0x8847, "PUSH_PBB": 0x88e7]
}

extension OFCodec {
  /// Actions filling the reader.
  static func decodeActions(_ r: inout ByteReader, _ v: UInt8) throws(OFCodecError) -> OFValue {
    var out: [OFValue] = []
    while !r.isAtEnd {
      let at = r.offset
      let type = try r.u16("action type")
      let len = Int(try r.u16("action length"))
      guard len >= 8, len % 8 == 0 else { throw r.error("action length \(len) is not a positive multiple of 8", at: at + 2) }
      guard len - 4 <= r.remaining else { throw r.error("action length \(len) overruns its list (\(r.remaining + 4) bytes left)", at: at + 2) }
      var a = try r.sub(len - 4, "action")
      switch v {
      case OFVersion.v1_0: out.append(try decodeAction10(type, &a))
      case OFVersion.v1_1: out.append(try decodeAction11(type, &a))
      default: out.append(try decodeAction(type, &a))
      }
    }
    return .list(out)
  }

  static func encodeActions(_ list: [OFValue], _ e: inout OFEncoder) throws(OFCodecError) {
    for a in list {
      guard let nameValue = a["action"] else { throw e.fail("an action needs `action` (e.g. action = \"OUTPUT\")") }
      let start = e.out.count
      e.out.u32(0)  // type and length, patched below
      let type: UInt16
      switch e.version {
      case OFVersion.v1_0: type = try encodeAction10(nameValue, a, &e)
      case OFVersion.v1_1: type = try encodeAction11(nameValue, a, &e)
      default: type = try encodeAction(nameValue, a, &e)
      }
      e.out.pad8(from: start)
      let len = e.out.count - start
      guard len <= 0xffff else { throw e.fail("action is too long") }
      e.out.patchU16(at: start, type)
      e.out.patchU16(at: start + 2, UInt16(truncatingIfNeeded: len))
    }
  }

  static func action(_ name: String, _ rest: [OFField] = []) -> OFValue {
    .table([OFField("action", .string(name))] + rest)
  }

  static func decodeAction(_ type: UInt16, _ r: inout ByteReader) throws(OFCodecError) -> OFValue {
    guard let name = OFActionNames.types13.name(UInt64(type)) else {
      return .table([OFField("action", .uint(UInt64(type))), OFField("data", .bytes(r.rest()))])
    }
    var f: [OFField] = []
    switch name {
    case "OUTPUT":
      f.append(OFField("port_no", portValue(UInt64(try r.u32("port")), OFVersion.v1_3)))
      f.append(OFField("max_len", OFNames.maxLen.decode(UInt64(try r.u16("max_len")))))
      try r.skip(6)
    case "SET_MPLS_TTL", "SET_NW_TTL":
      f.append(OFField(name == "SET_NW_TTL" ? "nw_ttl" : "mpls_ttl", .uint(UInt64(try r.u8("ttl")))))
      try r.skip(3)
    case "PUSH_VLAN", "PUSH_MPLS", "POP_MPLS", "PUSH_PBB":
      f.append(OFField("ethertype", .uint(UInt64(try r.u16("ethertype")))))
      try r.skip(2)
    case "SET_QUEUE": f.append(OFField("queue_id", .uint(UInt64(try r.u32("queue_id")))))
    case "GROUP": f.append(OFField("group_id", .uint(UInt64(try r.u32("group_id")))))
    case "SET_FIELD":
      let (field, value, mask) = try decodeOXM(&r)
      f.append(OFField("field", .string(field)))
      f.append(OFField("value", value))
      if let mask { f.append(OFField("mask", mask)) }
      // The rest is padding to 8.
      guard r.remaining < 8 else { throw r.error("SET_FIELD has \(r.remaining) bytes after its OXM") }
      _ = r.rest()
    case "EXPERIMENTER":
      f.append(OFField("experimenter", .uint(UInt64(try r.u32("experimenter")))))
      f.append(OFField("data", .bytes(r.rest())))
    default:
      try r.skip(4)  // header-only actions pad to 8
    }
    try r.expectEnd("action \(name)")
    return action(name, f)
  }

  /// Writes the body after type/len; returns the wire type.
  static func encodeAction(_ nameValue: OFValue, _ a: OFValue, _ e: inout OFEncoder) throws(OFCodecError) -> UInt16 {
    if case .string(let s) = nameValue, OFActionNames.types13.value(s) == nil, OFEncoder.parseNumber(s) == nil {
      throw e.cannot("action \(s)")
    }
    let type = try e.number(nameValue, "action", names: OFActionNames.types13, bits: 16)
    guard let name = OFActionNames.types13.name(type) else {
      e.out.append(try e.bytes(a, "data"))
      return UInt16(truncatingIfNeeded: type)
    }
    switch name {
    case "OUTPUT":
      guard a["port_no"] != nil else { throw e.fail("OUTPUT needs `port_no`") }
      e.out.u32(UInt32(truncatingIfNeeded: try e.port(a, "port_no", default: nil)))
      e.out.u16(UInt16(truncatingIfNeeded: try e.field(a, "max_len", names: OFNames.maxLen, bits: 16, default: 0xffff)))
      e.out.zeros(6)
    case "SET_MPLS_TTL", "SET_NW_TTL":
      e.out.u8(UInt8(truncatingIfNeeded: try e.field(a, name == "SET_NW_TTL" ? "nw_ttl" : "mpls_ttl", bits: 8, default: nil)))
      e.out.zeros(3)
    case "PUSH_VLAN", "PUSH_MPLS", "POP_MPLS", "PUSH_PBB":
      e.out.u16(UInt16(truncatingIfNeeded: try e.field(a, "ethertype", bits: 16, default: OFActionNames.defaultEthertype[name])))
      e.out.zeros(2)
    case "SET_QUEUE": e.out.u32(UInt32(truncatingIfNeeded: try e.field(a, "queue_id", bits: 32, default: nil)))
    case "GROUP": e.out.u32(UInt32(truncatingIfNeeded: try e.field(a, "group_id", names: OFNames.group, bits: 32, default: nil)))
    case "SET_FIELD":
      guard let field = a["field"], case .string(let fname) = field, let value = a["value"] else {
        throw e.fail("SET_FIELD needs `field` (an OXM name) and `value`")
      }
      var one: [OFField] = [OFField(fname, value)]
      if let mask = a["mask"] { one.append(OFField(fname + "_mask", mask)) }
      try encodeOXMFields(.table(one), &e)
    case "EXPERIMENTER":
      e.out.u32(UInt32(truncatingIfNeeded: try e.field(a, "experimenter", bits: 32, default: nil)))
      e.out.append(try e.bytes(a, "data"))
    default:
      e.out.zeros(4)
    }
    return UInt16(truncatingIfNeeded: type)
  }
}
