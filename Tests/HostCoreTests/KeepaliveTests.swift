import OpenFlow
import Reactor
import TestSupport
import XCTest

@testable import HostCore

/// The echo keepalive against switches that only seem silent or only seem alive.
final class KeepaliveTests: XCTestCase {
  var loop: EventLoop!
  var host: Controller!
  var sink: RecordingSink!
  var log: CaptureLog!

  func make(echoInterval: Double) {
    loop = try! EventLoop()
    loop.useManualClock()
    var config = HostConfig()
    config.listen = []
    config.echoInterval = echoInterval
    log = CaptureLog()
    host = Controller(loop: loop, config: config, logger: log.logger)
    sink = RecordingSink()
    host.dispatcher.sink = sink
    host.dispatcher.setApps([AppEntry(name: "t", precedence: 100, index: 1)])
    try! host.start()
  }

  func connect(dpid: UInt64) -> FakeSwitch {
    let sw = FakeSwitch(host: host, version: OFVersion.v1_3, dpid: dpid)
    sw.pump(loop, quietRounds: 2, timeout: 0)
    return sw
  }

  /// Moves the manual clock in steps, running a few rounds after each.
  func pass(_ seconds: Double, step: Double = 0.25, _ switches: [FakeSwitch]) {
    var t = 0.0
    while t < seconds {
      loop.advanceClock(by: step)
      t += step
      for _ in 0..<3 { loop.runOnce(timeout: 0) }
      for sw in switches { sw.readAvailable() }
    }
  }

  func packetIn() -> [UInt8] {
    try! OFCodec.encode(OFMessage(version: OFVersion.v1_3, type: "PACKET_IN", xid: 9, msg: .table([
      "in_port": .uint(1), "reason": .string("NO_MATCH"), "data": .bytes([UInt8](repeating: 0, count: 14)),
    ])))
  }

  /// 60 PACKET_INs at a 300 ms budget each: one round of 21 s. The other
  /// switch, healthy and idle, must not be taken for silent.
  func testALoopStalledByTheAppsIsNoSwitchsSilence() {
    make(echoInterval: 5)
    let busy = connect(dpid: 1), idle = connect(dpid: 2)
    var stalls: [Double] = []
    loop.onStall = { stalls.append($0) }
    sink.onDeliver = { [unowned self] _ in
      if self.sink.current == "PACKET_IN" { self.loop.advanceClock(by: 0.35) }
    }
    busy.sendRaw((0..<60).flatMap { _ in packetIn() })
    for _ in 0..<3 { loop.runOnce(timeout: 0) }
    XCTAssertEqual(sink.seen.filter { $0 == "PACKET_IN@1" }.count, 60)
    XCTAssertEqual(stalls.count, 1)
    XCTAssertEqual(stalls.first ?? 0, 21, accuracy: 0.01)
    sink.onDeliver = nil
    pass(2, [busy, idle])
    XCTAssertFalse(idle.peerClosed)
    XCTAssertFalse(busy.peerClosed)
    XCTAssertFalse(log.lines.contains { $0.contains("no answer") })
    // A switch that really is silent is still closed, after 3 × 5 s.
    idle.answerHandshake = false
    pass(16, [busy, idle])
    XCTAssertTrue(idle.peerClosed)
    XCTAssertFalse(busy.peerClosed)  // it answers our echoes
  }

  /// A message that never completes, trickled a byte at a time: no answer.
  func testTrickledBytesOfAMessageAreNoAnswer() {
    make(echoInterval: 1)
    let sw = connect(dpid: 1)
    sw.answerHandshake = false  // answers no echo
    sw.sendRaw([4, 10, 0, 200, 0, 0, 0, 1])  // a PACKET_IN header promising 200 bytes
    var t = 0.0
    while !sw.peerClosed && t < 10 {
      sw.sendRaw([0])
      pass(0.5, [sw])
      t += 0.5
    }
    XCTAssertTrue(sw.peerClosed)
    XCTAssertTrue(sw.received.contains { $0.type == "ECHO_REQUEST" })
    XCTAssertLessThanOrEqual(t, 3.5)
    XCTAssertTrue(log.lines.contains { $0.contains("no answer") })
  }

  /// Whole messages keep a switch that answers no echo open.
  func testWholeMessagesAreAnAnswer() {
    make(echoInterval: 1)
    let sw = connect(dpid: 1)
    sw.answerHandshake = false
    for _ in 0..<10 {
      sw.sendRaw(packetIn())
      pass(0.5, [sw])
    }
    XCTAssertFalse(sw.peerClosed)
  }
}

/// Stalls are logged by the loop when it comes back.
final class StallLogTests: XCTestCase {
  func testARoundPastTheBoundIsLogged() {
    let loop = try! EventLoop()
    loop.useManualClock()
    var config = HostConfig()
    config.listen = []
    config.stallWarningSeconds = 2
    let log = CaptureLog()
    let host = Controller(loop: loop, config: config, logger: log.logger)
    host.watchStalls(thread: false)
    loop.addTimer(after: 0) { loop.advanceClock(by: 1) }
    loop.runOnce(timeout: 0)
    loop.runOnce(timeout: 0)
    XCTAssertFalse(log.lines.contains { $0.contains("stalled") })
    loop.addTimer(after: 0) { loop.advanceClock(by: 21.04) }
    loop.runOnce(timeout: 0)
    loop.runOnce(timeout: 0)
    XCTAssertTrue(log.lines.contains { $0.contains("the loop was stalled 21.0 s in one round") }, "\(log.lines)")
    XCTAssertEqual(loop.stalledSeconds, 22.04, accuracy: 0.001)
  }
}
