import XCTest
#if canImport(Glibc)
import Glibc
#endif
@testable import Reactor

final class FlushTests: XCTestCase {
  func testPartialWriteKeepsRestAndResumesOnWritable() throws {
    let loop = try EventLoop()
    let (a, b) = makePair()
    defer { Glibc.close(b) }
    setBuffer(a, SO_SNDBUF, 4096)
    setBuffer(b, SO_RCVBUF, 4096)
    let connection = loop.adopt(fd: a, peer: "pair")
    let data = pattern(1 << 20)
    connection.write(data)
    loop.runOnce(timeout: 0)

    let first = drain(b)
    XCTAssertGreaterThan(first.count, 0)
    XCTAssertLessThan(first.count, data.count, "a small send buffer must make the write partial")
    XCTAssertEqual(connection.outputCount, data.count - first.count)
    XCTAssertTrue(connection.awaitingWritable)
    XCTAssertTrue(connection.interest.contains(.writable), "writable wanted")

    var received = first
    let finished = loop.spin(for: 5) {
      received += drain(b)
      return received.count == data.count
    }
    XCTAssertTrue(finished)
    XCTAssertEqual(received, data)
    XCTAssertEqual(connection.outputCount, 0)
    XCTAssertFalse(connection.awaitingWritable)
    XCTAssertFalse(connection.interest.contains(.writable), "no longer wanted once drained")
  }

  func testNoWriteWhileSocketIsFull() throws {
    let loop = try EventLoop()
    let (a, b) = makePair()
    defer { Glibc.close(b) }
    setBuffer(a, SO_SNDBUF, 4096)
    let connection = loop.adopt(fd: a, peer: "pair")
    connection.write(pattern(1 << 20))
    loop.runOnce(timeout: 0)
    let left = connection.outputCount
    XCTAssertGreaterThan(left, 0)
    // The peer reads nothing, so the socket stays full: rounds must not
    // write (or spin on EAGAIN) and the backlog must stay as it is.
    for _ in 0..<3 { loop.runOnce(timeout: 0.01) }
    XCTAssertEqual(connection.outputCount, left)
    XCTAssertTrue(connection.isOpen)
  }
}
