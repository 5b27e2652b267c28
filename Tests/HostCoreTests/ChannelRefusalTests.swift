import OpenFlow
import Reactor
import TestSupport
import XCTest

@testable import HostCore

/// What the channel answers to messages it cannot read: an unknown type
/// after the handshake, a version byte no OpenFlow version has.
final class ChannelRefusalTests: XCTestCase {
  var loop: EventLoop!
  var host: Controller!
  var sink: RecordingSink!
  var log: CaptureLog!

  override func setUp() {
    loop = try! EventLoop()
    var config = HostConfig()
    config.listen = []
    config.versions = [OFVersion.v1_0, OFVersion.v1_3]
    log = CaptureLog()
    host = Controller(loop: loop, config: config, logger: log.logger)
    sink = RecordingSink()
    host.dispatcher.sink = sink
    host.dispatcher.setApps([AppEntry(name: "t", precedence: 100, index: 1)])
  }

  func up(_ version: UInt8) -> FakeSwitch {
    let sw = FakeSwitch(host: host, version: version)
    sw.pump(loop)
    XCTAssertEqual(host.datapaths.count, 1)
    sw.received.removeAll()
    return sw
  }

  func testUnknownTypeIsAnsweredWithBadTypeAndLoggedOnce() {
    let sw = up(OFVersion.v1_3)
    sw.sendRaw([4, 99, 0, 8, 0, 0, 0, 42])  // type 99: no version has it
    sw.sendRaw([4, 99, 0, 8, 0, 0, 0, 43])
    sw.pump(loop)
    let errors = sw.received.filter { $0.type == "ERROR" }
    XCTAssertEqual(errors.map(\.xid), [42, 43])
    XCTAssertEqual(errors.first?.version, OFVersion.v1_3)
    XCTAssertEqual(errors.first?.msg["type"]?.string, "BAD_REQUEST")
    XCTAssertEqual(errors.first?.msg["code"]?.string, "BAD_TYPE")
    XCTAssertEqual(errors.first?.msg["data"], .bytes([4, 99, 0, 8, 0, 0, 0, 42]))
    XCTAssertFalse(sink.seen.contains { $0.hasPrefix("UNKNOWN") }, "not the apps' to see")
    XCTAssertEqual(log.lines.filter { $0.contains("unknown message type 99") }.count, 1, "rate-limited: \(log.lines)")
    XCTAssertTrue(log.lines.contains { $0.hasPrefix("warning") && $0.contains("fake-switch-1: unknown message type 99 for OpenFlow 1.3; answered BAD_TYPE") })
    XCTAssertFalse(sw.peerClosed)
  }

  func testUnknownStatsTypeOn10IsAnsweredWithBadStat() {
    let sw = up(OFVersion.v1_0)
    sw.sendRaw([1, 17, 0, 12, 0, 0, 0, 7, 0x00, 0xee, 0, 0])  // STATS_REPLY of stats type 0xee
    sw.pump(loop)
    let error = sw.received.first { $0.type == "ERROR" }
    XCTAssertEqual(error?.version, OFVersion.v1_0)
    XCTAssertEqual(error?.msg["code"]?.string, "BAD_STAT")
    XCTAssertTrue(log.lines.contains { $0.contains("unknown multipart type 238 for OpenFlow 1.0; answered BAD_STAT") }, "\(log.lines)")
  }

  func testVersionByteNoVersionHasIsRefusedAtTheHeader() {
    let sw = up(OFVersion.v1_3)
    // Claims 65535 bytes; only the header ever comes.
    sw.sendRaw([0x42, 10, 0xff, 0xff, 0, 0, 0, 9])
    sw.pump(loop)
    let error = sw.received.first { $0.type == "ERROR" }
    XCTAssertEqual(error?.msg["type"]?.string, "BAD_REQUEST")
    XCTAssertEqual(error?.msg["code"]?.string, "BAD_VERSION")
    XCTAssertEqual(error?.xid, 9)
    XCTAssertTrue(sw.peerClosed)
    XCTAssertTrue(log.lines.contains { $0.hasPrefix("error") && $0.contains("version byte 66 is no OpenFlow version") })
    XCTAssertTrue(sink.seen.contains("CHANNEL_DOWN@1"))
  }

  func testVersionZeroInsteadOfHelloFailsTheHello() {
    let sw = FakeSwitch(host: host, version: OFVersion.v1_3, answerHandshake: false)
    sw.sendRaw([0, 0, 0xff, 0xff, 0, 0, 0, 1])
    sw.pump(loop)
    let error = sw.received.first { $0.type == "ERROR" }
    XCTAssertEqual(error?.msg["type"]?.string, "HELLO_FAILED")
    XCTAssertEqual(error?.msg["code"]?.string, "INCOMPATIBLE")
    XCTAssertTrue(sw.peerClosed)
  }

  func testHelloOfANewerVersionIsStillNegotiated() {
    let sw = FakeSwitch(host: host, version: OFVersion.v1_3, answerHandshake: false)
    sw.sendRaw([7, 0, 0, 8, 0, 0, 0, 1])  // a HELLO from a version after 1.5
    sw.pump(loop)
    XCTAssertEqual(sw.received.map(\.type), ["HELLO", "FEATURES_REQUEST"])
    XCTAssertEqual(sw.received.last?.version, OFVersion.v1_3)
    XCTAssertFalse(sw.peerClosed)
  }
}
