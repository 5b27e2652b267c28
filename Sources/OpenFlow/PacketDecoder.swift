/// Ethernet frame -> flat table of OXM-named fields, so one filter works on
/// a match and on a packet. Never throws: a header is decoded only when it is
/// there whole; decoding stops at the first one that is not, and `payload`
/// holds the bytes after the last decoded header. The layers live in the
/// Packet+<protocol>.swift files, each next to its builder half.
public enum PacketDecoder {
  /// A non-throwing cursor; every read is bounds-checked by `has` first.
  /// `end` shrinks when a length field says the rest is padding.
  struct Cursor {
    let buf: UnsafeRawBufferPointer
    var pos: Int
    var end: Int
    func has(_ n: Int) -> Bool { n >= 0 && n <= end - pos }
    func u8(_ at: Int) -> UInt8 { buf[pos + at] }
    func u16(_ at: Int) -> UInt16 { UInt16(buf[pos + at]) << 8 | UInt16(buf[pos + at + 1]) }
    func u32(_ at: Int) -> UInt32 { UInt32(u16(at)) << 16 | UInt32(u16(at + 2)) }
    func slice(_ at: Int, _ n: Int) -> Slice<UnsafeRawBufferPointer> { buf[(pos + at)..<(pos + at + n)] }
    func bytes(_ at: Int, _ n: Int) -> [UInt8] { Array(slice(at, n)) }
  }

  public static func decode(_ frame: UnsafeRawBufferPointer) -> OFValue {
    var c = Cursor(buf: frame, pos: 0, end: frame.count)
    // Ethernet + IPv4 + TCP is 20 fields with the payload: one allocation.
    var f: [OFField] = []
    f.reserveCapacity(24)
    decodeEthernet(&c, &f)
    let payload = c.pos < c.end ? Array(frame[c.pos..<c.end]) : []
    f.append(OFField("payload", .bytes(payload)))
    return .table(f)
  }

  /// Text when the bytes are UTF-8, else bytes: names and descriptions that
  /// are text read as text, and anything else still builds back exactly.
  static func textOrBytes(_ s: Slice<UnsafeRawBufferPointer>) -> OFValue {
    if let t = String(validating: s, as: UTF8.self) { return .string(t) }
    return .bytes(Array(s))
  }
}

extension [OFField] {
  @inline(__always)
  mutating func add<T: FixedWidthInteger>(_ name: String, _ v: T) { append(OFField(name, .uint(UInt64(v)))) }
  @inline(__always)
  mutating func add(_ name: String, _ v: OFValue) { append(OFField(name, v)) }
}
