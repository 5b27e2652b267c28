// Bodies of the non-multipart messages described as SStruct, per version.

enum Specs {
  static let v10 = OFVersion.v1_0, v11 = OFVersion.v1_1, v12 = OFVersion.v1_2
  static let v13 = OFVersion.v1_3, v14 = OFVersion.v1_4, v15 = OFVersion.v1_5

  static let expOnly = PropSet([])

  // Group buckets.
  static let bucket11 = SStruct([
    .len, .u16("weight"), .port("watch_port", "ANY"), .u32("watch_group", OFNames.group, 0xffff_ffff), .pad(4), .actions("actions"),
  ])
  static let bucketProps15 = PropSet([
    ("WEIGHT", 0, [.u16("weight"), .pad(2)]), ("WATCH_PORT", 1, [.port("watch_port", "ANY")]),
    ("WATCH_GROUP", 2, [.u32("watch_group", OFNames.group, 0xffff_ffff)]),
  ])
  /// 1.5 moves weight/watch_* into properties; they are shown flat, as before.
  static let bucket15 = SStruct([
    .len, .lenOf("actions"), .u32("bucket_id", N.bucketId, 0), .actions("actions"),
    .inlineProp(bucketProps15, 0), .inlineProp(bucketProps15, 1), .inlineProp(bucketProps15, 2),
    .props("properties", bucketProps15),
  ])
  static func groupMod(_ v: UInt8) -> [SF] {
    let head: [SF] = [.u16("command", N.groupCommand, 0), .u8("type", N.groupType, 0), .pad(1), .u32("group_id", OFNames.group, nil)]
    if v < v15 { return head + [.list("buckets", bucket11)] }
    return head + [
      .lenOf("buckets"), .pad(2), .u32("command_bucket_id", N.bucketId, 0xffff_ffff), .list("buckets", bucket15),
      .props("properties", expOnly),
    ]
  }

  static let bands = PropSet([
    ("DROP", 1, [.u32("rate"), .u32("burst_size"), .pad(4)]),
    ("DSCP_REMARK", 2, [.u32("rate"), .u32("burst_size"), .u8("prec_level"), .pad(3)]),
    ("EXPERIMENTER", 0xffff, [.u32("rate"), .u32("burst_size"), .u32("experimenter", nil, nil), .bytes("data")]),
  ], pad8: false, experimenter: [], key: "type")
  static let meterMod: [SF] = [
    .u16("command", N.meterCommand, 0), .flags("flags", 2, N.meterFlags), .u32("meter_id", N.meterId, nil), .props("bands", bands),
  ]

  static let portModProps = PropSet([
    ("ETHERNET", 0, [.flags("advertise", 4, OFPortNames.features13)]),
    ("OPTICAL", 1, [.u32("configure"), .u32("freq_lmda"), .u32("fl_offset"), .u32("grid_span"), .u32("tx_pwr")]),
  ])
  static func portMod(_ v: UInt8) -> [SF] {
    if v == v10 {
      return [.port("port_no", nil), .mac("hw_addr"), .flags("config", 4, OFPortNames.config10),
              .flags("mask", 4, OFPortNames.config10), .flags("advertise", 4, OFPortNames.features10), .pad(4)]
    }
    let head: [SF] = [.port("port_no", nil), .pad(4), .mac("hw_addr"), .pad(2), .flags("config", 4, OFPortNames.config13),
                      .flags("mask", 4, OFPortNames.config13)]
    if v < v14 { return head + [.flags("advertise", 4, OFPortNames.features13), .pad(4)] }
    return head + [.inlineProp(portModProps, 0), .props("properties", portModProps)]
  }

  static let tableModProps = PropSet([
    ("EVICTION", 2, [.flags("flags", 4, N.evictionFlags)]),
    ("VACANCY", 3, [.u8("vacancy_down"), .u8("vacancy_up"), .u8("vacancy"), .pad(1)]),
  ])
  static func tableMod(_ v: UInt8) -> [SF] {
    let head: [SF] = [.u8("table_id", OFNames.table, 0xff), .pad(3), .flags("config", 4, N.tableConfig)]
    return v < v14 ? head : head + [.props("properties", tableModProps)]
  }
  static let tableDesc = SStruct([
    .len, .u8("table_id", OFNames.table, 0), .pad(1), .flags("config", 4, N.tableConfig), .props("properties", tableModProps),
  ])

  static func role(_ v: UInt8) -> [SF] {
    v >= v15 ? [.u32("role", N.role, 0), .u16("short_id"), .pad(2), .u64("generation_id")]
      : [.u32("role", N.role, 0), .pad(4), .u64("generation_id")]
  }
  static let roleStatus: [SF] = [
    .u32("role", N.role, 0), .u8("reason", N.roleReason, 0), .pad(3), .u64("generation_id"), .props("properties", expOnly),
  ]
  static let tableStatus: [SF] = [.u8("reason", N.tableReason, nil), .pad(7), .sub("table", tableDesc)]
  static let bundleControl: [SF] = [
    .u32("bundle_id"), .u16("type", N.bundleType, nil), .flags("flags", 2, N.bundleFlags), .props("properties", expOnly),
  ]

