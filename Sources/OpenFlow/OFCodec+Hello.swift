// HELLO: 1.3+ carries elements; the version bitmap becomes `versions`.

extension OFCodec {
  static let helloVersionBitmap: UInt16 = 1

  /// Elements that are whole decode; from the first that is not (cut short
  /// by the message's end, or with a length below 4) the bytes are kept as
  /// `rest` and nothing after is read. The spec has unknown elements
  /// ignored, and the header's version is enough to negotiate with, so a
  /// broken element does not refuse the HELLO (OVS does the same): without a
  /// whole version bitmap there is no `versions`. A bitmap of a length that
  /// is not 4 + 4n is kept as an unknown element. Re-encoding writes `rest`
  /// back as it came, so the bytes round-trip.
  static func decodeHello(_ r: inout ByteReader, _ v: UInt8) throws(OFCodecError) -> OFValue {
    guard v >= OFVersion.v1_3 else { return decodeEmpty(&r) }
    var versions: [OFValue] = []
    var others: [OFValue] = []
    var sawBitmap = false
    var rest: [UInt8]? = nil
    while !r.isAtEnd {
      guard let type = r.peekU16(), let lenField = r.peekU16(2), lenField >= 4, Int(lenField) - 4 <= r.remaining - 4 else {
        rest = r.rest()
        break
      }
      try r.skip(4, "hello element header")
      let len = Int(lenField)
      var body = try r.sub(len - 4, "hello element")
      if type == helloVersionBitmap && !sawBitmap && body.remaining % 4 == 0 {
        sawBitmap = true
        var word: UInt64 = 0
        while !body.isAtEnd {
          let bits = try body.u32("version bitmap")
          for b in 0..<32 where bits & (1 << UInt32(b)) != 0 { versions.append(.uint(word * 32 + UInt64(b))) }
          word += 1
        }
      } else {
        others.append(.table([OFField("type", .uint(UInt64(type))), OFField("data", .bytes(body.rest()))]))
      }
      // Elements are padded to 8 bytes; a last element may omit its padding.
      try r.skip(min((8 - len % 8) % 8, r.remaining))
    }
    var out: [OFField] = []
    if sawBitmap { out.append(OFField("versions", .list(versions))) }
    if !others.isEmpty { out.append(OFField("elements", .list(others))) }
    if let rest { out.append(OFField("rest", .bytes(rest))) }
    return .table(out)
  }

  static func encodeHello(_ m: OFValue, _ e: inout OFEncoder) throws(OFCodecError) {
    guard e.version >= OFVersion.v1_3 else {
      if m["versions"] != nil { throw e.cannot("HELLO `versions`") }
      return try encodeRaw(m, &e)
    }
    if m["versions"] != nil {
      var words: [UInt32] = []
      for item in try e.list(m, "versions") {
        // Any version number a bitmap can carry (decode produces them all).
        let n = Int(try e.number(item, "versions", bits: 19))
        while words.count <= n / 32 { words.append(0) }
        words[n / 32] |= 1 << UInt32(n % 32)
      }
      guard 4 + 4 * words.count <= 0xffff else { throw e.fail("HELLO `versions` bitmap is too long") }
      let start = e.out.count
      e.out.u16(helloVersionBitmap)
      e.out.u16(UInt16(truncatingIfNeeded: 4 + 4 * words.count))
      for w in words { e.out.u32(w) }
      e.out.pad8(from: start)
    }
    for el in try e.list(m, "elements") {
      let start = e.out.count
      let data = try e.bytes(el, "data")
      guard data.count <= 0xfff0 else { throw e.fail("hello element too long") }
      e.out.u16(UInt16(truncatingIfNeeded: try e.field(el, "type", bits: 16, default: nil)))
      e.out.u16(UInt16(truncatingIfNeeded: 4 + data.count))
      e.out.append(data)
      e.out.pad8(from: start)
    }
    // A broken last element, as received.
    e.out.append(try e.bytes(m, "rest"))
  }
}
