import XCTest
#if canImport(Glibc)
import Glibc
#endif
@testable import Reactor

final class ReadWriteTests: XCTestCase {
  func testReadsInputAndCallsDelegate() throws {
    let loop = try EventLoop()
    let (a, b) = makePair()
    defer { Glibc.close(b) }
    let connection = loop.adopt(fd: a, peer: "pair")
    let recorder = Recorder()
    connection.delegate = recorder
    XCTAssertEqual(connection.id, 1)
    XCTAssertEqual(loop.connectionCount, 1)

    sendAll(b, Array("hello".utf8))
    loop.runOnce(timeout: 1)
    XCTAssertEqual(recorder.received, Array("hello".utf8))
    XCTAssertEqual(recorder.readableCalls, 1)
    XCTAssertEqual(connection.inputCount, 0)
  }

  func testUnconsumedInputStaysBuffered() throws {
    let loop = try EventLoop()
    let (a, b) = makePair()
    defer { Glibc.close(b) }
    let connection = loop.adopt(fd: a, peer: "pair")
    let recorder = Recorder(consumeAll: false)
    recorder.onReadable = { $0.consume(2) }
    connection.delegate = recorder

    sendAll(b, Array("abcdef".utf8))
    loop.runOnce(timeout: 1)
    sendAll(b, Array("gh".utf8))
    loop.runOnce(timeout: 1)
    XCTAssertEqual(connection.inputCount, 4)
    XCTAssertEqual(connection.withInput { Array($0) }, Array("efgh".utf8))
  }

  func testOneReadPerRoundOfAtMostReadChunk() throws {
    let loop = try EventLoop()
    loop.readChunk = 100
    let (a, b) = makePair()
    defer { Glibc.close(b) }
    let connection = loop.adopt(fd: a, peer: "pair")
    let recorder = Recorder()
    connection.delegate = recorder

    sendAll(b, pattern(250))
    loop.runOnce(timeout: 1)
    XCTAssertEqual(recorder.received.count, 100)
    loop.runOnce(timeout: 1)
    loop.runOnce(timeout: 1)
    XCTAssertEqual(recorder.received, pattern(250))
    XCTAssertEqual(recorder.readableCalls, 3)
  }

  func testWriteIsDeferredToFlush() throws {
    let loop = try EventLoop()
    let (a, b) = makePair()
    defer { Glibc.close(b) }
    let connection = loop.adopt(fd: a, peer: "pair")
    connection.write(Array("ping".utf8))
    XCTAssertNil(recvOnce(b), "write() must not touch the socket")
    XCTAssertEqual(connection.outputCount, 4)
    loop.runOnce(timeout: 0)
    XCTAssertEqual(recvOnce(b), Array("ping".utf8))
    XCTAssertEqual(connection.outputCount, 0)
  }

  /// SOCK_SEQPACKET keeps each send a separate record, so one recv showing
  /// all three writes proves they went out in a single write.
  func testWritesOfOneRoundGoOutInOneWrite() throws {
    let loop = try EventLoop()
    let (a, b) = makePair(SOCK_SEQPACKET)
    defer { Glibc.close(b) }
    let connection = loop.adopt(fd: a, peer: "pair")
    let recorder = Recorder()
    recorder.onReadable = { c in
      c.write(Array("one,".utf8))
      c.write(Array("two,".utf8))
    }
    connection.delegate = recorder
    loop.beforeSleep.append { connection.write(Array("three".utf8)) }

    sendAll(b, [1])
    loop.runOnce(timeout: 1)
    XCTAssertEqual(recvOnce(b), Array("one,two,three".utf8))
    XCTAssertNil(recvOnce(b), "exactly one record per round")
  }

  func testWritesFromUnsafeBytesAndBothEnds() throws {
    let loop = try EventLoop()
    let (a, b) = makePair()
    let left = loop.adopt(fd: a, peer: "left")
    let right = loop.adopt(fd: b, peer: "right")
    XCTAssertEqual(right.id, 2)
    let recorder = Recorder()
    right.delegate = recorder
    let data = pattern(300_000)
    data.withUnsafeBytes { left.write($0) }
    XCTAssertTrue(loop.spin { recorder.received.count == data.count })
    XCTAssertEqual(recorder.received, data)
  }

  func testRoundWaitsForInputWhenIdle() throws {
    let loop = try EventLoop()
    let (a, b) = makePair()
    defer { Glibc.close(b) }
    let connection = loop.adopt(fd: a, peer: "pair")
    let recorder = Recorder()
    connection.delegate = recorder
    let start = monotonicNow()
    loop.runOnce(timeout: 0.05)
    XCTAssertGreaterThanOrEqual(monotonicNow() - start, 0.04)
    XCTAssertEqual(recorder.readableCalls, 0)
    XCTAssertGreaterThanOrEqual(loop.now, start)
  }

  func testBeforeSleepRunsEachRoundAfterTimers() throws {
    let loop = try EventLoop()
    var log: [String] = []
    loop.addTimer(after: 0) { log.append("timer") }
    loop.beforeSleep.append { log.append("hook") }
    loop.runOnce(timeout: 0)
    loop.runOnce(timeout: 0)
    XCTAssertEqual(log, ["timer", "hook", "hook"])
  }

  func testRunStopsWhenAsked() throws {
    let loop = try EventLoop()
    var rounds = 0
    loop.beforeSleep.append { rounds += 1 }
    loop.addTimer(after: 0.01) { loop.stop() }
    loop.run()
    XCTAssertGreaterThanOrEqual(rounds, 1)
  }
}
