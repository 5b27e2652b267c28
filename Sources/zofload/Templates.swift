import OpenFlow

/// Everything an emulated switch sends, encoded once with the project's codec
/// (OFCodec) for one OpenFlow version. Per send only the xid and the few
/// fields that vary (buffer id, MACs, in_port) are patched in place.
struct Templates {
  let version: UInt8
  let ports: Int

  /// PACKET_IN with a 60-byte Ethernet/IPv4/UDP frame.
  let packetIn: [UInt8]
  /// Where in_port's value sits (2 bytes on 1.0, 4 bytes inside the OXM match on 1.3).
  let inPortAt: Int
  let inPortSize: Int
  /// Where the Ethernet frame starts (dst MAC, then src MAC).
  let frameAt: Int

  let hello: [UInt8]
  let echoRequest: [UInt8]
  let getConfigReply: [UInt8]
  let barrierReply: [UInt8]
  let descReply: [UInt8]
  /// Empty flow statistics: no flows.
  let flowStatsReply: [UInt8]

  /// Wire type numbers this version uses.
  let barrierRequestType: UInt8
  let barrierReplyType: UInt8
  let multipartRequestType: UInt8

  static let frameSize = 60
  static let inPortMarker: UInt64 = 0x0A0B

  init(version: UInt8, ports: Int) throws {
    self.version = version
    self.ports = ports
    let is10 = version == OFVersion.v1_0
    barrierRequestType = is10 ? 18 : 20
    barrierReplyType = is10 ? 19 : 21
    multipartRequestType = is10 ? 16 : 18

    func enc(_ type: String, _ msg: OFValue = .emptyTable) throws -> [UInt8] {
      try OFCodec.encode(OFMessage(version: version, type: type, xid: 0, msg: msg))
    }

    let frame = Templates.frame(dst: [2, 0, 0, 0, 0, 2], src: [2, 0, 0, 0, 0, 1])
    packetIn = try enc("PACKET_IN", .table([
      "buffer_id": .uint(0x1234_5678), "total_len": .uint(UInt64(frame.count)),
      "in_port": .uint(Templates.inPortMarker), "reason": .string("NO_MATCH"), "data": .bytes(frame),
    ]))
    frameAt = packetIn.count - frame.count
    inPortSize = is10 ? 2 : 4
    let marker: [UInt8] = is10 ? [0x0A, 0x0B] : [0, 0, 0x0A, 0x0B]
    guard let at = Templates.find(marker, in: packetIn, before: frameAt) else {
      throw LoadError("cannot locate in_port in the encoded PACKET_IN")
    }
    inPortAt = at

    hello = try enc("HELLO", is10 ? .emptyTable : .table(["versions": .list([.uint(UInt64(version))])]))
    echoRequest = try enc("ECHO_REQUEST")
    getConfigReply = try enc("GET_CONFIG_REPLY", .table(["flags": .list([]), "miss_send_len": .uint(128)]))
    barrierReply = try enc("BARRIER_REPLY")
    // ofp_desc: four 256-byte strings, a 32-byte serial number, a 256-byte datapath description.
    var desc = [UInt8](repeating: 0, count: 256 * 4 + 32 + 256)
    func put(_ s: String, _ at: Int) { for (i, b) in s.utf8.enumerated() { desc[at + i] = b } }
    put("zofhost project", 0)
    put("zofload emulated switch", 256)
    put("zofload", 512)
    put("0", 1024)
    put("zofload", 1056)
    descReply = try enc("REPLY.DESC", .table(["flags": .list([]), "data": .bytes(desc)]))
    flowStatsReply = try enc("REPLY.FLOW", .table(["flags": .list([])]))
  }

