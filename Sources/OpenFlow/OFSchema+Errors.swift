// ERROR message type and code names (OFPET_* / OFP*C_*) of every version.
// 1.1 and 1.2 use the 1.3 names (same numbers; 1.3 renamed BAD_STAT to
// BAD_MULTIPART); 1.4 and 1.5 extend the 1.3 lists.

enum OFErrorNames {
  static let types10 = ["HELLO_FAILED", "BAD_REQUEST", "BAD_ACTION", "FLOW_MOD_FAILED", "PORT_MOD_FAILED", "QUEUE_OP_FAILED"]
  static let codes10: [[String]] = [
    ["INCOMPATIBLE", "EPERM"],
    ["BAD_VERSION", "BAD_TYPE", "BAD_STAT", "BAD_VENDOR", "BAD_SUBTYPE", "EPERM", "BAD_LEN", "BUFFER_EMPTY", "BUFFER_UNKNOWN"],
    ["BAD_TYPE", "BAD_LEN", "BAD_VENDOR", "BAD_VENDOR_TYPE", "BAD_OUT_PORT", "BAD_ARGUMENT", "EPERM", "TOO_MANY", "BAD_QUEUE"],
    ["ALL_TABLES_FULL", "OVERLAP", "EPERM", "BAD_EMERG_TIMEOUT", "BAD_COMMAND", "UNSUPPORTED"],
    ["BAD_PORT", "BAD_HW_ADDR"],
    ["BAD_PORT", "BAD_QUEUE", "EPERM"],
  ]

  static let types13 = [
    "HELLO_FAILED", "BAD_REQUEST", "BAD_ACTION", "BAD_INSTRUCTION", "BAD_MATCH", "FLOW_MOD_FAILED",
    "GROUP_MOD_FAILED", "PORT_MOD_FAILED", "TABLE_MOD_FAILED", "QUEUE_OP_FAILED", "SWITCH_CONFIG_FAILED",
    "ROLE_REQUEST_FAILED", "METER_MOD_FAILED", "TABLE_FEATURES_FAILED",
  ]
  static let codes13: [[String]] = [
    ["INCOMPATIBLE", "EPERM"],
    ["BAD_VERSION", "BAD_TYPE", "BAD_MULTIPART", "BAD_EXPERIMENTER", "BAD_EXP_TYPE", "EPERM", "BAD_LEN",
     "BUFFER_EMPTY", "BUFFER_UNKNOWN", "BAD_TABLE_ID", "IS_SLAVE", "BAD_PORT", "BAD_PACKET",
     "MULTIPART_BUFFER_OVERFLOW"],
    ["BAD_TYPE", "BAD_LEN", "BAD_EXPERIMENTER", "BAD_EXP_TYPE", "BAD_OUT_PORT", "BAD_ARGUMENT", "EPERM",
     "TOO_MANY", "BAD_QUEUE", "BAD_OUT_GROUP", "MATCH_INCONSISTENT", "UNSUPPORTED_ORDER", "BAD_TAG",
     "BAD_SET_TYPE", "BAD_SET_LEN", "BAD_SET_ARGUMENT"],
    ["UNKNOWN_INST", "UNSUP_INST", "BAD_TABLE_ID", "UNSUP_METADATA", "UNSUP_METADATA_MASK",
     "BAD_EXPERIMENTER", "BAD_EXP_TYPE", "BAD_LEN", "EPERM"],
    ["BAD_TYPE", "BAD_LEN", "BAD_TAG", "BAD_DL_ADDR_MASK", "BAD_NW_ADDR_MASK", "BAD_WILDCARDS",
     "BAD_FIELD", "BAD_VALUE", "BAD_MASK", "BAD_PREREQ", "DUP_FIELD", "EPERM"],
    ["UNKNOWN", "TABLE_FULL", "BAD_TABLE_ID", "OVERLAP", "EPERM", "BAD_TIMEOUT", "BAD_COMMAND", "BAD_FLAGS"],
    ["GROUP_EXISTS", "INVALID_GROUP", "WEIGHT_UNSUPPORTED", "OUT_OF_GROUPS", "OUT_OF_BUCKETS",
     "CHAINING_UNSUPPORTED", "WATCH_UNSUPPORTED", "LOOP", "UNKNOWN_GROUP", "CHAINED_GROUP", "BAD_TYPE",
     "BAD_COMMAND", "BAD_BUCKET", "BAD_WATCH", "EPERM"],
    ["BAD_PORT", "BAD_HW_ADDR", "BAD_CONFIG", "BAD_ADVERTISE", "EPERM"],
    ["BAD_TABLE", "BAD_CONFIG", "EPERM"],
    ["BAD_PORT", "BAD_QUEUE", "EPERM"],
    ["BAD_FLAGS", "BAD_LEN", "EPERM"],
    ["STALE", "UNSUP", "BAD_ROLE"],
    ["UNKNOWN", "METER_EXISTS", "INVALID_METER", "UNKNOWN_METER", "BAD_COMMAND", "BAD_FLAGS", "BAD_RATE",
     "BAD_BURST", "BAD_BAND", "BAD_BAND_VALUE", "OUT_OF_METERS", "OUT_OF_BANDS"],
    ["BAD_TABLE", "BAD_METADATA", "BAD_TYPE", "BAD_LEN", "BAD_ARGUMENT", "EPERM"],
  ]

