// Declarative wire structures: one description per structure drives both
// decode and encode, so the two cannot drift apart and every field round-trips.
// Most bodies past the first part of the codec are written this way.

/// One field of a wire structure.
indirect enum SF: Sendable {
  /// Unsigned number of `size` bytes, optional names, encode default (nil: required).
  case num(String, Int, NameTable?, UInt64?)
  case flags(String, Int, FlagTable)
  case pad(Int)
  /// A port number: 16 bits on 1.0, 32 bits after.
  case port(String, String?)
  case mac(String)
  /// NUL-padded text of a fixed size.
  case text(String, Int)
  case dpid(String)
  /// This structure's total length (u16), counted from its first byte.
  case len
  /// Byte length (u16) of the later variable field named.
  case lenOf(String)
  /// The version's match (1.0 fixed, 1.1 standard, 1.2+ OXM).
  case match(String)
  case actions(String)
  case instructions(String)
  /// Everything left in the region as bytes.
  case bytes(String)
  /// Structures repeated to the end of the region.
  case list(String, SStruct)
  /// 1.4-style TLV properties to the end of the region.
  case props(String, PropSet)
  /// A port description (1.0, 1.1+, or 1.4+ with properties).
  case portDesc(String)
  case portList(String)
  /// A whole OpenFlow message embedded (length from its own header).
  case message(String)
  /// 1.5 OXS statistics (ofp_stats), flattened into the enclosing table.
  case oxs
  /// A list of u8 (table ids) to the end of the region.
  case u8List(String)
  /// A list of u32 numbers with names.
  case u32List(String, NameTable?)
  /// A list of 64-bit counters pairs, etc.: use `list`.
  /// Flattened: the first property of `PropSet` if of type `type`, its fields inline.
  case inlineProp(PropSet, UInt16)
  /// Fixed count of u32 numbers as a list (group features max_groups).
  case u32Array(String, Int, FlagTable?)
  /// A nested structure as its own table.
  case sub(String, SStruct)
  /// Trailing fields a sender may leave out (decoded when bytes remain,
  /// encoded when one of them is given).
  case optional([SF])
  /// Custom code for shapes the above cannot say.
  case custom(String, @Sendable (inout ByteReader, UInt8) throws(OFCodecError) -> OFValue,
              @Sendable (OFValue?, inout OFEncoder) throws(OFCodecError) -> Void)

  static func u8(_ n: String, _ names: NameTable? = nil, _ d: UInt64? = 0) -> SF { .num(n, 1, names, d) }
  static func u16(_ n: String, _ names: NameTable? = nil, _ d: UInt64? = 0) -> SF { .num(n, 2, names, d) }
  static func u32(_ n: String, _ names: NameTable? = nil, _ d: UInt64? = 0) -> SF { .num(n, 4, names, d) }
  static func u64(_ n: String, _ names: NameTable? = nil, _ d: UInt64? = 0) -> SF { .num(n, 8, names, d) }
}

struct SStruct: Sendable {
  let fields: [SF]
  init(_ fields: [SF]) { self.fields = fields }
}

/// A family of TLV properties: type number -> name and body.
struct PropSet: Sendable {
  let names: NameTable
  let bodies: [UInt64: [SF]]
  /// Bytes of padding after type/length before the body (1.0-1.3 queue properties: 4).
  let headerPad: Int
  /// Whether each property is padded to 8 outside its length (1.4+ style).
  let pad8: Bool
  let experimenterTypes: Set<UInt64>
  /// The schema key naming the type ("property"; meter bands use "type").
  let key: String
  /// Whether the last property's padding may be missing when it ends the
  /// message (table features: some switches leave it out).
  let lastPadOptional: Bool

  init(_ entries: [(String, UInt64, [SF])], headerPad: Int = 0, pad8: Bool = true,
       experimenter: Set<UInt64> = [0xffff], key: String = "property", lastPadOptional: Bool = false) {
    self.key = key
    self.lastPadOptional = lastPadOptional
    names = NameTable(entries.map { ($0.0, $0.1) })
    var b: [UInt64: [SF]] = [:]
    for e in entries { b[e.1] = e.2 }
    bodies = b
    self.headerPad = headerPad
    self.pad8 = pad8
    experimenterTypes = experimenter
  }
}

/// Decoding state threaded through one structure.
struct SDecode {
  var out: [OFField] = []
  var pending: [String: Int] = [:]
}

extension OFCodec {
  // MARK: decode

  static func decodeStruct(_ s: SStruct, _ r: inout ByteReader, _ v: UInt8) throws(OFCodecError) -> OFValue {
    .table(try decodeFields(s.fields, &r, v))
  }

