// Multipart (stats) bodies per kind and version. Array bodies are a named
// list: flows, tables, ports, queues, groups, meters, updates, controllers.

extension Specs {
  static let counters12: [SF] = [
    .u64("rx_packets"), .u64("tx_packets"), .u64("rx_bytes"), .u64("tx_bytes"), .u64("rx_dropped"), .u64("tx_dropped"),
    .u64("rx_errors"), .u64("tx_errors"), .u64("rx_frame_err"), .u64("rx_over_err"), .u64("rx_crc_err"), .u64("collisions"),
  ]
  static let duration: [SF] = [.u32("duration_sec"), .u32("duration_nsec")]
  static let portStatsProps = PropSet([
    ("ETHERNET", 0, [.pad(4), .u64("rx_frame_err"), .u64("rx_over_err"), .u64("rx_crc_err"), .u64("collisions")]),
    ("OPTICAL", 1, [.pad(4), .flags("flags", 4, FlagTable(bits: ["RX_TUNE", "TX_TUNE", "TX_PWR", "RX_PWR", "TX_BIAS", "TX_TEMP"])),
                    .u32("tx_freq_lmda"), .u32("tx_offset"), .u32("tx_grid_span"), .u32("rx_freq_lmda"), .u32("rx_offset"),
                    .u32("rx_grid_span"), .u16("tx_pwr"), .u16("rx_pwr"), .u16("bias_current"), .u16("temperature")]),
  ])

  static func flowRequest(_ v: UInt8) -> [SF] {
    if v == v10 { return [.match("match"), .u8("table_id", OFNames.table, 0xff), .pad(1), .port("out_port", "ANY")] }
    return [.u8("table_id", OFNames.table, 0xff), .pad(3), .port("out_port", "ANY"), .u32("out_group", OFNames.group, 0xffff_ffff),
            .pad(4), .u64("cookie"), .u64("cookie_mask"), .match("match")]
  }

  static func flowEntry(_ v: UInt8) -> SStruct {
    let times: [SF] = [.u16("priority", nil, OFFlowModNames.defaultPriority), .u16("idle_timeout"), .u16("hard_timeout")]
    let counts: [SF] = [.u64("cookie"), .u64("packet_count"), .u64("byte_count")]
    switch v {
    case v10:
      return SStruct([.len, .u8("table_id"), .pad(1), .match("match")] + duration + times + [.pad(6)] + counts + [.instructions("instructions")])
    case v11, v12:
      return SStruct([.len, .u8("table_id"), .pad(1)] + duration + times + [.pad(6)] + counts + [.match("match"), .instructions("instructions")])
    case v13:
      return SStruct([.len, .u8("table_id"), .pad(1)] + duration + times + [.flags("flags", 2, OFFlowModNames.flags13), .pad(4)]
        + counts + [.match("match"), .instructions("instructions")])
    default:
      return SStruct([.len, .u8("table_id"), .pad(1)] + duration + times + [.flags("flags", 2, OFFlowModNames.flags13), .u16("importance"), .pad(2)]
        + counts + [.match("match"), .instructions("instructions")])
    }
  }
  static let flowDesc15 = SStruct([
    .len, .pad(2), .u8("table_id"), .pad(1), .u16("priority", nil, OFFlowModNames.defaultPriority), .u16("idle_timeout"),
    .u16("hard_timeout"), .flags("flags", 2, OFFlowModNames.flags13), .u16("importance"), .u64("cookie"), .match("match"), .oxs,
    .instructions("instructions"),
  ])
  static let flowStats15 = SStruct([
    .len, .pad(2), .u8("table_id"), .u8("reason", N.flowStatsReason, 0), .u16("priority", nil, OFFlowModNames.defaultPriority),
    .match("match"), .oxs,
  ])

  static func tableEntry(_ v: UInt8) -> SStruct {
    let tail: [SF] = [.u32("max_entries"), .u32("active_count"), .u64("lookup_count"), .u64("matched_count")]
    switch v {
    case v10: return SStruct([.u8("table_id"), .pad(3), .text("name", 32), .u32("wildcards")] + tail)
    case v11:
      return SStruct([.u8("table_id"), .pad(7), .text("name", 32), .u32("wildcards"), .u32("match"),
                      .flags("instructions", 4, N.instructionBits), .flags("write_actions", 4, N.actionBits),
                      .flags("apply_actions", 4, N.actionBits), .flags("config", 4, N.tableConfig)] + tail)
    case v12:
      return SStruct([.u8("table_id"), .pad(7), .text("name", 32), .u64("match"), .u64("wildcards"),
                      .flags("write_actions", 4, N.actionBits), .flags("apply_actions", 4, N.actionBits), .u64("write_setfields"),
                      .u64("apply_setfields"), .u64("metadata_match"), .u64("metadata_write"),
                      .flags("instructions", 4, N.instructionBits), .flags("config", 4, N.tableConfig)] + tail)
    default: return SStruct([.u8("table_id"), .pad(3), .u32("active_count"), .u64("lookup_count"), .u64("matched_count")])
    }
  }

