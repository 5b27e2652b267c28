/// OpenFlow bytes <-> schema messages. See OFSchema.swift for the schema.
public enum OFCodec {
  /// Multipart header after the OpenFlow header: 1.0 has type+flags, 1.1+ adds 4 pad bytes.
  static func multipartHeaderSize(_ v: UInt8) -> Int { v == OFVersion.v1_0 ? 4 : 8 }

  /// Decodes exactly one whole message (buf.count == header length). Never traps:
  /// every bad input is an OFCodecError naming the message type, byte offset and reason.
  public static func decode(_ buf: UnsafeRawBufferPointer) throws(OFCodecError) -> OFMessage {
    let name = typeName(buf)
    guard let h = OFHeader(buf) else {
      throw OFCodecError(name, offset: 0, "\(buf.count) bytes is shorter than the 8-byte header")
    }
    guard h.length >= 8 else { throw OFCodecError(name, offset: 2, "header length \(h.length) is below 8") }
    guard Int(h.length) == buf.count else {
      throw OFCodecError(name, offset: 2, "header length \(h.length) but the message has \(buf.count) bytes")
    }
    var r = ByteReader(buf, context: name, from: OFHeader.size)
    let msg = try decodeBody(h, name, &r)
    try r.expectEnd("the message body")
    return OFMessage(version: h.version, type: name, xid: h.xid, msg: msg)
  }

  public static func decode(_ bytes: [UInt8]) throws(OFCodecError) -> OFMessage {
    let result: Result<OFMessage, OFCodecError> = bytes.withUnsafeBytes { buf in
      do throws(OFCodecError) { return .success(try decode(buf)) } catch { return .failure(error) }
    }
    return try result.get()
  }

  /// Encodes for message.version. A field the version cannot express is an error
  /// naming field and version. Missing fields take their defaults.
  public static func encode(_ message: OFMessage) throws(OFCodecError) -> [UInt8] {
    var e = OFEncoder(version: message.version, type: message.type)
    let msg = message.msg
    guard msg.fields != nil || msg == .list([]) else { throw e.fail("msg must be a table") }
    let wireType: UInt8
    var mp: UInt16? = nil
    var unknown = false
    if let w = OFTypes.wire(message.version, message.type) ?? OFTypes.wire(message.version, message.type.uppercased()) {
      wireType = w.type
      mp = w.mp
    } else if message.type.uppercased() == "UNKNOWN" {
      wireType = UInt8(truncatingIfNeeded: try e.field(msg, "ofp_type", bits: 8, default: nil))
      unknown = true
    } else {
      throw e.fail("message type \(message.type) does not exist in \(OFNames.versionText(message.version))")
    }
    e.out.u8(message.version)
    e.out.u8(wireType)
    e.out.u16(0)  // length, patched below
    e.out.u32(message.xid)
    if unknown {
      e.out.append(try e.bytes(msg, "data"))
    } else if let kind = OFTypes.kind(message.version, wireType) {
      try encodeBody(kind, mp, msg, &e)
    }
    guard e.out.count <= 0xffff else { throw e.fail("message is \(e.out.count) bytes, over the 65535 limit") }
    e.out.patchU16(at: 2, UInt16(truncatingIfNeeded: e.out.count))
    return e.out.bytes
  }

  /// Schema type name from the header (and, for multipart, the body's type at
  /// offset 8). Returns a stored string; unknown types give "UNKNOWN".
  public static func typeName(_ buf: UnsafeRawBufferPointer) -> String {
    guard buf.count >= 2, let kind = OFTypes.kind(buf[0], buf[1]) else { return "UNKNOWN" }
    guard kind.isMultipart else { return kind.rawValue }
    guard buf.count >= 10 else { return "UNKNOWN" }
    let mpType = UInt16(buf[8]) << 8 | UInt16(buf[9])
    return OFTypes.name(kind, OFTypes.mpKind(buf[0], mpType))
  }

