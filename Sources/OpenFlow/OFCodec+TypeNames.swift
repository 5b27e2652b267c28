// Message type numbers of every version, and the schema names they map to.
// The names are static strings: typeName runs on every received message.

/// Version-independent message kinds; the raw value is the schema name.
enum MsgKind: String, CaseIterable, Sendable {
  case HELLO, ERROR, ECHO_REQUEST, ECHO_REPLY, EXPERIMENTER, FEATURES_REQUEST, FEATURES_REPLY,
    GET_CONFIG_REQUEST, GET_CONFIG_REPLY, SET_CONFIG, PACKET_IN, FLOW_REMOVED, PORT_STATUS,
    PACKET_OUT, FLOW_MOD, GROUP_MOD, PORT_MOD, TABLE_MOD, MULTIPART_REQUEST, MULTIPART_REPLY,
    BARRIER_REQUEST, BARRIER_REPLY, QUEUE_GET_CONFIG_REQUEST, QUEUE_GET_CONFIG_REPLY,
    ROLE_REQUEST, ROLE_REPLY, GET_ASYNC_REQUEST, GET_ASYNC_REPLY, SET_ASYNC, METER_MOD,
    ROLE_STATUS, TABLE_STATUS, REQUESTFORWARD, BUNDLE_CONTROL, BUNDLE_ADD_MESSAGE, CONTROLLER_STATUS

  var isMultipart: Bool { self == .MULTIPART_REQUEST || self == .MULTIPART_REPLY }
}

/// Multipart (1.0: stats) body kinds, named as in the 1.3 spec.
enum MPKind: String, CaseIterable, Sendable {
  case DESC, FLOW, AGGREGATE, TABLE, PORT_STATS, QUEUE, GROUP, GROUP_DESC, GROUP_FEATURES,
    METER, METER_CONFIG, METER_FEATURES, TABLE_FEATURES, PORT_DESC, TABLE_DESC, QUEUE_DESC,
    FLOW_MONITOR, FLOW_DESC, FLOW_STATS, CONTROLLER_STATUS, BUNDLE_FEATURES, EXPERIMENTER
}

enum OFTypes {
  static let experimenterMP: UInt16 = 0xffff

  private static let common: [MsgKind] = [
    .HELLO, .ERROR, .ECHO_REQUEST, .ECHO_REPLY, .EXPERIMENTER, .FEATURES_REQUEST, .FEATURES_REPLY,
    .GET_CONFIG_REQUEST, .GET_CONFIG_REPLY, .SET_CONFIG, .PACKET_IN, .FLOW_REMOVED, .PORT_STATUS,
    .PACKET_OUT, .FLOW_MOD,
  ]
  static let v10: [MsgKind] = common + [
    .PORT_MOD, .MULTIPART_REQUEST, .MULTIPART_REPLY, .BARRIER_REQUEST, .BARRIER_REPLY,
    .QUEUE_GET_CONFIG_REQUEST, .QUEUE_GET_CONFIG_REPLY,
  ]
  static let v11: [MsgKind] = common + [
    .GROUP_MOD, .PORT_MOD, .TABLE_MOD, .MULTIPART_REQUEST, .MULTIPART_REPLY, .BARRIER_REQUEST,
    .BARRIER_REPLY, .QUEUE_GET_CONFIG_REQUEST, .QUEUE_GET_CONFIG_REPLY,
  ]
  static let v12: [MsgKind] = v11 + [.ROLE_REQUEST, .ROLE_REPLY]
  static let v13: [MsgKind] = v12 + [.GET_ASYNC_REQUEST, .GET_ASYNC_REPLY, .SET_ASYNC, .METER_MOD]
  static let v14: [MsgKind] = v13 + [.ROLE_STATUS, .TABLE_STATUS, .REQUESTFORWARD, .BUNDLE_CONTROL, .BUNDLE_ADD_MESSAGE]
  static let v15: [MsgKind] = v14 + [.CONTROLLER_STATUS]

  static func kinds(_ version: UInt8) -> [MsgKind] {
    switch version {
    case 1: return v10
    case 2: return v11
    case 3: return v12
    case 4: return v13
    case 5: return v14
    case 6: return v15
    default: return []
    }
  }

  static let mp10: [MPKind] = [.DESC, .FLOW, .AGGREGATE, .TABLE, .PORT_STATS, .QUEUE]
  static let mp11: [MPKind] = mp10 + [.GROUP, .GROUP_DESC]
  static let mp12: [MPKind] = mp11 + [.GROUP_FEATURES]
  static let mp13: [MPKind] = mp12 + [.METER, .METER_CONFIG, .METER_FEATURES, .TABLE_FEATURES, .PORT_DESC]
  static let mp14: [MPKind] = mp13 + [.TABLE_DESC, .QUEUE_DESC, .FLOW_MONITOR]
  // 1.5 splits flow stats: 1 is FLOW_DESC, 17 FLOW_STATS.
  static let mp15: [MPKind] = [.DESC, .FLOW_DESC] + mp14.dropFirst(2) + [.FLOW_STATS, .CONTROLLER_STATUS, .BUNDLE_FEATURES]

