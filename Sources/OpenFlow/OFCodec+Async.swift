// GET_ASYNC_REPLY / SET_ASYNC (and 1.4+ GET_ASYNC_REQUEST): one table on every
// version: <event>_<role> = flags of reasons. 1.3 has fixed pairs of masks
// (index 0 master/equal, 1 slave); 1.4+ sends the same masks as properties.

enum OFAsync {
  /// (field, reason flags), in 1.4 property-type order (type = index).
  static let masks: [(String, FlagTable)] = [
    ("packet_in_slave", N.packetInReasonBits), ("packet_in_master", N.packetInReasonBits),
    ("port_status_slave", N.portReasonBits), ("port_status_master", N.portReasonBits),
    ("flow_removed_slave", N.flowRemovedReasonBits), ("flow_removed_master", N.flowRemovedReasonBits),
    ("role_status_slave", N.roleReasonBits), ("role_status_master", N.roleReasonBits),
    ("table_status_slave", N.tableReasonBits), ("table_status_master", N.tableReasonBits),
    ("requestforward_slave", N.requestForwardBits), ("requestforward_master", N.requestForwardBits),
  ]
  static let v13Order = [1, 0, 3, 2, 5, 4]
  static let props = PropSet([], experimenter: [0xfffe, 0xffff])
}

extension OFCodec {
  static func decodeAsync(_ r: inout ByteReader, _ v: UInt8) throws(OFCodecError) -> OFValue {
    var f: [OFField] = []
    if v == OFVersion.v1_3 {
      for i in OFAsync.v13Order {
        let (n, t) = OFAsync.masks[i]
        f.append(OFField(n, t.decode(UInt64(try r.u32(n)))))
      }
      return .table(f)
    }
    var others: [OFValue] = []
    while !r.isAtEnd {
      let at = r.offset
      if let type = r.peekU16().map(Int.init), type < OFAsync.masks.count, r.peekU16(2) == 8 {
        try r.skip(4)
        let (n, t) = OFAsync.masks[type]
        guard !f.contains(where: { $0.name == n }) else { throw r.error("async property \(n) appears twice", at: at) }
        f.append(OFField(n, t.decode(UInt64(try r.u32(n)))))
      } else {
        // Anything else is kept as a generic property.
        others.append(try decodeOneProp(OFAsync.props, &r, v))
      }
    }
    if !others.isEmpty { f.append(OFField("properties", .list(others))) }
    return .table(f)
  }

  static func encodeAsync(_ m: OFValue, _ e: inout OFEncoder) throws(OFCodecError) {
    if e.version == OFVersion.v1_3 {
      if m["properties"] != nil { throw e.cannot("async `properties`") }
      for i in OFAsync.v13Order {
        let (n, t) = OFAsync.masks[i]
        e.out.u32(UInt32(truncatingIfNeeded: try e.flags(m, n, t, bits: 32)))
      }
      for (i, (n, _)) in OFAsync.masks.enumerated() where i >= 6 && m[n] != nil { throw e.cannot("`\(n)`") }
      return
    }
    // The table's order, so a decoded message re-encodes to its own bytes.
    for f in m.fields ?? [] {
      guard let i = OFAsync.masks.firstIndex(where: { $0.0 == f.name }) else { continue }
      let n = f.name
      e.out.u16(UInt16(i))
      e.out.u16(8)
      e.out.u32(UInt32(truncatingIfNeeded: try e.flags(m, n, OFAsync.masks[i].1, bits: 32)))
    }
    for p in try e.list(m, "properties") { try encodeProp(OFAsync.props, p, &e) }
  }

  /// BUNDLE_ADD_MESSAGE: the message is padded to 8 only when properties follow.
  static func decodeBundleAdd(_ r: inout ByteReader, _ v: UInt8) throws(OFCodecError) -> OFValue {
    var f = try decodeFields([.u32("bundle_id"), .pad(2), .flags("flags", 2, N.bundleFlags), .message("message")], &r, v)
    if !r.isAtEnd {
      let used = r.offset - OFHeader.size
      try r.skip((8 - used % 8) % 8, "message padding")
      let props = try decodeProps(Specs.expOnly, &r, v)
      f.append(OFField("properties", props))
    }
    return .table(f)
  }

  static func encodeBundleAdd(_ m: OFValue, _ e: inout OFEncoder) throws(OFCodecError) {
    try encodeFields([.u32("bundle_id"), .pad(2), .flags("flags", 2, N.bundleFlags), .message("message")], m, &e, allowing: ["properties"])
    let props = try e.list(m, "properties")
    guard !props.isEmpty || m["properties"] != nil else { return }
    e.out.pad8(from: 0)
    for p in props { try encodeProp(Specs.expOnly, p, &e) }
  }
}