  static func decodeBody(_ h: OFHeader, _ name: String, _ r: inout ByteReader) throws(OFCodecError) -> OFValue {
    let v = h.version
    guard let kind = OFTypes.kind(v, h.type) else { return rawUnknown(h.type, &r) }
    if kind.isMultipart { return try decodeMultipart(kind, v, name, &r) }
    switch kind {
    case .HELLO: return try decodeHello(&r, v)
    case .ERROR: return try decodeError(&r, v)
    case .ECHO_REQUEST, .ECHO_REPLY: return .table([OFField("data", .bytes(r.rest()))])
    case .FEATURES_REQUEST, .BARRIER_REQUEST, .BARRIER_REPLY, .GET_CONFIG_REQUEST: return decodeEmpty(&r)
    case .GET_CONFIG_REPLY, .SET_CONFIG: return try decodeConfig(&r)
    case .GET_ASYNC_REPLY, .SET_ASYNC: return try decodeAsync(&r, v)
    case .GET_ASYNC_REQUEST where v >= OFVersion.v1_4: return try decodeAsync(&r, v)
    case .BUNDLE_ADD_MESSAGE: return try decodeBundleAdd(&r, v)
    default: break
    }
    if let spec = Specs.body(kind, v) {
      let f = try decodeFields(spec, &r, v)
      return kind == .PACKET_OUT ? withInPortFromMatch(f) : .table(f)
    }
    switch kind {
    case .FEATURES_REPLY: return try decodeFeaturesReply(&r, v)
    case .PACKET_IN: return try decodePacketIn(&r, v)
    case .PACKET_OUT: return try decodePacketOut(&r, v)
    case .FLOW_MOD: return try decodeFlowMod(&r, v)
    case .FLOW_REMOVED: return try decodeFlowRemoved(&r, v)
    case .PORT_STATUS: return try decodePortStatus(&r, v)
    default: return raw(&r)
    }
  }

  static func encodeBody(_ kind: MsgKind, _ mp: UInt16?, _ given: OFValue, _ e: inout OFEncoder) throws(OFCodecError) {
    let v = e.version
    if kind.isMultipart { return try encodeMultipart(kind, mp ?? 0, given, &e) }
    let msg = kind == .PACKET_OUT ? try withBuiltPacket(given, e) : given
    switch kind {
    case .HELLO: return try encodeHello(msg, &e)
    case .ERROR: return try encodeError(msg, &e)
    case .ECHO_REQUEST, .ECHO_REPLY, .FEATURES_REQUEST, .BARRIER_REQUEST, .BARRIER_REPLY, .GET_CONFIG_REQUEST:
      return try encodeRaw(msg, &e)
    case .GET_CONFIG_REPLY, .SET_CONFIG: return try encodeConfig(msg, &e)
    case .GET_ASYNC_REPLY, .SET_ASYNC: return try encodeAsync(msg, &e)
    case .GET_ASYNC_REQUEST where v >= OFVersion.v1_4: return try encodeAsync(msg, &e)
    case .BUNDLE_ADD_MESSAGE: return try encodeBundleAdd(msg, &e)
    default: break
    }
    if let spec = Specs.body(kind, v) {
      // A body given as raw `data` (the fallback form) is still accepted.
      if isRawForm(msg, spec) { return try encodeRaw(msg, &e) }
      if kind == .PACKET_OUT { return try encodeFields(spec, try inPortIntoMatch(msg, e), &e, allowing: ["in_port"]) }
      return try encodeFields(spec, msg, &e)
    }
    if let known = handWrittenFields[kind] { try e.only(msg, known) }
    switch kind {
    case .FEATURES_REPLY: return try encodeFeaturesReply(msg, &e)
    case .PACKET_IN: return try encodePacketIn(msg, &e)
    case .PACKET_OUT: return try encodePacketOut(msg, &e)
    case .FLOW_MOD: return try encodeFlowMod(msg, &e)
    case .FLOW_REMOVED: return try encodeFlowRemoved(msg, &e)
    case .PORT_STATUS: return try encodePortStatus(msg, &e)
    default: break
    }
    try encodeRaw(msg, &e)
  }

