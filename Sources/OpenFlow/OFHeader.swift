/// The 8-byte header every OpenFlow message starts with (all versions).
public struct OFHeader: Equatable, Sendable {
  public static let size = 8
  /// PACKET_IN's type number, the same in every version.
  public static let packetInType: UInt8 = 10

  public var version: UInt8
  public var type: UInt8
  public var length: UInt16
  public var xid: UInt32

  /// Reads a header from the first 8 bytes, or nil when fewer are there.
  public init?(_ buf: UnsafeRawBufferPointer) {
    guard buf.count >= OFHeader.size else { return nil }
    version = buf[0]
    type = buf[1]
    length = UInt16(Self.length(buf))
    xid = Self.xid(buf)
  }

  /// The length field of the message at `offset` (its first 4 bytes must be there).
  public static func length(_ buf: UnsafeRawBufferPointer, at offset: Int = 0) -> Int {
    Int(buf[offset + 2]) << 8 | Int(buf[offset + 3])
  }

  /// The xid of the message at `offset` (its header must be there).
  public static func xid(_ buf: UnsafeRawBufferPointer, at offset: Int = 0) -> UInt32 {
    UInt32(buf[offset + 4]) << 24 | UInt32(buf[offset + 5]) << 16 | UInt32(buf[offset + 6]) << 8 | UInt32(buf[offset + 7])
  }

  /// Writes `xid` into an encoded message in place (templates reuse their bytes).
  public static func patchXid(_ bytes: inout [UInt8], _ xid: UInt32) {
    guard bytes.count >= size else { return }
    bytes[4] = UInt8(truncatingIfNeeded: xid >> 24)
    bytes[5] = UInt8(truncatingIfNeeded: xid >> 16)
    bytes[6] = UInt8(truncatingIfNeeded: xid >> 8)
    bytes[7] = UInt8(truncatingIfNeeded: xid)
  }
}
