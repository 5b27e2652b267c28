// The Internet checksum (RFC 1071) and CRC32c (SCTP).

enum Checksum {
  /// Adds the bytes as big-endian 16-bit words (an odd last byte is the high
  /// half of a word) to an unfolded sum. 64 bits cannot overflow here.
  static func add(_ b: ArraySlice<UInt8>, _ sum: UInt64) -> UInt64 {
    var s = sum
    var i = b.startIndex
    while i + 1 < b.endIndex {
      s += UInt64(b[i]) << 8 | UInt64(b[i + 1])
      i += 2
    }
    if i < b.endIndex { s += UInt64(b[i]) << 8 }
    return s
  }

  /// The one's complement of the folded sum: the value to write.
  static func fold(_ sum: UInt64) -> UInt16 {
    var s = sum
    while s >> 16 != 0 { s = (s & 0xffff) + (s >> 16) }
    return ~UInt16(s)
  }

  /// Castagnoli polynomial, reflected.
  static let crc32cTable: [UInt32] = (0..<256).map { n in
    var c = UInt32(n)
    for _ in 0..<8 { c = c & 1 != 0 ? 0x82f6_3b78 ^ (c >> 1) : c >> 1 }
    return c
  }

  static func crc32c(_ b: ArraySlice<UInt8>) -> UInt32 {
    var crc: UInt32 = 0xffff_ffff
    for x in b { crc = crc32cTable[Int((crc ^ UInt32(x)) & 0xff)] ^ (crc >> 8) }
    return ~crc
  }
}