  static func mpKinds(_ version: UInt8) -> [MPKind] {
    switch version {
    case 1: return mp10
    case 2: return mp11
    case 3: return mp12
    case 4: return mp13
    case 5: return mp14
    case 6: return mp15
    default: return []
    }
  }

  static func kind(_ version: UInt8, _ type: UInt8) -> MsgKind? {
    let k = kinds(version)
    guard Int(type) < k.count else { return nil }
    // 1.4 dropped QUEUE_GET_CONFIG (use REQUEST.QUEUE_DESC); types 22/23 are unused there.
    if version >= 5 && (k[Int(type)] == .QUEUE_GET_CONFIG_REQUEST || k[Int(type)] == .QUEUE_GET_CONFIG_REPLY) { return nil }
    return k[Int(type)]
  }

  static func mpKind(_ version: UInt8, _ type: UInt16) -> MPKind? {
    if type == experimenterMP { return kinds(version).isEmpty ? nil : .EXPERIMENTER }
    let k = mpKinds(version)
    return Int(type) < k.count ? k[Int(type)] : nil
  }

  static let requestNames: [String] = MPKind.allCases.map { "REQUEST." + $0.rawValue }
  static let replyNames: [String] = MPKind.allCases.map { "REPLY." + $0.rawValue }
  static let mpIndex: [MPKind: Int] = {
    var d: [MPKind: Int] = [:]
    for (i, k) in MPKind.allCases.enumerated() { d[k] = i }
    return d
  }()

  static func name(_ kind: MsgKind, _ mp: MPKind?) -> String {
    guard kind.isMultipart else { return kind.rawValue }
    guard let mp, let i = mpIndex[mp] else { return "UNKNOWN" }
    return kind == .MULTIPART_REQUEST ? requestNames[i] : replyNames[i]
  }

  /// Header type by name, per version (the index), for every type but the
  /// two multipart ones: what most sends look up, in one hash. (A String
  /// enum's init(rawValue:) compares the name with case after case.)
  static let wireTypes: [[String: UInt8]] = (0...6).map { v in
    var d: [String: UInt8] = [:]
    for (t, k) in kinds(UInt8(v)).enumerated() where !k.isMultipart && kind(UInt8(v), UInt8(t)) != nil {
      d[k.rawValue] = UInt8(t)
    }
    return d
  }

  /// Wire numbers for a schema name on a version: (header type, multipart type).
  static func wire(_ version: UInt8, _ name: String) -> (type: UInt8, mp: UInt16?)? {
    if Int(version) < wireTypes.count, let t = wireTypes[Int(version)][name] { return (t, nil) }
    var kindName = name
    var mpName: Substring? = nil
    if name.hasPrefix("REQUEST.") {
      kindName = MsgKind.MULTIPART_REQUEST.rawValue
      mpName = name.dropFirst(8)
    } else if name.hasPrefix("REPLY.") {
      kindName = MsgKind.MULTIPART_REPLY.rawValue
      mpName = name.dropFirst(6)
    }
    guard let kind = MsgKind(rawValue: kindName), let t = kinds(version).firstIndex(of: kind),
      OFTypes.kind(version, UInt8(truncatingIfNeeded: t)) != nil
    else { return nil }
    if kind.isMultipart && mpName == nil { return nil }
    guard let mpName else { return (UInt8(truncatingIfNeeded: t), nil) }
    guard var mp = MPKind(rawValue: String(mpName)) else { return nil }
    // 1.5 splits flow statistics; the 1.3 name asks for the flow descriptions.
    if mp == .FLOW && version == 6 { mp = .FLOW_DESC }
    if mp == .EXPERIMENTER { return (UInt8(truncatingIfNeeded: t), experimenterMP) }
    guard let m = mpKinds(version).firstIndex(of: mp) else { return nil }
    return (UInt8(truncatingIfNeeded: t), UInt16(truncatingIfNeeded: m))
  }
}

extension OFCodec {
  /// The type name of the message that answers a request named `request`
  /// (as `typeName` gives it), ERROR aside, which can answer any: a
  /// `*_REQUEST` its `*_REPLY`, `REQUEST.X` `REPLY.X`, EXPERIMENTER and
  /// BUNDLE_CONTROL their own type. Nil for a message no reply answers
  /// (a FLOW_MOD is answered by an ERROR or not at all).
  public static func replyTypeName(ofRequest request: String) -> String? {
    if request.hasPrefix("REQUEST.") { return "REPLY." + request.dropFirst(8) }
    guard let kind = MsgKind(rawValue: request) else { return nil }
    switch kind {
    case .EXPERIMENTER, .BUNDLE_CONTROL: return kind.rawValue
    default:
      guard request.hasSuffix("_REQUEST") else { return nil }
      return MsgKind(rawValue: request.dropLast(8) + "_REPLY")?.rawValue
    }
  }
}
