import XCTest

@testable import OpenFlow

final class CodecFeaturesTests: XCTestCase {
  func testFeaturesReply13() throws {
    let m = try encodeDecode(OFMessage(version: 4, type: "FEATURES_REPLY", xid: 1, msg: .table([
      "datapath_id": .string("00:00:00:00:00:00:00:2a"), "n_buffers": .uint(256), "n_tables": .uint(254),
      "auxiliary_id": .uint(1), "capabilities": .list([.string("FLOW_STATS"), .string("PORT_BLOCKED")]),
    ])))
    XCTAssertEqual(try OFCodec.encode(m), hex("04060020 00000001 000000000000002a 00000100 fe 01 0000 00000101 00000000"))
    XCTAssertEqual(m.msg["datapath_id"], .string("00:00:00:00:00:00:00:2a"))
    XCTAssertEqual(m.msg["capabilities"], .list([.string("FLOW_STATS"), .string("PORT_BLOCKED")]))
    XCTAssertNil(m.msg["ports"])
  }

  func testFeaturesReply10WithPorts() throws {
    let port: OFValue = .table([
      "port_no": .uint(1), "hw_addr": .string("02:00:00:00:00:01"), "name": .string("eth1"),
      "config": .list([.string("NO_FLOOD")]), "state": .list([.string("STP_BLOCK")]),
      "curr": .list([.string("1GB_FD"), .string("COPPER")]),
    ])
    let m = try encodeDecode(OFMessage(version: 1, type: "FEATURES_REPLY", msg: .table([
      "datapath_id": .string("00:00:00:00:00:00:00:01"), "n_buffers": .uint(0), "n_tables": .uint(1),
      "capabilities": .list([.string("ARP_MATCH_IP")]), "actions": .list([.string("OUTPUT"), .string("ENQUEUE")]),
      "ports": .list([port, .table(["port_no": .string("LOCAL"), "name": .string("br0")])]),
    ])))
    let ports = try XCTUnwrap(m.msg["ports"]?.list)
    XCTAssertEqual(ports.count, 2)
    XCTAssertEqual(ports[0]["state"], .list([.string("STP_BLOCK")]))
    XCTAssertEqual(ports[0]["curr"], .list([.string("1GB_FD"), .string("COPPER")]))
    XCTAssertEqual(ports[1]["port_no"], .string("LOCAL"))
    XCTAssertNil(ports[0]["curr_speed"])
    XCTAssertEqual(m.msg["actions"], .list([.string("OUTPUT"), .string("ENQUEUE")]))
    XCTAssertEqual(try OFCodec.encode(m).count, 32 + 2 * 48)
  }

  func testFeaturesReplyErrors() {
    assertEncodeError(OFMessage(version: 4, type: "FEATURES_REPLY", msg: .table(["datapath_id": .string("nope")])), reason: "datapath_id")
    assertEncodeError(OFMessage(version: 4, type: "FEATURES_REPLY", msg: .table([
      "datapath_id": .uint(1), "ports": .list([]),
    ])), reason: "OpenFlow 1.3")
    assertEncodeError(OFMessage(version: 1, type: "FEATURES_REPLY", msg: .table([
      "datapath_id": .uint(1), "capabilities": .list([.string("PORT_BLOCKED")]),
    ])), reason: "unknown capabilities 'PORT_BLOCKED'")
  }
}
