import Glibc
import OpenFlow
import Reactor
import TestSupport
import XCTest

@testable import HostCore

final class ConnectTests: XCTestCase {
  /// A listening socket on loopback, as a switch in `ptcp:` mode has.
  func listener() -> (fd: Int32, port: UInt16) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var a = sockaddr_in()
    a.sin_family = sa_family_t(AF_INET)
    a.sin_addr.s_addr = inet_addr("127.0.0.1")
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
    precondition(Glibc.listen(fd, 4) == 0)
    _ = withUnsafeMutablePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    return (fd, UInt16(bigEndian: a.sin_port))
  }

  func acceptOne(_ fd: Int32, _ loop: EventLoop) -> Int32? {
    for _ in 0..<200 {
      loop.runOnce(timeout: 0.005)
      let c = accept(fd, nil, nil)
      if c >= 0 { return c }
    }
    return nil
  }

  func readHello(_ c: Int32, _ loop: EventLoop) -> OFMessage? {
    var buf = [UInt8](repeating: 0, count: 256)
    _ = fcntl(c, F_SETFL, fcntl(c, F_GETFL) | O_NONBLOCK)
    for _ in 0..<200 {
      loop.runOnce(timeout: 0.005)
      let n = read(c, &buf, buf.count)
      if n >= 8 { return try? OFCodec.decode(Array(buf[0..<n])) }
    }
    return nil
  }

  func testConnectsOutAndAgainAfterTheSwitchCloses() throws {
    let (lfd, port) = listener()
    defer { close(lfd) }
    let loop = try EventLoop()
    var config = HostConfig()
    config.listen = []
    config.connect = [ConnectTarget(host: "127.0.0.1", port: port)]
    let log = CaptureLog()
    let host = Controller(loop: loop, config: config, logger: log.logger)
    try host.start()
    let c1 = try XCTUnwrap(acceptOne(lfd, loop))
    XCTAssertEqual(readHello(c1, loop)?.type, "HELLO")
    close(c1)
    // The backoff's first step is 0.5 s ± 25%: the second connection comes within a second.
    let start = loop.now
    let c2 = try XCTUnwrap(acceptOne(lfd, loop) ?? acceptOne(lfd, loop) ?? acceptOne(lfd, loop))
    XCTAssertGreaterThan(loop.now - start, 0.3)
    XCTAssertEqual(readHello(c2, loop)?.type, "HELLO")
    close(c2)
    host.shutdown()
  }

  func testBackoffDoublesToItsCap() {
    let o = Outbound(ConnectTarget(host: "127.0.0.1", port: 1))
    var waits: [Double] = []
    for _ in 0..<7 { waits.append(o.nextWait(random: { 0.5 })) }
    XCTAssertEqual(waits, [0.5, 1, 2, 4, 8, 8, 8])
    let lo = Outbound(ConnectTarget(host: "h", port: 1)).nextWait(random: { 0 })
    let hi = Outbound(ConnectTarget(host: "h", port: 1)).nextWait(random: { 0.999999 })
    XCTAssertEqual(lo, 0.375, accuracy: 1e-9)
    XCTAssertEqual(hi, 0.625, accuracy: 1e-5)
  }

  func testRefusedConnectionsBackOff() throws {
    let (lfd, port) = listener()
    close(lfd)  // nothing listens there now
    let loop = try EventLoop()
    var config = HostConfig()
    config.listen = []
    config.connect = [ConnectTarget(host: "127.0.0.1", port: port)]
    let log = CaptureLog()
    let host = Controller(loop: loop, config: config, logger: log.logger)
    try host.start()
    for _ in 0..<20 { loop.runOnce(timeout: 0.005) }
    XCTAssertEqual(host.connectDelays, [1.0])
    host.shutdown()
  }
}
