import XCTest

@testable import OpenFlow

final class CodecFlowModTests: XCTestCase {
  /// The table-miss flow of the design doc's example app.
  let tableMiss: OFValue = .table([
    "priority": .uint(0),
    "instructions": .list([.table([
      "instruction": .string("APPLY_ACTIONS"),
      "actions": .list([.table(["action": .string("OUTPUT"), "port_no": .string("CONTROLLER"), "max_len": .string("NO_BUFFER")])]),
    ])]),
  ])

  func testTableMiss13ExactBytes() throws {
    let b = try OFCodec.encode(OFMessage(version: 4, type: "FLOW_MOD", xid: 1, msg: tableMiss))
    XCTAssertEqual(hexText(b),
      "040e005000000001" + "0000000000000000" + "0000000000000000" + "00" + "00" + "0000" + "0000" + "0000"
      + "ffffffff" + "ffffffff" + "ffffffff" + "0000" + "0000" + "00010004" + "00000000"
      + "00040018" + "00000000" + "00000010" + "fffffffd" + "ffff" + "000000000000")
    let m = try assertRoundTrip(b)
    XCTAssertEqual(m.msg["command"], .string("ADD"))
    XCTAssertEqual(m.msg["out_port"], .string("ANY"))
    XCTAssertEqual(m.msg["out_group"], .string("ANY"))
    XCTAssertEqual(m.msg["buffer_id"], .string("NO_BUFFER"))
    XCTAssertEqual(m.msg["instructions"], tableMiss["instructions"].map { v in
      // decode adds nothing but the table order of fields
      .list(v.list!.map { ins in .table([OFField("instruction", .string("APPLY_ACTIONS")), OFField("actions", .list([.table([
        OFField("action", .string("OUTPUT")), OFField("port_no", .string("CONTROLLER")), OFField("max_len", .string("NO_BUFFER")),
      ])]))]) })
    })
  }

  func testTableMiss10() throws {
    let b = try OFCodec.encode(OFMessage(version: 1, type: "FLOW_MOD", msg: tableMiss))
    XCTAssertEqual(b.count, 72 + 8)
    let m = try assertRoundTrip(b)
    XCTAssertEqual(m.msg["match"], .emptyTable)
    XCTAssertEqual(m.msg["priority"], .uint(0))
    XCTAssertEqual(m.msg["instructions"]?.list?.first?["actions"]?.list?.first?["port_no"], .string("CONTROLLER"))
    // wildcards: everything, nw_src/nw_dst with 32 bits
    XCTAssertEqual(hexText(Array(b[8..<12])), "003820ff")
  }

  func testDefaults() throws {
    for v: UInt8 in [1, 4] {
      let m = try OFCodec.decode(try OFCodec.encode(OFMessage(version: v, type: "FLOW_MOD")))
      XCTAssertEqual(m.msg["priority"], .uint(0x8000))
      XCTAssertEqual(m.msg["command"], .string("ADD"))
      XCTAssertEqual(m.msg["idle_timeout"], .uint(0))
      XCTAssertEqual(m.msg["cookie"], .uint(0))
      XCTAssertEqual(m.msg["flags"], .list([]))
    }
  }

  func testDeleteAllBothVersions() throws {
    let del: OFValue = .table(["command": .string("DELETE"), "table_id": .string("ALL")])
    let m13 = try encodeDecode(OFMessage(version: 4, type: "FLOW_MOD", msg: del))
    XCTAssertEqual(m13.msg["table_id"], .string("ALL"))
    XCTAssertEqual(m13.msg["command"], .string("DELETE"))
    let m10 = try encodeDecode(OFMessage(version: 1, type: "FLOW_MOD", msg: del))
    XCTAssertEqual(m10.msg["command"], .string("DELETE"))
  }