  /// The raw fallback's encode: only `data` may be given, so fields of a body
  /// this codec does not know yet are never dropped silently.
  static func encodeRaw(_ msg: OFValue, _ e: inout OFEncoder, allowing extra: Set<String> = []) throws(OFCodecError) {
    for f in msg.fields ?? [] where f.name != "data" && !extra.contains(f.name) {
      throw e.fail("encoding field `\(f.name)` of \(e.type) for \(OFNames.versionText(e.version)) is not supported yet; give the body as `data`")
    }
    e.out.append(try e.bytes(msg, "data"))
  }

  /// Body not decoded yet: kept whole so nothing is dropped.
  static func raw(_ r: inout ByteReader) -> OFValue { .table([OFField("data", .bytes(r.rest()))]) }

  static func rawUnknown(_ type: UInt8, _ r: inout ByteReader) -> OFValue {
    .table([OFField("ofp_type", .uint(UInt64(type))), OFField("data", .bytes(r.rest()))])
  }

  /// Header-only messages; stray body bytes are kept rather than rejected.
  static func decodeEmpty(_ r: inout ByteReader) -> OFValue {
    r.isAtEnd ? .emptyTable : raw(&r)
  }

  /// Fields of the bodies encoded by hand (the rest are checked by their SStruct).
  static let handWrittenFields: [MsgKind: Set<String>] = [
    .FLOW_MOD: ["cookie", "cookie_mask", "table_id", "command", "idle_timeout", "hard_timeout", "priority", "buffer_id",
                "out_port", "out_group", "flags", "importance", "match", "instructions", "actions"],
    .PACKET_OUT: ["buffer_id", "in_port", "actions", "data"],
    .PACKET_IN: ["buffer_id", "total_len", "in_port", "reason", "table_id", "cookie", "match", "data"],
    .FLOW_REMOVED: ["cookie", "priority", "reason", "table_id", "duration_sec", "duration_nsec", "idle_timeout", "hard_timeout",
                    "packet_count", "byte_count", "match"],
    .PORT_STATUS: ["reason", "desc"],
    .FEATURES_REPLY: ["datapath_id", "n_buffers", "n_tables", "auxiliary_id", "capabilities", "actions", "reserved", "ports"],
  ]

  /// True when `msg` has only `data` (and `flags`) but the spec has no `data`
  /// field: the raw form of a body, kept working for callers that built it.
  static func isRawForm(_ msg: OFValue, _ spec: [SF]) -> Bool {
    guard let f = msg.fields, f.contains(where: { $0.name == "data" }) else { return false }
    guard f.allSatisfy({ $0.name == "data" || $0.name == "flags" }) else { return false }
    return !spec.contains { $0.name == "data" }
  }

  /// 1.5 PACKET_OUT: in_port lives in the match; show it top level as well.
  static func withInPortFromMatch(_ f: [OFField]) -> OFValue {
    var f = f
    if let m = f.first(where: { $0.name == "match" })?.value, let p = m["in_port"] {
      f.insert(OFField("in_port", p), at: 1)
    }
    return .table(f)
  }

  static func inPortIntoMatch(_ msg: OFValue, _ e: OFEncoder) throws(OFCodecError) -> OFValue {
    guard var f = msg.fields else { return msg }
    let match = try e.table(msg, "match")
    guard let p = msg["in_port"] else { return msg }
    if let mp = match["in_port"] {
      guard mp == p else { throw e.fail("`in_port` and `match.in_port` differ") }
      return msg
    }
    f.removeAll { $0.name == "match" || $0.name == "in_port" }
    f.append(OFField("match", .table([OFField("in_port", p)] + (match.fields ?? []))))
    return .table(f)
  }
}