  /// The switch's port list, as FEATURES_REPLY (1.0) or PORT_DESC (1.3) carry it.
  func portList(dpid: UInt64) -> OFValue {
    .list((1...ports).map { p in
      var mac: [UInt8] = [0x0e, UInt8(truncatingIfNeeded: dpid >> 24), UInt8(truncatingIfNeeded: dpid >> 16),
        UInt8(truncatingIfNeeded: dpid >> 8), UInt8(truncatingIfNeeded: dpid), UInt8(p)]
      mac[0] |= 0x02
      return .table([
        "port_no": .uint(UInt64(p)),
        "hw_addr": .string(mac.map { hex2($0) }.joined(separator: ":")),
        "name": .string("s\(dpid)-eth\(p)"),
      ])
    })
  }

  func featuresReply(dpid: UInt64, xid: UInt32) throws -> [UInt8] {
    var m: [String: OFValue] = [
      "datapath_id": .string(DatapathID.format(dpid)), "n_buffers": .uint(256),
      "n_tables": .uint(version == OFVersion.v1_0 ? 1 : 254), "capabilities": .list([.string("FLOW_STATS")]),
    ]
    if version == OFVersion.v1_0 {
      m["actions"] = .list([.string("OUTPUT")])
      m["ports"] = portList(dpid: dpid)
    }
    // Keep a fixed field order; the codec reads by name.
    let order = ["datapath_id", "n_buffers", "n_tables", "capabilities", "actions", "ports"]
    let msg = OFValue.table(order.compactMap { k in m[k].map { OFField(k, $0) } })
    return try OFCodec.encode(OFMessage(version: version, type: "FEATURES_REPLY", xid: xid, msg: msg))
  }

  func portDescReply(dpid: UInt64, xid: UInt32) throws -> [UInt8] {
    try OFCodec.encode(OFMessage(version: version, type: "REPLY.PORT_DESC", xid: xid,
      msg: .table(["flags": .list([]), "ports": portList(dpid: dpid)])))
  }

  /// ERROR type BAD_REQUEST (1 in every version) with `code`, carrying the
  /// first 64 bytes of the offending message as the spec asks.
  func error(code: UInt64, offending: UnsafeRawBufferPointer, xid: UInt32) -> [UInt8] {
    let msg = OFValue.table(["type": .uint(1), "code": .uint(code), "data": .bytes(Array(offending.prefix(64)))])
    return (try? OFCodec.encode(OFMessage(version: version, type: "ERROR", xid: xid, msg: msg))) ?? []
  }

  /// Ethernet + IPv4 + UDP, padded to 60 bytes.
  static func frame(dst: [UInt8], src: [UInt8]) -> [UInt8] {
    var f = dst + src + [0x08, 0x00]
    let ipLen = frameSize - 14
    f += [0x45, 0, UInt8(ipLen >> 8), UInt8(ipLen & 0xff), 0, 1, 0x40, 0, 64, 17, 0, 0]
    f += [10, 0, 0, 1, 10, 0, 0, 2]
    // IPv4 header checksum.
    var sum: UInt32 = 0
    for i in stride(from: 14, to: 34, by: 2) { sum += UInt32(f[i]) << 8 | UInt32(f[i + 1]) }
    while sum > 0xffff { sum = (sum & 0xffff) + (sum >> 16) }
    let ck = ~UInt16(sum)
    f[24] = UInt8(ck >> 8)
    f[25] = UInt8(ck & 0xff)
    let udpLen = ipLen - 20
    f += [0x30, 0x39, 0x1f, 0x90, UInt8(udpLen >> 8), UInt8(udpLen & 0xff), 0, 0]
    while f.count < frameSize { f.append(0) }
    return f
  }

  static func find(_ needle: [UInt8], in hay: [UInt8], before end: Int) -> Int? {
    guard needle.count <= end else { return nil }
    var found: Int? = nil
    for i in 0...(end - needle.count) where hay[i..<(i + needle.count)].elementsEqual(needle) {
      if found != nil { return nil }  // ambiguous
      found = i
    }
    return found
  }
}

func hex2(_ b: UInt8) -> String {
  let digits = Array("0123456789abcdef")
  return String([digits[Int(b >> 4)], digits[Int(b & 15)]])
}

struct LoadError: Error, CustomStringConvertible {
  let description: String
  init(_ d: String) { description = d }
}