  /// Decodes `fields` from `r`; a `.len` field narrows the region to the
  /// structure's own length and `r` is moved past it afterwards.
  static func decodeFields(_ fields: [SF], _ r: inout ByteReader, _ v: UInt8) throws(OFCodecError) -> [OFField] {
    let start = r.offset
    var s = r
    var st = SDecode()
    for f in fields {
      try decodeField(f, &s, v, start, &st)
    }
    if s.end != r.end {
      // Bounded by `.len`: the structure must be consumed whole.
      try s.expectEnd("the structure")
      try r.skip(s.end - r.offset, "structure")
    } else {
      try r.skip(s.offset - r.offset, "structure")
    }
    return st.out
  }

  /// A reader for a variable field: bounded by its `lenOf`, else the region's rest.
  static func region(_ name: String, _ s: inout ByteReader, _ st: inout SDecode) throws(OFCodecError) -> ByteReader {
    if let n = st.pending.removeValue(forKey: name) { return try s.sub(n, name) }
    return try s.sub(s.remaining, name)
  }

  static func decodeField(_ f: SF, _ s: inout ByteReader, _ v: UInt8, _ start: Int, _ st: inout SDecode) throws(OFCodecError) {
    switch f {
    case .num(let n, let size, let names, _):
      let x = try s.uint(size: size, n)
      st.out.append(OFField(n, names?.decode(x) ?? .uint(x)))
    case .flags(let n, let size, let t):
      st.out.append(OFField(n, t.decode(try s.uint(size: size, n))))
    case .pad(let k): try s.skip(k)
    case .port(let n, _): st.out.append(OFField(n, try readPortNo(&s, v, n)))
    case .mac(let n): st.out.append(OFField(n, .string(AddressText.mac(try s.bytes(6, n)))))
    case .text(let n, let size):
      st.out.append(OFField(n, try readText(&s, size, n)))
    case .dpid(let n): st.out.append(OFField(n, .string(DatapathID.format(try s.u64(n)))))
    case .len:
      let at = s.offset
      let len = Int(try s.u16("length"))
      guard len >= at + 2 - start else { throw s.error("length \(len) is shorter than the structure's header", at: at) }
      guard len <= s.end - start else { throw s.error("length \(len) overruns its container (\(s.end - start) bytes)", at: at) }
      s = ByteReader(s.buf, context: s.context, from: s.offset, to: start + len)
    case .lenOf(let target):
      st.pending[target] = Int(try s.u16("\(target) length"))
    case .match(let n):
      if let len = st.pending.removeValue(forKey: n) {
        var sub = try s.sub(len, n)
        st.out.append(OFField(n, try decodeMatchAny(&sub, v)))
        try sub.expectEnd("match")
      } else {
        st.out.append(OFField(n, try decodeMatchAny(&s, v)))
      }
    case .actions(let n):
      var sub = try region(n, &s, &st)
      st.out.append(OFField(n, try decodeActions(&sub, v)))
    case .instructions(let n):
      var sub = try region(n, &s, &st)
      if v == OFVersion.v1_0 {
        let actions = try decodeActions(&sub, v)
        st.out.append(OFField(n, .list([.table([OFField("instruction", .string("APPLY_ACTIONS")), OFField("actions", actions)])])))
      } else {
        st.out.append(OFField(n, try decodeInstructions(&sub, v)))
      }
    case .bytes(let n):
      var sub = try region(n, &s, &st)
      st.out.append(OFField(n, .bytes(sub.rest())))
    case .list(let n, let item):
      var sub = try region(n, &s, &st)
      var items: [OFValue] = []
      while !sub.isAtEnd {
        let before = sub.offset
        items.append(try decodeStruct(item, &sub, v))
        guard sub.offset > before else { throw sub.error("empty structure in \(n) would loop") }
      }
      st.out.append(OFField(n, .list(items)))
    case .props(let n, let set):
      var sub = try region(n, &s, &st)
      let list = try decodeProps(set, &sub, v)
      // An empty property list is left out: tables stay as on versions without properties.
      if list != .list([]) || n != "properties" { st.out.append(OFField(n, list)) }
    case .sub(let n, let item):
      st.out.append(OFField(n, try decodeStruct(item, &s, v)))
    case .portDesc(let n): st.out.append(OFField(n, try decodePortDescAny(&s, v)))
    case .portList(let n):
      var sub = try region(n, &s, &st)
      var ports: [OFValue] = []
      while !sub.isAtEnd { ports.append(try decodePortDescAny(&sub, v)) }
      st.out.append(OFField(n, .list(ports)))
    case .message(let n):
      guard let lenHi = s.peekU16(2) else { throw s.error("truncated embedded message header") }
      let len = Int(lenHi)
      guard len >= 8 else { throw s.error("embedded message length \(len) is below 8") }
      let sub = try s.sub(len, "embedded message")
      let inner = UnsafeRawBufferPointer(rebasing: sub.buf[sub.offset..<sub.end])
      do {
        let m = try decode(inner)
        st.out.append(OFField(n, messageValue(m)))
      } catch {
        throw OFCodecError(s.context, offset: sub.offset + error.offset, "embedded \(error.messageType): \(error.reason)")
      }
    case .oxs:
      st.out += try decodeOXS(&s)
    case .u8List(let n):
      var sub = try region(n, &s, &st)
      st.out.append(OFField(n, .list(sub.rest().map { .uint(UInt64($0)) })))
    case .u32List(let n, let names):
      var sub = try region(n, &s, &st)
      guard sub.remaining % 4 == 0 else { throw sub.error("\(n) of \(sub.remaining) bytes is not a multiple of 4") }
      var items: [OFValue] = []
      while !sub.isAtEnd { let x = UInt64(try sub.u32(n)); items.append(names?.decode(x) ?? .uint(x)) }
      st.out.append(OFField(n, .list(items)))
    case .u32Array(let n, let count, let flags):
      var items: [OFValue] = []
      for _ in 0..<count { let x = UInt64(try s.u32(n)); items.append(flags?.decode(x) ?? .uint(x)) }
      st.out.append(OFField(n, .list(items)))
    case .inlineProp(let set, let type):
      // Flatten the property when it is next and of the wanted type.
      guard let t = s.peekU16(), UInt64(t) == UInt64(type), let body = set.bodies[UInt64(type)] else { return }
      let at = s.offset
      try s.skip(2)
      let len = Int(try s.u16("property length"))
      guard len >= 4 + set.headerPad else { throw s.error("property length \(len) is too short", at: at + 2) }
      var sub = try s.sub(len - 4, "property")
      try sub.skip(set.headerPad)
      var inner = SDecode()
      for f in body { try decodeField(f, &sub, v, at, &inner) }
      try sub.expectEnd("property")
      st.out += inner.out
      if set.pad8 { try s.skip((8 - len % 8) % 8, "property padding") }
    case .custom(let n, let dec, _):
      st.out.append(OFField(n, try dec(&s, v)))
    case .optional(let inner):
      guard !s.isAtEnd else { return }
      for x in inner { try decodeField(x, &s, v, start, &st) }
    }
  }

