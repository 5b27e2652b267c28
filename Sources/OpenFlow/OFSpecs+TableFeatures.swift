// TABLE_FEATURES (1.3+) with every property, and FLOW_MONITOR updates (1.4+).
// Instruction/action ids are names (or {instruction|action = n, data} when
// they carry more than a type); OXM ids are field names, `<field>_mask` when
// the id has the mask bit, a number for other classes or odd lengths, and
// {oxm = header, experimenter} for experimenter ids.

extension Specs {
  static let instructionIds: SF = .custom("instructions", OFCodec.decodeInstructionIds, OFCodec.encodeInstructionIds)
  static let actionIds: SF = .custom("actions", OFCodec.decodeActionIds, OFCodec.encodeActionIds)
  static let oxmIds: SF = .custom("oxm_ids", OFCodec.decodeOXMIds, OFCodec.encodeOXMIds)

  static let tableFeatureProps = PropSet([
    ("INSTRUCTIONS", 0, [instructionIds]), ("INSTRUCTIONS_MISS", 1, [instructionIds]),
    ("NEXT_TABLES", 2, [.u8List("table_ids")]), ("NEXT_TABLES_MISS", 3, [.u8List("table_ids")]),
    ("WRITE_ACTIONS", 4, [actionIds]), ("WRITE_ACTIONS_MISS", 5, [actionIds]),
    ("APPLY_ACTIONS", 6, [actionIds]), ("APPLY_ACTIONS_MISS", 7, [actionIds]),
    ("MATCH", 8, [oxmIds]), ("WILDCARDS", 10, [oxmIds]),
    ("WRITE_SETFIELD", 12, [oxmIds]), ("WRITE_SETFIELD_MISS", 13, [oxmIds]),
    ("APPLY_SETFIELD", 14, [oxmIds]), ("APPLY_SETFIELD_MISS", 15, [oxmIds]),
    ("TABLE_SYNC_FROM", 16, [.u8List("table_ids")]),
    ("WRITE_COPYFIELD", 18, [oxmIds]), ("WRITE_COPYFIELD_MISS", 19, [oxmIds]),
    ("APPLY_COPYFIELD", 20, [oxmIds]), ("APPLY_COPYFIELD_MISS", 21, [oxmIds]),
    ("PACKET_TYPES", 22, [.custom("oxm_values", OFCodec.decodeOXMValues, OFCodec.encodeOXMValues)]),
    ("EXPERIMENTER", 0xfffe, []), ("EXPERIMENTER_MISS", 0xffff, []),
  ], experimenter: [0xfffe, 0xffff], lastPadOptional: true)

  static func tableFeatures(_ v: UInt8) -> SStruct {
    let head: [SF] = v >= v15
      ? [.len, .u8("table_id"), .u8("command", N.tableFeatureCommand, 0), .flags("features", 4, N.tableFeatureFlags)]
      : [.len, .u8("table_id"), .pad(5)]
    return SStruct(head + [
      .text("name", 32), .u64("metadata_match"), .u64("metadata_write"), .flags("capabilities", 4, N.tableConfig),
      .u32("max_entries"), .props("properties", tableFeatureProps),
    ])
  }
}

extension OFCodec {
  /// {type, len, [data]} ids shared by instruction and action id lists.
  static func decodeIds(_ r: inout ByteReader, _ key: String, _ names: NameTable) throws(OFCodecError) -> OFValue {
    var out: [OFValue] = []
    while !r.isAtEnd {
      let at = r.offset
      let type = UInt64(try r.u16("\(key) id type"))
      let len = Int(try r.u16("\(key) id length"))
      guard len >= 4 else { throw r.error("\(key) id length \(len) is below 4", at: at + 2) }
      var b = try r.sub(len - 4, "\(key) id")
      if len == 4 { out.append(names.decode(type)) } else {
        out.append(.table([OFField(key, names.decode(type)), OFField("data", .bytes(b.rest()))]))
      }
    }
    return .list(out)
  }

  static func encodeIds(_ v: OFValue?, _ key: String, _ names: NameTable, _ e: inout OFEncoder) throws(OFCodecError) {
    guard let v else { return }
    for item in try e.items(v, key) {
      if item.fields != nil {
        let data = try e.bytes(item, "data")
        guard data.count <= 0xfff0 else { throw e.fail("\(key) id is too long") }
        e.out.u16(UInt16(truncatingIfNeeded: try e.field(item, key, names: names, bits: 16, default: nil)))
        e.out.u16(UInt16(truncatingIfNeeded: 4 + data.count))
        e.out.append(data)
      } else {
        e.out.u16(UInt16(truncatingIfNeeded: try e.number(item, key, names: names, bits: 16)))
        e.out.u16(4)
      }
    }
  }

