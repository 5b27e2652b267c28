/// Encoding state: the output, the target version, and the message type for
/// errors. Field readers here apply defaults and range checks so every
/// encoder reports bad fields the same way.
struct OFEncoder {
  var out: ByteWriter
  let version: UInt8
  let type: String

  init(version: UInt8, type: String) {
    self.version = version
    self.type = type
    out = ByteWriter(capacity: 128)
  }

  var versionText: String { OFNames.versionText(version) }

  func fail(_ reason: String) -> OFCodecError { OFCodecError(type, offset: out.count, reason) }

  func cannot(_ what: String) -> OFCodecError { fail("\(what) cannot be expressed in \(versionText)") }

  static func parseNumber(_ s: String) -> UInt64? {
    if s.hasPrefix("0x") || s.hasPrefix("0X") { return UInt64(s.dropFirst(2), radix: 16) }
    return UInt64(s)
  }

  /// Fails on a field `m` has but the body does not: a typo must not fall back to a default.
  func only(_ m: OFValue, _ known: Set<String>) throws(OFCodecError) {
    for f in m.fields ?? [] where !known.contains(f.name) { throw fail("\(type) has no field `\(f.name)` in \(versionText)") }
  }

  /// A number that fits in `bits`, given as a number, numeric text or a name of `names`.
  func number(_ v: OFValue, _ field: String, names: NameTable? = nil, bits: Int) throws(OFCodecError) -> UInt64 {
    let n: UInt64
    switch v {
    case .string(let s):
      if let x = names?.value(s) ?? OFEncoder.parseNumber(s) {
        n = x
      } else {
        throw fail("unknown \(field) '\(s)'" + (names.map { "; expected one of " + $0.entries.map(\.name).joined(separator: ", ") + " or a number" } ?? ""))
      }
    default:
      guard let x = v.uint else {
        // Lua's integers are signed 64-bit: 0xffffffffffffffff arrives as -1,
        // so a 64-bit field takes a negative number as its bit pattern.
        if case .int(let i) = v, bits >= 64 { n = UInt64(bitPattern: i); break }
        if case .int(let i) = v { throw fail("\(field) is negative (\(i))") }
        throw fail("\(field) must be a number" + (names == nil ? "" : " or a name"))
      }
      n = x
    }
    guard bits >= 64 || n >> UInt64(bits) == 0 else { throw fail("\(field) \(n) does not fit in \(bits) bits") }
    return n
  }

  /// t[name] as a number; `default` nil means required.
  func field(_ t: OFValue, _ name: String, names: NameTable? = nil, bits: Int, default def: UInt64?) throws(OFCodecError) -> UInt64 {
    guard let v = t[name] else {
      if let def { return def }
      throw fail("missing field `\(name)`")
    }
    return try number(v, name, names: names, bits: bits)
  }

  func port(_ v: OFValue, _ field: String) throws(OFCodecError) -> UInt64 {
    try number(v, field, names: OFNames.ports(version), bits: OFNames.portBits(version))
  }

  /// A port field; `default` is a reserved port name ("ANY", "CONTROLLER").
  func port(_ t: OFValue, _ name: String, default def: String?) throws(OFCodecError) -> UInt64 {
    guard let v = t[name] else {
      guard let def, let n = OFNames.ports(version).value(def) else { throw fail("missing field `\(name)`") }
      return n
    }
    return try port(v, name)
  }

  /// Items of a list field; missing or an empty table is an empty list.
  func list(_ t: OFValue, _ name: String) throws(OFCodecError) -> [OFValue] {
    guard let v = t[name] else { return [] }
    return try items(v, name)
  }

  func items(_ v: OFValue, _ name: String) throws(OFCodecError) -> [OFValue] {
    switch v {
    case .list(let l): return l
    case .table(let f) where f.isEmpty: return []
    default: throw fail("`\(name)` must be a list")
    }
  }

  /// Flags from a list of names/numbers (a single name or a number also works).
  func flags(_ t: OFValue, _ name: String, _ table: FlagTable, bits: Int) throws(OFCodecError) -> UInt64 {
    guard let v = t[name] else { return 0 }
    var out: UInt64 = 0
    switch v {
    case .string, .uint, .int:
      out = try number(v, name, names: table.names, bits: bits)
    default:
      for item in try items(v, name) { out |= try number(item, name, names: table.names, bits: bits) }
    }
    return out
  }

  func bytes(_ t: OFValue, _ name: String) throws(OFCodecError) -> [UInt8] {
    guard let v = t[name] else { return [] }
    guard let b = v.bytes else { throw fail("`\(name)` must be bytes (a string)") }
    return b
  }

  func table(_ t: OFValue, _ name: String) throws(OFCodecError) -> OFValue {
    guard let v = t[name] else { return .emptyTable }
    if v.fields != nil { return v }
    if v == .list([]) { return .emptyTable }
    throw fail("`\(name)` must be a table")
  }

  func mac(_ v: OFValue, _ field: String) throws(OFCodecError) -> [UInt8] {
    if case .string(let s) = v, let m = AddressText.parseMAC(s) { return m }
    if case .bytes(let b) = v, b.count == 6 { return b }
    if let n = v.uint, n >> 48 == 0 {
      var out: [UInt8] = []
      for i in (0..<6).reversed() { out.append(UInt8(truncatingIfNeeded: n >> UInt64(i * 8))) }
      return out
    }
    throw fail("\(field) must be a MAC address like \"aa:bb:cc:dd:ee:ff\"")
  }

  func ipv4(_ v: OFValue, _ field: String) throws(OFCodecError) -> UInt32 {
    if case .string(let s) = v, let a = AddressText.parseIPv4(s) { return a }
    if let n = v.uint, n >> 32 == 0 { return UInt32(truncatingIfNeeded: n) }
    throw fail("\(field) must be an IPv4 address like \"10.0.0.1\"")
  }

  func ipv6(_ v: OFValue, _ field: String) throws(OFCodecError) -> [UInt8] {
    if case .string(let s) = v, let a = AddressText.parseIPv6(s) { return a }
    if case .bytes(let b) = v, b.count == 16 { return b }
    throw fail("\(field) must be an IPv6 address like \"2001:db8::1\"")
  }
}
