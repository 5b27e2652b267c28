// Instructions (1.1+): {instruction = NAME, ...}, each a multiple of 8 bytes.

enum OFInstructionNames {
  static let types = NameTable([
    ("GOTO_TABLE", 1), ("WRITE_METADATA", 2), ("WRITE_ACTIONS", 3), ("APPLY_ACTIONS", 4),
    ("CLEAR_ACTIONS", 5), ("METER", 6), ("EXPERIMENTER", 0xffff),
  ])
}

extension OFCodec {
  static func decodeInstructions(_ r: inout ByteReader, _ v: UInt8) throws(OFCodecError) -> OFValue {
    var out: [OFValue] = []
    while !r.isAtEnd {
      let at = r.offset
      let type = try r.u16("instruction type")
      let len = Int(try r.u16("instruction length"))
      guard len >= 8, len % 8 == 0 else { throw r.error("instruction length \(len) is not a positive multiple of 8", at: at + 2) }
      guard len - 4 <= r.remaining else { throw r.error("instruction length \(len) overruns its list", at: at + 2) }
      var b = try r.sub(len - 4, "instruction")
      guard let name = OFInstructionNames.types.name(UInt64(type)) else {
        out.append(.table([OFField("instruction", .uint(UInt64(type))), OFField("data", .bytes(b.rest()))]))
        continue
      }
      var f: [OFField] = [OFField("instruction", .string(name))]
      switch name {
      case "GOTO_TABLE":
        f.append(OFField("table_id", .uint(UInt64(try b.u8("table_id")))))
        try b.skip(3)
      case "WRITE_METADATA":
        try b.skip(4)
        f.append(OFField("metadata", .uint(try b.u64("metadata"))))
        f.append(OFField("metadata_mask", .uint(try b.u64("metadata_mask"))))
      case "WRITE_ACTIONS", "APPLY_ACTIONS":
        try b.skip(4)
        f.append(OFField("actions", try decodeActions(&b, v)))
      case "METER":
        f.append(OFField("meter_id", .uint(UInt64(try b.u32("meter_id")))))
      case "EXPERIMENTER":
        f.append(OFField("experimenter", .uint(UInt64(try b.u32("experimenter")))))
        f.append(OFField("data", .bytes(b.rest())))
      default:
        try b.skip(4)
      }
      try b.expectEnd("instruction \(name)")
      out.append(.table(f))
    }
    return .list(out)
  }

  static func encodeInstructions(_ list: [OFValue], _ e: inout OFEncoder) throws(OFCodecError) {
    for ins in list {
      guard let nameValue = ins["instruction"] else { throw e.fail("an instruction needs `instruction` (e.g. \"APPLY_ACTIONS\")") }
      let type = try e.number(nameValue, "instruction", names: OFInstructionNames.types, bits: 16)
      let start = e.out.count
      e.out.u16(UInt16(truncatingIfNeeded: type))
      e.out.u16(0)
      switch OFInstructionNames.types.name(type) {
      case "GOTO_TABLE":
        e.out.u8(UInt8(truncatingIfNeeded: try e.field(ins, "table_id", bits: 8, default: nil)))
        e.out.zeros(3)
      case "WRITE_METADATA":
        e.out.zeros(4)
        e.out.u64(try e.field(ins, "metadata", bits: 64, default: nil))
        e.out.u64(try e.field(ins, "metadata_mask", bits: 64, default: UInt64.max))
      case "WRITE_ACTIONS", "APPLY_ACTIONS":
        e.out.zeros(4)
        try encodeActions(try e.list(ins, "actions"), &e)
      case "METER":
        e.out.u32(UInt32(truncatingIfNeeded: try e.field(ins, "meter_id", bits: 32, default: nil)))
      case "EXPERIMENTER":
        e.out.u32(UInt32(truncatingIfNeeded: try e.field(ins, "experimenter", bits: 32, default: nil)))
        e.out.append(try e.bytes(ins, "data"))
      case "CLEAR_ACTIONS":
        e.out.zeros(4)
      default:
        e.out.append(try e.bytes(ins, "data"))
      }
      e.out.pad8(from: start)
      let len = e.out.count - start
      guard len <= 0xffff else { throw e.fail("instruction is too long") }
      e.out.patchU16(at: start + 2, UInt16(truncatingIfNeeded: len))
    }
  }

  /// The flow's instructions: `instructions`, or `actions` as one APPLY_ACTIONS.
  static func instructionList(_ m: OFValue, _ e: OFEncoder) throws(OFCodecError) -> [OFValue] {
    if let actions = m["actions"] {
      guard m["instructions"] == nil else { throw e.fail("give either `actions` or `instructions`, not both") }
      return [.table([OFField("instruction", .string("APPLY_ACTIONS")), OFField("actions", actions)])]
    }
    return try e.list(m, "instructions")
  }

  /// 1.0 has only an action list: accept exactly one APPLY_ACTIONS (or none).
  static func actions10(from instructions: [OFValue], _ e: OFEncoder) throws(OFCodecError) -> [OFValue] {
    var out: [OFValue] = []
    var seen = false
    for ins in instructions {
      let name = ins["instruction"].flatMap { $0.string?.uppercased() } ?? ins["instruction"].flatMap { $0.uint }.map { String($0) } ?? "?"
      guard name == "APPLY_ACTIONS" || name == "4" else { throw e.cannot("instruction \(name)") }
      guard !seen else { throw e.cannot("a second APPLY_ACTIONS instruction") }
      seen = true
      out = try e.list(ins, "actions")
    }
    return out
  }
}
