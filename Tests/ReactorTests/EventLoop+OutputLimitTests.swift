import XCTest
#if canImport(Glibc)
import Glibc
#endif
@testable import Reactor

/// The byte bound on a connection's output: limited writes (an app's sends)
/// are refused past `outputLimit`, unlimited ones (the runtime's own) are
/// not, and a peer that takes nothing for `stuckTimeout` is closed as stuck.
final class OutputLimitTests: XCTestCase {
  func testLimitedWritesStopAtTheLimitAndAStuckPeerIsClosed() throws {
    let loop = try EventLoop()
    loop.useManualClock()
    loop.outputLimit = 256 * 1024
    let (a, b) = makePair()
    defer { Glibc.close(b) }
    let connection = loop.adopt(fd: a, peer: "pair")
    let recorder = Recorder()
    connection.delegate = recorder

    // The peer reads nothing: write a round's worth, flush, again.
    var refusedAt: Int?
    for round in 0..<1000 where refusedAt == nil {
      for _ in 0..<16 {
        guard let out = connection.write(count: 1000, limited: true) else {
          XCTAssertTrue(connection.refuses(count: 1000))
          refusedAt = round
          break
        }
        out.initializeMemory(as: UInt8.self, repeating: 7)
      }
      loop.runOnce(timeout: 0)
    }
    XCTAssertNotNil(refusedAt, "a limited write is refused once the backlog is at the limit")
    XCTAssertLessThanOrEqual(connection.outputCount, loop.outputLimit)
    XCTAssertGreaterThan(connection.outputCount, loop.outputLimit - 1000)

    // The runtime's own writes still go in, past the limit.
    let before = connection.outputCount
    connection.write(pattern(100))
    XCTAssertEqual(connection.outputCount, before + 100)

    // Refused, and nothing taken for stuckTimeout: closed, in the timer step.
    loop.advanceClock(by: loop.stuckTimeout + 1)
    loop.runOnce(timeout: 0)
    XCTAssertNil(connection.write(count: 1000, limited: true))
    XCTAssertTrue(connection.isOpen, "not closed under the writer")
    loop.runOnce(timeout: 0)
    XCTAssertFalse(connection.isOpen)
    XCTAssertEqual(recorder.closeReasons.count, 1)
    XCTAssertTrue(recorder.closeReasons.first?.hasPrefix("stuck:") ?? false, "\(recorder.closeReasons)")
  }

  func testAPeerThatKeepsReadingIsNotStuck() throws {
    let loop = try EventLoop()
    loop.useManualClock()
    loop.outputLimit = 128 * 1024
    let (a, b) = makePair()
    defer { Glibc.close(b) }
    let connection = loop.adopt(fd: a, peer: "pair")
    connection.delegate = Recorder()
    var refused = 0
    // Every round: fill to the limit, a second passes, the peer reads what came.
    for _ in 0..<40 {
      while connection.write(count: 4096, limited: true) != nil {}
      refused += 1
      loop.advanceClock(by: 1)
      loop.runOnce(timeout: 0)
      _ = drain(b)
      loop.runOnce(timeout: 0.05)
    }
    XCTAssertEqual(refused, 40)
    XCTAssertTrue(connection.isOpen, "a slow reader is not stuck")
    XCTAssertLessThanOrEqual(connection.outputCount, loop.outputLimit)
  }
}
