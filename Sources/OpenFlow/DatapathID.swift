/// Datapath ids as text: "00:00:00:00:00:00:00:01".
public enum DatapathID {
  public static func format(_ id: UInt64) -> String {
    var b = [UInt8](repeating: 0, count: 8)
    for i in 0..<8 { b[i] = UInt8(truncatingIfNeeded: id >> UInt64(56 - 8 * i)) }
    return AddressText.mac(b)
  }

  /// Accepts the colon form (8 groups of 1-2 hex digits), "0x" hex, or decimal.
  public static func parse(_ s: String) -> UInt64? {
    if s.hasPrefix("0x") || s.hasPrefix("0X") {
      let h = s.dropFirst(2)
      return h.isEmpty || h.count > 16 ? nil : UInt64(h, radix: 16)
    }
    if !s.contains(":") { return UInt64(s) }
    let parts = s.utf8.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
    guard parts.count == 8 else { return nil }
    var v: UInt64 = 0
    for p in parts {
      guard (1...2).contains(p.count) else { return nil }
      var byte: UInt64 = 0
      for c in p {
        guard let d = AddressText.hexValue(c) else { return nil }
        byte = byte << 4 | UInt64(d)
      }
      v = v << 8 | byte
    }
    return v
  }
}