  static func decodeProps(_ set: PropSet, _ r: inout ByteReader, _ v: UInt8) throws(OFCodecError) -> OFValue {
    var out: [OFValue] = []
    while !r.isAtEnd { out.append(try decodeOneProp(set, &r, v)) }
    return .list(out)
  }

  static func decodeOneProp(_ set: PropSet, _ r: inout ByteReader, _ v: UInt8) throws(OFCodecError) -> OFValue {
    let at = r.offset
    let type = UInt64(try r.u16("property type"))
    let len = Int(try r.u16("property length"))
    guard len >= 4 + set.headerPad else { throw r.error("property length \(len) is too short", at: at + 2) }
    var b = try r.sub(len - 4, "property")
    try b.skip(set.headerPad)
    var f: [OFField] = [OFField(set.key, set.names.decode(type))]
    if set.experimenterTypes.contains(type) {
      f.append(OFField("experimenter", .uint(UInt64(try b.u32("experimenter")))))
      f.append(OFField("exp_type", .uint(UInt64(try b.u32("exp_type")))))
      f.append(OFField("data", .bytes(b.rest())))
    } else if let body = set.bodies[type] {
      var inner = SDecode()
      for x in body { try decodeField(x, &b, v, at, &inner) }
      try b.expectEnd("property")
      f += inner.out
    } else {
      f.append(OFField("data", .bytes(b.rest())))
    }
    if set.pad8 {
      let pad = (8 - len % 8) % 8
      // At the very end of the message a missing padding cannot hide anything.
      let cut = set.lastPadOptional && r.end == r.buf.count && r.remaining < pad
      try r.skip(cut ? r.remaining : pad, "property padding")
    }
    return .table(f)
  }

  // MARK: encode

  static func encodeStruct(_ s: SStruct, _ m: OFValue, _ e: inout OFEncoder) throws(OFCodecError) {
    guard m.fields != nil || m == .list([]) else { throw e.fail("expected a table") }
    try encodeFields(s.fields, m, &e)
  }

