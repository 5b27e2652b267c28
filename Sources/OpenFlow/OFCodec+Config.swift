// GET_CONFIG_REPLY / SET_CONFIG: the same 4-byte body in every version.

extension OFCodec {
  /// FRAG_* is a 2-bit field (NORMAL is 0, so it never shows); 1.1 and 1.2 add
  /// INVALID_TTL_TO_CONTROLLER as bit 2.
  static let configFlags = FlagTable([
    ("FRAG_DROP", 1, 3), ("FRAG_REASM", 2, 3), ("INVALID_TTL_TO_CONTROLLER", 4, 4),
  ])

  static func decodeConfig(_ r: inout ByteReader) throws(OFCodecError) -> OFValue {
    let flags = try r.u16("flags")
    let missSendLen = try r.u16("miss_send_len")
    return .table([
      OFField("flags", configFlags.decode(UInt64(flags))),
      OFField("miss_send_len", OFNames.maxLen.decode(UInt64(missSendLen))),
    ])
  }

  static func encodeConfig(_ m: OFValue, _ e: inout OFEncoder) throws(OFCodecError) {
    e.out.u16(UInt16(truncatingIfNeeded: try e.flags(m, "flags", configFlags, bits: 16)))
    e.out.u16(UInt16(truncatingIfNeeded: try e.field(m, "miss_send_len", names: OFNames.maxLen, bits: 16, default: 128)))
  }
}
