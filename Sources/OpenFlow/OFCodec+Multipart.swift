// Multipart (1.0: stats) requests and replies: "REQUEST.<NAME>" / "REPLY.<NAME>".

enum OFMultipartNames {
  static let requestFlags = FlagTable([("REQ_MORE", 1, 1), ("MORE", 1, 1)])
  static let replyFlags = FlagTable([("REPLY_MORE", 1, 1), ("MORE", 1, 1)])
}

extension OFCodec {
  static func decodeMultipart(_ kind: MsgKind, _ v: UInt8, _ name: String, _ r: inout ByteReader) throws(OFCodecError) -> OFValue {
    let headerAt = r.offset
    try r.need(multipartHeaderSize(v), "multipart header")
    let mpType = try r.u16("multipart type")
    let flags = UInt64(try r.u16("multipart flags"))
    if v != OFVersion.v1_0 { try r.skip(4) }
    guard let mp = OFTypes.mpKind(v, mpType) else {
      // Unknown body type: keep everything after the OpenFlow header.
      var whole = ByteReader(r.buf, context: r.context, from: headerAt)
      return rawUnknown(r.buf[1], &whole).withReaderAtEnd(&r)
    }
    let request = kind == .MULTIPART_REQUEST
    let flagTable = request ? OFMultipartNames.requestFlags : OFMultipartNames.replyFlags
    var f = [OFField("flags", flagTable.decode(flags))]
    guard let spec = Specs.multipart(mp, request: request, v, name: name) else {
      f.append(OFField("data", .bytes(r.rest())))
      return .table(f)
    }
    f += try decodeFields(spec, &r, v)
    return .table(f)
  }

  static func encodeMultipart(_ kind: MsgKind, _ mpType: UInt16, _ m: OFValue, _ e: inout OFEncoder) throws(OFCodecError) {
    let request = kind == .MULTIPART_REQUEST
    e.out.u16(mpType)
    e.out.u16(UInt16(truncatingIfNeeded: try e.flags(m, "flags", request ? OFMultipartNames.requestFlags : OFMultipartNames.replyFlags, bits: 16)))
    if e.version != OFVersion.v1_0 { e.out.zeros(4) }
    guard let mp = OFTypes.mpKind(e.version, mpType), let spec = Specs.multipart(mp, request: request, e.version, name: e.type),
      !isRawForm(m, spec)
    else { return try encodeRaw(m, &e, allowing: ["flags"]) }
    try encodeFields(spec, m, &e, allowing: ["flags"])
  }
}

extension OFValue {
  /// Marks `r` consumed after a value was built from a copy of its bytes.
  fileprivate func withReaderAtEnd(_ r: inout ByteReader) -> OFValue {
    _ = r.rest()
    return self
  }
}
