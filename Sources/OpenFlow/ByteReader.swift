/// Bounds-checked big-endian reads over a message buffer. Every read checks the
/// remaining length first and throws an `OFCodecError` carrying the absolute
/// offset, so decoders never trap on bad input.
public struct ByteReader {
  public let buf: UnsafeRawBufferPointer
  /// Absolute offset into `buf` of the next byte.
  public private(set) var offset: Int
  /// Reads stop here (a sub-reader ends where its structure ends).
  public let end: Int
  /// Message type named in errors.
  public let context: String

  public init(_ buf: UnsafeRawBufferPointer, context: String, from start: Int = 0, to end: Int? = nil) {
    self.buf = buf
    self.context = context
    let e = Swift.max(0, Swift.min(end ?? buf.count, buf.count))
    self.end = e
    self.offset = Swift.max(0, Swift.min(start, e))
  }

  public var remaining: Int { end - offset }
  public var isAtEnd: Bool { offset >= end }

  public func error(_ reason: String) -> OFCodecError { OFCodecError(context, offset: offset, reason) }
  public func error(_ reason: String, at offset: Int) -> OFCodecError { OFCodecError(context, offset: offset, reason) }

  @inline(__always)
  public func need(_ n: Int, _ what: String) throws(OFCodecError) {
    guard n >= 0, n <= end - offset else {
      throw error("truncated \(what): needs \(n) bytes, \(end - offset) left")
    }
  }

  public mutating func u8(_ what: String = "field") throws(OFCodecError) -> UInt8 {
    try need(1, what)
    defer { offset += 1 }
    return buf[offset]
  }

  public mutating func u16(_ what: String = "field") throws(OFCodecError) -> UInt16 {
    try need(2, what)
    defer { offset += 2 }
    return UInt16(bigEndian: buf.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
  }

  public mutating func u32(_ what: String = "field") throws(OFCodecError) -> UInt32 {
    try need(4, what)
    defer { offset += 4 }
    return UInt32(bigEndian: buf.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
  }

  public mutating func u64(_ what: String = "field") throws(OFCodecError) -> UInt64 {
    try need(8, what)
    defer { offset += 8 }
    return UInt64(bigEndian: buf.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
  }

  /// An unsigned big-endian number of 1...8 bytes (OXM fields like pbb_isid are 3).
  public mutating func uint(size: Int, _ what: String = "field") throws(OFCodecError) -> UInt64 {
    guard size >= 0, size <= 8 else { throw error("\(what): \(size)-byte number is too wide") }
    try need(size, what)
    var v: UInt64 = 0
    for i in 0..<size { v = v << 8 | UInt64(buf[offset + i]) }
    offset += size
    return v
  }

  public mutating func skip(_ n: Int, _ what: String = "padding") throws(OFCodecError) {
    try need(n, what)
    offset += n
  }

  /// Copies `n` bytes; `n` is checked against what is there before allocating.
  public mutating func bytes(_ n: Int, _ what: String = "bytes") throws(OFCodecError) -> [UInt8] {
    try need(n, what)
    defer { offset += n }
    return Array(buf[offset..<(offset + n)])
  }

  /// Everything up to `end`.
  public mutating func rest() -> [UInt8] {
    guard offset < end else { return [] }
    defer { offset = end }
    return Array(buf[offset..<end])
  }

  /// Carves the next `n` bytes off as their own reader (same absolute offsets).
  public mutating func sub(_ n: Int, _ what: String) throws(OFCodecError) -> ByteReader {
    try need(n, what)
    let r = ByteReader(buf, context: context, from: offset, to: offset + n)
    offset += n
    return r
  }

  /// Peeks a big-endian u16 `ahead` bytes from the current offset without moving.
  public func peekU16(_ ahead: Int = 0) -> UInt16? {
    guard ahead >= 0, ahead + 2 <= end - offset else { return nil }
    return UInt16(bigEndian: buf.loadUnaligned(fromByteOffset: offset + ahead, as: UInt16.self))
  }

  /// Fails when bytes are left over in a structure that must be consumed whole.
  public func expectEnd(_ what: String) throws(OFCodecError) {
    guard offset == end else { throw error("\(end - offset) unexpected bytes after \(what)") }
  }
}