  @Sendable static func decodeInstructionIds(_ r: inout ByteReader, _ v: UInt8) throws(OFCodecError) -> OFValue {
    try decodeIds(&r, "instruction", OFInstructionNames.types)
  }
  @Sendable static func encodeInstructionIds(_ v: OFValue?, _ e: inout OFEncoder) throws(OFCodecError) {
    try encodeIds(v, "instruction", OFInstructionNames.types, &e)
  }
  @Sendable static func decodeActionIds(_ r: inout ByteReader, _ v: UInt8) throws(OFCodecError) -> OFValue {
    try decodeIds(&r, "action", OFActionNames.types13)
  }
  @Sendable static func encodeActionIds(_ v: OFValue?, _ e: inout OFEncoder) throws(OFCodecError) {
    try encodeIds(v, "action", OFActionNames.types13, &e)
  }

  @Sendable static func decodeOXMIds(_ r: inout ByteReader, _ v: UInt8) throws(OFCodecError) -> OFValue {
    var out: [OFValue] = []
    while !r.isAtEnd {
      let h = try r.u32("OXM id")
      let cls = UInt16(truncatingIfNeeded: h >> 16), fb = UInt8(truncatingIfNeeded: h >> 8), len = Int(h & 0xff)
      if cls == OXMField.experimenterClass {
        out.append(.table([OFField("oxm", .uint(UInt64(h))), OFField("experimenter", .uint(UInt64(try r.u32("OXM experimenter"))))]))
      } else if cls == OXMField.basicClass, let f = OXMField.field(fb >> 1), len == f.size * (fb & 1 == 0 ? 1 : 2) {
        out.append(.string(fb & 1 == 0 ? f.name : f.name + "_mask"))
      } else {
        out.append(.uint(UInt64(h)))
      }
    }
    return .list(out)
  }

  @Sendable static func encodeOXMIds(_ v: OFValue?, _ e: inout OFEncoder) throws(OFCodecError) {
    guard let v else { return }
    for item in try e.items(v, "oxm_ids") {
      switch item {
      case .string(let s):
        let masked = s.hasSuffix("_mask") && OXMField.byName[s] == nil
        guard let f = OXMField.byName[masked ? String(s.dropLast(5)) : s] else { throw e.fail("unknown OXM id `\(s)`") }
        e.out.u16(OXMField.basicClass)
        e.out.u8(f.number << 1 | (masked ? 1 : 0))
        e.out.u8(UInt8(truncatingIfNeeded: f.size * (masked ? 2 : 1)))
      case .table:
        e.out.u32(UInt32(truncatingIfNeeded: try e.field(item, "oxm", bits: 32, default: nil)))
        e.out.u32(UInt32(truncatingIfNeeded: try e.field(item, "experimenter", bits: 32, default: nil)))
      default:
        e.out.u32(UInt32(truncatingIfNeeded: try e.number(item, "oxm_ids", bits: 32)))
      }
    }
  }

  @Sendable static func decodeOXMValues(_ r: inout ByteReader, _ v: UInt8) throws(OFCodecError) -> OFValue {
    .table(try decodeOXMFields(&r))
  }
  @Sendable static func encodeOXMValues(_ v: OFValue?, _ e: inout OFEncoder) throws(OFCodecError) {
    try encodeOXMFields(v ?? .emptyTable, &e)
  }

  static let monitorFull: [SF] = [
    .u8("table_id"), .u8("reason", OFFlowRemovedNames.reason, 0), .u16("idle_timeout"), .u16("hard_timeout"),
    .u16("priority", nil, OFFlowModNames.defaultPriority), .pad(4), .u64("cookie"), .match("match"), .instructions("instructions"),
  ]

  static func monitorBody(_ event: UInt64) -> [SF]? {
    switch event {
    case 0...3: return monitorFull
    case 4: return [.u32("xid")]
    case 5, 6: return [.pad(4)]
    default: return nil
    }
  }

  @Sendable static func decodeMonitorUpdates(_ r: inout ByteReader, _ v: UInt8) throws(OFCodecError) -> OFValue {
    var out: [OFValue] = []
    while !r.isAtEnd {
      let at = r.offset
      let len = Int(try r.u16("update length"))
      let event = UInt64(try r.u16("update event"))
      guard len >= 8 else { throw r.error("update length \(len) is below 8", at: at) }
      var b = try r.sub(len - 4, "update")
      var f = [OFField("event", N.monitorEvent.decode(event))]
      if let body = monitorBody(event) { f += try decodeFields(body, &b, v) } else { f.append(OFField("data", .bytes(b.rest()))) }
      try b.expectEnd("update")
      out.append(.table(f))
    }
    return .list(out)
  }

  @Sendable static func encodeMonitorUpdates(_ v: OFValue?, _ e: inout OFEncoder) throws(OFCodecError) {
    guard let v else { return }
    for u in try e.items(v, "updates") {
      let start = e.out.count
      let event = try e.field(u, "event", names: N.monitorEvent, bits: 16, default: nil)
      e.out.u16(0)
      e.out.u16(UInt16(truncatingIfNeeded: event))
      if let body = monitorBody(event) { try encodeFields(body, u, &e, allowing: ["event"]) } else { e.out.append(try e.bytes(u, "data")) }
      let len = e.out.count - start
      guard len <= 0xffff else { throw e.fail("update is too long") }
      e.out.patchU16(at: start, UInt16(truncatingIfNeeded: len))
    }
  }
}
