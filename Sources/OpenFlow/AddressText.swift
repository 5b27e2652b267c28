// Text forms of MAC, IPv4 and IPv6 addresses, both ways, without Foundation.

enum AddressText {
  static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

  /// "aa:bb:cc:dd:ee:ff" from 6 bytes (any count works; colons between bytes).
  static func mac<C: Collection>(_ b: C) -> String where C.Element == UInt8 {
    var out: [UInt8] = []
    out.reserveCapacity(b.count * 3)
    for (i, x) in b.enumerated() {
      if i > 0 { out.append(UInt8(ascii: ":")) }
      out.append(hexDigits[Int(x >> 4)])
      out.append(hexDigits[Int(x & 15)])
    }
    return String(decoding: out, as: UTF8.self)
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
  static func parseMAC(_ s: String) -> [UInt8]? {
    var out: [UInt8] = []
    out.reserveCapacity(6)
    for part in s.utf8.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
      .flatMap({ $0.split(separator: UInt8(ascii: "-"), omittingEmptySubsequences: false) }) {
      guard (1...2).contains(part.count) else { return nil }
      var v: UInt8 = 0
      for c in part {
        guard let d = hexValue(c) else { return nil }
        v = v << 4 | d
      }
      out.append(v)
    }
    return out.count == 6 ? out : nil
  }

  static func ipv4(_ v: UInt32) -> String {
    "\(v >> 24).\((v >> 16) & 255).\((v >> 8) & 255).\(v & 255)"
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
