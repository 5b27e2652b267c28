// PACKET_IN read in place, for a caller that builds its own picture of the
// message without OFValues (the app runtime's event tables). `init` checks
// the frame whole, once, against what OFCodec.decode accepts; the readers
// after it then need no checks, and are inlinable so that a caller in another
// module reads a field as cheaply as if the offsets were its own.

/// A port number as the wire has it: an ordinary number, or reserved port
/// `k` of IN_PORT, TABLE, NORMAL, FLOOD, ALL, CONTROLLER, LOCAL, ANY (counted
/// from 0xfff8 on 1.0, 0xfffffff8 later; 1.0's NONE is ANY, as the codec
/// shows it).
public enum OFWirePort: Equatable {
  case number(UInt64)
  case reserved(Int)

  /// A 1.0 port (16 bits).
  @inlinable @inline(__always)
  public static func v10(_ v: UInt16) -> OFWirePort {
    v >= 0xfff8 ? .reserved(Int(v - 0xfff8)) : .number(UInt64(v))
  }

  /// A 1.1+ port (32 bits).
  @inlinable @inline(__always)
  public static func v11(_ v: UInt32) -> OFWirePort {
    v >= 0xffff_fff8 ? .reserved(Int(v - 0xffff_fff8)) : .number(UInt64(v))
  }
}

/// A checked PACKET_IN of any version, its fields read off the frame.
public struct OFPacketInView {
  /// The whole message, header included.
  public let bytes: UnsafeRawBufferPointer
  public let version: UInt8
  /// The OXM match's fields are bytes[matchStart..<matchEnd] (1.2+; empty before).
  public private(set) var matchStart = 0, matchEnd = 0
  /// Fields in the match, a mask counting as one more (the codec's `match` table's size).
  public private(set) var matchFieldCount = 0
  /// Where the packet data starts.
  public private(set) var dataStart = 0
  /// Offset of the match's in_port value, -1 without one (1.2+).
  @usableFromInline var inPortAt = -1

  /// Nil for anything else, and for a PACKET_IN that OFCodec.decode rejects
  /// (which words the error). Not inlinable: it reads the OXM table, a lazily
  /// made global, which costs a call more per field from another module.
  public init?(_ b: UnsafeRawBufferPointer) {
    bytes = b
    let n = b.count
    guard n >= OFHeader.size, b[1] == OFHeader.packetInType, (OFVersion.v1_0...OFVersion.v1_5).contains(b[0]),
          Self.u16(b, 2) == n
    else { return nil }
    version = b[0]
    switch version {
    case OFVersion.v1_0:
      guard n >= Self.data10 else { return nil }
      dataStart = Self.data10
      return
    case OFVersion.v1_1:
      guard n >= Self.data11 else { return nil }
      dataStart = Self.data11
      return
    default:
      break
    }
    let m = Self.matchAt(version)
    guard n >= m + 4, Self.u16(b, m) == Int(OFCodec.matchTypeOXM) else { return nil }
    let len = Self.u16(b, m + 2)
    guard len >= 4, m + len <= n else { return nil }
    matchStart = m + 4
    matchEnd = m + len
    var q = matchStart
    while q < matchEnd {
      guard matchEnd - q >= 4 else { return nil }
      let cls = UInt16(Self.u16(b, q)), field = b[q + 2], l = Int(b[q + 3])
      guard q + 4 + l <= matchEnd else { return nil }
      let masked = field & 1 != 0
      if cls == OXMField.basicClass, let size = OXMField.layout(field >> 1)?.size {
        guard l == size * (masked ? 2 : 1) else { return nil }
        if field >> 1 == 0 { inPortAt = q + 4 }
      } else if masked {
        let head = cls == OXMField.experimenterClass ? 4 : 0
        guard l >= head, (l - head) % 2 == 0 else { return nil }
      }
      // A field twice is an error the codec words.
      var p = matchStart
      while p < q {
        guard Self.u16(b, p) != Int(cls) || b[p + 2] >> 1 != field >> 1 else { return nil }
        p += 4 + Int(b[p + 3])
      }
      matchFieldCount += masked ? 2 : 1
      q += 4 + l
    }
    // The match is padded to 8, then come 2 bytes of pad.
    dataStart = matchEnd + (8 - len % 8) % 8 + 2
    guard dataStart <= n else { return nil }
  }

  /// Where the data of a PACKET_IN that `init` took starts, found again
  /// without checking its match field by field; nil if `b` is no such frame.
  @inlinable
  public static func dataStart(in b: UnsafeRawBufferPointer) -> Int? {
    let n = b.count
    guard n >= OFHeader.size, b[1] == OFHeader.packetInType else { return nil }
    switch b[0] {
    case OFVersion.v1_0: return n >= data10 ? data10 : nil
    case OFVersion.v1_1: return n >= data11 ? data11 : nil
    case OFVersion.v1_2...OFVersion.v1_5:
      let m = matchAt(b[0])
      guard n >= m + 4 else { return nil }
      let len = u16(b, m + 2)
      let data = m + len + (8 - len % 8) % 8 + 2
      return len >= 4 && data <= n ? data : nil
    default: return nil
    }
  }

