import XCTest
#if canImport(Glibc)
import Glibc
#endif
@testable import Reactor

/// Records what the loop tells a connection's delegate.
final class Recorder: ConnectionDelegate {
  var received: [UInt8] = []
  var readableCalls = 0
  var closeReasons: [String] = []
  /// Consume everything on each call (otherwise leave input buffered).
  var consumeAll = true
  var onReadable: ((Connection) -> Void)?

  init(consumeAll: Bool = true) { self.consumeAll = consumeAll }

  func connectionReadable(_ connection: Connection) {
    readableCalls += 1
    if let onReadable { onReadable(connection) }
    guard consumeAll else { return }
    connection.withInput { received.append(contentsOf: $0) }
    connection.consume(connection.inputCount)
  }

  func connectionClosed(_ connection: Connection, reason: String) {
    closeReasons.append(reason)
  }
}

/// A socketpair: `loopSide` goes to the loop, `peer` stays with the test.
func makePair(_ type: __socket_type = SOCK_STREAM, file: StaticString = #filePath, line: UInt = #line) -> (loopSide: Int32, peer: Int32) {
  var fds: [Int32] = [-1, -1]
  XCTAssertEqual(socketpair(AF_UNIX, Int32(type.rawValue), 0, &fds), 0, "socketpair", file: file, line: line)
  return (fds[0], fds[1])
}

func setBuffer(_ fd: Int32, _ option: Int32, _ bytes: Int32) {
  var value = bytes
  _ = setsockopt(fd, SOL_SOCKET, option, &value, socklen_t(MemoryLayout<Int32>.size))
}

/// Everything readable on `fd` now, without blocking.
func drain(_ fd: Int32) -> [UInt8] {
  var out: [UInt8] = []
  var chunk = [UInt8](repeating: 0, count: 65536)
  while true {
    let n = recv(fd, &chunk, chunk.count, Int32(MSG_DONTWAIT))
    if n <= 0 { return out }
    out.append(contentsOf: chunk[0..<n])
  }
}

/// One recv without blocking: nil when nothing is there, [] at end of stream.
func recvOnce(_ fd: Int32, max: Int = 1 << 20) -> [UInt8]? {
  var chunk = [UInt8](repeating: 0, count: max)
  let n = recv(fd, &chunk, chunk.count, Int32(MSG_DONTWAIT))
  if n < 0 { return nil }
  return Array(chunk[0..<n])
}

func sendAll(_ fd: Int32, _ bytes: [UInt8]) {
  var offset = 0
  while offset < bytes.count {
    let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    precondition(n > 0, "send: \(errno)")
    offset += n
  }
}

func pattern(_ count: Int) -> [UInt8] {
  (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 8) }
}

extension EventLoop {
  /// Runs rounds until `done` holds or `seconds` pass; returns whether it held.
  @discardableResult
  func spin(for seconds: Double = 3, until done: () -> Bool) -> Bool {
    let deadline = monotonicNow() + seconds
    while !done() {
      if monotonicNow() > deadline { return false }
      runOnce(timeout: 0.01)
    }
    return true
  }
}
