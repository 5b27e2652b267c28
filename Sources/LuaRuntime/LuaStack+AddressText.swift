import CLua
import CShim

/// Addresses pushed as Lua strings in AddressText's formats, written into a
/// stack buffer (no Swift String in between).
extension LuaStack {
  /// "aa:bb:cc:dd:ee:ff", as AddressText.mac writes it (colons between any number of bytes).
  func pushMACText(_ b: UnsafeRawBufferPointer) {
    let n = b.count
    if n == 6 { return zs_push_mac6(L, b.baseAddress!.assumingMemoryBound(to: UInt8.self)) }
    guard n > 0 else { return push(b) }
    withUnsafeTemporaryAllocation(of: CChar.self, capacity: 3 * n) { out in
      let hex: StaticString = "0123456789abcdef"
      let h = hex.utf8Start
      for i in 0..<n {
        let x = b[i]
        if i > 0 { out[3 * i - 1] = 0x3a }
        out[3 * i] = CChar(bitPattern: h[Int(x >> 4)])
        out[3 * i + 1] = CChar(bitPattern: h[Int(x & 15)])
      }
      _ = lua_pushlstring(L, out.baseAddress, 3 * n - 1)
    }
  }

  /// Dotted quad, as AddressText.ipv4 writes it.
  func pushIPv4Text(_ v: UInt32) {
    withUnsafeTemporaryAllocation(of: CChar.self, capacity: 15) { out in
      var n = 0
      for shift in stride(from: 24, through: 0, by: -8) {
        let x = UInt8(truncatingIfNeeded: v >> UInt32(shift))
        if shift != 24 { out[n] = 0x2e; n += 1 }
        if x >= 100 { out[n] = CChar(48 + x / 100); n += 1 }
        if x >= 10 { out[n] = CChar(48 + (x / 10) % 10); n += 1 }
        out[n] = CChar(48 + x % 10)
        n += 1
      }
      _ = lua_pushlstring(L, out.baseAddress, n)
    }
  }

  /// 16 bytes as RFC 5952 text (the first longest run of 2+ zero groups as
  /// "::"), as AddressText.ipv6 writes it.
  func pushIPv6Text(_ b: UnsafeRawBufferPointer) {
    func group(_ i: Int) -> Int { Int(UInt16(bigEndian: b.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
    var bestStart = -1, bestLen = 0, i = 0
    while i < 8 {
      guard group(i) == 0 else { i += 1; continue }
      var j = i
      while j < 8 && group(j) == 0 { j += 1 }
      if j - i > bestLen { bestStart = i; bestLen = j - i }
      i = j
    }
    if bestLen < 2 { bestStart = -1 }
    withUnsafeTemporaryAllocation(of: CChar.self, capacity: 40) { out in
      let hex: StaticString = "0123456789abcdef"
      let h = hex.utf8Start
      var n = 0
      i = 0
      while i < 8 {
        if i == bestStart {
          out[n] = 0x3a
          out[n + 1] = 0x3a
          n += 2
          i += bestLen
          continue
        }
        if n > 0 && out[n - 1] != 0x3a { out[n] = 0x3a; n += 1 }
        let g = group(i)
        var shift = g >= 0x1000 ? 12 : g >= 0x100 ? 8 : g >= 0x10 ? 4 : 0
        while shift >= 0 {
          out[n] = CChar(bitPattern: h[(g >> shift) & 15])
          n += 1
          shift -= 4
        }
        i += 1
      }
      _ = lua_pushlstring(L, out.baseAddress, n)
    }
  }
}
