/// Big-endian appends into one growing array, with length patching for
/// structures whose size is known only after their contents are written.
public struct ByteWriter {
  public var bytes: [UInt8]

  public init(capacity: Int = 64) {
    bytes = []
    bytes.reserveCapacity(capacity)
  }

  public var count: Int { bytes.count }

  public mutating func u8(_ v: UInt8) { bytes.append(v) }

  public mutating func u16(_ v: UInt16) {
    bytes.append(UInt8(truncatingIfNeeded: v >> 8))
    bytes.append(UInt8(truncatingIfNeeded: v))
  }

  public mutating func u32(_ v: UInt32) {
    u16(UInt16(truncatingIfNeeded: v >> 16))
    u16(UInt16(truncatingIfNeeded: v))
  }

  public mutating func u64(_ v: UInt64) {
    u32(UInt32(truncatingIfNeeded: v >> 32))
    u32(UInt32(truncatingIfNeeded: v))
  }

  /// The low `size` bytes of `v`, big-endian.
  public mutating func uint(_ v: UInt64, size: Int) {
    var i = size
    while i > 0 {
      i -= 1
      bytes.append(i >= 8 ? 0 : UInt8(truncatingIfNeeded: v >> (UInt64(i) * 8)))
    }
  }

  public mutating func append<C: Collection>(_ b: C) where C.Element == UInt8 { bytes.append(contentsOf: b) }

  public mutating func zeros(_ n: Int) {
    guard n > 0 else { return }
    bytes.append(contentsOf: repeatElement(0, count: n))
  }

  /// Zero-pads so that the bytes written since `start` are a multiple of 8.
  public mutating func pad8(from start: Int) {
    let used = count - start
    zeros((8 - used % 8) % 8)
  }

  public mutating func patchU16(at offset: Int, _ v: UInt16) {
    guard offset >= 0, offset + 2 <= bytes.count else { return }
    bytes[offset] = UInt8(truncatingIfNeeded: v >> 8)
    bytes[offset + 1] = UInt8(truncatingIfNeeded: v)
  }
}
