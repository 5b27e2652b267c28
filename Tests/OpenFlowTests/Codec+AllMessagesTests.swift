import XCTest

@testable import OpenFlow

/// The messages added for 1.1-1.5: values checked against Ryu's .json files,
/// and one table working on several versions.
final class CodecAllMessagesTests: XCTestCase {
  func load(_ key: String) throws -> OFMessage {
    let root = CorpusTests.corpusRoot
    guard let b = CorpusTests.read(root + "/" + key) else { throw XCTSkip("corpus not found at \(root)") }
    return try OFCodec.decode(b)
  }

  func testGroupModValuesAndOneTableAcrossVersions() throws {
    let g13 = try load("of13/4-21-ofp_group_mod.packet")
    XCTAssertEqual(g13.msg["group_id"], .uint(1))
    XCTAssertEqual(g13.msg["type"], .string("ALL"))
    let b = try XCTUnwrap(g13.msg["buckets"]?.list?.first)
    XCTAssertEqual(b["weight"], .uint(1))
    XCTAssertEqual(b["watch_port"], .uint(1))
    XCTAssertEqual(b["watch_group"], .uint(1))
    XCTAssertEqual(b["actions"]?.list?.first?["port_no"], .uint(2))

    // 1.5 moves weight/watch_* into bucket properties; the table is the same.
    let g15 = try load("of15/libofproto-OFP15-group_mod.packet")
    XCTAssertEqual(g15.msg["command"], .string("INSERT_BUCKET"))
    XCTAssertEqual(g15.msg["command_bucket_id"], .uint(3_149_642_683))
    let b15 = try XCTUnwrap(g15.msg["buckets"]?.list?.first)
    XCTAssertEqual(b15["bucket_id"], .uint(305_419_896))
    XCTAssertEqual(b15["weight"], .uint(52428))
    XCTAssertEqual(b15["watch_port"], .uint(56797))
    XCTAssertEqual(b15["watch_group"], .uint(4_008_636_142))
    XCTAssertEqual(b15["actions"]?.list?[1]["value"], .string("192.168.2.9"))

    // The 1.3 table sent to a 1.5 switch, and back.
    var m = g13
    m.version = OFVersion.v1_5
    let back = try encodeDecode(m)
    XCTAssertEqual(back.msg["buckets"]?.list?.first?["weight"], .uint(1))
    XCTAssertEqual(back.msg["buckets"]?.list?.first?["watch_port"], .uint(1))
    // 1.0 has no groups at all.
    m.version = OFVersion.v1_0
    assertEncodeError(m, reason: "does not exist in OpenFlow 1.0")
  }

  func testMeterModAndStats() throws {
    let mm = try load("of13/4-45-ofp_meter_mod.packet")
    XCTAssertEqual(mm.msg["meter_id"], .uint(100))
    XCTAssertEqual(mm.msg["flags"], .list([.string("PKTPS"), .string("BURST"), .string("STATS")]))
    let bands = try XCTUnwrap(mm.msg["bands"]?.list)
    XCTAssertEqual(bands.map { $0["type"] }, [.string("DROP"), .string("DSCP_REMARK"), .string("EXPERIMENTER")])
    XCTAssertEqual(bands[1]["prec_level"], .uint(1))
    XCTAssertEqual(bands[2]["experimenter"], .uint(999))
    XCTAssertEqual(bands[0]["rate"], .uint(1000))
  }

  func testPortModSameTableOnEveryVersion() throws {
    let p14 = try load("of14/5-22-ofp_port_mod.packet")
    XCTAssertEqual(p14.msg["hw_addr"], .string("00:11:00:00:11:11"))
    XCTAssertEqual(p14.msg["advertise"], .list([.string("FIBER")]))  // 4096 = bit 12
    let props = try XCTUnwrap(p14.msg["properties"]?.list)
    XCTAssertEqual(props.first?["property"], .string("OPTICAL"))
    XCTAssertEqual(props.first?["fl_offset"], .uint(2000))
    XCTAssertEqual(props.last?["data"], .bytes([0, 0, 0, 1, 0, 0, 0, 2]))  // Ryu lists u32 words

    let t = OFValue.table([
      "port_no": .uint(3), "hw_addr": .string("02:00:00:00:00:03"), "config": .list([.string("PORT_DOWN")]),
      "mask": .list([.string("PORT_DOWN")]), "advertise": .list([.string("1GB_FD")]),
    ])
    for v in [OFVersion.v1_0, OFVersion.v1_1, OFVersion.v1_3, OFVersion.v1_4, OFVersion.v1_5] {
      let back = try encodeDecode(OFMessage(version: v, type: "PORT_MOD", msg: t))
      XCTAssertEqual(back.msg["advertise"], .list([.string("1GB_FD")]), "version \(v)")
      XCTAssertEqual(back.msg["config"], .list([.string("PORT_DOWN")]), "version \(v)")
    }
  }