  static let experimenterType: UInt64 = 0xffff

  /// 1.4/1.5 additions: codes appended to 1.3 lists, and new types 14-17.
  static let codes14: [[String]] = {
    var c = codes13
    c[1] += ["MULTIPART_REQUEST_TIMEOUT", "MULTIPART_REPLY_TIMEOUT", "MULTIPART_BAD_SCHED", "PIPELINE_FIELDS_ONLY", "UNKNOWN"]
    c[5] += ["CANT_SYNC", "BAD_PRIORITY", "IS_SYNC"]
    c += [
      ["BAD_TYPE", "BAD_LEN", "BAD_VALUE", "TOO_MANY", "DUP_TYPE", "BAD_EXPERIMENTER", "BAD_EXP_TYPE", "BAD_EXP_VALUE", "EPERM"],
      ["INVALID", "UNSUPPORTED", "EPERM"],
      ["UNKNOWN", "MONITOR_EXISTS", "INVALID_MONITOR", "UNKNOWN_MONITOR", "BAD_COMMAND", "BAD_FLAGS", "BAD_TABLE_ID", "BAD_OUT"],
      ["UNKNOWN", "EPERM", "BAD_ID", "BUNDLE_EXIST", "BUNDLE_CLOSED", "OUT_OF_BUNDLES", "BAD_TYPE", "BAD_FLAGS", "MSG_BAD_LEN",
       "MSG_BAD_XID", "MSG_UNSUP", "MSG_CONFLICT", "MSG_TOO_MANY", "MSG_FAILED", "TIMEOUT", "BUNDLE_IN_PROGRESS",
       "SCHED_NOT_SUPPORTED", "SCHED_FUTURE", "SCHED_PAST"],
    ]
    return c
  }()
  static let types14 = types13 + ["BAD_PROPERTY", "ASYNC_CONFIG_FAILED", "FLOW_MONITOR_FAILED", "BUNDLE_FAILED"]

  static func withExperimenter(_ names: [String]) -> NameTable {
    NameTable(NameTable(sequential: names).entries.map { ($0.name, $0.value) } + [("EXPERIMENTER", 0xffff)])
  }
  static let typeTables: [UInt8: NameTable] = [
    OFVersion.v1_0: NameTable(sequential: types10),
    OFVersion.v1_1: NameTable(sequential: Array(types13.prefix(11))),
    OFVersion.v1_2: withExperimenter(Array(types13.prefix(12))),
    OFVersion.v1_3: withExperimenter(types13),
    OFVersion.v1_4: withExperimenter(types14),
    OFVersion.v1_5: withExperimenter(types14),
  ]
  static let codeTables: [UInt8: [NameTable]] = [
    OFVersion.v1_0: codes10.map { NameTable(sequential: $0) },
    OFVersion.v1_1: codes13.prefix(11).map { NameTable(sequential: $0) },
    OFVersion.v1_2: codes13.prefix(12).map { NameTable(sequential: $0) },
    OFVersion.v1_3: codes13.map { NameTable(sequential: $0) },
    OFVersion.v1_4: codes14.map { NameTable(sequential: $0) },
    OFVersion.v1_5: codes14.map { NameTable(sequential: $0) },
  ]

  /// Versions without tables still name the experimenter type (1.2+).
  static let experimenterOnly = NameTable([("EXPERIMENTER", 0xffff)])

  static func types(_ v: UInt8) -> NameTable? { typeTables[v] ?? (v >= OFVersion.v1_2 ? experimenterOnly : nil) }

  static func codes(_ v: UInt8, _ type: UInt64) -> NameTable? {
    guard let t = codeTables[v], type < UInt64(t.count) else { return nil }
    return t[Int(type)]
  }
}