  static func encodeFields(_ fields: [SF], _ m: OFValue, _ e: inout OFEncoder, allowing extra: Set<String> = []) throws(OFCodecError) {
    try checkNames(fields, m, e, extra)
    let start = e.out.count
    var lenAt: Int? = nil
    var lenOfAt: [String: Int] = [:]
    for f in fields {
      let before = e.out.count
      switch f {
      case .len:
        lenAt = e.out.count
        e.out.u16(0)
      case .lenOf(let target):
        lenOfAt[target] = e.out.count
        e.out.u16(0)
      default:
        try encodeField(f, m, &e)
      }
      if let name = f.name, let at = lenOfAt[name] {
        let n = e.out.count - before
        guard n <= 0xffff else { throw e.fail("`\(name)` is too long") }
        e.out.patchU16(at: at, UInt16(truncatingIfNeeded: n))
      }
    }
    if let lenAt {
      let n = e.out.count - start
      guard n <= 0xffff else { throw e.fail("structure is too long") }
      e.out.patchU16(at: lenAt, UInt16(truncatingIfNeeded: n))
    }
  }

  /// Fields the description does not know are an error: a typo must not
  /// silently fall back to a default.
  static func checkNames(_ fields: [SF], _ m: OFValue, _ e: OFEncoder, _ extra: Set<String>) throws(OFCodecError) {
    guard let given = m.fields, !given.isEmpty else { return }
    var known = extra
    func add(_ fs: [SF]) {
      for f in fs {
        if let n = f.name { known.insert(n) }
        if case .inlineProp(let set, let t) = f, let body = set.bodies[UInt64(t)] { add(body) }
        if case .optional(let inner) = f { add(inner) }
        if case .oxs = f {
          for (n, _, size) in OXS.fields { if size == 8 && !n.hasSuffix("count") { known.insert(n + "_sec"); known.insert(n + "_nsec") } else { known.insert(n) } }
        }
      }
    }
    add(fields)
    for g in given where !known.contains(g.name) && !(g.name.hasPrefix("oxs_") && fields.contains { if case .oxs = $0 { return true } else { return false } }) {
      throw e.fail("\(e.type) has no field `\(g.name)` in \(e.versionText)")
    }
  }

  static func encodeField(_ f: SF, _ m: OFValue, _ e: inout OFEncoder) throws(OFCodecError) {
    switch f {
    case .num(let n, let size, let names, let d):
      e.out.uint(try e.field(m, n, names: names, bits: size * 8, default: d), size: size)
    case .flags(let n, let size, let t):
      e.out.uint(try e.flags(m, n, t, bits: size * 8), size: size)
    case .pad(let k): e.out.zeros(k)
    case .port(let n, let d): writePortNo(try e.port(m, n, default: d), &e)
    case .mac(let n): e.out.append(try e.mac(m[n] ?? .uint(0), n))
    case .text(let n, let size):
      try writeText(m[n], size, n, &e)
    case .dpid(let n):
      guard let x = m[n] else { e.out.u64(0); return }
      if case .string(let s) = x {
        guard let id = DatapathID.parse(s) else { throw e.fail("\(n) '\(s)' is not like 00:00:00:00:00:00:00:01") }
        e.out.u64(id)
      } else {
        e.out.u64(try e.number(x, n, bits: 64))
      }
    case .len, .lenOf: break
    case .match(let n): try encodeMatchAny(try e.table(m, n), &e)
    case .actions(let n): try encodeActions(try e.list(m, n), &e)
    case .instructions(let n):
      let list = try e.list(m, n)
      if e.version == OFVersion.v1_0 { try encodeActions(try actions10(from: list, e), &e) } else { try encodeInstructions(list, &e) }
    case .bytes(let n): e.out.append(try e.bytes(m, n))
    case .list(let n, let item):
      for x in try e.list(m, n) { try encodeStruct(item, x, &e) }
    case .props(let n, let set):
      for p in try e.list(m, n) { try encodeProp(set, p, &e) }
    case .sub(let n, let item): try encodeStruct(item, try e.table(m, n), &e)
    case .portDesc(let n):
      guard let d = m[n] else { throw e.fail("missing field `\(n)`") }
      try encodePortDescAny(d, &e)
    case .portList(let n):
      for p in try e.list(m, n) { try encodePortDescAny(p, &e) }
    case .message(let n):
      guard let inner = m[n] else { throw e.fail("missing field `\(n)`") }
      let msg = try messageFrom(inner, e)
      do { e.out.append(try encode(msg)) } catch { throw e.fail("embedded \(error.messageType): \(error.reason)") }
    case .oxs: try encodeOXS(m, &e)
    case .u8List(let n):
      for x in try e.list(m, n) { e.out.u8(UInt8(truncatingIfNeeded: try e.number(x, n, bits: 8))) }
    case .u32List(let n, let names):
      for x in try e.list(m, n) { e.out.u32(UInt32(truncatingIfNeeded: try e.number(x, n, names: names, bits: 32))) }
    case .u32Array(let n, let count, let flags):
      let items = try e.list(m, n)
      guard items.count <= count else { throw e.fail("`\(n)` has \(items.count) items, at most \(count)") }
      for i in 0..<count {
        guard i < items.count else { e.out.u32(0); continue }
        if let flags {
          e.out.u32(UInt32(truncatingIfNeeded: try e.flags(.table([OFField(n, items[i])]), n, flags, bits: 32)))
        } else {
          e.out.u32(UInt32(truncatingIfNeeded: try e.number(items[i], n, bits: 32)))
        }
      }
    case .inlineProp(let set, let type):
      guard let body = set.bodies[UInt64(type)] else { return }
      // Written only when one of its fields is given.
      guard body.contains(where: { $0.name.map { m[$0] != nil } ?? false }) else { return }
      let start = e.out.count
      e.out.u16(type)
      e.out.u16(0)
      e.out.zeros(set.headerPad)
      for x in body { try encodeField(x, m, &e) }
      let len = e.out.count - start
      e.out.patchU16(at: start + 2, UInt16(truncatingIfNeeded: len))
      if set.pad8 { e.out.pad8(from: start) }
    case .custom(let n, _, let enc): try enc(m[n], &e)
    case .optional(let inner):
      guard inner.contains(where: { $0.name.map { m[$0] != nil } ?? false }) else { return }
      for x in inner { try encodeField(x, m, &e) }
    }
  }

