// 1.5 flow statistics (ofp_stats with OXS TLVs), flattened into the enclosing
// table under the 1.3 names (duration_sec, packet_count, ...), in wire order.

enum OXS {
  static let basicClass: UInt16 = 0x8002
  /// (name, field number, size); DURATION and IDLE_TIME are sec+nsec pairs.
  static let fields: [(String, UInt8, Int)] = [
    ("duration", 0, 8), ("idle_time", 1, 8), ("flow_count", 3, 4), ("packet_count", 4, 8), ("byte_count", 5, 8),
  ]
}

extension OFCodec {
  static func decodeOXS(_ r: inout ByteReader) throws(OFCodecError) -> [OFField] {
    let start = r.offset
    try r.skip(2, "stats reserved")
    let len = Int(try r.u16("stats length"))
    guard len >= 4 else { throw r.error("stats length \(len) is below 4", at: start + 2) }
    var b = try r.sub(len - 4, "stats")
    var out: [OFField] = []
    while !b.isAtEnd {
      let at = b.offset
      let cls = try b.u16("OXS class")
      let fb = try b.u8("OXS field")
      let n = Int(try b.u8("OXS length"))
      var p = try b.sub(n, "OXS payload")
      let count = out.count
      if cls == OXS.basicClass, fb & 1 == 0, let spec = OXS.fields.first(where: { $0.1 == fb >> 1 }) {
        guard n == spec.2 else { throw b.error("OXS \(spec.0) has length \(n), expected \(spec.2)", at: at + 3) }
        if spec.2 == 8 && (spec.0 == "duration" || spec.0 == "idle_time") {
          out.append(OFField(spec.0 + "_sec", .uint(UInt64(try p.u32(spec.0)))))
          out.append(OFField(spec.0 + "_nsec", .uint(UInt64(try p.u32(spec.0)))))
        } else {
          out.append(OFField(spec.0, .uint(try p.uint(size: n, spec.0))))
        }
      } else {
        // Unknown statistics keep their class and raw field byte: oxs_<class>_<byte>.
        out.append(OFField("oxs_" + String(OXMField.rawName(cls, 0).dropFirst(4).dropLast(1)) + String(fb), .bytes(p.rest())))
      }
      // A statistic given twice has no single value (and a table cannot hold both).
      for f in out[count...] where out[..<count].contains(where: { $0.name == f.name }) {
        throw b.error("OXS field \(f.name) appears twice", at: at)
      }
    }
    try r.skip((8 - len % 8) % 8, "stats padding")
    return out
  }

  static func encodeOXS(_ m: OFValue, _ e: inout OFEncoder) throws(OFCodecError) {
    let start = e.out.count
    e.out.u16(0)
    e.out.u16(0)
    // The table's order, so a decoded message re-encodes to its own bytes.
    for f in m.fields ?? [] {
      if let (name, num, size) = OXS.fields.first(where: { f.name == $0.0 + (($0.0 == "duration" || $0.0 == "idle_time") ? "_sec" : "") }) {
        e.out.u16(OXS.basicClass)
        e.out.u8(num << 1)
        e.out.u8(UInt8(size))
        if name == "duration" || name == "idle_time" {
          e.out.u32(UInt32(truncatingIfNeeded: try e.number(f.value, f.name, bits: 32)))
          e.out.u32(UInt32(truncatingIfNeeded: try e.field(m, name + "_nsec", bits: 32, default: 0)))
        } else {
          e.out.uint(try e.number(f.value, name, bits: size * 8), size: size)
        }
      } else if f.name.hasPrefix("oxs_") {
        let parts = f.name.dropFirst(4).split(separator: "_")
        guard parts.count == 2, let cls = UInt16(parts[0], radix: 16), let fb = UInt8(parts[1]) else {
          throw e.fail("`\(f.name)` is not oxs_<class hex>_<field byte>")
        }
        guard let b = f.value.bytes, b.count <= 255 else { throw e.fail("`\(f.name)` must be at most 255 bytes") }
        e.out.u16(cls)
        e.out.u8(fb)
        e.out.u8(UInt8(b.count))
        e.out.append(b)
      }
    }
    e.out.patchU16(at: start + 2, UInt16(truncatingIfNeeded: e.out.count - start))
    e.out.pad8(from: start)
  }
}
