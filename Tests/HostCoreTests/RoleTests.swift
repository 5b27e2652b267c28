import OpenFlow
import Reactor
import TestSupport
import XCTest

@testable import HostCore

final class RoleTests: XCTestCase {
  var loop: EventLoop!
  var host: Controller!
  var sink: RecordingSink!
  var log: CaptureLog!

  func make(role: String? = nil, generationId: UInt64? = nil) {
    loop = try! EventLoop()
    var config = HostConfig()
    config.listen = []
    config.role = role
    config.generationId = generationId
    log = CaptureLog()
    host = Controller(loop: loop, config: config, logger: log.logger)
    sink = RecordingSink()
    host.dispatcher.sink = sink
    host.dispatcher.setApps([AppEntry(name: "t", precedence: 100, index: 1)])
  }

  func flowMod(_ v: UInt8) -> OFMessage {
    OFMessage(version: v, type: "FLOW_MOD", xid: 0, msg: .table(["command": .string("ADD")]))
  }

  func testConfiguredSlaveRestrictsAtOnceAndReplyConfirms() throws {
    make(role: "SLAVE", generationId: 7)
    let sw = FakeSwitch(host: host, version: OFVersion.v1_3)
    sw.pump(loop)
    let dp = try XCTUnwrap(host.datapaths.first)
    let req = try XCTUnwrap(sw.received.first { $0.type == "ROLE_REQUEST" })
    XCTAssertEqual(req.msg["role"], .string("SLAVE"))
    XCTAssertEqual(req.msg["generation_id"], .uint(7))
    XCTAssertEqual(sw.received.filter { $0.type == "ROLE_REQUEST" }.count, 1, "a request goes out once")
    // Refused while the request is out: nothing reaches the wire.
    XCTAssertThrowsError(try dp.send(flowMod(4))) { XCTAssertTrue("\($0)".contains("FLOW_MOD refused")) }
    XCTAssertThrowsError(try dp.reserveOutput(count: 8, type: 13))  // PACKET_OUT
    XCTAssertNoThrow(try dp.send(OFMessage(version: 4, type: "BARRIER_REQUEST", xid: 0, msg: .emptyTable)))
    sw.send(OFMessage(version: 4, type: "ROLE_REPLY", xid: req.xid, msg: .table(["role": .string("SLAVE"), "generation_id": .uint(7)])))
    sw.pump(loop)
    XCTAssertEqual(dp.role, "SLAVE")
    XCTAssertEqual(dp.generationId, 7)
    XCTAssertTrue(sink.seen.contains("ROLE_CHANGED@1"))
    XCTAssertFalse(sw.received.contains { $0.type == "FLOW_MOD" })
  }

  func testStatusFromSwitchLiftsSlaveAndErrorRevertsRequest() throws {
    make()
    let sw = FakeSwitch(host: host, version: OFVersion.v1_4)
    sw.pump(loop)
    let dp = try XCTUnwrap(host.datapaths.first)
    XCTAssertEqual(dp.role, "EQUAL")
    XCTAssertNil(dp.generationId)
    let xid = try dp.request(try dp.roleRequest("SLAVE", generationId: 3)) { _, _ in }
    XCTAssertThrowsError(try dp.send(flowMod(5)))
    sw.send(OFMessage(version: 5, type: "ERROR", xid: xid, msg: .table([
      "type": .string("ROLE_REQUEST_FAILED"), "code": .string("STALE"), "data": .bytes([]),
    ])))
    sw.pump(loop)
    XCTAssertEqual(dp.role, "EQUAL")
    XCTAssertNoThrow(try dp.send(flowMod(5)))
    XCTAssertFalse(sink.seen.contains("ROLE_CHANGED@1"))
    // Another controller became master: the switch says we are SLAVE now.
    sw.send(OFMessage(version: 5, type: "ROLE_STATUS", xid: 0, msg: .table([
      "role": .string("SLAVE"), "reason": .string("MASTER_REQUEST"), "generation_id": .uint(9), "properties": .list([]),
    ])))
    sw.pump(loop)
    XCTAssertEqual(dp.role, "SLAVE")
    XCTAssertEqual(dp.generationId, 9)
    XCTAssertEqual(sink.seen.filter { $0 == "ROLE_CHANGED@1" }.count, 1)
    XCTAssertThrowsError(try dp.send(flowMod(5)))
  }