  func testFlowStatsAndFlowRemoved15() throws {
    let fs = try load("of13/4-12-ofp_flow_stats_reply.packet")
    let flows = try XCTUnwrap(fs.msg["flows"]?.list)
    XCTAssertEqual(flows.first?["duration_sec"], .uint(358))
    XCTAssertEqual(flows.first?["duration_nsec"], .uint(115_277_000))
    XCTAssertEqual(flows.first?["priority"], .uint(65535))
    XCTAssertEqual(flows[1]["instructions"]?.list?.first?["actions"]?.list?.first?["port_no"], .string("NORMAL"))

    // 1.5 flow statistics (OXS) appear under the 1.3 names.
    let fr = try load("of15/libofproto-OFP15-flow_removed.packet")
    XCTAssertEqual(fr.msg["flow_count"], .uint(1))
    XCTAssertEqual(fr.msg["cookie"], .uint(1_234_605_616_436_508_552))
    XCTAssertEqual(fr.msg["match"]?["in_port"], .uint(1))
    // A 1.3-style FLOW_REMOVED table encodes on 1.5.
    let m = OFMessage(version: 6, type: "FLOW_REMOVED", msg: .table([
      "reason": .string("DELETE"), "duration_sec": .uint(5), "duration_nsec": .uint(7), "packet_count": .uint(9), "byte_count": .uint(99),
    ]))
    let back = try encodeDecode(m)
    XCTAssertEqual(back.msg["duration_sec"], .uint(5))
    XCTAssertEqual(back.msg["byte_count"], .uint(99))
  }

  func testRoleAsyncAndBundle() throws {
    let role = try load("of13/4-19-ofp_role_request.packet")
    XCTAssertEqual(role.msg["role"], .string("MASTER"))
    // SET_ASYNC: one table on 1.3 (fixed masks) and 1.4 (properties).
    let t = OFValue.table([
      "packet_in_master": .list([.string("NO_MATCH"), .string("ACTION")]), "packet_in_slave": .list([]),
      "port_status_master": .list([.string("ADD")]),
    ])
    for v in [OFVersion.v1_3, OFVersion.v1_4, OFVersion.v1_5] {
      let back = try encodeDecode(OFMessage(version: v, type: "SET_ASYNC", msg: t))
      XCTAssertEqual(back.msg["packet_in_master"], .list([.string("NO_MATCH"), .string("ACTION")]), "version \(v)")
      XCTAssertEqual(back.msg["port_status_master"], .list([.string("ADD")]), "version \(v)")
    }
    assertEncodeError(OFMessage(version: 4, type: "SET_ASYNC", msg: .table(["role_status_master": .list([])])),
                      reason: "`role_status_master` cannot be expressed in OpenFlow 1.3")

    let add = try load("of14/5-70-ofp_bundle_add_msg.packet")
    XCTAssertEqual(add.msg["message"]?["type"], .string("ECHO_REQUEST"))
    let fwd = try load("of14/5-71-ofp_requestforward.packet")
    XCTAssertEqual(fwd.msg["request"]?["type"], .string("GROUP_MOD"))
  }

  func testMatch11RoundTrip() throws {
    let match = OFValue.table([
      OFField("in_port", .uint(3)), OFField("eth_dst", .string("02:00:00:00:00:01")), OFField("eth_type", .uint(0x800)),
      OFField("ip_proto", .uint(6)), OFField("ipv4_src", .string("10.0.0.0")), OFField("ipv4_src_mask", .string("255.255.255.0")),
      OFField("tcp_dst", .uint(80)),
    ])
    let m = OFMessage(version: OFVersion.v1_1, type: "FLOW_MOD", msg: .table(["match": match, "actions": .list([
      .table([OFField("action", .string("OUTPUT")), OFField("port_no", .uint(1))]),
    ])]))
    let bytes = try OFCodec.encode(m)
    XCTAssertEqual(bytes.count, 8 + 40 + 88 + 8 + 16)
    let back = try OFCodec.decode(bytes)
    XCTAssertEqual(back.msg["match"]?["ipv4_src_mask"], .string("255.255.255.0"))
    XCTAssertEqual(back.msg["match"]?["tcp_dst"], .uint(80))
    XCTAssertEqual(try OFCodec.encode(back), bytes)
    assertEncodeError(OFMessage(version: 2, type: "FLOW_MOD", msg: .table(["match": .table(["ipv6_src": .string("::1")])])),
                      reason: "match field `ipv6_src` cannot be expressed in OpenFlow 1.1")
  }

