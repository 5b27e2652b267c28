import XCTest
@testable import Reactor

final class TimerTests: XCTestCase {
  func testTimersFireInDueOrderThenAddedOrder() throws {
    let loop = try EventLoop()
    var fired: [String] = []
    loop.addTimer(after: 0.03) { fired.append("30ms") }
    loop.addTimer(after: 0.01) { fired.append("10ms") }
    loop.addTimer(after: 0.02) { fired.append("20ms") }
    loop.addTimer(after: 0) { fired.append("now-a") }
    loop.addTimer(after: -1) { fired.append("now-b") }
    XCTAssertTrue(loop.spin { fired.count == 5 })
    // A negative delay counts as 0, so the two immediate timers keep added order.
    XCTAssertEqual(fired, ["now-a", "now-b", "10ms", "20ms", "30ms"])
  }

  func testTimerDoesNotFireEarly() throws {
    let loop = try EventLoop()
    let start = monotonicNow()
    var firedAt: Double?
    loop.addTimer(after: 0.05) { firedAt = monotonicNow() }
    loop.runOnce(timeout: nil)  // the wait is bounded by the timer
    XCTAssertNotNil(firedAt, "a nil timeout waits exactly until the timer is due")
    XCTAssertGreaterThanOrEqual((firedAt ?? 0) - start, 0.05)
  }

  func testCancelledTimerNeverFires() throws {
    let loop = try EventLoop()
    var fired: [Int] = []
    let doomed = loop.addTimer(after: 0.01) { fired.append(1) }
    loop.addTimer(after: 0.03) { fired.append(2) }
    loop.cancelTimer(doomed)
    loop.cancelTimer(doomed)  // twice is harmless
    XCTAssertEqual(loop.timerCount, 1)
    XCTAssertTrue(loop.spin { fired == [2] })
    loop.runOnce(timeout: 0.02)
    XCTAssertEqual(fired, [2])
    XCTAssertEqual(loop.timerCount, 0)
  }

  func testTimersAddedWhileFiringRunNextRound() throws {
    let loop = try EventLoop()
    var fired: [String] = []
    loop.addTimer(after: 0) {
      fired.append("first")
      loop.addTimer(after: 0) { fired.append("second") }
    }
    loop.runOnce(timeout: 0)
    XCTAssertEqual(fired, ["first"])
    loop.runOnce(timeout: 0)
    XCTAssertEqual(fired, ["first", "second"])
  }

  func testTimerCanCancelAnotherDueInTheSameRound() throws {
    let loop = try EventLoop()
    var fired: [Int] = []
    var second: TimerHandle?
    loop.addTimer(after: 0) {
      fired.append(1)
      if let second { loop.cancelTimer(second) }
    }
    second = loop.addTimer(after: 0) { fired.append(2) }
    loop.runOnce(timeout: 0)
    XCTAssertEqual(fired, [1])
  }

  func testTenThousandTimersWithMostCancelled() throws {
    let loop = try EventLoop()
    var generator = SystemRandomNumberGenerator()
    var fired: [(due: Double, index: Int)] = []
    var dues: [Double] = []
    var handles: [TimerHandle] = []
    for i in 0..<10_000 {
      let delay = Double.random(in: 0...0.1, using: &generator)
      dues.append(monotonicNow() + delay)
      handles.append(loop.addTimer(after: delay) { fired.append((dues[i], i)) })
    }
    var cancelled = Set<Int>()
    for i in stride(from: 0, to: 10_000, by: 10) {
      for j in i..<(i + 7) {
        loop.cancelTimer(handles[j])
        cancelled.insert(j)
      }
    }
    XCTAssertEqual(loop.timerCount, 3_000)
    XCTAssertTrue(loop.spin(for: 5) { fired.count == 3_000 })
    loop.runOnce(timeout: 0.01)
    XCTAssertEqual(fired.count, 3_000)
    XCTAssertTrue(fired.allSatisfy { !cancelled.contains($0.index) })
    // Due order; addTimer reads the clock itself, a moment after `dues`.
    let outOfOrder = (1..<fired.count).filter { fired[$0 - 1].due > fired[$0].due + 0.001 }
    XCTAssertEqual(outOfOrder, [])
    XCTAssertLessThanOrEqual(loop.timers.entries.count, 64, "dead entries do not pile up")
  }

  func testHeapKeepsOrderUnderRandomCancels() {
    var heap = TimerHeap()
    var generator = SystemRandomNumberGenerator()
    var expected: [(Double, UInt64)] = []
    var handles: [TimerHandle] = []
    for _ in 0..<2_000 {
      let due = Double(Int.random(in: 0..<500, using: &generator))
      let handle = heap.add(due: due) {}
      handles.append(handle)
      expected.append((due, handle.id))
    }
    var dead = Set<UInt64>()
    for handle in handles.shuffled(using: &generator).prefix(1_500) {
      heap.cancel(handle)
      dead.insert(handle.id)
    }
    expected = expected.filter { !dead.contains($0.1) }.sorted { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
    var popped: [(Double, UInt64)] = []
    while let due = heap.nextDue {
      let id = heap.entries[0].id
      XCTAssertNotNil(heap.popDue(now: .infinity, addedBefore: .max))
      popped.append((due, id))
    }
    XCTAssertEqual(popped.map(\.1), expected.map(\.1))
    XCTAssertEqual(heap.count, 0)
  }
}
