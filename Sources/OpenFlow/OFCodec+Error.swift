// ERROR: type and code by name where this version's tables know them.

extension OFCodec {
  static func decodeError(_ r: inout ByteReader, _ v: UInt8) throws(OFCodecError) -> OFValue {
    let type = UInt64(try r.u16("error type"))
    let code = UInt64(try r.u16("error code"))
    if type == OFErrorNames.experimenterType && v >= OFVersion.v1_2 {
      let exp = try r.u32("experimenter")
      return .table([
        OFField("type", .string("EXPERIMENTER")), OFField("exp_type", .uint(code)),
        OFField("experimenter", .uint(UInt64(exp))), OFField("data", .bytes(r.rest())),
      ])
    }
    let typeValue = OFErrorNames.types(v)?.decode(type) ?? .uint(type)
    let codeValue = OFErrorNames.codes(v, type)?.decode(code) ?? .uint(code)
    return .table([OFField("type", typeValue), OFField("code", codeValue), OFField("data", .bytes(r.rest()))])
  }

  static func encodeError(_ m: OFValue, _ e: inout OFEncoder) throws(OFCodecError) {
    let type = try e.field(m, "type", names: OFErrorNames.types(e.version), bits: 16, default: nil)
    e.out.u16(UInt16(truncatingIfNeeded: type))
    if type == OFErrorNames.experimenterType && e.version >= OFVersion.v1_2 {
      e.out.u16(UInt16(truncatingIfNeeded: try e.field(m, "exp_type", bits: 16, default: 0)))
      e.out.u32(UInt32(truncatingIfNeeded: try e.field(m, "experimenter", bits: 32, default: nil)))
    } else {
      let codes = OFErrorNames.codes(e.version, type)
      e.out.u16(UInt16(truncatingIfNeeded: try e.field(m, "code", names: codes, bits: 16, default: nil)))
    }
    e.out.append(try e.bytes(m, "data"))
  }
}