  static func portStatsEntry(_ v: UInt8) -> SStruct {
    switch v {
    case v10: return SStruct([.port("port_no", nil), .pad(6)] + counters12)
    case v11, v12: return SStruct([.port("port_no", nil), .pad(4)] + counters12)
    case v13: return SStruct([.port("port_no", nil), .pad(4)] + counters12 + duration)
    default:
      return SStruct([.len, .pad(2), .port("port_no", nil)] + duration + counters12.prefix(8)
        + [.inlineProp(portStatsProps, 0), .props("properties", portStatsProps)])
    }
  }

  static func queueRequest(_ v: UInt8) -> [SF] {
    v == v10 ? [.port("port_no", "ALL"), .pad(2), .u32("queue_id", N.queue, 0xffff_ffff)]
      : [.port("port_no", "ANY"), .u32("queue_id", N.queue, 0xffff_ffff)]
  }
  static func queueEntry(_ v: UInt8) -> SStruct {
    let counts: [SF] = [.u64("tx_bytes"), .u64("tx_packets"), .u64("tx_errors")]
    switch v {
    case v10: return SStruct([.port("port_no", nil), .pad(2), .u32("queue_id")] + counts)
    case v11, v12: return SStruct([.port("port_no", nil), .u32("queue_id")] + counts)
    case v13: return SStruct([.port("port_no", nil), .u32("queue_id")] + counts + duration)
    default:
      return SStruct([.len, .pad(6), .port("port_no", nil), .u32("queue_id")] + counts + duration + [.props("properties", expOnly)])
    }
  }

  static let bucketCounter = SStruct([.u64("packet_count"), .u64("byte_count")])
  static func groupEntry(_ v: UInt8) -> SStruct {
    SStruct([.len, .pad(2), .u32("group_id", OFNames.group, nil), .u32("ref_count"), .pad(4), .u64("packet_count"), .u64("byte_count")]
      + (v >= v13 ? duration : []) + [.list("bucket_stats", bucketCounter)])
  }
  static func groupDescEntry(_ v: UInt8) -> SStruct {
    if v < v15 { return SStruct([.len, .u8("type", N.groupType, 0), .pad(1), .u32("group_id", OFNames.group, nil), .list("buckets", bucket11)]) }
    return SStruct([.len, .u8("type", N.groupType, 0), .pad(1), .u32("group_id", OFNames.group, nil), .lenOf("buckets"), .pad(6),
                    .list("buckets", bucket15), .props("properties", expOnly)])
  }
  static let groupFeatures: [SF] = [
    .flags("types", 4, N.groupTypeBits), .flags("capabilities", 4, N.groupCaps), .u32Array("max_groups", 4, nil),
    .u32Array("actions", 4, N.actionBits),
  ]

  static let meterRequest: [SF] = [.u32("meter_id", N.meterId, 0xffff_ffff), .pad(4)]
  static let meterEntry = SStruct([
    .u32("meter_id", N.meterId, nil), .len, .pad(6), .u32("flow_count"), .u64("packet_in_count"), .u64("byte_in_count"),
    .u32("duration_sec"), .u32("duration_nsec"), .list("band_stats", SStruct([.u64("packet_band_count"), .u64("byte_band_count")])),
  ])
  static let meterConfigEntry = SStruct([.len, .flags("flags", 2, N.meterFlags), .u32("meter_id", N.meterId, nil), .props("bands", bands)])
  /// 1.5 adds `features` and 4 bytes of padding (24 bytes in all); Open
  /// vSwitch sends 1.5 replies in 1.3's 16 bytes. Both decode: without the
  /// tail there is no `features`, and a reply without `features` encodes
  /// the short way, so either form round-trips.
  static func meterFeatures(_ v: UInt8) -> [SF] {
    let head: [SF] = [.u32("max_meter"), .flags("band_types", 4, N.bandTypeBits), .flags("capabilities", 4, N.meterFlags),
                      .u8("max_bands"), .u8("max_color"), .pad(2)]
    return v < v15 ? head : head + [.optional([.flags("features", 4, N.meterFeatures), .pad(4)])]
  }

  static let queueDescProps = PropSet([("MIN_RATE", 1, [.u16("rate"), .pad(2)]), ("MAX_RATE", 2, [.u16("rate"), .pad(2)])])
  static let queueDescEntry = SStruct([.port("port_no", nil), .u32("queue_id"), .len, .pad(6), .props("properties", queueDescProps)])

