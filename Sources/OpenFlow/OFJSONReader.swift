// A small JSON reader that keeps object key order. Foundation's
// JSONSerialization returns unordered dictionaries, and a match's OXM order
// (or any table order the encoder follows) would then be lost: decode -> JSON
// -> encode must give back the same bytes.

struct OFJSONReader {
  let s: [UInt8]
  var i = 0
  var depth = 0

  init(_ s: [UInt8]) { self.s = s }

  /// A JSON value with object keys in order; strings stay text (hex is read by the caller).
  enum Node {
    case string(String), uint(UInt64), int(Int64), bool(Bool), null
    case list([Node])
    case object([(String, Node)])
  }

  func fail(_ why: String) -> OFJSONError { OFJSONError("JSON offset \(i): \(why)") }

  mutating func skipSpace() {
    while i < s.count, s[i] == 32 || s[i] == 9 || s[i] == 10 || s[i] == 13 { i += 1 }
  }

  var atEnd: Bool { mutating get { skipSpace(); return i >= s.count } }

  mutating func expect(_ c: UInt8) throws(OFJSONError) {
    skipSpace()
    guard i < s.count, s[i] == c else { throw fail("expected '\(Character(Unicode.Scalar(c)))'") }
    i += 1
  }

  mutating func value() throws(OFJSONError) -> Node {
    skipSpace()
    guard i < s.count else { throw fail("unexpected end") }
    depth += 1
    defer { depth -= 1 }
    guard depth < 200 else { throw fail("nested too deep") }
    switch s[i] {
    case UInt8(ascii: "{"):
      i += 1
      var out: [(String, Node)] = []
      skipSpace()
      if i < s.count, s[i] == UInt8(ascii: "}") { i += 1; return .object(out) }
      while true {
        skipSpace()
        let k = try string()
        try expect(UInt8(ascii: ":"))
        out.append((k, try value()))
        skipSpace()
        guard i < s.count else { throw fail("unexpected end in object") }
        if s[i] == UInt8(ascii: ",") { i += 1; continue }
        if s[i] == UInt8(ascii: "}") { i += 1; return .object(out) }
        throw fail("expected ',' or '}'")
      }
    case UInt8(ascii: "["):
      i += 1
      var out: [Node] = []
      skipSpace()
      if i < s.count, s[i] == UInt8(ascii: "]") { i += 1; return .list(out) }
      while true {
        out.append(try value())
        skipSpace()
        guard i < s.count else { throw fail("unexpected end in list") }
        if s[i] == UInt8(ascii: ",") { i += 1; continue }
        if s[i] == UInt8(ascii: "]") { i += 1; return .list(out) }
        throw fail("expected ',' or ']'")
      }
    case UInt8(ascii: "\""): return .string(try string())
    case UInt8(ascii: "t"): try word("true"); return .bool(true)
    case UInt8(ascii: "f"): try word("false"); return .bool(false)
    case UInt8(ascii: "n"): try word("null"); return .null
    default: return try number()
    }
  }

  mutating func word(_ w: String) throws(OFJSONError) {
    let b = Array(w.utf8)
    guard i + b.count <= s.count, Array(s[i..<(i + b.count)]) == b else { throw fail("unexpected character") }
    i += b.count
  }

  mutating func number() throws(OFJSONError) -> Node {
    let start = i
    let negative = i < s.count && s[i] == UInt8(ascii: "-")
    if negative { i += 1 }
    var v: UInt64 = 0
    var digits = 0
    while i < s.count, s[i] >= 48, s[i] <= 57 {
      let (m, o1) = v.multipliedReportingOverflow(by: 10)
      let (a, o2) = m.addingReportingOverflow(UInt64(s[i] - 48))
      guard !o1, !o2 else { throw fail("number too large") }
      v = a
      digits += 1
      i += 1
    }
    guard digits > 0 else { i = start; throw fail("unexpected character") }
    if i < s.count, s[i] == UInt8(ascii: ".") || s[i] == UInt8(ascii: "e") || s[i] == UInt8(ascii: "E") {
      throw fail("only whole numbers are allowed")
    }
    if !negative { return .uint(v) }
    guard v <= UInt64(Int64.max) + 1 else { throw fail("number too small") }
    return .int(v == UInt64(Int64.max) + 1 ? Int64.min : -Int64(v))
  }

  mutating func string() throws(OFJSONError) -> String {
    guard i < s.count, s[i] == UInt8(ascii: "\"") else { throw fail("expected a string") }
    i += 1
    var out: [UInt8] = []
    while true {
      guard i < s.count else { throw fail("unterminated string") }
      let c = s[i]
      i += 1
      if c == UInt8(ascii: "\"") { break }
      guard c == UInt8(ascii: "\\") else { out.append(c); continue }
      guard i < s.count else { throw fail("unterminated escape") }
      let e = s[i]
      i += 1
      switch e {
      case UInt8(ascii: "n"): out.append(10)
      case UInt8(ascii: "t"): out.append(9)
      case UInt8(ascii: "r"): out.append(13)
      case UInt8(ascii: "b"): out.append(8)
      case UInt8(ascii: "f"): out.append(12)
      case UInt8(ascii: "u"):
        var code: UInt32 = try hex4()
        if (0xd800..<0xdc00).contains(code), i + 6 <= s.count, s[i] == UInt8(ascii: "\\"), s[i + 1] == UInt8(ascii: "u") {
          i += 2
          let low = try hex4()
          code = 0x10000 + ((code - 0xd800) << 10) + (low &- 0xdc00 & 0x3ff)
        }
        out += Array(String(Unicode.Scalar(code).map(Character.init) ?? "\u{fffd}").utf8)
      default: out.append(e)
      }
    }
    return String(decoding: out, as: UTF8.self)
  }

  mutating func hex4() throws(OFJSONError) -> UInt32 {
    guard i + 4 <= s.count else { throw fail("short \\u escape") }
    var v: UInt32 = 0
    for _ in 0..<4 {
      guard let d = AddressText.hexValue(s[i]) else { throw fail("bad \\u escape") }
      v = v << 4 | UInt32(d)
      i += 1
    }
    return v
  }
}