  static func encodeProp(_ set: PropSet, _ p: OFValue, _ e: inout OFEncoder) throws(OFCodecError) {
    guard let tv = p[set.key] else { throw e.fail("an entry needs `\(set.key)`") }
    let type = try e.number(tv, set.key, names: set.names, bits: 16)
    let start = e.out.count
    e.out.u16(UInt16(truncatingIfNeeded: type))
    e.out.u16(0)
    e.out.zeros(set.headerPad)
    if set.experimenterTypes.contains(type) {
      e.out.u32(UInt32(truncatingIfNeeded: try e.field(p, "experimenter", bits: 32, default: nil)))
      e.out.u32(UInt32(truncatingIfNeeded: try e.field(p, "exp_type", bits: 32, default: 0)))
      e.out.append(try e.bytes(p, "data"))
    } else if let body = set.bodies[type] {
      try encodeFields(body, p, &e, allowing: [set.key])
    } else {
      e.out.append(try e.bytes(p, "data"))
    }
    let len = e.out.count - start
    guard len <= 0xffff else { throw e.fail("property is too long") }
    e.out.patchU16(at: start + 2, UInt16(truncatingIfNeeded: len))
    if set.pad8 { e.out.pad8(from: start) }
  }

  /// An embedded message as a value: {type, version?, xid, msg}.
  static func messageValue(_ m: OFMessage) -> OFValue {
    .table([
      OFField("type", .string(m.type)), OFField("version", .uint(UInt64(m.version))),
      OFField("xid", .uint(UInt64(m.xid))), OFField("msg", m.msg),
    ])
  }

  static func messageFrom(_ v: OFValue, _ e: OFEncoder) throws(OFCodecError) -> OFMessage {
    guard case .string(let type)? = v["type"] else { throw e.fail("an embedded message needs `type`") }
    let version = UInt8(truncatingIfNeeded: try e.field(v, "version", bits: 8, default: UInt64(e.version)))
    let xid = UInt32(truncatingIfNeeded: try e.field(v, "xid", bits: 32, default: 0))
    return OFMessage(version: version, type: type, xid: xid, msg: v["msg"] ?? .emptyTable)
  }
}

extension SF {
  /// The schema field a variable-length entry fills (for `lenOf` patching).
  var name: String? {
    switch self {
    case .num(let n, _, _, _), .flags(let n, _, _), .port(let n, _), .mac(let n), .text(let n, _), .dpid(let n),
      .match(let n), .actions(let n), .instructions(let n), .bytes(let n), .list(let n, _), .props(let n, _),
      .portDesc(let n), .portList(let n), .sub(let n, _), .message(let n), .u8List(let n), .u32List(let n, _), .u32Array(let n, _, _),
      .custom(let n, _, _):
      return n
    default: return nil
    }
  }
}
