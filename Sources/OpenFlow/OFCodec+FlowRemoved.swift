// FLOW_REMOVED: 1.0 puts the match first; 1.3 last, with table_id and hard_timeout.

enum OFFlowRemovedNames {
  static let reason = NameTable(sequential: ["IDLE_TIMEOUT", "HARD_TIMEOUT", "DELETE", "GROUP_DELETE", "METER_DELETE", "EVICTION"])
}

extension OFCodec {
  static func decodeFlowRemoved(_ r: inout ByteReader, _ v: UInt8) throws(OFCodecError) -> OFValue {
    let is10 = v == OFVersion.v1_0
    let match10 = is10 ? try decodeMatch10(&r) : nil
    var f: [OFField] = [
      OFField("cookie", .uint(try r.u64("cookie"))),
      OFField("priority", .uint(UInt64(try r.u16("priority")))),
      OFField("reason", OFFlowRemovedNames.reason.decode(UInt64(try r.u8("reason")))),
    ]
    if is10 { try r.skip(1) } else { f.append(OFField("table_id", .uint(UInt64(try r.u8("table_id"))))) }
    f.append(OFField("duration_sec", .uint(UInt64(try r.u32("duration_sec")))))
    f.append(OFField("duration_nsec", .uint(UInt64(try r.u32("duration_nsec")))))
    f.append(OFField("idle_timeout", .uint(UInt64(try r.u16("idle_timeout")))))
    if v <= OFVersion.v1_1 { try r.skip(2) } else { f.append(OFField("hard_timeout", .uint(UInt64(try r.u16("hard_timeout"))))) }
    f.append(OFField("packet_count", .uint(try r.u64("packet_count"))))
    f.append(OFField("byte_count", .uint(try r.u64("byte_count"))))
    if let match10 { f.append(OFField("match", match10)) } else { f.append(OFField("match", try decodeMatchAny(&r, v))) }
    return .table(f)
  }

  static func encodeFlowRemoved(_ m: OFValue, _ e: inout OFEncoder) throws(OFCodecError) {
    let is10 = e.version == OFVersion.v1_0
    if is10 {
      try encodeMatch(m, &e)
      if try e.field(m, "table_id", bits: 8, default: 0) != 0 { throw e.cannot("FLOW_REMOVED `table_id`") }
      if try e.field(m, "hard_timeout", bits: 16, default: 0) != 0 { throw e.cannot("FLOW_REMOVED `hard_timeout`") }
    }
    e.out.u64(try e.field(m, "cookie", bits: 64, default: 0))
    e.out.u16(UInt16(truncatingIfNeeded: try e.field(m, "priority", bits: 16, default: OFFlowModNames.defaultPriority)))
    e.out.u8(UInt8(truncatingIfNeeded: try e.field(m, "reason", names: OFFlowRemovedNames.reason, bits: 8, default: nil)))
    if is10 { e.out.zeros(1) } else { e.out.u8(UInt8(truncatingIfNeeded: try e.field(m, "table_id", bits: 8, default: 0))) }
    e.out.u32(UInt32(truncatingIfNeeded: try e.field(m, "duration_sec", bits: 32, default: 0)))
    e.out.u32(UInt32(truncatingIfNeeded: try e.field(m, "duration_nsec", bits: 32, default: 0)))
    e.out.u16(UInt16(truncatingIfNeeded: try e.field(m, "idle_timeout", bits: 16, default: 0)))
    if e.version == OFVersion.v1_1, try e.field(m, "hard_timeout", bits: 16, default: 0) != 0 { throw e.cannot("FLOW_REMOVED `hard_timeout`") }
    if e.version <= OFVersion.v1_1 { e.out.zeros(2) } else { e.out.u16(UInt16(truncatingIfNeeded: try e.field(m, "hard_timeout", bits: 16, default: 0))) }
    e.out.u64(try e.field(m, "packet_count", bits: 64, default: 0))
    e.out.u64(try e.field(m, "byte_count", bits: 64, default: 0))
    if !is10 { try encodeMatch(m, &e) }
  }
}