  func testOnfRoleStatusOn13() throws {
    make()
    let sw = FakeSwitch(host: host, version: OFVersion.v1_3)
    sw.pump(loop)
    let dp = try XCTUnwrap(host.datapaths.first)
    // ONF's 1.3 extension: EXPERIMENTER 0x4f4e4600, type 1911, then ofp14_role_status's body.
    let body: [UInt8] = [0, 0, 0, 3, 0, 0, 0, 0] + [0, 0, 0, 0, 0, 0, 0, 42]
    sw.send(OFMessage(version: 4, type: "EXPERIMENTER", xid: 0, msg: .table([
      "experimenter": .uint(0x4f4e_4600), "exp_type": .uint(1911), "data": .bytes(body),
    ])))
    sw.pump(loop)
    XCTAssertEqual(dp.role, "SLAVE")
    XCTAssertEqual(dp.generationId, 42)
  }

  func testNiciraRoleOn10() throws {
    make(role: "MASTER")
    let sw = FakeSwitch(host: host, version: OFVersion.v1_0)
    sw.pump(loop)
    let dp = try XCTUnwrap(host.datapaths.first)
    let req = try XCTUnwrap(sw.received.first { $0.type == "EXPERIMENTER" })
    XCTAssertEqual(req.msg["experimenter"], .uint(0x2320))
    XCTAssertEqual(req.msg["data"], .bytes([0, 0, 0, 10, 0, 0, 0, 1]))
    sw.send(OFMessage(version: 1, type: "EXPERIMENTER", xid: req.xid, msg: .table([
      "experimenter": .uint(0x2320), "data": .bytes([0, 0, 0, 11, 0, 0, 0, 2]),
    ])))
    sw.pump(loop)
    XCTAssertEqual(dp.role, "SLAVE")
    XCTAssertNil(dp.generationId)
    XCTAssertThrowsError(try dp.send(OFMessage(version: 1, type: "PACKET_OUT", xid: 0, msg: .table(["actions": .list([]), "data": .bytes([])]))))
  }

  func testRoleReplyNobodyAskedForIsLoggedAndIgnored() throws {
    make()
    let sw = FakeSwitch(host: host, version: OFVersion.v1_3)
    sw.pump(loop)
    let dp = try XCTUnwrap(host.datapaths.first)
    sw.send(OFMessage(version: 4, type: "ROLE_REPLY", xid: 0x5151, msg: .table(["role": .string("SLAVE"), "generation_id": .uint(4)])))
    sw.pump(loop)
    XCTAssertEqual(dp.role, "EQUAL")
    XCTAssertNil(dp.generationId)
    XCTAssertNoThrow(try dp.send(flowMod(4)))
    XCTAssertFalse(sink.seen.contains("ROLE_CHANGED@1"))
    XCTAssertTrue(log.lines.contains { $0.hasPrefix("warning") && $0.contains("role reply (SLAVE, xid 20817) to no role request of ours; ignored, role stays EQUAL") }, "\(log.lines)")
    XCTAssertTrue(dp.connection.isOpen)
    // A real request's reply after it is still taken in.
    let xid = try dp.request(try dp.roleRequest("MASTER", generationId: 5)) { _, _ in }
    sw.send(OFMessage(version: 4, type: "ROLE_REPLY", xid: xid, msg: .table(["role": .string("MASTER"), "generation_id": .uint(5)])))
    sw.pump(loop)
    XCTAssertEqual(dp.role, "MASTER")
    XCTAssertEqual(dp.generationId, 5)
    // ...and the same reply again is one nobody asked for.
    sw.send(OFMessage(version: 4, type: "ROLE_REPLY", xid: xid, msg: .table(["role": .string("SLAVE"), "generation_id": .uint(6)])))
    sw.pump(loop)
    XCTAssertEqual(dp.role, "MASTER")
    XCTAssertEqual(dp.generationId, 5)
  }

