// Enum and flag names of the messages described with SStruct (1.1-1.5 additions).

enum N {
  static let groupCommand = NameTable([("ADD", 0), ("MODIFY", 1), ("DELETE", 2), ("INSERT_BUCKET", 3), ("REMOVE_BUCKET", 5)])
  static let groupType = NameTable(sequential: ["ALL", "SELECT", "INDIRECT", "FF"])
  static let groupTypeBits = FlagTable(bits: ["ALL", "SELECT", "INDIRECT", "FF"])
  static let groupCaps = FlagTable(bits: ["SELECT_WEIGHT", "SELECT_LIVENESS", "CHAINING", "CHAINING_CHECKS"])
  static let bucketId = NameTable([("FIRST", 0xffff_fffd), ("LAST", 0xffff_fffe), ("ALL", 0xffff_ffff)])
  static let meterCommand = NameTable(sequential: ["ADD", "MODIFY", "DELETE"])
  static let meterFlags = FlagTable(bits: ["KBPS", "PKTPS", "BURST", "STATS"])
  static let meterId = NameTable([("SLOWPATH", 0xffff_fffd), ("CONTROLLER", 0xffff_fffe), ("ALL", 0xffff_ffff)])
  static let bandTypeBits = FlagTable(bits: ["", "DROP", "DSCP_REMARK"])
  static let meterFeatures = FlagTable(bits: ["ACTION_SET", "ANY_POSITION", "MULTI_LIST"])
  static let role = NameTable(sequential: ["NOCHANGE", "EQUAL", "MASTER", "SLAVE"])
  static let roleReason = NameTable(sequential: ["MASTER_REQUEST", "CONFIG", "EXPERIMENTER"])
  static let tableReason = NameTable([("VACANCY_DOWN", 3), ("VACANCY_UP", 4)])
  /// 1.1/1.2 table-miss bits share the word with 1.4's EVICTION / VACANCY_EVENTS.
  static let tableConfig = FlagTable([("MISS_CONTINUE", 1, 3), ("MISS_DROP", 2, 3), ("EVICTION", 4, 4), ("VACANCY_EVENTS", 8, 8)])
  static let evictionFlags = FlagTable(bits: ["OTHER", "IMPORTANCE", "LIFETIME"])
  static let queue = NameTable([("ALL", 0xffff_ffff)])
  static let bundleType = NameTable(sequential: [
    "OPEN_REQUEST", "OPEN_REPLY", "CLOSE_REQUEST", "CLOSE_REPLY", "COMMIT_REQUEST", "COMMIT_REPLY", "DISCARD_REQUEST", "DISCARD_REPLY",
  ])
  static let bundleFlags = FlagTable(bits: ["ATOMIC", "ORDERED", "TIME"])
  static let bundleFeatureRequest = FlagTable(bits: ["TIMESTAMP", "TIME_SCHEDULED"])
  static let bundleCaps = FlagTable(bits: ["ATOMIC", "ORDERED", "TIME"])
  static let controllerReason = NameTable(sequential: ["REQUEST", "CHANNEL_STATUS", "ROLE", "CONTROLLER_ADDED", "CONTROLLER_REMOVED", "SHORT_ID", "EXPERIMENTER"])
  static let channelStatus = NameTable(sequential: ["UP", "DOWN"])
  static let monitorFlags = FlagTable(bits: ["INITIAL", "ADD", "REMOVED", "MODIFY", "INSTRUCTIONS", "NO_ABBREV", "ONLY_OWN"])
  static let monitorCommand = NameTable(sequential: ["ADD", "MODIFY", "DELETE"])
  static let monitorEvent = NameTable(sequential: ["INITIAL", "ADDED", "REMOVED", "MODIFIED", "ABBREV", "PAUSED", "RESUMED"])
  static let flowStatsReason = NameTable(sequential: ["STATS_REQUEST", "STAT_TRIGGER"])
  static let tableFeatureCommand = NameTable(sequential: ["REPLACE", "MODIFY", "ENABLE", "DISABLE"])
  static let tableFeatureFlags = FlagTable(bits: ["INGRESS_TABLE", "EGRESS_TABLE", "", "", "FIRST_EGRESS"])
  static let capabilities11 = FlagTable(bits: [
    "FLOW_STATS", "TABLE_STATS", "PORT_STATS", "GROUP_STATS", "", "IP_REASM", "QUEUE_STATS", "ARP_MATCH_IP", "PORT_BLOCKED",
  ])
  /// Bit n is action type n (group features, 1.1/1.2 table stats).
  static let actionBits = FlagTable(bits: (0..<28).map { OFActionNames.types13.name(UInt64($0)) ?? "" })
  static let instructionBits = FlagTable(bits: (0..<7).map { OFInstructionNames.types.name(UInt64($0)) ?? "" })
  static let packetInReasonBits = FlagTable(bits: ["NO_MATCH", "ACTION", "INVALID_TTL", "ACTION_SET", "GROUP", "PACKET_OUT"])
  static let portReasonBits = FlagTable(bits: ["ADD", "DELETE", "MODIFY"])
  static let flowRemovedReasonBits = FlagTable(bits: ["IDLE_TIMEOUT", "HARD_TIMEOUT", "DELETE", "GROUP_DELETE", "METER_DELETE", "EVICTION"])
  static let roleReasonBits = FlagTable(bits: ["MASTER_REQUEST", "CONFIG", "EXPERIMENTER"])
  static let tableReasonBits = FlagTable(bits: ["", "", "", "VACANCY_DOWN", "VACANCY_UP"])
  static let requestForwardBits = FlagTable(bits: ["GROUP_MOD", "METER_MOD"])
}