  static let controllerStatusProps = PropSet([("URI", 0, [.custom("uri", decodeTextRest, encodeTextRest)])])
  static let controllerStatus = SStruct([
    .len, .u16("short_id"), .u32("role", N.role, 0), .u8("reason", N.controllerReason, 0),
    .u8("channel_status", N.channelStatus, 0), .pad(6), .props("properties", controllerStatusProps),
  ])

  static func experimenter(_ v: UInt8) -> [SF] {
    switch v {
    case v10: return [.u32("experimenter", nil, nil), .bytes("data")]
    case v11: return [.u32("experimenter", nil, nil), .pad(4), .bytes("data")]
    default: return [.u32("experimenter", nil, nil), .u32("exp_type"), .bytes("data")]
    }
  }

  static func featuresReply11(_ v: UInt8) -> [SF] {
    [.dpid("datapath_id"), .u32("n_buffers"), .u8("n_tables", nil, 1), .pad(3), .flags("capabilities", 4, N.capabilities11),
     .u32("reserved"), .portList("ports")]
  }

  static let packetIn11: [SF] = [
    .u32("buffer_id", OFNames.buffer, 0xffff_ffff), .port("in_port", nil), .port("in_phy_port", nil), .u16("total_len"),
    .u8("reason", OFPacketInNames.reason, 0), .u8("table_id"), .bytes("data"),
  ]
  static let packetIn12: [SF] = [
    .u32("buffer_id", OFNames.buffer, 0xffff_ffff), .u16("total_len"), .u8("reason", OFPacketInNames.reason, 0),
    .u8("table_id"), .match("match"), .pad(2), .bytes("data"),
  ]
  static let packetOut15: [SF] = [
    .u32("buffer_id", OFNames.buffer, 0xffff_ffff), .lenOf("actions"), .pad(2), .match("match"), .actions("actions"), .bytes("data"),
  ]
  static let flowRemoved15: [SF] = [
    .u8("table_id"), .u8("reason", OFFlowRemovedNames.reason, nil), .u16("priority", nil, OFFlowModNames.defaultPriority),
    .u16("idle_timeout"), .u16("hard_timeout"), .u64("cookie"), .match("match"), .oxs,
  ]

  static let queueProps10 = PropSet([
    ("MIN_RATE", 1, [.u16("rate"), .pad(6)]), ("MAX_RATE", 2, [.u16("rate"), .pad(6)]),
    ("EXPERIMENTER", 0xffff, [.u32("experimenter", nil, nil), .pad(4), .bytes("data")]),
  ], headerPad: 4, pad8: false, experimenter: [])
  static func queueGetConfigRequest(_ v: UInt8) -> [SF] { [.port("port", "ANY"), .pad(v == v10 ? 2 : 4)] }
  static func queueGetConfigReply(_ v: UInt8) -> [SF] {
    let queue: SStruct
    if v < v12 {
      queue = SStruct([.u32("queue_id"), .len, .pad(2), .props("properties", queueProps10)])
    } else {
      queue = SStruct([.u32("queue_id"), .port("port", "ANY"), .len, .pad(6), .props("properties", queueProps10)])
    }
    return [.port("port", "ANY"), .pad(v == v10 ? 6 : 4), .list("queues", queue)]
  }

  /// Bodies described here, by message kind and version; nil means hand-written or raw.
  static func body(_ kind: MsgKind, _ v: UInt8) -> [SF]? {
    switch kind {
    case .EXPERIMENTER: return experimenter(v)
    case .GROUP_MOD: return groupMod(v)
    case .PORT_MOD: return portMod(v)
    case .TABLE_MOD: return tableMod(v)
    case .METER_MOD: return meterMod
    case .ROLE_REQUEST, .ROLE_REPLY: return role(v)
    case .ROLE_STATUS: return roleStatus
    case .TABLE_STATUS: return tableStatus
    case .REQUESTFORWARD: return [.message("request")]
    case .BUNDLE_CONTROL: return bundleControl
    case .CONTROLLER_STATUS: return controllerStatus.fields
    case .QUEUE_GET_CONFIG_REQUEST: return queueGetConfigRequest(v)
    case .QUEUE_GET_CONFIG_REPLY: return queueGetConfigReply(v)
    case .FEATURES_REPLY where v == v11 || v == v12: return featuresReply11(v)
    case .PACKET_IN where v == v11: return packetIn11
    case .PACKET_IN where v == v12: return packetIn12
    case .PACKET_OUT where v == v15: return packetOut15
    case .FLOW_REMOVED where v == v15: return flowRemoved15
    case .GET_ASYNC_REQUEST where v == v13: return []
    default: return nil
    }
  }
}

extension Specs {
  @Sendable static func decodeTextRest(_ r: inout ByteReader, _ v: UInt8) throws(OFCodecError) -> OFValue {
    let b = r.rest()
    return String(validating: b, as: UTF8.self).map { .string($0) } ?? .bytes(b)
  }

  @Sendable static func encodeTextRest(_ x: OFValue?, _ e: inout OFEncoder) throws(OFCodecError) {
    guard let x else { return }
    guard let b = x.bytes else { throw e.fail("`uri` must be text") }
    e.out.append(b)
  }
}