  func testNiciraRoleReplyNobodyAskedForOn10IsIgnored() throws {
    make()
    let sw = FakeSwitch(host: host, version: OFVersion.v1_0)
    sw.pump(loop)
    let dp = try XCTUnwrap(host.datapaths.first)
    sw.send(OFMessage(version: 1, type: "EXPERIMENTER", xid: 77, msg: .table([
      "experimenter": .uint(0x2320), "data": .bytes([0, 0, 0, 11, 0, 0, 0, 2]),
    ])))
    sw.pump(loop)
    XCTAssertEqual(dp.role, "EQUAL")
    XCTAssertFalse(sink.seen.contains("ROLE_CHANGED@1"))
    XCTAssertTrue(log.lines.contains { $0.contains("to no role request of ours") }, "\(log.lines)")
  }

  func testGenerationIdsAbove2To63KeepAllTheirBits() throws {
    make(role: "MASTER", generationId: 0xFFFF_FFFF_FFFF_FFF0)
    let sw = FakeSwitch(host: host, version: OFVersion.v1_3)
    sw.pump(loop)
    let dp = try XCTUnwrap(host.datapaths.first)
    let req = try XCTUnwrap(sw.received.first { $0.type == "ROLE_REQUEST" })
    XCTAssertEqual(req.msg["generation_id"], .uint(0xFFFF_FFFF_FFFF_FFF0))
    sw.send(OFMessage(version: 4, type: "ROLE_REPLY", xid: req.xid, msg: .table(["role": .string("MASTER"), "generation_id": .uint(0xFFFF_FFFF_FFFF_FFF0)])))
    sw.pump(loop)
    XCTAssertEqual(dp.generationId, 0xFFFF_FFFF_FFFF_FFF0)
    XCTAssertTrue(log.lines.contains { $0.contains("generation 18446744073709551600") }, "\(log.lines)")
  }

  func testLateReplyToAnAbandonedRequestAndOneSentWithoutWaitingAreTakenIn() throws {
    make()
    let sw = FakeSwitch(host: host, version: OFVersion.v1_3)
    sw.pump(loop)
    let dp = try XCTUnwrap(host.datapaths.first)
    // Given up on (a task's timeout): the switch did it all the same.
    let xid = try dp.request(try dp.roleRequest("SLAVE", generationId: 2)) { _, _ in }
    XCTAssertThrowsError(try dp.send(flowMod(4)))
    dp.cancelRequest(xid: xid)
    XCTAssertNoThrow(try dp.send(flowMod(4)))
    sw.send(OFMessage(version: 4, type: "ROLE_REPLY", xid: xid, msg: .table(["role": .string("SLAVE"), "generation_id": .uint(2)])))
    sw.pump(loop)
    XCTAssertEqual(dp.role, "SLAVE")
    XCTAssertEqual(dp.generationId, 2)
    // Sent with send, not request: still ours, and restricting while out.
    let sent = try dp.send(try dp.roleRequest("MASTER", generationId: 3))
    sw.send(OFMessage(version: 4, type: "ROLE_REPLY", xid: sent, msg: .table(["role": .string("MASTER"), "generation_id": .uint(3)])))
    sw.pump(loop)
    XCTAssertEqual(dp.role, "MASTER")
    XCTAssertEqual(dp.generationId, 3)
    XCTAssertEqual(sink.seen.filter { $0 == "ROLE_CHANGED@1" }.count, 2)
    XCTAssertFalse(log.lines.contains { $0.contains("to no role request of ours") }, "\(log.lines)")
  }
}