  func testFullFlowMod13RoundTrip() throws {
    let msg: OFValue = .table([
      "cookie": .uint(0xabc), "cookie_mask": .uint(0xfff), "table_id": .uint(2), "command": .string("MODIFY_STRICT"),
      "idle_timeout": .uint(10), "hard_timeout": .uint(20), "priority": .uint(100), "buffer_id": .uint(5),
      "out_port": .uint(9), "out_group": .uint(3), "flags": .list([.string("SEND_FLOW_REM"), .string("NO_BYT_COUNTS")]),
      "match": .table([
        OFField("in_port", .uint(1)), OFField("eth_type", .uint(0x800)), OFField("ipv4_src", .string("10.0.0.0")),
        OFField("ipv4_src_mask", .string("255.0.0.0")),
      ]),
      "instructions": .list([
        .table(["instruction": .string("METER"), "meter_id": .uint(4)]),
        .table(["instruction": .string("APPLY_ACTIONS"), "actions": .list([
          .table(["action": .string("SET_FIELD"), "field": .string("eth_dst"), "value": .string("02:00:00:00:00:09")]),
          .table(["action": .string("PUSH_VLAN")]),
          .table(["action": .string("SET_FIELD"), "field": .string("vlan_vid"), "value": .uint(0x1005)]),
          .table(["action": .string("GROUP"), "group_id": .uint(8)]),
          .table(["action": .string("SET_QUEUE"), "queue_id": .uint(2)]),
          .table(["action": .string("DEC_NW_TTL")]),
          .table(["action": .string("EXPERIMENTER"), "experimenter": .uint(0x2320), "data": .bytes([0, 1, 2, 3])]),
          .table(["action": .uint(0x7777), "data": .bytes([1, 2, 3, 4])]),
        ])]),
        .table(["instruction": .string("CLEAR_ACTIONS")]),
        .table(["instruction": .string("WRITE_ACTIONS"), "actions": .list([.table(["action": .string("OUTPUT"), "port_no": .uint(2)])])]),
        .table(["instruction": .string("WRITE_METADATA"), "metadata": .uint(1), "metadata_mask": .uint(0xff)]),
        .table(["instruction": .string("GOTO_TABLE"), "table_id": .uint(3)]),
      ]),
    ])
    let m = try encodeDecode(OFMessage(version: 4, type: "FLOW_MOD", msg: msg))
    XCTAssertEqual(m.msg["flags"], .list([.string("SEND_FLOW_REM"), .string("NO_BYT_COUNTS")]))
    XCTAssertEqual(m.msg["match"], msg["match"])
    let ins = try XCTUnwrap(m.msg["instructions"]?.list)
    XCTAssertEqual(ins.count, 6)
    let actions = try XCTUnwrap(ins[1]["actions"]?.list)
    XCTAssertEqual(actions[1], .table([OFField("action", .string("PUSH_VLAN")), OFField("ethertype", .uint(0x8100))]))
    XCTAssertEqual(actions[2]["value"], .uint(0x1005))
    XCTAssertEqual(actions[7], .table([OFField("action", .uint(0x7777)), OFField("data", .bytes([1, 2, 3, 4]))]))
    XCTAssertEqual(ins[4]["metadata_mask"], .uint(0xff))
    XCTAssertEqual(ins[5]["table_id"], .uint(3))
  }

  func testActionsShorthandAndOneSchemaFor10() throws {
    let msg: OFValue = .table([
      "match": .table(["in_port": .uint(1)]),
      "actions": .list([
        .table(["action": .string("SET_FIELD"), "field": .string("vlan_vid"), "value": .uint(0x1000 | 7)]),
        .table(["action": .string("SET_FIELD"), "field": .string("ipv4_dst"), "value": .string("10.1.2.3")]),
        .table(["action": .string("SET_FIELD"), "field": .string("ip_dscp"), "value": .uint(46)]),
        .table(["action": .string("SET_FIELD"), "field": .string("tcp_dst"), "value": .uint(80)]),
        .table(["action": .string("SET_FIELD"), "field": .string("eth_src"), "value": .string("02:00:00:00:00:01")]),
        .table(["action": .string("POP_VLAN")]),
        .table(["action": .string("ENQUEUE"), "port_no": .uint(2), "queue_id": .uint(1)]),
        .table(["action": .string("OUTPUT"), "port_no": .string("IN_PORT")]),
      ]),
    ])
    let m10 = try encodeDecode(OFMessage(version: 1, type: "FLOW_MOD", msg: msg))
    let actions = try XCTUnwrap(m10.msg["instructions"]?.list?.first?["actions"]?.list)
    XCTAssertEqual(actions.count, 8)
    XCTAssertEqual(actions[0]["value"], .uint(0x1007))
    XCTAssertEqual(actions[1]["value"], .string("10.1.2.3"))
    XCTAssertEqual(actions[2]["value"], .uint(46))
    XCTAssertEqual(actions[3]["field"], .string("tcp_dst"))
    XCTAssertEqual(actions[5]["action"], .string("POP_VLAN"))
    XCTAssertEqual(actions[6]["queue_id"], .uint(1))
    XCTAssertEqual(actions[7]["port_no"], .string("IN_PORT"))
    // The same message on 1.3 (without the 1.0-only ENQUEUE).
    var list13 = msg["actions"]!.list!
    list13.remove(at: 6)
    let m13 = try encodeDecode(OFMessage(version: 4, type: "FLOW_MOD", msg: .table(["actions": .list(list13)])))
    XCTAssertEqual(m13.msg["instructions"]?.list?.first?["actions"]?.list?.count, 7)
  }