  func testTableFeaturesProperties() throws {
    let tf = try load("of13/4-56-ofp_table_features_reply.packet")
    let table = try XCTUnwrap(tf.msg["tables"]?.list?.first)
    XCTAssertEqual(table["name"], .string("\u{79c1}\u{306e}\u{30c6}\u{30fc}\u{30d6}\u{30eb}"))
    let props = try XCTUnwrap(table["properties"]?.list)
    XCTAssertEqual(props.first?["property"], .string("INSTRUCTIONS"))
    XCTAssertTrue(props.contains { $0["property"] == .string("MATCH") && ($0["oxm_ids"]?.list?.count ?? 0) > 10 })
  }

  /// 1.1's own set actions are SET_FIELD in the schema, as on 1.0 and 1.2+.
  func testActions11AsSetField() throws {
    let actions: OFValue = .list([
      .table([OFField("action", .string("SET_FIELD")), OFField("field", .string("eth_dst")), OFField("value", .string("02:00:00:00:00:09"))]),
      .table([OFField("action", .string("SET_FIELD")), OFField("field", .string("mpls_label")), OFField("value", .uint(77))]),
      .table([OFField("action", .string("SET_FIELD")), OFField("field", .string("vlan_vid")), OFField("value", .uint(0x1005))]),
      .table([OFField("action", .string("DEC_NW_TTL"))]),
      .table([OFField("action", .string("OUTPUT")), OFField("port_no", .uint(2)), OFField("max_len", .string("NO_BUFFER"))]),
    ])
    let back = try encodeDecode(OFMessage(version: 2, type: "PACKET_OUT", msg: .table(["actions": actions])))
    XCTAssertEqual(back.msg["actions"], actions)
    let bytes = try OFCodec.encode(back)
    XCTAssertEqual(hexText(Array(bytes[24..<40])), "0004001002000000000900000000" + "0000")  // type 4 SET_DL_DST
    assertEncodeError(OFMessage(version: 2, type: "PACKET_OUT", msg: .table(["actions": .list([
      .table([OFField("action", .string("SET_FIELD")), OFField("field", .string("ipv6_dst")), OFField("value", .string("::1"))]),
    ])])), reason: "SET_FIELD of `ipv6_dst` cannot be expressed in OpenFlow 1.1")
    assertEncodeError(OFMessage(version: 2, type: "PACKET_OUT", msg: .table(["actions": .list([.table(["action": .string("PUSH_PBB")])])])),
                      reason: "action PUSH_PBB cannot be expressed in OpenFlow 1.1")
  }

  /// 1.4 removed QUEUE_GET_CONFIG (types 22/23 are unused); 1.5 replaced FLOW
  /// stats by FLOW_DESC, and the 1.3 name asks for it.
  func testVersionGapsAndRenames() throws {
    assertEncodeError(OFMessage(version: 5, type: "QUEUE_GET_CONFIG_REQUEST"), reason: "does not exist in OpenFlow 1.4")
    XCTAssertEqual(try OFCodec.decode(hex("05160010 00000001 00000001 00000000")).type, "UNKNOWN")
    XCTAssertEqual(try OFCodec.decode(hex("04160010 00000001 00000001 00000000")).type, "QUEUE_GET_CONFIG_REQUEST")
    let req = try OFCodec.encode(OFMessage(version: 6, type: "REQUEST.FLOW", msg: .table(["match": .table(["in_port": .uint(1)])])))
    let back = try OFCodec.decode(req)
    XCTAssertEqual(back.type, "REQUEST.FLOW_DESC")
    XCTAssertEqual(back.msg["match"]?["in_port"], .uint(1))
  }

