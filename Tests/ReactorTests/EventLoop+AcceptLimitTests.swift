import XCTest
#if canImport(Glibc)
import Glibc
#endif
@testable import Reactor

/// Out of descriptors: accept fails with EMFILE as long as that lasts. The
/// listener says so (once, then at most every 10 s) and pauses accepting
/// instead of waking every round.
final class AcceptLimitTests: XCTestCase {
  func testRunningOutOfDescriptorsIsReportedAndDoesNotSpin() throws {
    let loop = try EventLoop()
    var accepted = 0
    var reports: [(error: String, failures: Int)] = []
    let listener = try loop.listen(host: "127.0.0.1", port: 0) { _ in accepted += 1 }
    defer { listener.close() }
    listener.onAcceptError = { reports.append(($0, $1)) }
    // A client whose connect is in the listener's backlog before the limit
    // drops (a blocking connect on loopback; the loop has not run yet).
    let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    XCTAssertGreaterThanOrEqual(client, 0)
    defer { Glibc.close(client) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = listener.port.bigEndian
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &addr) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    XCTAssertEqual(connected, 0)

    let nofile = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    var saved = rlimit()
    XCTAssertEqual(getrlimit(nofile, &saved), 0)
    let lowest = dup(0)
    XCTAssertGreaterThanOrEqual(lowest, 0)
    Glibc.close(lowest)
    var low = saved
    low.rlim_cur = rlim_t(lowest)  // no new descriptor can be made
    XCTAssertEqual(setrlimit(nofile, &low), 0)
    var rounds = 0
    let start = monotonicNow()
    while monotonicNow() - start < 0.5 {
      loop.runOnce(timeout: 0.05)
      rounds += 1
    }
    XCTAssertEqual(setrlimit(nofile, &saved), 0)

    XCTAssertEqual(accepted, 0)
    XCTAssertEqual(reports.count, 1, "reported once, then no more than every 10 s")
    XCTAssertEqual(reports.first?.error, errorText(EMFILE))
    XCTAssertEqual(reports.first?.failures, 1)
    // Paused 0.1 s after each failure: about 10 rounds in 0.5 s, not thousands.
    XCTAssertLessThan(rounds, 40, "the loop spun: \(rounds) rounds in 0.5 s")
    XCTAssertTrue(loop.spin { accepted == 1 }, "accepting resumes once descriptors are free")
  }
}
