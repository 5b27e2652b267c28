// Port descriptions on every version: 1.4+ adds a length and properties; the
// Ethernet property's fields are shown flat, as on 1.0-1.3 (same concept, same table).

enum OFPortProps {
  static let ethernetFields: [SF] = [
    .pad(4), .flags("curr", 4, OFPortNames.features13), .flags("advertised", 4, OFPortNames.features13),
    .flags("supported", 4, OFPortNames.features13), .flags("peer", 4, OFPortNames.features13),
    .u32("curr_speed"), .u32("max_speed"),
  ]
  static let optical: [SF] = [
    .pad(4), .u32("supported"), .u32("tx_min_freq_lmda"), .u32("tx_max_freq_lmda"), .u32("tx_grid_freq_lmda"),
    .u32("rx_min_freq_lmda"), .u32("rx_max_freq_lmda"), .u32("rx_grid_freq_lmda"), .u16("tx_pwr_min"), .u16("tx_pwr_max"),
  ]
  static let desc = PropSet([("ETHERNET", 0, ethernetFields), ("OPTICAL", 1, optical)])

  static let port14 = SStruct([
    .port("port_no", nil), .len, .pad(2), .mac("hw_addr"), .pad(2), .text("name", 16),
    .flags("config", 4, OFPortNames.config13), .flags("state", 4, OFPortNames.state13),
    .inlineProp(desc, 0), .props("properties", desc),
  ])
}

extension OFCodec {
  static func decodePortDescAny(_ r: inout ByteReader, _ v: UInt8) throws(OFCodecError) -> OFValue {
    guard v >= OFVersion.v1_4 else { return try decodePortDesc(&r, v) }
    var f = try decodeFields(OFPortProps.port14.fields, &r, v)
    // An empty property list is left out, so 1.3-style tables stay the same.
    if let i = f.firstIndex(where: { $0.name == "properties" }), f[i].value == .list([]) { f.remove(at: i) }
    return .table(f)
  }

  static func encodePortDescAny(_ d: OFValue, _ e: inout OFEncoder) throws(OFCodecError) {
    guard e.version >= OFVersion.v1_4 else {
      if d["properties"] != nil { throw e.cannot("port `properties`") }
      return try encodePortDesc(d, &e)
    }
    guard d.fields != nil else { throw e.fail("a port description must be a table") }
    try encodeFields(OFPortProps.port14.fields, d, &e)
  }
}
