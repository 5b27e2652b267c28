// FLOW_MOD: one schema for 1.0 (match first, action list) and 1.3 (OXM match, instructions).

enum OFFlowModNames {
  static let command = NameTable(sequential: ["ADD", "MODIFY", "MODIFY_STRICT", "DELETE", "DELETE_STRICT"])
  static let flags10 = FlagTable(bits: ["SEND_FLOW_REM", "CHECK_OVERLAP", "EMERG"])
  static let flags13 = FlagTable(bits: ["SEND_FLOW_REM", "CHECK_OVERLAP", "RESET_COUNTS", "NO_PKT_COUNTS", "NO_BYT_COUNTS"])
  static let defaultPriority: UInt64 = 0x8000
}

extension OFCodec {
  static func decodeFlowMod(_ r: inout ByteReader, _ v: UInt8) throws(OFCodecError) -> OFValue {
    var f: [OFField] = []
    if v == OFVersion.v1_0 {
      let match = try decodeMatch10(&r)
      f.append(OFField("cookie", .uint(try r.u64("cookie"))))
      f.append(OFField("command", OFFlowModNames.command.decode(UInt64(try r.u16("command")))))
      f.append(OFField("idle_timeout", .uint(UInt64(try r.u16("idle_timeout")))))
      f.append(OFField("hard_timeout", .uint(UInt64(try r.u16("hard_timeout")))))
      f.append(OFField("priority", .uint(UInt64(try r.u16("priority")))))
      f.append(OFField("buffer_id", OFNames.buffer.decode(UInt64(try r.u32("buffer_id")))))
      f.append(OFField("out_port", try readPortNo(&r, v, "out_port")))
      f.append(OFField("flags", OFFlowModNames.flags10.decode(UInt64(try r.u16("flags")))))
      f.append(OFField("match", match))
      let actions = try decodeActions(&r, v)
      f.append(OFField("instructions", .list([.table([OFField("instruction", .string("APPLY_ACTIONS")), OFField("actions", actions)])])))
      return .table(f)
    }
    f.append(OFField("cookie", .uint(try r.u64("cookie"))))
    f.append(OFField("cookie_mask", .uint(try r.u64("cookie_mask"))))
    f.append(OFField("table_id", OFNames.table.decode(UInt64(try r.u8("table_id")))))
    f.append(OFField("command", OFFlowModNames.command.decode(UInt64(try r.u8("command")))))
    f.append(OFField("idle_timeout", .uint(UInt64(try r.u16("idle_timeout")))))
    f.append(OFField("hard_timeout", .uint(UInt64(try r.u16("hard_timeout")))))
    f.append(OFField("priority", .uint(UInt64(try r.u16("priority")))))
    f.append(OFField("buffer_id", OFNames.buffer.decode(UInt64(try r.u32("buffer_id")))))
    f.append(OFField("out_port", try readPortNo(&r, v, "out_port")))
    f.append(OFField("out_group", OFNames.group.decode(UInt64(try r.u32("out_group")))))
    f.append(OFField("flags", OFFlowModNames.flags13.decode(UInt64(try r.u16("flags")))))
    if v >= OFVersion.v1_4 { f.append(OFField("importance", .uint(UInt64(try r.u16("importance"))))) } else { try r.skip(2) }
    f.append(OFField("match", try decodeMatchAny(&r, v)))
    f.append(OFField("instructions", try decodeInstructions(&r, v)))
    return .table(f)
  }

  static func encodeFlowMod(_ m: OFValue, _ e: inout OFEncoder) throws(OFCodecError) {
    let instructions = try instructionList(m, e)
    let command = try e.field(m, "command", names: OFFlowModNames.command, bits: e.version == OFVersion.v1_0 ? 16 : 8, default: 0)
    let idle = UInt16(truncatingIfNeeded: try e.field(m, "idle_timeout", bits: 16, default: 0))
    let hard = UInt16(truncatingIfNeeded: try e.field(m, "hard_timeout", bits: 16, default: 0))
    let priority = UInt16(truncatingIfNeeded: try e.field(m, "priority", bits: 16, default: OFFlowModNames.defaultPriority))
    let buffer = UInt32(truncatingIfNeeded: try e.field(m, "buffer_id", names: OFNames.buffer, bits: 32, default: 0xffff_ffff))
    let outPort = try e.port(m, "out_port", default: "ANY")
    let cookie = try e.field(m, "cookie", bits: 64, default: 0)
    if e.version == OFVersion.v1_0 {
      let table = try e.field(m, "table_id", names: OFNames.table, bits: 8, default: 0)
      guard table == 0 || table == 0xff else { throw e.cannot("table_id \(table)") }
      guard try e.field(m, "cookie_mask", bits: 64, default: 0) == 0 else { throw e.cannot("`cookie_mask`") }
      guard try e.field(m, "out_group", names: OFNames.group, bits: 32, default: 0xffff_ffff) == 0xffff_ffff else {
        throw e.cannot("`out_group`")
      }
      let actions = try actions10(from: instructions, e)
      try encodeMatch(m, &e)
      e.out.u64(cookie)
      e.out.u16(UInt16(truncatingIfNeeded: command))
      e.out.u16(idle)
      e.out.u16(hard)
      e.out.u16(priority)
      e.out.u32(buffer)
      e.out.u16(UInt16(truncatingIfNeeded: outPort))
      e.out.u16(UInt16(truncatingIfNeeded: try e.flags(m, "flags", OFFlowModNames.flags10, bits: 16)))
      try encodeActions(actions, &e)
      return
    }
    e.out.u64(cookie)
    e.out.u64(try e.field(m, "cookie_mask", bits: 64, default: 0))
    e.out.u8(UInt8(truncatingIfNeeded: try e.field(m, "table_id", names: OFNames.table, bits: 8, default: 0)))
    e.out.u8(UInt8(truncatingIfNeeded: command))
    e.out.u16(idle)
    e.out.u16(hard)
    e.out.u16(priority)
    e.out.u32(buffer)
    e.out.u32(UInt32(truncatingIfNeeded: outPort))
    e.out.u32(UInt32(truncatingIfNeeded: try e.field(m, "out_group", names: OFNames.group, bits: 32, default: 0xffff_ffff)))
    e.out.u16(UInt16(truncatingIfNeeded: try e.flags(m, "flags", OFFlowModNames.flags13, bits: 16)))
    if e.version >= OFVersion.v1_4 {
      e.out.u16(UInt16(truncatingIfNeeded: try e.field(m, "importance", bits: 16, default: 0)))
    } else {
      if (m["importance"]?.uint ?? 0) != 0 { throw e.cannot("`importance`") }
      e.out.zeros(2)
    }
    try encodeMatch(m, &e)
    try encodeInstructions(instructions, &e)
  }
}