  // MARK: fields

  /// Top-level fields OFCodec.decode gives this message.
  @inlinable public var fieldCount: Int {
    switch version {
    case OFVersion.v1_0, OFVersion.v1_2: return 6
    case OFVersion.v1_1: return 7
    default: return inPortAt >= 0 ? 8 : 7
    }
  }

  /// NO_BUFFER: the packet is in `data` only.
  @inlinable public static var noBuffer: UInt32 { 0xffff_ffff }

  @inlinable public var bufferId: UInt32 { u32(8) }

  @inlinable public var totalLen: UInt16 { u16(version == OFVersion.v1_1 ? 20 : 12) }

  /// The in_port at the message's top level, as OFCodec.decode gives it: 1.2
  /// has none there, nor has a 1.3+ message whose match lacks it.
  @inlinable public var inPort: OFWirePort? {
    switch version {
    case OFVersion.v1_0: return .v10(u16(14))
    case OFVersion.v1_1: return .v11(u32(12))
    case OFVersion.v1_2: return nil
    default: return inPortAt >= 0 ? .v11(u32(inPortAt)) : nil
    }
  }

  /// 1.1 only.
  @inlinable public var inPhyPort: OFWirePort? { version == OFVersion.v1_1 ? .v11(u32(16)) : nil }

  /// The reason's number (OFPacketInNames.reason has its names).
  @inlinable public var reason: UInt8 {
    switch version {
    case OFVersion.v1_0: return bytes[16]
    case OFVersion.v1_1: return bytes[22]
    default: return bytes[14]
    }
  }

  /// 1.1+.
  @inlinable public var tableId: UInt8? {
    switch version {
    case OFVersion.v1_0: return nil
    case OFVersion.v1_1: return bytes[23]
    default: return bytes[15]
    }
  }

  /// 1.3+.
  @inlinable public var cookie: UInt64? { version >= OFVersion.v1_3 ? u64(16) : nil }

  @inlinable public var data: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[dataStart...]) }

  // MARK: the match's fields

  /// One field of the OXM match (a TLV): where it sits, and for a basic
  /// field the OXM table knows, what its value is.
  public struct MatchField {
    public let oxmClass: UInt16
    /// The field number (without the mask bit).
    public let number: UInt8
    public let masked: Bool
    /// Offset of the value; the mask, if any, follows it.
    public let value: Int
    /// Bytes of value and mask together.
    public let length: Int
    /// The value's size and kind when OXMField.all has the field; nil for
    /// another class, or a basic field it lacks (the codec names those
    /// `oxm_cccc_n` and gives their bytes).
    public let basic: (size: Int, kind: OXMKind)?

    /// Where the next field starts.
    @inlinable public var end: Int { value + length }

    /// The value's length: the mask's is what is left (an experimenter
    /// field's id goes with its value).
    @inlinable public var valueLength: Int {
      if let basic { return basic.size }
      guard masked else { return length }
      let head = oxmClass == OXMField.experimenterClass ? 4 : 0
      return head + (length - head) / 2
    }
  }

  /// The match field at `q`, from matchStart on (each field's `end` is the
  /// next one's start, up to matchEnd). Not inlinable, as `init`.
  public func matchField(at q: Int) -> MatchField {
    let cls = UInt16(Self.u16(bytes, q)), field = bytes[q + 2]
    let number = field >> 1
    return MatchField(oxmClass: cls, number: number, masked: field & 1 != 0, value: q + 4, length: Int(bytes[q + 3]),
                      basic: cls == OXMField.basicClass ? OXMField.layout(number) : nil)
  }

  // MARK: reading the frame

  /// 1.0's and 1.1's data offsets (no match before it), and where the match starts on 1.2 and 1.3+.
  @inlinable static var data10: Int { 18 }
  @inlinable static var data11: Int { 24 }
  @inlinable static func matchAt(_ version: UInt8) -> Int { version == OFVersion.v1_2 ? 16 : 24 }

  @inlinable @inline(__always)
  static func u16(_ b: UnsafeRawBufferPointer, _ o: Int) -> Int {
    Int(UInt16(bigEndian: b.loadUnaligned(fromByteOffset: o, as: UInt16.self)))
  }

  @inlinable @inline(__always) public func u16(_ o: Int) -> UInt16 {
    UInt16(bigEndian: bytes.loadUnaligned(fromByteOffset: o, as: UInt16.self))
  }

  @inlinable @inline(__always) public func u32(_ o: Int) -> UInt32 {
    UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: o, as: UInt32.self))
  }

  @inlinable @inline(__always) public func u64(_ o: Int) -> UInt64 {
    UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: o, as: UInt64.self))
  }

  /// A big-endian number of `size` bytes (1...8) at `o`.
  @inlinable public func uint(_ o: Int, size: Int) -> UInt64 {
    switch size {
    case 1: return UInt64(bytes[o])
    case 2: return UInt64(u16(o))
    case 4: return UInt64(u32(o))
    case 8: return u64(o)
    default:
      var v: UInt64 = 0
      for i in 0..<size { v = v << 8 | UInt64(bytes[o + i]) }
      return v
    }
  }
}