  /// A misspelt field is an error on every body, hand-written ones included.
  func testUnknownFieldsAreErrors() {
    assertEncodeError(OFMessage(version: 4, type: "FLOW_MOD", msg: .table(["idle_timout": .uint(10)])),
                      reason: "FLOW_MOD has no field `idle_timout` in OpenFlow 1.3")
    assertEncodeError(OFMessage(version: 1, type: "PACKET_OUT", msg: .table(["pkts": .table([])])),
                      reason: "PACKET_OUT has no field `pkts` in OpenFlow 1.0")
    assertEncodeError(OFMessage(version: 5, type: "METER_MOD", msg: .table(["meter_id": .uint(1), "band": .list([])])),
                      reason: "METER_MOD has no field `band` in OpenFlow 1.4")
  }

  /// PACKET_OUT may carry `pkt` (packet fields) instead of `data`, on every
  /// version: the frame is built and sent as `data`.
  func testPacketOutBuildsPkt() throws {
    let pkt: OFValue = .table([
      "eth_dst": .string("ff:ff:ff:ff:ff:ff"), "eth_src": .string("02:00:00:00:00:01"),
      "arp_op": .uint(1), "arp_spa": .string("10.0.0.1"), "arp_tpa": .string("10.0.0.2"),
    ])
    let frame = try PacketBuilder.build(pkt)
    XCTAssertEqual(frame.count, 60)
    for v: UInt8 in 1...6 {
      let m = OFMessage(version: v, type: "PACKET_OUT", xid: 9, msg: .table([
        "in_port": .uint(3), "actions": .list([.table(["action": .string("OUTPUT"), "port_no": .string("FLOOD")])]), "pkt": pkt,
      ]))
      let bytes = try OFCodec.encode(m)
      XCTAssertEqual(Array(bytes.suffix(60)), frame, "version \(v)")
      let back = try OFCodec.decode(bytes)
      XCTAssertEqual(back.msg["data"], .bytes(frame), "version \(v)")
      XCTAssertEqual(back.msg["in_port"], .uint(3), "version \(v)")
      XCTAssertNil(back.msg["pkt"])
      XCTAssertEqual(back.msg["data"]?.bytes.map(decodePacket)?["arp_tpa"], .string("10.0.0.2"))
      // The same message given as data encodes to the same bytes.
      var asData = m.msg.fields!.filter { $0.name != "pkt" }
      asData.append(OFField("data", .bytes(frame)))
      XCTAssertEqual(try OFCodec.encode(OFMessage(version: v, type: "PACKET_OUT", xid: 9, msg: .table(asData))), bytes, "version \(v)")
      // Builder errors are PACKET_OUT's, naming the packet field.
      let bad = pkt.fields!.map { $0.name == "arp_spa" ? OFField("arp_spa", .string("x")) : $0 }
      assertEncodeError(OFMessage(version: v, type: "PACKET_OUT", msg: .table(["pkt": .table(bad)])),
                        reason: "pkt.arp_spa: 'x' is not an IPv4 address")
      assertEncodeError(OFMessage(version: v, type: "PACKET_OUT", msg: .table(["pkt": pkt, "data": .bytes([1])])),
                        reason: "give `pkt` or `data`, not both")
    }
    do {
      _ = try OFCodec.encode(OFMessage(version: 4, type: "PACKET_OUT", msg: .table(["pkt": .bytes([1, 2])])))
      XCTFail("encoded a PACKET_OUT whose pkt is bytes")
    } catch {
      XCTAssertEqual(error.messageType, "PACKET_OUT")
      XCTAssertEqual(error.reason, "pkt: must be a table of fields, not 2 bytes")
    }
  }

  func testIPv4TextEdges() {
    XCTAssertEqual(AddressText.ipv4(0), "0.0.0.0")
    XCTAssertEqual(AddressText.ipv4(0xffff_ffff), "255.255.255.255")
    XCTAssertEqual(AddressText.ipv4(0x640a_09c8), "100.10.9.200")
    XCTAssertEqual(AddressText.parseMAC("2:0:0:0:0:a"), [2, 0, 0, 0, 0, 10])
    XCTAssertNil(AddressText.parseMAC("02:00:00:00:00"))
    XCTAssertNil(AddressText.parseMAC("02:00:00:00:00:00:01"))
    XCTAssertNil(AddressText.parseMAC("02::00:00:00:00"))
    XCTAssertNil(AddressText.parseMAC("002:00:00:00:00:00"))
  }
}
