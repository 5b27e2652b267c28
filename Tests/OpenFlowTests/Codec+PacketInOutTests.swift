import XCTest

@testable import OpenFlow

final class CodecPacketInOutTests: XCTestCase {
  let frame: [UInt8] = hex("ffffffffffff 020000000001 0806") + [UInt8](repeating: 0xaa, count: 28)

  func testPacketIn13FromSchema() throws {
    let m = OFMessage(version: 4, type: "PACKET_IN", xid: 0, msg: .table([
      "in_port": .uint(3), "reason": .string("TABLE_MISS"), "table_id": .uint(0), "cookie": .uint(0x1234),
      "data": .bytes(frame),
    ]))
    let back = try encodeDecode(m)
    XCTAssertEqual(back.msg["in_port"], .uint(3))
    XCTAssertEqual(back.msg["match"], .table([OFField("in_port", .uint(3))]))
    XCTAssertEqual(back.msg["reason"], .string("NO_MATCH"))
    XCTAssertEqual(back.msg["buffer_id"], .string("NO_BUFFER"))
    XCTAssertEqual(back.msg["total_len"], .uint(UInt64(frame.count)))
    XCTAssertEqual(back.msg["cookie"], .uint(0x1234))
    XCTAssertEqual(back.msg["data"], .bytes(frame))
    let b = try OFCodec.encode(m)
    // header, buffer_id, total_len, reason, table, cookie, match(4+8 -> 16), pad 2, data
    XCTAssertEqual(hexText(Array(b[8..<42])), "ffffffff" + "002a" + "00" + "00" + "0000000000001234" + "0001000c" + "80000004" + "00000003" + "00000000" + "0000")
  }

  func testPacketIn10() throws {
    let m = try encodeDecode(OFMessage(version: 1, type: "PACKET_IN", msg: .table([
      "buffer_id": .uint(7), "in_port": .string("LOCAL"), "reason": .string("ACTION"), "data": .bytes(frame),
    ])))
    XCTAssertEqual(m.msg["in_port"], .string("LOCAL"))
    XCTAssertEqual(m.msg["match"], .table([OFField("in_port", .string("LOCAL"))]))
    XCTAssertEqual(m.msg["reason"], .string("ACTION"))
    XCTAssertEqual(hexText(Array(try OFCodec.encode(m)[8..<18])), "00000007002afffe0100")
    // in_port from the match works too; other match fields cannot go on 1.0.
    XCTAssertNoThrow(try OFCodec.encode(OFMessage(version: 1, type: "PACKET_IN", msg: .table(["match": .table(["in_port": .uint(1)])]))))
    assertEncodeError(OFMessage(version: 1, type: "PACKET_IN", msg: .table([
      "in_port": .uint(1), "match": .table(["in_port": .uint(1), "eth_type": .uint(0x800)]),
    ])), reason: "PACKET_IN match field `eth_type` cannot be expressed in OpenFlow 1.0")
    assertEncodeError(OFMessage(version: 1, type: "PACKET_IN", msg: .emptyTable), reason: "needs `in_port`")
  }

  func testPacketOutBothVersions() throws {
    for v: UInt8 in [1, 4] {
      let m = try encodeDecode(OFMessage(version: v, type: "PACKET_OUT", xid: 5, msg: .table([
        "actions": .list([.table(["action": .string("OUTPUT"), "port_no": .string("FLOOD")])]),
        "data": .bytes(frame),
      ])))
      XCTAssertEqual(m.msg["buffer_id"], .string("NO_BUFFER"))
      XCTAssertEqual(m.msg["in_port"], .string("CONTROLLER"))
      XCTAssertEqual(m.msg["actions"], .list([.table([
        OFField("action", .string("OUTPUT")), OFField("port_no", .string("FLOOD")), OFField("max_len", .string("NO_BUFFER")),
      ])]))
      XCTAssertEqual(m.msg["data"], .bytes(frame))
    }
    let b13 = try OFCodec.encode(OFMessage(version: 4, type: "PACKET_OUT", msg: .table([
      "buffer_id": .uint(1), "in_port": .uint(2), "actions": .list([.table(["action": .string("OUTPUT"), "port_no": .uint(3), "max_len": .uint(0)])]),
    ])))
    XCTAssertEqual(hexText(b13), "040d0028000000000000000100000002001000000000000000000010000000030000000000000000")
    let b10 = try OFCodec.encode(OFMessage(version: 1, type: "PACKET_OUT", msg: .table([
      "buffer_id": .uint(1), "in_port": .uint(2), "actions": .list([.table(["action": .string("OUTPUT"), "port_no": .uint(3), "max_len": .uint(0)])]),
    ])))
    XCTAssertEqual(hexText(b10), "010d0018000000000000000100020008000000080003" + "0000")
  }

  func testPacketOutPortRange() {
    assertEncodeError(OFMessage(version: 1, type: "PACKET_OUT", msg: .table(["in_port": .uint(70000)])), reason: "does not fit in 16 bits")
    assertEncodeError(OFMessage(version: 4, type: "PACKET_OUT", msg: .table(["in_port": .string("SIDEWAYS")])), reason: "unknown in_port 'SIDEWAYS'")
  }
}
