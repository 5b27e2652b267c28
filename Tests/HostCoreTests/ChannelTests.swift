import OpenFlow
import Reactor
import TestSupport
import XCTest

@testable import HostCore

final class ChannelTests: XCTestCase {
  var loop: EventLoop!
  var host: Controller!
  var sink: RecordingSink!
  var log: CaptureLog!

  func make(versions: Set<UInt8> = [OFVersion.v1_0, OFVersion.v1_3]) {
    loop = try! EventLoop()
    var config = HostConfig()
    config.listen = []
    config.versions = versions
    log = CaptureLog()
    host = Controller(loop: loop, config: config, logger: log.logger)
    sink = RecordingSink()
    host.dispatcher.sink = sink
    host.dispatcher.setApps([AppEntry(name: "t", precedence: 100, index: 1)])
  }

  func packetIn(_ v: UInt8, xid: UInt32 = 7) -> [UInt8] {
    let frame: [UInt8] = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00] + [UInt8](repeating: 0xab, count: 20)
    return try! OFCodec.encode(OFMessage(version: v, type: "PACKET_IN", xid: xid, msg: .table([
      "in_port": .uint(1), "reason": .string("NO_MATCH"), "data": .bytes(frame),
    ])))
  }

  func testHandshakeOn13UsesBitmapAndPortDesc() {
    make()
    let sw = FakeSwitch(host: host, version: OFVersion.v1_3, helloVersions: [1, 4])
    sw.pump(loop)
    XCTAssertEqual(sw.all.map(\.type), ["HELLO", "FEATURES_REQUEST", "REQUEST.PORT_DESC", "SET_CONFIG"])
    XCTAssertEqual(sw.all[0].msg["versions"]?.list, [.uint(1), .uint(4)])
    XCTAssertEqual(sink.seen.first, "CHANNEL_UP@1")
    XCTAssertEqual(host.datapaths.count, 1)
    XCTAssertEqual(host.datapaths[0].version, OFVersion.v1_3)
    XCTAssertEqual(host.datapaths[0].idText, "00:00:00:00:00:00:00:01")
    XCTAssertEqual(host.datapaths[0].ports.count, 3)
  }

  func testHandshakeOn10TakesPortsFromFeatures() {
    make()
    let sw = FakeSwitch(host: host, version: OFVersion.v1_0)
    sw.pump(loop)
    XCTAssertEqual(sw.all.map(\.type), ["HELLO", "FEATURES_REQUEST", "SET_CONFIG"])
    XCTAssertEqual(host.datapaths.first?.version, OFVersion.v1_0)
    XCTAssertEqual(host.datapaths.first?.ports.compactMap { $0["name"]?.string }, ["p1", "p2", "p3"])
  }

  func testBitmapPicksHighestCommonVersion() {
    make()
    let sw = FakeSwitch(host: host, version: OFVersion.v1_3, helloVersions: [1, 4, 5, 6])
    sw.pump(loop)
    XCTAssertEqual(host.datapaths.first?.version, OFVersion.v1_3)
  }

  func testNoCommonVersionSendsHelloFailedAndCloses() {
    make(versions: [OFVersion.v1_3])
    let sw = FakeSwitch(host: host, version: OFVersion.v1_0)
    sw.pump(loop)
    let err = sw.all.first { $0.type == "ERROR" }
    XCTAssertEqual(err?.msg["type"]?.string, "HELLO_FAILED")
    XCTAssertEqual(err?.msg["code"]?.string, "INCOMPATIBLE")
    XCTAssertTrue(sw.peerClosed)
    XCTAssertTrue(host.datapaths.isEmpty)
    XCTAssertFalse(sink.seen.contains("CHANNEL_UP@1"))
    XCTAssertTrue(log.lines.contains { $0.contains("no common OpenFlow version") && $0.contains("fake-switch") })
  }

  func testGarbageInsteadOfHelloIsRejected() {
    make()
    let sw = FakeSwitch(host: host, version: OFVersion.v1_3, answerHandshake: false)
    sw.sendRaw([4, 5, 0, 8, 0, 0, 0, 1])  // a FEATURES_REQUEST where HELLO belongs
    sw.pump(loop)
    XCTAssertEqual(sw.received.first { $0.type == "ERROR" }?.msg["type"]?.string, "HELLO_FAILED")
    XCTAssertTrue(sw.peerClosed)
  }

  func testLengthUnderEightLosesFramingAndCloses() {
    make()
    let sw = FakeSwitch(host: host, version: OFVersion.v1_3)
    sw.pump(loop)
    sw.sendRaw([4, 10, 0, 4, 0, 0, 0, 9])
    sw.pump(loop)
    let err = sw.received.first { $0.type == "ERROR" }
    XCTAssertEqual(err?.msg["type"]?.string, "BAD_REQUEST")
    XCTAssertEqual(err?.msg["code"]?.string, "BAD_LEN")
    XCTAssertTrue(sw.peerClosed)
    XCTAssertTrue(sink.seen.contains("CHANNEL_DOWN@1"))
  }

  func testMessageSplitAcrossReadsIsOneEvent() {
    make()
    let sw = FakeSwitch(host: host, version: OFVersion.v1_3)
    sw.pump(loop)
    sink.seen.removeAll()
    for b in packetIn(OFVersion.v1_3) {
      sw.sendRaw([b])
      loop.runOnce(timeout: 0)
    }
    sw.pump(loop)
    XCTAssertEqual(sink.seen.filter { $0.hasPrefix("PACKET_IN@") }.count, 1)
  }

  func testCoalescedMessagesAreEachDispatched() {
    make()
    let sw = FakeSwitch(host: host, version: OFVersion.v1_0)
    sw.pump(loop)
    sink.seen.removeAll()
    sw.sendRaw(packetIn(OFVersion.v1_0, xid: 1) + packetIn(OFVersion.v1_0, xid: 2) + packetIn(OFVersion.v1_0, xid: 3))
    sw.pump(loop)
    XCTAssertEqual(sink.seen.filter { $0.hasPrefix("PACKET_IN@") }.count, 3)
  }

  func testEchoRequestIsAnsweredWithSameXidAndData() {
    make()
    let sw = FakeSwitch(host: host, version: OFVersion.v1_3, answerHandshake: true)
    sw.pump(loop)
    sw.sendRaw(try! OFCodec.encode(OFMessage(version: 4, type: "ECHO_REQUEST", xid: 77, msg: .table(["data": .bytes([1, 2, 3])]))))
    // The fake switch answers our echo itself; look at the raw stream instead.
    sw.answerHandshake = false
    sw.pump(loop)
    let reply = sw.received.first { $0.type == "ECHO_REPLY" }
    XCTAssertEqual(reply?.xid, 77)
    XCTAssertEqual(reply?.msg["data"]?.bytes, [1, 2, 3])
  }

  func testWrongVersionAfterHandshakeGetsBadVersion() {
    make()
    let sw = FakeSwitch(host: host, version: OFVersion.v1_3)
    sw.pump(loop)
    sw.sendRaw(packetIn(OFVersion.v1_0))
    sw.pump(loop)
    XCTAssertEqual(sw.received.first { $0.type == "ERROR" }?.msg["code"]?.string, "BAD_VERSION")
    XCTAssertFalse(sw.peerClosed)
  }

  func testSilentSwitchIsClosedAfterEchoTimeout() {
    loop = try! EventLoop()
    var config = HostConfig()
    config.listen = []
    config.echoInterval = 0.05
    log = CaptureLog()
    host = Controller(loop: loop, config: config, logger: log.logger)
    sink = RecordingSink()
    host.dispatcher.sink = sink
    host.dispatcher.setApps([AppEntry(name: "t", precedence: 100, index: 1)])
    try! host.start()
    let sw = FakeSwitch(host: host, version: OFVersion.v1_3)
    sw.pump(loop)
    sw.answerHandshake = false  // stop answering echoes
    let deadline = loop.now + 3
    while !sw.peerClosed && loop.now < deadline {
      loop.runOnce(timeout: 0.01)
      sw.readAvailable()
    }
    XCTAssertTrue(sw.received.contains { $0.type == "ECHO_REQUEST" })
    XCTAssertTrue(sw.peerClosed)
    XCTAssertTrue(sink.seen.contains("CHANNEL_DOWN@1"))
  }
}
