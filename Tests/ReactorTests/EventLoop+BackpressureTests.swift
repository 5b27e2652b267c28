import XCTest
#if canImport(Glibc)
import Glibc
#endif
@testable import Reactor

final class BackpressureTests: XCTestCase {
  func testOutputBacklogPausesReadingUntilDrained() throws {
    let loop = try EventLoop()
    loop.outputHighWater = 64 * 1024
    let (a, b) = makePair()
    defer { Glibc.close(b) }
    setBuffer(a, SO_SNDBUF, 4096)
    setBuffer(b, SO_RCVBUF, 4096)
    let connection = loop.adopt(fd: a, peer: "pair")
    let recorder = Recorder()
    connection.delegate = recorder

    let data = pattern(200 * 1024)
    connection.write(data)
    XCTAssertTrue(connection.isReadPaused, "over the high water mark at write()")
    XCTAssertFalse(connection.interest.contains(.readable))

    sendAll(b, Array("request".utf8))
    loop.runOnce(timeout: 0)
    loop.runOnce(timeout: 0.01)
    XCTAssertEqual(recorder.readableCalls, 0, "no reading while paused")
    XCTAssertTrue(connection.isReadPaused)

    var received: [UInt8] = []
    var sawPausedBelowHighWater = false
    let resumed = loop.spin(for: 5) {
      received += drain(b)
      let count = connection.outputCount
      if connection.isReadPaused && count < loop.outputHighWater && count >= loop.outputHighWater / 4 {
        sawPausedBelowHighWater = true
      }
      return !connection.isReadPaused
    }
    XCTAssertTrue(resumed)
    XCTAssertLessThan(connection.outputCount, loop.outputHighWater / 4)
    XCTAssertTrue(sawPausedBelowHighWater, "stays paused until under a quarter (hysteresis)")
    XCTAssertTrue(loop.spin { recorder.received == Array("request".utf8) }, "input read once resumed")
    XCTAssertTrue(loop.spin {
      received += drain(b)
      return received.count == data.count
    })
    XCTAssertEqual(received, data)
  }

  func testInputLimitPausesReadingUntilConsumed() throws {
    let loop = try EventLoop()
    loop.inputLimit = 1000
    let (a, b) = makePair()
    defer { Glibc.close(b) }
    let connection = loop.adopt(fd: a, peer: "pair")
    let recorder = Recorder(consumeAll: false)
    connection.delegate = recorder

    sendAll(b, pattern(5000))
    loop.runOnce(timeout: 1)
    XCTAssertEqual(connection.inputCount, 5000)
    XCTAssertTrue(connection.isReadPaused)

    sendAll(b, pattern(300))
    loop.runOnce(timeout: 0.01)
    loop.runOnce(timeout: 0.01)
    XCTAssertEqual(recorder.readableCalls, 1, "no reads while over the input limit")
    XCTAssertEqual(connection.inputCount, 5000)

    connection.consume(4500)
    XCTAssertFalse(connection.isReadPaused, "consuming below the limit resumes")
    loop.runOnce(timeout: 1)
    XCTAssertEqual(recorder.readableCalls, 2)
    XCTAssertEqual(connection.inputCount, 800)
    XCTAssertEqual(connection.withInput { Array($0.suffix(300)) }, pattern(300))
  }

  func testPeerCloseWhilePausedIsStillNoticed() throws {
    let loop = try EventLoop()
    loop.inputLimit = 10
    let (a, b) = makePair()
    let connection = loop.adopt(fd: a, peer: "pair")
    let recorder = Recorder(consumeAll: false)
    connection.delegate = recorder
    sendAll(b, pattern(100))
    loop.runOnce(timeout: 1)
    XCTAssertTrue(connection.isReadPaused)
    Glibc.close(b)
    loop.runOnce(timeout: 0)  // sees the hang-up
    // ...which must not make every later round wake at once while paused.
    let start = monotonicNow()
    loop.runOnce(timeout: 0.05)
    loop.runOnce(timeout: 0.05)
    XCTAssertGreaterThanOrEqual(monotonicNow() - start, 0.09)
    XCTAssertTrue(connection.isOpen)
    // Once the delegate catches up, the close is seen after the data.
    connection.consume(100)
    XCTAssertTrue(loop.spin { !connection.isOpen })
    XCTAssertEqual(recorder.closeReasons, ["peer closed"])
  }
}