  static let monitorRequest: [SF] = [
    .u32("monitor_id"), .port("out_port", "ANY"), .u32("out_group", OFNames.group, 0xffff_ffff), .flags("monitor_flags", 2, N.monitorFlags),
    .u8("table_id", OFNames.table, 0xff), .u8("command", N.monitorCommand, 0), .match("match"),
  ]

  static let bundleFeatureProps = PropSet([
    ("TIME", 1, [.pad(4), .u64("sched_accuracy_sec"), .u32("sched_accuracy_nsec"), .pad(4), .u64("sched_max_future_sec"),
                 .u32("sched_max_future_nsec"), .pad(4), .u64("sched_max_past_sec"), .u32("sched_max_past_nsec"), .pad(4),
                 .u64("timestamp_sec"), .u32("timestamp_nsec"), .pad(4)]),
  ])

  static let experimenterMP: [SF] = [.u32("experimenter", nil, nil), .u32("exp_type"), .bytes("data")]

  /// Multipart bodies (after the multipart header) by kind, direction and version.
  static func multipart(_ mp: MPKind, request: Bool, _ v: UInt8, name: String = "") -> [SF]? {
    if mp == .EXPERIMENTER && v == v10 { return [.u32("experimenter", nil, nil), .bytes("data")] }
    switch (mp, request) {
    case (.DESC, true), (.TABLE, true), (.GROUP_FEATURES, true), (.METER_FEATURES, true), (.TABLE_DESC, true),
      (.CONTROLLER_STATUS, true):
      return []
    case (.DESC, false):
      return [.text("mfr_desc", 256), .text("hw_desc", 256), .text("sw_desc", 256), .text("serial_num", 32), .text("dp_desc", 256)]
    case (.FLOW, true), (.AGGREGATE, true), (.FLOW_DESC, true), (.FLOW_STATS, true): return flowRequest(v)
    case (.FLOW, false): return [.list("flows", flowEntry(v))]
    case (.FLOW_DESC, false): return [.list("flows", flowDesc15)]
    case (.FLOW_STATS, false): return [.list("flows", flowStats15)]
    case (.AGGREGATE, false):
      return v >= v15 ? [.oxs] : [.u64("packet_count"), .u64("byte_count"), .u32("flow_count"), .pad(4)]
    case (.TABLE, false): return [.list("tables", tableEntry(v))]
    case (.PORT_STATS, true): return [.port("port_no", "ANY"), .pad(v == v10 ? 6 : 4)]
    case (.PORT_STATS, false): return [.list("ports", portStatsEntry(v))]
    case (.QUEUE, true): return queueRequest(v)
    case (.QUEUE, false): return [.list("queues", queueEntry(v))]
    case (.GROUP, true): return [.u32("group_id", OFNames.group, 0xffff_fffc), .pad(4)]
    case (.GROUP, false): return [.list("groups", groupEntry(v))]
    case (.GROUP_DESC, true): return v >= v15 ? [.u32("group_id", OFNames.group, 0xffff_fffc), .pad(4)] : []
    case (.GROUP_DESC, false): return [.list("groups", groupDescEntry(v))]
    case (.GROUP_FEATURES, false): return groupFeatures
    case (.METER, true), (.METER_CONFIG, true): return meterRequest
    case (.METER, false): return [.list("meters", meterEntry)]
    case (.METER_CONFIG, false): return [.list("meters", meterConfigEntry)]
    case (.METER_FEATURES, false): return meterFeatures(v)
    case (.TABLE_FEATURES, _): return [.list("tables", tableFeatures(v))]
    case (.PORT_DESC, true): return v >= v15 ? [.port("port_no", "ANY"), .pad(4)] : []
    case (.PORT_DESC, false): return [.portList("ports")]
    case (.TABLE_DESC, false): return [.list("tables", tableDesc)]
    case (.QUEUE_DESC, true): return [.port("port_no", "ANY"), .u32("queue_id", N.queue, 0xffff_ffff)]
    case (.QUEUE_DESC, false): return [.list("queues", queueDescEntry)]
    case (.FLOW_MONITOR, true): return monitorRequest
    case (.FLOW_MONITOR, false): return [.custom("updates", OFCodec.decodeMonitorUpdates, OFCodec.encodeMonitorUpdates)]
    case (.CONTROLLER_STATUS, false): return [.list("controllers", controllerStatus)]
    case (.BUNDLE_FEATURES, true): return [.flags("feature_request_flags", 4, N.bundleFeatureRequest), .pad(4), .props("properties", bundleFeatureProps)]
    case (.BUNDLE_FEATURES, false): return [.flags("capabilities", 2, N.bundleCaps), .pad(6), .props("properties", bundleFeatureProps)]
    case (.EXPERIMENTER, _): return experimenterMP
    }
  }
}