  func testVersionErrors() {
    func fm(_ v: UInt8, _ fields: KeyValuePairs<String, OFValue?>) -> OFMessage { OFMessage(version: v, type: "FLOW_MOD", msg: .table(fields)) }
    assertEncodeError(fm(1, ["instructions": .list([.table(["instruction": .string("GOTO_TABLE"), "table_id": .uint(1)])])]),
                      reason: "instruction GOTO_TABLE cannot be expressed in OpenFlow 1.0")
    assertEncodeError(fm(1, ["table_id": .uint(3)]), reason: "table_id 3 cannot be expressed in OpenFlow 1.0")
    assertEncodeError(fm(1, ["out_group": .uint(3)]), reason: "`out_group` cannot be expressed in OpenFlow 1.0")
    assertEncodeError(fm(1, ["actions": .list([.table(["action": .string("GROUP"), "group_id": .uint(1)])])]),
                      reason: "action GROUP cannot be expressed in OpenFlow 1.0")
    assertEncodeError(fm(1, ["actions": .list([.table(["action": .string("SET_FIELD"), "field": .string("ipv6_src"), "value": .string("::1")])])]),
                      reason: "SET_FIELD of `ipv6_src` cannot be expressed in OpenFlow 1.0")
    assertEncodeError(fm(4, ["actions": .list([.table(["action": .string("ENQUEUE"), "port_no": .uint(1), "queue_id": .uint(1)])])]),
                      reason: "action ENQUEUE cannot be expressed in OpenFlow 1.3")
    assertEncodeError(fm(4, ["actions": .list([]), "instructions": .list([])]), reason: "either `actions` or `instructions`")
    assertEncodeError(fm(4, ["flags": .list([.string("EMERG")])]), reason: "unknown flags 'EMERG'")
    assertEncodeError(fm(4, ["command": .string("UPSERT")]), reason: "unknown command 'UPSERT'")
    assertEncodeError(fm(4, ["priority": .int(-1)]), reason: "priority is negative")
    assertEncodeError(fm(4, ["actions": .list([.table(["port_no": .uint(1)])])]), reason: "needs `action`")
    assertEncodeError(fm(4, ["actions": .list([.table(["action": .string("OUTPUT")])])]), reason: "OUTPUT needs `port_no`")
  }

  func testSixtyFourBitFieldsTakeNegativeLuaIntegersAsBitPatterns() throws {
    // Lua has no unsigned integers: 0xffffffffffffffff is -1 there.
    let m = try encodeDecode(OFMessage(version: 4, type: "FLOW_MOD", msg: .table([
      "command": .string("DELETE"), "cookie": .uint(0x6c326d), "cookie_mask": .int(-1),
    ])))
    XCTAssertEqual(m.msg["cookie_mask"], .uint(UInt64.max))
    XCTAssertEqual(m.msg["cookie"], .uint(0x6c326d))
  }

  func testFlags10() throws {
    let m = try encodeDecode(OFMessage(version: 1, type: "FLOW_MOD", msg: .table(["flags": .list([.string("EMERG"), .string("SEND_FLOW_REM")])])))
    XCTAssertEqual(m.msg["flags"], .list([.string("SEND_FLOW_REM"), .string("EMERG")]))
  }
}
