import XCTest
#if canImport(Glibc)
import Glibc
#endif
@testable import Reactor

private struct Boom: Error, CustomStringConvertible {
  var description: String { "boom" }
}

/// Foreign descriptors watched by the loop (EventLoop+Targets.swift), on socketpairs.
final class TargetTests: XCTestCase {
  func testReadInterestReportsDataOncePerRoundUntilRead() throws {
    let loop = try EventLoop()
    let (a, b) = makePair()
    defer { Glibc.close(b) }
    var seen: [Readiness] = []
    var got: [UInt8] = []
    let target = try loop.addTarget(fd: a, interest: .readable) { t, ready in
      seen.append(ready)
      if let bytes = recvOnce(t.fd, max: 4) { got += bytes }
    }
    loop.runOnce(timeout: 0)
    XCTAssertEqual(seen, [], "nothing to read yet")
    sendAll(b, Array("0123456789".utf8))
    for _ in 0..<5 { loop.runOnce(timeout: 0) }
    XCTAssertEqual(String(decoding: got, as: UTF8.self), "0123456789", "one read of 4 bytes per round")
    XCTAssertEqual(seen.count, 3, "level-triggered: reported each round while data is left")
    XCTAssertTrue(seen.allSatisfy { $0.contains(.readable) })
    XCTAssertEqual(loop.targetCount, 1)
    target.close(reason: "done")
    XCTAssertEqual(loop.targetCount, 0)
  }

  func testInterestChanges() throws {
    let loop = try EventLoop()
    let (a, b) = makePair()
    defer { Glibc.close(b) }
    var seen: [Readiness] = []
    let target = try loop.addTarget(fd: a, interest: []) { _, ready in seen.append(ready) }
    sendAll(b, [1, 2, 3])
    loop.runOnce(timeout: 0)
    XCTAssertEqual(seen, [], "no interest: nothing reported")
    target.setInterest(.writable)
    loop.runOnce(timeout: 0)
    XCTAssertEqual(seen.last.map { $0.contains(.writable) && !$0.contains(.readable) }, true)
    seen = []
    target.setInterest([.readable, .writable])
    loop.runOnce(timeout: 0)
    XCTAssertEqual(seen, [[.readable, .writable]])
    seen = []
    target.setInterest(.readable)
    loop.runOnce(timeout: 0)
    XCTAssertEqual(seen, [.readable])
    XCTAssertEqual(target.interest, .readable)
    seen = []
    target.setInterest([])
    loop.runOnce(timeout: 0)
    XCTAssertEqual(seen, [], "interest taken away")
    target.close(reason: "done")
  }

  func testEmptyInterestDoesNotSpinOnHangup() throws {
    let loop = try EventLoop()
    let (a, b) = makePair()
    var calls = 0
    let target = try loop.addTarget(fd: a, interest: .writable) { t, _ in
      calls += 1
      t.setInterest([])
    }
    Glibc.close(b)
    for _ in 0..<5 { loop.runOnce(timeout: 0) }
    XCTAssertEqual(calls, 1, "a hang-up is not reported to a target that wants nothing")
    target.close(reason: "done")
  }

  func testRaisingHandlerClosesOnlyItsTarget() throws {
    let loop = try EventLoop()
    var logged: [String] = []
    loop.log = { logged.append($0) }
    let (a1, b1) = makePair()
    let (a2, b2) = makePair()
    defer {
      Glibc.close(b1)
      Glibc.close(b2)
    }
    var closes: [String] = []
    var goodReads = 0
    let bad = try loop.addTarget(fd: a1, interest: .readable, onReady: { _, _ in throw Boom() },
                                 onClose: { _, why in closes.append(why) })
    let good = try loop.addTarget(fd: a2, interest: .readable, onReady: { t, _ in
      goodReads += 1
      _ = recvOnce(t.fd)
    })
    sendAll(b1, [1])
    sendAll(b2, [2])
    for _ in 0..<3 { loop.runOnce(timeout: 0) }
    XCTAssertFalse(bad.isOpen)
    XCTAssertEqual(closes, ["handler failed: boom"])
    XCTAssertEqual(logged.count, 1)
    XCTAssertTrue(logged.first?.contains("boom") ?? false)
    var byte: UInt8 = 0
    let n = recv(b1, &byte, 1, Int32(MSG_DONTWAIT))
    XCTAssertTrue(n == 0 || (n < 0 && errno == ECONNRESET), "the failed target's descriptor is closed (unread data: a reset)")
    XCTAssertEqual(goodReads, 1)
    sendAll(b2, [3])
    loop.runOnce(timeout: 0)
    XCTAssertEqual(goodReads, 2, "the other target goes on")
    XCTAssertTrue(good.isOpen)
    XCTAssertEqual(loop.targetCount, 1)
    good.close(reason: "done")
  }

  func testCloseNotificationOnceAndDetach() throws {
    let loop = try EventLoop()
    let (a, b) = makePair()
    defer { Glibc.close(b) }
    var closes: [String] = []
    let target = try loop.addTarget(fd: a, interest: .readable, onReady: { _, _ in },
                                    onClose: { t, why in closes.append(why); XCTAssertFalse(t.isOpen) })
    target.close(reason: "bye")
    target.close(reason: "again")
    XCTAssertEqual(closes, ["bye"])
    XCTAssertEqual(target.fd, -1)

    let (c, d) = makePair()
    defer { Glibc.close(d) }
    var detachedCloses = 0
    let other = try loop.addTarget(fd: c, interest: .readable, onReady: { _, _ in XCTFail("detached") },
                                   onClose: { _, _ in detachedCloses += 1 })
    let fd = other.detach()
    XCTAssertEqual(fd, c)
    sendAll(d, [1])
    loop.runOnce(timeout: 0)
    XCTAssertEqual(detachedCloses, 0)
    XCTAssertEqual(recvOnce(fd), [1], "a detached descriptor stays open")
    Glibc.close(fd)
    XCTAssertEqual(loop.targetCount, 0)
  }

  func testHandlerMayCloseItsTargetAndOthers() throws {
    let loop = try EventLoop()
    let (a1, b1) = makePair()
    let (a2, b2) = makePair()
    defer {
      Glibc.close(b1)
      Glibc.close(b2)
    }
    var second: Target?
    var secondCalls = 0
    let first = try loop.addTarget(fd: a1, interest: .readable) { t, _ in
      t.close(reason: "self")
      second?.close(reason: "other")
    }
    second = try loop.addTarget(fd: a2, interest: .readable) { _, _ in secondCalls += 1 }
    sendAll(b1, [1])
    sendAll(b2, [1])
    loop.runOnce(timeout: 0)
    XCTAssertFalse(first.isOpen)
    XCTAssertFalse(second!.isOpen)
    XCTAssertLessThanOrEqual(secondCalls, 1, "a target closed earlier in the round is not called after")
    XCTAssertEqual(loop.targetCount, 0)
  }

  func testLoopDeinitClosesTargets() throws {
    let (a, b) = makePair()
    defer { Glibc.close(b) }
    var closes = 0
    do {
      let loop = try EventLoop()
      _ = try loop.addTarget(fd: a, interest: .readable, onReady: { _, _ in }, onClose: { _, _ in closes += 1 })
    }
    XCTAssertEqual(recvOnce(b), [], "closed with the loop")
    XCTAssertEqual(closes, 0, "quietly")
  }
}
