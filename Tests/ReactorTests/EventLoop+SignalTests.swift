import XCTest
#if canImport(Glibc)
import Glibc
#endif
@testable import Reactor

final class SignalTests: XCTestCase {
  func testSignalArrivesThroughSignalfdInsideARound() throws {
    let loop = try EventLoop()
    var got: [Int32] = []
    try loop.onSignals([SIGUSR1]) { got.append($0) }
    // Blocked now, so raise only makes it pending for the signalfd.
    XCTAssertEqual(raise(SIGUSR1), 0)
    XCTAssertEqual(got, [], "never handled in signal context")
    loop.runOnce(timeout: 1)
    XCTAssertEqual(got, [SIGUSR1])
  }

  func testSeveralSignalsAndHandlers() throws {
    let loop = try EventLoop()
    var first: [Int32] = []
    var second: [Int32] = []
    try loop.onSignals([SIGUSR1, SIGUSR2]) { first.append($0) }
    try loop.onSignals([SIGUSR2]) { second.append($0) }
    XCTAssertEqual(raise(SIGUSR2), 0)
    XCTAssertEqual(raise(SIGUSR1), 0)
    XCTAssertTrue(loop.spin { first.count == 2 })
    XCTAssertEqual(Set(first), [SIGUSR1, SIGUSR2])
    XCTAssertEqual(second, [SIGUSR2])
  }

  func testInvalidSignalThrows() throws {
    let loop = try EventLoop()
    XCTAssertThrowsError(try loop.onSignals([9999]) { _ in }) { error in
      XCTAssertTrue("\(error)".contains("9999"), "\(error)")
    }
  }
}
