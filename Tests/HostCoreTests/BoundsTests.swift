import OpenFlow
import Reactor
import TestSupport
import XCTest

@testable import HostCore

/// What a switch can make the host hold, and what answers a request.
final class BoundsTests: XCTestCase {
  var loop: EventLoop!
  var host: Controller!
  var sink: RecordingSink!
  var log: CaptureLog!

  func make(_ configure: (inout HostConfig) -> Void = { _ in }) {
    loop = try! EventLoop()
    var config = HostConfig()
    config.listen = []
    configure(&config)
    log = CaptureLog()
    host = Controller(loop: loop, config: config, logger: log.logger)
    sink = RecordingSink()
    host.dispatcher.sink = sink
    host.dispatcher.setApps([AppEntry(name: "t", precedence: 100, index: 1)])
  }

  func packetIn(xid: UInt32, size: Int = 20) -> [UInt8] {
    let frame: [UInt8] = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00] + [UInt8](repeating: 0xab, count: size)
    return try! OFCodec.encode(OFMessage(version: OFVersion.v1_3, type: "PACKET_IN", xid: xid, msg: .table([
      "buffer_id": .string("NO_BUFFER"), "reason": .string("NO_MATCH"), "match": .table(["in_port": .uint(1)]),
      "data": .bytes(frame),
    ])))
  }

  // Replies by xid and type

  func testReplyTypesComeFromTheCodecsNames() {
    XCTAssertEqual(OFCodec.replyTypeName(ofRequest: "BARRIER_REQUEST"), "BARRIER_REPLY")
    XCTAssertEqual(OFCodec.replyTypeName(ofRequest: "ECHO_REQUEST"), "ECHO_REPLY")
    XCTAssertEqual(OFCodec.replyTypeName(ofRequest: "FEATURES_REQUEST"), "FEATURES_REPLY")
    XCTAssertEqual(OFCodec.replyTypeName(ofRequest: "GET_CONFIG_REQUEST"), "GET_CONFIG_REPLY")
    XCTAssertEqual(OFCodec.replyTypeName(ofRequest: "ROLE_REQUEST"), "ROLE_REPLY")
    XCTAssertEqual(OFCodec.replyTypeName(ofRequest: "GET_ASYNC_REQUEST"), "GET_ASYNC_REPLY")
    XCTAssertEqual(OFCodec.replyTypeName(ofRequest: "QUEUE_GET_CONFIG_REQUEST"), "QUEUE_GET_CONFIG_REPLY")
    XCTAssertEqual(OFCodec.replyTypeName(ofRequest: "REQUEST.FLOW_DESC"), "REPLY.FLOW_DESC")
    XCTAssertEqual(OFCodec.replyTypeName(ofRequest: "REQUEST.EXPERIMENTER"), "REPLY.EXPERIMENTER")
    XCTAssertEqual(OFCodec.replyTypeName(ofRequest: "EXPERIMENTER"), "EXPERIMENTER")
    XCTAssertEqual(OFCodec.replyTypeName(ofRequest: "BUNDLE_CONTROL"), "BUNDLE_CONTROL")
    XCTAssertNil(OFCodec.replyTypeName(ofRequest: "FLOW_MOD"))
    XCTAssertNil(OFCodec.replyTypeName(ofRequest: "PACKET_OUT"))
  }

  /// A PACKET_IN carrying a pending barrier's xid reaches the apps; the
  /// barrier ends with its own reply.
  func testAPacketInWithAPendingXidIsDispatched() throws {
    make()
    let sw = FakeSwitch(host: host, version: OFVersion.v1_3)
    sw.pump(loop)
    sink.seen.removeAll()
    let dp = try XCTUnwrap(host.datapaths.first)
    var replies: [String] = []
    let xid = try dp.request(OFMessage(version: 4, type: "BARRIER_REQUEST", xid: 0, msg: .emptyTable)) { frame, _ in
      replies.append(frame.map { OFCodec.typeName($0) } ?? "closed")
    }
    sw.pump(loop)
    sw.sendRaw(packetIn(xid: xid))
    sw.pump(loop)
    XCTAssertEqual(sink.seen.filter { $0.hasPrefix("PACKET_IN@") }, ["PACKET_IN@1"])
    XCTAssertEqual(replies, [])
    XCTAssertEqual(dp.pendingCount, 1)
    sw.send(OFMessage(version: 4, type: "BARRIER_REPLY", xid: xid, msg: .emptyTable))
    sw.pump(loop)
    XCTAssertEqual(replies, ["BARRIER_REPLY"])
    XCTAssertEqual(dp.pendingCount, 0)
  }

  /// An ERROR answers any request; another request's reply type does not.
  func testOnlyTheReplyTypeOrAnErrorAnswers() throws {
    make()
    let sw = FakeSwitch(host: host, version: OFVersion.v1_3)
    sw.pump(loop)
    sink.seen.removeAll()
    let dp = try XCTUnwrap(host.datapaths.first)
    var replies: [String] = []
    let xid = try dp.request(OFMessage(version: 4, type: "REQUEST.DESC", xid: 0, msg: .emptyTable)) { frame, _ in
      replies.append(frame.map { OFCodec.typeName($0) } ?? "closed")
    }
    sw.send(OFMessage(version: 4, type: "BARRIER_REPLY", xid: xid, msg: .emptyTable))
    sw.pump(loop)
    XCTAssertEqual(replies, [])
    XCTAssertEqual(sink.seen.filter { $0.hasPrefix("BARRIER_REPLY@") }, ["BARRIER_REPLY@1"])
    sw.send(OFMessage(version: 4, type: "ERROR", xid: xid, msg: .table([
      "type": .string("BAD_REQUEST"), "code": .string("BAD_MULTIPART"), "data": .bytes([]),
    ])))
    sw.pump(loop)
    XCTAssertEqual(replies, ["ERROR"])
    XCTAssertEqual(dp.pendingCount, 0)
  }

  // The handshake, played by hand

  /// A switch that has said HELLO and waits for FEATURES_REQUEST.
  func silentSwitch() throws -> FakeSwitch {
    let sw = FakeSwitch(host: host, version: OFVersion.v1_3, answerHandshake: false)
    sw.send(OFMessage(version: 4, type: "HELLO", xid: 1, msg: .emptyTable))
    sw.pump(loop)
    XCTAssertNotNil(sw.received.first { $0.type == "FEATURES_REQUEST" })
    return sw
  }

  func sendFeatures(_ sw: FakeSwitch) throws {
    let req = try XCTUnwrap(sw.received.first { $0.type == "FEATURES_REQUEST" })
    sw.send(OFMessage(version: 4, type: "FEATURES_REPLY", xid: req.xid, msg: .table([
      "datapath_id": .string(DatapathID.format(sw.dpid)), "n_buffers": .uint(0), "n_tables": .uint(254),
      "auxiliary_id": .uint(0), "capabilities": .list([]),
    ])))
    sw.pump(loop)
  }

  func portDescPart(xid: UInt32, from first: UInt64, count: Int, more: Bool) -> OFMessage {
    OFMessage(version: 4, type: "REPLY.PORT_DESC", xid: xid, msg: .table([
      "flags": .list(more ? [.string("REPLY_MORE")] : []),
      "ports": .list((0..<UInt64(count)).map { FakeSwitch.port(first + $0, "p\(first + $0)") }),
    ]))
  }

  /// A PORT_DESC reply with REPLY_MORE forever during the handshake: past the
  /// bound the channel is closed with a clear log line and an ERROR.
  func testEndlessPortDescDuringHandshakeCloses() throws {
    make { $0.handshakePortLimit = 100 }
    let sw = try silentSwitch()
    try sendFeatures(sw)
    let req = try XCTUnwrap(sw.received.first { $0.type == "REQUEST.PORT_DESC" })
    var parts = 0
    while !sw.peerClosed && parts < 1000 {
      sw.send(portDescPart(xid: req.xid, from: UInt64(parts * 30 + 1), count: 30, more: true))
      parts += 1
      sw.pump(loop, quietRounds: 1)
    }
    XCTAssertTrue(sw.peerClosed)
    XCTAssertEqual(parts, 4, "closed at the part that passed 100 ports")
    XCTAssertEqual(sw.received.first { $0.type == "ERROR" }?.msg["code"]?.string, "MULTIPART_BUFFER_OVERFLOW")
    XCTAssertFalse(sink.seen.contains { $0.hasPrefix("CHANNEL_UP") })
    let lines = log.lines.filter { $0.hasPrefix("error") && $0.contains("PORT_DESC reply passed 100 ports") }
    XCTAssertEqual(lines.count, 1, log.lines.joined(separator: "\n"))
    XCTAssertTrue(lines[0].contains("fake-switch-1") && lines[0].contains("120 ports"))
  }

  /// The byte bound on the reply holds too (parts with no port at all).
  func testPortDescBytesAreBounded() throws {
    make { $0.handshakePortByteLimit = 4096 }
    let sw = try silentSwitch()
    try sendFeatures(sw)
    let req = try XCTUnwrap(sw.received.first { $0.type == "REQUEST.PORT_DESC" })
    var parts = 0
    while !sw.peerClosed && parts < 1000 {
      sw.send(portDescPart(xid: req.xid, from: 1, count: 0, more: true))
      parts += 1
      sw.pump(loop, quietRounds: 1)
    }
    XCTAssertTrue(sw.peerClosed)
    XCTAssertEqual(parts, 4096 / 16 + 1)
  }

  /// A port list within the bounds still comes whole, over several parts.
  func testPortDescInPartsWithinTheBound() throws {
    make { $0.handshakePortLimit = 100 }
    let sw = try silentSwitch()
    try sendFeatures(sw)
    let req = try XCTUnwrap(sw.received.first { $0.type == "REQUEST.PORT_DESC" })
    sw.send(portDescPart(xid: req.xid, from: 1, count: 60, more: true))
    sw.send(portDescPart(xid: req.xid, from: 61, count: 40, more: false))
    sw.pump(loop)
    XCTAssertFalse(sw.peerClosed)
    XCTAssertEqual(host.datapaths.first?.ports.count, 100)
  }

  /// Big messages before CHANNEL_UP are held up to 1 MiB, not 1,000 of them
  /// (20 switches of 64 KiB messages held 1.3 GB); the rest is dropped with
  /// one warning, and a count at CHANNEL_UP.
  func testEarlyMessagesAreBoundedByBytes() throws {
    make()
    XCTAssertEqual(host.config.earlyByteLimit, 1 << 20)
    let sw = try silentSwitch()
    let big = packetIn(xid: 9, size: 65000)
    XCTAssertGreaterThan(big.count, 65000)
    for _ in 0..<40 {
      sw.sendRaw(big)
      sw.pump(loop, quietRounds: 1)
    }
    try sendFeatures(sw)
    let req = try XCTUnwrap(sw.received.first { $0.type == "REQUEST.PORT_DESC" })
    sw.send(portDescPart(xid: req.xid, from: 1, count: 3, more: false))
    sw.pump(loop)
    XCTAssertEqual(sink.seen.first, "CHANNEL_UP@1")
    let held = (1 << 20) / big.count
    XCTAssertEqual(sink.seen.filter { $0.hasPrefix("PACKET_IN@") }.count, held)
    XCTAssertLessThanOrEqual(sink.frames.reduce(0) { $0 + $1.count }, 1 << 20)
    let warnings = log.lines.filter { $0.hasPrefix("warning") && $0.contains("before CHANNEL_UP") }
    XCTAssertEqual(warnings.count, 2, warnings.joined(separator: "\n"))
    XCTAssertTrue(warnings[0].contains("1048576 bytes before CHANNEL_UP; dropping PACKET_IN"))
    XCTAssertTrue(warnings[1].contains("dropped \(40 - held) messages (\((40 - held) * big.count) bytes)"))
  }
}
