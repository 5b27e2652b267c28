// FEATURES_REPLY: 1.0 lists its ports and supported actions; 1.3 has auxiliary_id.

enum OFFeatureNames {
  static let capabilities10 = FlagTable(bits: [
    "FLOW_STATS", "TABLE_STATS", "PORT_STATS", "STP", "RESERVED", "IP_REASM", "QUEUE_STATS", "ARP_MATCH_IP",
  ])
  static let capabilities13 = FlagTable(bits: [
    "FLOW_STATS", "TABLE_STATS", "PORT_STATS", "GROUP_STATS", "", "IP_REASM", "QUEUE_STATS", "", "PORT_BLOCKED",
  ])
  /// 1.0 `actions`: bit n is action type n.
  static let actions10 = FlagTable(bits: [
    "OUTPUT", "SET_VLAN_VID", "SET_VLAN_PCP", "STRIP_VLAN", "SET_DL_SRC", "SET_DL_DST", "SET_NW_SRC",
    "SET_NW_DST", "SET_NW_TOS", "SET_TP_SRC", "SET_TP_DST", "ENQUEUE",
  ])
}

extension OFCodec {
  static func decodeFeaturesReply(_ r: inout ByteReader, _ v: UInt8) throws(OFCodecError) -> OFValue {
    let is10 = v == OFVersion.v1_0
    var f: [OFField] = [
      OFField("datapath_id", .string(DatapathID.format(try r.u64("datapath_id")))),
      OFField("n_buffers", .uint(UInt64(try r.u32("n_buffers")))),
      OFField("n_tables", .uint(UInt64(try r.u8("n_tables")))),
    ]
    if is10 {
      try r.skip(3)
    } else {
      f.append(OFField("auxiliary_id", .uint(UInt64(try r.u8("auxiliary_id")))))
      try r.skip(2)
    }
    let caps = UInt64(try r.u32("capabilities"))
    f.append(OFField("capabilities", (is10 ? OFFeatureNames.capabilities10 : OFFeatureNames.capabilities13).decode(caps)))
    let word = UInt64(try r.u32(is10 ? "actions" : "reserved"))
    if is10 {
      f.append(OFField("actions", OFFeatureNames.actions10.decode(word)))
      f.append(OFField("ports", try decodePortList(&r, v)))
    } else if word != 0 {
      f.append(OFField("reserved", .uint(word)))
    }
    return .table(f)
  }

  static func encodeFeaturesReply(_ m: OFValue, _ e: inout OFEncoder) throws(OFCodecError) {
    let is10 = e.version == OFVersion.v1_0
    guard let idValue = m["datapath_id"] else { throw e.fail("missing field `datapath_id`") }
    let id: UInt64
    if case .string(let s) = idValue {
      guard let x = DatapathID.parse(s) else { throw e.fail("datapath_id '\(s)' is not like 00:00:00:00:00:00:00:01") }
      id = x
    } else {
      id = try e.number(idValue, "datapath_id", bits: 64)
    }
    e.out.u64(id)
    e.out.u32(UInt32(truncatingIfNeeded: try e.field(m, "n_buffers", bits: 32, default: 0)))
    e.out.u8(UInt8(truncatingIfNeeded: try e.field(m, "n_tables", bits: 8, default: 1)))
    if is10 {
      if m["auxiliary_id"].map({ $0.uint != 0 }) ?? false { throw e.cannot("`auxiliary_id`") }
      e.out.zeros(3)
    } else {
      e.out.u8(UInt8(truncatingIfNeeded: try e.field(m, "auxiliary_id", bits: 8, default: 0)))
      e.out.zeros(2)
    }
    let caps = is10 ? OFFeatureNames.capabilities10 : OFFeatureNames.capabilities13
    e.out.u32(UInt32(truncatingIfNeeded: try e.flags(m, "capabilities", caps, bits: 32)))
    if is10 {
      e.out.u32(UInt32(truncatingIfNeeded: try e.flags(m, "actions", OFFeatureNames.actions10, bits: 32)))
      try encodePortList(m, &e)
    } else {
      if m["ports"] != nil { throw e.cannot("FEATURES_REPLY `ports` (use REPLY.PORT_DESC)") }
      e.out.u32(UInt32(truncatingIfNeeded: try e.field(m, "reserved", bits: 32, default: 0)))
    }
  }
}
