// Text forms of MAC, IPv4 and IPv6 addresses, both ways, without Foundation.

enum AddressText {
  static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

  /// "aa:bb:cc:dd:ee:ff" from 6 bytes (any count works; colons between bytes).
  /// Written straight into the string's storage: every decoded packet has two.
  static func mac<C: Collection>(_ b: C) -> String where C.Element == UInt8 {
    let n = b.count
    guard n > 0 else { return "" }
    return String(unsafeUninitializedCapacity: n * 3 - 1) { out in
      var i = 0
      for x in b {
        if i > 0 {
          out[i] = UInt8(ascii: ":")
          i += 1
        }
        out[i] = hexDigits[Int(x >> 4)]
        out[i + 1] = hexDigits[Int(x & 15)]
        i += 2
      }
      return i
    }
  }

  static func hexValue(_ c: UInt8) -> UInt8? {
    switch c {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
    default: return nil
    }
  }

  /// 6 bytes from "aa:bb:cc:dd:ee:ff" (":" or "-"; 1 or 2 digits per byte).
  /// One pass without splitting: it runs for every MAC a FLOW_MOD carries.
  static func parseMAC(_ s: String) -> [UInt8]? {
    var out: [UInt8] = []
    out.reserveCapacity(6)
    var v: UInt8 = 0
    var digits = 0
    for c in s.utf8 {
      if c == UInt8(ascii: ":") || c == UInt8(ascii: "-") {
        guard digits > 0, out.count < 5 else { return nil }
        out.append(v)
        v = 0
        digits = 0
        continue
      }
      guard digits < 2, let d = hexValue(c) else { return nil }
      v = v << 4 | d
      digits += 1
    }
    guard digits > 0, out.count == 5 else { return nil }
    out.append(v)
    return out
  }

  /// Dotted quad, written digit by digit (every decoded packet with IPv4 calls this).
  static func ipv4(_ v: UInt32) -> String {
    String(unsafeUninitializedCapacity: 15) { out in
      var i = 0
      for shift in stride(from: 24, through: 0, by: -8) {
        let b = UInt8(truncatingIfNeeded: v >> UInt32(shift))
        if shift != 24 {
          out[i] = UInt8(ascii: ".")
          i += 1
        }
        if b >= 100 {
          out[i] = 48 + b / 100
          i += 1
        }
        if b >= 10 {
          out[i] = 48 + (b / 10) % 10
          i += 1
        }
        out[i] = 48 + b % 10
        i += 1
      }
      return i
    }
  }

  static func parseIPv4<C: Collection>(bytes s: C) -> UInt32? where C.Element == UInt8 {
    var v: UInt32 = 0
    var parts = 0
    for part in s.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
      guard (1...3).contains(part.count) else { return nil }
      var n: UInt32 = 0
      for c in part {
        guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
        n = n * 10 + UInt32(c - UInt8(ascii: "0"))
      }
      guard n <= 255 else { return nil }
      v = v << 8 | n
      parts += 1
    }
    return parts == 4 ? v : nil
  }

  static func parseIPv4(_ s: String) -> UInt32? { parseIPv4(bytes: s.utf8) }

  /// RFC 5952 text: lower case, the longest run (>= 2) of zero groups as "::".
  static func ipv6<C: Collection>(_ b: C) -> String where C.Element == UInt8 {
    let a = Array(b)
    guard a.count == 16 else { return mac(a) }
    var g = [UInt16](repeating: 0, count: 8)
    for i in 0..<8 { g[i] = UInt16(a[2 * i]) << 8 | UInt16(a[2 * i + 1]) }
    var bestStart = -1, bestLen = 0, i = 0
    while i < 8 {
      if g[i] == 0 {
        var j = i
        while j < 8 && g[j] == 0 { j += 1 }
        if j - i > bestLen { bestStart = i; bestLen = j - i }
        i = j
      } else {
        i += 1
      }
    }
    if bestLen < 2 { bestStart = -1 }
    var out = ""
    i = 0
    while i < 8 {
      if i == bestStart {
        out += "::"
        i += bestLen
        continue
      }
      if !out.isEmpty && !out.hasSuffix(":") { out += ":" }
      out += String(g[i], radix: 16)
      i += 1
    }
    return out
  }

  /// 16 bytes from IPv6 text (with "::" and an optional trailing dotted IPv4).
  static func parseIPv6(_ s: String) -> [UInt8]? {
    let u = Array(s.utf8)
    let colon = UInt8(ascii: ":")
    // Locate a single "::" gap.
    var gap: Int? = nil
    var i = 0
    while i + 1 < u.count {
      if u[i] == colon && u[i + 1] == colon {
        if gap != nil { return nil }
        gap = i
        i += 2
      } else {
        i += 1
      }
    }
    func groups(_ part: ArraySlice<UInt8>, allowV4: Bool) -> [UInt16]? {
      if part.isEmpty { return [] }
      let pieces = part.split(separator: colon, omittingEmptySubsequences: false)
      var out: [UInt16] = []
      for (k, p) in pieces.enumerated() {
        if allowV4 && k == pieces.count - 1 && p.contains(UInt8(ascii: ".")) {
          guard let v4 = parseIPv4(bytes: p) else { return nil }
          out.append(UInt16(truncatingIfNeeded: v4 >> 16))
          out.append(UInt16(truncatingIfNeeded: v4))
          continue
        }
        guard (1...4).contains(p.count) else { return nil }
        var v: UInt16 = 0
        for c in p {
          guard let d = hexValue(c) else { return nil }
          v = v << 4 | UInt16(d)
        }
        out.append(v)
      }
      return out
    }
    var all: [UInt16]
    if let g = gap {
      guard let h = groups(u[0..<g], allowV4: false), let t = groups(u[(g + 2)...], allowV4: true),
        h.count + t.count <= 7 else { return nil }
      all = h + [UInt16](repeating: 0, count: 8 - h.count - t.count) + t
    } else {
      guard let h = groups(u[...], allowV4: true), h.count == 8 else { return nil }
      all = h
    }
    var out: [UInt8] = []
    out.reserveCapacity(16)
    for g in all {
      out.append(UInt8(truncatingIfNeeded: g >> 8))
      out.append(UInt8(truncatingIfNeeded: g))
    }
    return out
  }
}

extension AddressText {
  /// Bytes from hex text; whitespace is skipped. Nil for any other character or an odd digit count.
  public static func parseHex<S: Sequence>(_ text: S) -> [UInt8]? where S.Element == UInt8 {
    var out: [UInt8] = []
    var hi: UInt8? = nil
    for c in text {
      if c == 32 || c == 9 || c == 10 || c == 13 { continue }
      guard let d = hexValue(c) else { return nil }
      if let h = hi { out.append(h << 4 | d); hi = nil } else { hi = d }
    }
    return hi == nil ? out : nil
  }

  public static func parseHex(_ s: String) -> [UInt8]? { parseHex(s.utf8) }
}
