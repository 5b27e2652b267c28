// PACKET_IN: in_port is top level on every version (1.3 copies it from the match).

enum OFPacketInNames {
  static let reason = NameTable([
    ("NO_MATCH", 0), ("ACTION", 1), ("INVALID_TTL", 2), ("ACTION_SET", 3), ("GROUP", 4), ("PACKET_OUT", 5),
    // 1.4 names, accepted on encode.
    ("TABLE_MISS", 0), ("APPLY_ACTION", 1),
  ])
}

extension OFCodec {
  static func decodePacketIn(_ r: inout ByteReader, _ v: UInt8) throws(OFCodecError) -> OFValue {
    let buffer = OFNames.buffer.decode(UInt64(try r.u32("buffer_id")))
    let totalLen = OFValue.uint(UInt64(try r.u16("total_len")))
    if v == OFVersion.v1_0 {
      let inPort = try readPortNo(&r, v, "in_port")
      let reason = OFPacketInNames.reason.decode(UInt64(try r.u8("reason")))
      try r.skip(1)
      return .table([
        OFField("buffer_id", buffer), OFField("total_len", totalLen), OFField("in_port", inPort),
        OFField("reason", reason), OFField("match", .table([OFField("in_port", inPort)])),
        OFField("data", .bytes(r.rest())),
      ])
    }
    let reason = OFPacketInNames.reason.decode(UInt64(try r.u8("reason")))
    let table = OFValue.uint(UInt64(try r.u8("table_id")))
    let cookie = OFValue.uint(try r.u64("cookie"))
    let match = try decodeOXMMatch(&r)
    try r.skip(2)
    var f: [OFField] = [OFField("buffer_id", buffer), OFField("total_len", totalLen)]
    if let inPort = match["in_port"] { f.append(OFField("in_port", inPort)) }
    f += [
      OFField("reason", reason), OFField("table_id", table), OFField("cookie", cookie),
      OFField("match", match), OFField("data", .bytes(r.rest())),
    ]
    return .table(f)
  }

  static func encodePacketIn(_ m: OFValue, _ e: inout OFEncoder) throws(OFCodecError) {
    let data = try e.bytes(m, "data")
    e.out.u32(UInt32(truncatingIfNeeded: try e.field(m, "buffer_id", names: OFNames.buffer, bits: 32, default: 0xffff_ffff)))
    e.out.u16(UInt16(truncatingIfNeeded: try e.field(m, "total_len", bits: 16, default: UInt64(min(data.count, 0xffff)))))
    let reason = UInt8(truncatingIfNeeded: try e.field(m, "reason", names: OFPacketInNames.reason, bits: 8, default: 0))
    var match = try e.table(m, "match")
    if e.version == OFVersion.v1_0 {
      guard let port = m["in_port"] ?? match["in_port"] else { throw e.fail("PACKET_IN needs `in_port`") }
      for f in match.fields ?? [] where f.name != "in_port" { throw e.cannot("PACKET_IN match field `\(f.name)`") }
      for n in ["table_id", "cookie"] where (m[n]?.uint ?? 0) != 0 { throw e.cannot("PACKET_IN `\(n)`") }
      e.out.u16(UInt16(truncatingIfNeeded: try e.port(port, "in_port")))
      e.out.u8(reason)
      e.out.zeros(1)
    } else {
      // A top-level in_port goes into the match unless the match has one.
      if let port = m["in_port"], match["in_port"] == nil, let f = match.fields {
        match = .table([OFField("in_port", port)] + f)
      }
      e.out.u8(reason)
      e.out.u8(UInt8(truncatingIfNeeded: try e.field(m, "table_id", bits: 8, default: 0)))
      e.out.u64(try e.field(m, "cookie", bits: 64, default: 0))
      try encodeOXMMatch(match, &e)
      e.out.zeros(2)
    }
    e.out.append(data)
  }
}
