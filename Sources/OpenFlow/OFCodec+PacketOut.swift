// PACKET_OUT: buffer_id, in_port, actions, data (1.0 ports are 16-bit).
// `pkt` (packet fields, see PacketBuilder) may stand in for `data`.

extension OFCodec {
  static func decodePacketOut(_ r: inout ByteReader, _ v: UInt8) throws(OFCodecError) -> OFValue {
    let buffer = OFNames.buffer.decode(UInt64(try r.u32("buffer_id")))
    let inPort = try readPortNo(&r, v, "in_port")
    let at = r.offset
    let actionsLen = Int(try r.u16("actions_len"))
    if v != OFVersion.v1_0 { try r.skip(6) }
    guard actionsLen <= r.remaining else {
      throw r.error("actions_len \(actionsLen) overruns the message (\(r.remaining) bytes left)", at: at)
    }
    var a = try r.sub(actionsLen, "actions")
    let actions = try decodeActions(&a, v)
    return .table([
      OFField("buffer_id", buffer), OFField("in_port", inPort), OFField("actions", actions),
      OFField("data", .bytes(r.rest())),
    ])
  }

  static func encodePacketOut(_ m: OFValue, _ e: inout OFEncoder) throws(OFCodecError) {
    e.out.u32(UInt32(truncatingIfNeeded: try e.field(m, "buffer_id", names: OFNames.buffer, bits: 32, default: 0xffff_ffff)))
    writePortNo(try e.port(m, "in_port", default: "CONTROLLER"), &e)
    let lenAt = e.out.count
    e.out.u16(0)
    if e.version != OFVersion.v1_0 { e.out.zeros(6) }
    let start = e.out.count
    try encodeActions(try e.list(m, "actions"), &e)
    e.out.patchU16(at: lenAt, UInt16(truncatingIfNeeded: e.out.count - start))
    e.out.append(try e.bytes(m, "data"))
  }

  /// Replaces `pkt` by the `data` it builds, before either body encoder (the
  /// hand-written one or 1.5's spec) sees the message.
  static func withBuiltPacket(_ msg: OFValue, _ e: OFEncoder) throws(OFCodecError) -> OFValue {
    guard var f = msg.fields, let i = f.firstIndex(where: { $0.name == "pkt" }) else { return msg }
    guard msg["data"] == nil else { throw e.fail("give `pkt` or `data`, not both") }
    do {
      f[i] = OFField("data", .bytes(try PacketBuilder.build(f[i].value)))
    } catch {
      throw e.fail(error.description)
    }
    return .table(f)
  }
}
