import XCTest

@testable import OpenFlow

/// PORT_STATUS, PORT_DESC multipart and FLOW_REMOVED.
final class CodecPortTests: XCTestCase {
  let port13: OFValue = .table([
    "port_no": .uint(5), "hw_addr": .string("0a:0b:0c:0d:0e:0f"), "name": .string("veth5"),
    "config": .list([.string("NO_PACKET_IN")]), "state": .list([.string("LIVE")]),
    "curr": .list([.string("10GB_FD"), .string("FIBER")]), "advertised": .list([]), "supported": .list([]),
    "peer": .list([]), "curr_speed": .uint(10_000_000), "max_speed": .uint(10_000_000),
  ])

  func testPortStatusBothVersions() throws {
    let m13 = try encodeDecode(OFMessage(version: 4, type: "PORT_STATUS", msg: .table(["reason": .string("MODIFY"), "desc": port13])))
    XCTAssertEqual(m13.msg["reason"], .string("MODIFY"))
    XCTAssertEqual(m13.msg["desc"]?["name"], .string("veth5"))
    XCTAssertEqual(m13.msg["desc"]?["curr_speed"], .uint(10_000_000))
    XCTAssertEqual(m13.msg["desc"]?["curr"], .list([.string("10GB_FD"), .string("FIBER")]))
    XCTAssertEqual(try OFCodec.encode(m13).count, 80)

    let port10: OFValue = .table(["port_no": .string("LOCAL"), "hw_addr": .string("0a:0b:0c:0d:0e:0f"), "name": .string("br0"),
                                  "config": .list([.string("NO_STP")]), "state": .list([.string("LINK_DOWN")])])
    let m10 = try encodeDecode(OFMessage(version: 1, type: "PORT_STATUS", msg: .table(["reason": .string("ADD"), "desc": port10])))
    XCTAssertEqual(m10.msg["desc"]?["port_no"], .string("LOCAL"))
    XCTAssertEqual(m10.msg["desc"]?["config"], .list([.string("NO_STP")]))
    XCTAssertEqual(try OFCodec.encode(m10).count, 64)
    assertEncodeError(OFMessage(version: 1, type: "PORT_STATUS", msg: .table([
      "reason": .string("ADD"), "desc": .table(["port_no": .uint(1), "curr_speed": .uint(5)]),
    ])), reason: "port `curr_speed` cannot be expressed in OpenFlow 1.0")
    assertEncodeError(OFMessage(version: 1, type: "PORT_STATUS", msg: .table(["reason": .string("ADD"), "desc": port13])),
                      reason: "unknown state 'LIVE'")
  }

  func testPortNameLimits() {
    assertEncodeError(OFMessage(version: 4, type: "PORT_STATUS", msg: .table([
      "reason": .uint(0), "desc": .table(["port_no": .uint(1), "name": .string("a-name-that-is-too-long")]),
    ])), reason: "longer than 16 bytes")
  }

  func testPortDescRequestAndReply() throws {
    let req = try OFCodec.encode(OFMessage(version: 4, type: "REQUEST.PORT_DESC", xid: 4))
    XCTAssertEqual(hexText(req), "04120010000000040" + "00d000000000000")
    XCTAssertEqual(try OFCodec.decode(req).msg, .table([OFField("flags", .list([]))]))
    let reply = try encodeDecode(OFMessage(version: 4, type: "REPLY.PORT_DESC", xid: 4, msg: .table([
      "flags": .list([.string("REPLY_MORE")]), "ports": .list([port13, port13]),
    ])))
    XCTAssertEqual(reply.msg["flags"], .list([.string("REPLY_MORE")]))
    XCTAssertEqual(reply.msg["ports"]?.list?.count, 2)
    XCTAssertEqual(try OFCodec.encode(reply).count, 16 + 128)
  }

  func testFlowRemovedBothVersions() throws {
    let msg: OFValue = .table([
      "cookie": .uint(1), "priority": .uint(10), "reason": .string("HARD_TIMEOUT"), "duration_sec": .uint(3),
      "duration_nsec": .uint(4), "idle_timeout": .uint(5), "packet_count": .uint(6), "byte_count": .uint(7),
      "match": .table([OFField("eth_type", .uint(0x800)), OFField("ip_proto", .uint(6))]),
    ])
    let m10 = try encodeDecode(OFMessage(version: 1, type: "FLOW_REMOVED", msg: msg))
    XCTAssertEqual(m10.msg["reason"], .string("HARD_TIMEOUT"))
    XCTAssertEqual(m10.msg["match"], msg["match"])
    XCTAssertNil(m10.msg["table_id"])
    XCTAssertEqual(try OFCodec.encode(m10).count, 88)
    let m13 = try encodeDecode(OFMessage(version: 4, type: "FLOW_REMOVED", msg: msg))
    XCTAssertEqual(m13.msg["table_id"], .uint(0))
    XCTAssertEqual(m13.msg["hard_timeout"], .uint(0))
    XCTAssertEqual(m13.msg["byte_count"], .uint(7))
    XCTAssertEqual(m13.msg["match"], msg["match"])
    let gd = try encodeDecode(OFMessage(version: 4, type: "FLOW_REMOVED", msg: .table(["reason": .string("GROUP_DELETE")])))
    XCTAssertEqual(gd.msg["reason"], .string("GROUP_DELETE"))
  }
}
