// OXM matches (1.2+): ofp_match {type = OXM, length} + TLVs, padded to 8.

extension OFCodec {
  static let matchTypeOXM: UInt16 = 1

  static func decodeOXMMatch(_ r: inout ByteReader) throws(OFCodecError) -> OFValue {
    let start = r.offset
    let type = try r.u16("match type")
    let len = Int(try r.u16("match length"))
    guard type == matchTypeOXM else { throw r.error("match type \(type) is not OXM (1)", at: start) }
    guard len >= 4 else { throw r.error("match length \(len) is below 4", at: start + 2) }
    var body = try r.sub(len - 4, "match")
    let fields = try decodeOXMFields(&body)
    try r.skip((8 - len % 8) % 8, "match padding")
    return .table(fields)
  }

  /// OXM TLVs filling the reader, in wire order.
  static func decodeOXMFields(_ r: inout ByteReader) throws(OFCodecError) -> [OFField] {
    var out: [OFField] = []
    while !r.isAtEnd {
      let (name, value, mask) = try decodeOXM(&r)
      for f in out where f.name == name { throw r.error("OXM field \(name) appears twice") }
      out.append(OFField(name, value))
      if let mask { out.append(OFField(name + "_mask", mask)) }
    }
    return out
  }

  /// One TLV: its schema name, value and optional mask.
  static func decodeOXM(_ r: inout ByteReader) throws(OFCodecError) -> (String, OFValue, OFValue?) {
    let at = r.offset
    let cls = try r.u16("OXM class")
    let fieldByte = try r.u8("OXM field")
    let len = Int(try r.u8("OXM length"))
    let hasMask = fieldByte & 1 != 0
    let number = fieldByte >> 1
    var p = try r.sub(len, "OXM payload")
    if cls == OXMField.basicClass, let f = OXMField.field(number) {
      let want = f.size * (hasMask ? 2 : 1)
      guard len == want else { throw r.error("OXM \(f.name) has length \(len), expected \(want)", at: at + 3) }
      let value = try readOXMValue(&p, f, mask: false)
      return (f.name, value, hasMask ? try readOXMValue(&p, f, mask: true) : nil)
    }
    let name = OXMField.rawName(cls, number)
    guard hasMask else { return (name, .bytes(p.rest()), nil) }
    // A masked TLV is value then mask of equal size (after an experimenter id).
    let head = cls == OXMField.experimenterClass ? 4 : 0
    guard len >= head, (len - head) % 2 == 0 else { throw r.error("masked OXM \(name) has odd length \(len)", at: at + 3) }
    let value = try p.bytes(head + (len - head) / 2)
    return (name, .bytes(value), .bytes(p.rest()))
  }

  static func encodeOXMMatch(_ match: OFValue, _ e: inout OFEncoder) throws(OFCodecError) {
    let start = e.out.count
    e.out.u16(matchTypeOXM)
    e.out.u16(0)
    try encodeOXMFields(match, &e)
    let len = e.out.count - start
    guard len <= 0xffff else { throw e.fail("match is too long") }
    e.out.patchU16(at: start + 2, UInt16(truncatingIfNeeded: len))
    e.out.pad8(from: start)
  }

  /// The table's fields in its order; `_mask` keys go out with their field.
  static func encodeOXMFields(_ match: OFValue, _ e: inout OFEncoder) throws(OFCodecError) {
    guard let fields = match.fields else {
      if match == .list([]) { return }
      throw e.fail("match must be a table of OXM fields")
    }
    // `_wildcarded` (a decoded 1.0 match's unused bits) means nothing to OXM.
    for f in fields where f.name != match10Wire {
      if f.name.hasSuffix("_mask") {
        let base = String(f.name.dropLast(5))
        guard match[base] != nil else { throw e.fail("match has `\(f.name)` without `\(base)`") }
        continue
      }
      let mask = match[f.name + "_mask"]
      if let spec = OXMField.byName[f.name] {
        e.out.u16(OXMField.basicClass)
        e.out.u8(spec.number << 1 | (mask == nil ? 0 : 1))
        e.out.u8(UInt8(truncatingIfNeeded: spec.size * (mask == nil ? 1 : 2)))
        try writeOXMValue(f.value, spec, f.name, &e)
        if let mask { try writeOXMValue(mask, spec, f.name + "_mask", &e) }
      } else if let (cls, number) = OXMField.parseRawName(f.name) {
        guard let value = f.value.bytes else { throw e.fail("`\(f.name)` must be bytes") }
        var payload = value
        if let mask {
          guard let m = mask.bytes else { throw e.fail("`\(f.name)_mask` must be bytes") }
          payload += m
        }
        guard payload.count <= 255 else { throw e.fail("`\(f.name)` is longer than an OXM can carry") }
        e.out.u16(cls)
        e.out.u8(number << 1 | (mask == nil ? 0 : 1))
        e.out.u8(UInt8(truncatingIfNeeded: payload.count))
        e.out.append(payload)
      } else {
        throw e.fail("unknown match field `\(f.name)`")
      }
    }
  }

  static func encodeMatch(_ m: OFValue, _ e: inout OFEncoder) throws(OFCodecError) {
    let match = try e.table(m, "match")
    try encodeMatchAny(match, &e)
  }
}
