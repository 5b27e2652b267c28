import XCTest
#if canImport(Glibc)
import Glibc
#endif
@testable import Reactor

final class CloseTests: XCTestCase {
  func testPeerCloseReportedExactlyOnce() throws {
    let loop = try EventLoop()
    let (a, b) = makePair()
    let connection = loop.adopt(fd: a, peer: "pair")
    let recorder = Recorder()
    connection.delegate = recorder
    sendAll(b, Array("last words".utf8))
    Glibc.close(b)
    XCTAssertTrue(loop.spin { !connection.isOpen })
    for _ in 0..<3 { loop.runOnce(timeout: 0) }
    XCTAssertEqual(recorder.received, Array("last words".utf8), "data before the close is delivered")
    XCTAssertEqual(recorder.closeReasons, ["peer closed"])
    XCTAssertNil(connection.delegate, "delegate cleared after connectionClosed")
    XCTAssertEqual(loop.connectionCount, 0)
  }

  func testCloseIsSynchronousAndIdempotent() throws {
    let loop = try EventLoop()
    let (a, b) = makePair()
    defer { Glibc.close(b) }
    let connection = loop.adopt(fd: a, peer: "pair")
    let recorder = Recorder()
    connection.delegate = recorder
    connection.write(Array("dropped".utf8))
    connection.close(reason: "bye")
    XCTAssertEqual(recorder.closeReasons, ["bye"])
    XCTAssertFalse(connection.isOpen)
    connection.close(reason: "again")
    loop.runOnce(timeout: 0)
    XCTAssertEqual(recorder.closeReasons, ["bye"])
    XCTAssertEqual(drain(b), [], "unsent output is dropped; the peer sees end of stream")
    XCTAssertEqual(recvOnce(b), [])
    XCTAssertEqual(loop.connectionCount, 0)
  }

  func testCloseFromInsideReadableCallback() throws {
    let loop = try EventLoop()
    let (a, b) = makePair()
    defer { Glibc.close(b) }
    let connection = loop.adopt(fd: a, peer: "pair")
    let recorder = Recorder()
    recorder.onReadable = { $0.close(reason: "protocol error") }
    connection.delegate = recorder
    sendAll(b, [1, 2, 3])
    loop.runOnce(timeout: 1)
    loop.runOnce(timeout: 0)
    XCTAssertEqual(recorder.closeReasons, ["protocol error"])
  }

  func testCloseAfterFlushSendsThenCloses() throws {
    let loop = try EventLoop()
    let (a, b) = makePair()
    defer { Glibc.close(b) }
    setBuffer(a, SO_SNDBUF, 4096)
    let connection = loop.adopt(fd: a, peer: "pair")
    let recorder = Recorder()
    connection.delegate = recorder
    let data = pattern(100_000)
    connection.write(data)
    connection.closeAfterFlush(reason: "sent error")
    connection.write(Array("ignored".utf8))
    XCTAssertTrue(connection.isReadPaused)
    XCTAssertTrue(connection.isOpen)

    var received: [UInt8] = []
    XCTAssertTrue(loop.spin {
      received += drain(b)
      return !connection.isOpen
    })
    received += drain(b)
    XCTAssertEqual(received, data)
    XCTAssertEqual(recvOnce(b), [], "end of stream after the data")
    XCTAssertEqual(recorder.closeReasons, ["sent error"])
  }

  func testWriteToPeerThatStoppedReadingClosesWithoutSIGPIPE() throws {
    let loop = try EventLoop()
    let (a, b) = makePair()
    defer { Glibc.close(b) }
    XCTAssertEqual(shutdown(b, Int32(SHUT_RD)), 0)
    let connection = loop.adopt(fd: a, peer: "pair")
    let recorder = Recorder()
    connection.delegate = recorder
    connection.write(Array("anyone?".utf8))
    loop.runOnce(timeout: 0)  // would die of SIGPIPE without MSG_NOSIGNAL
    XCTAssertFalse(connection.isOpen)
    XCTAssertEqual(recorder.closeReasons.count, 1)
    XCTAssertTrue(recorder.closeReasons[0].hasPrefix("write failed:"), recorder.closeReasons[0])
    XCTAssertTrue(recorder.closeReasons[0].contains("Broken pipe"), recorder.closeReasons[0])
  }

  func testResetByPeerGivesReason() throws {
    let loop = try EventLoop()
    var accepted: Connection?
    let listener = try loop.listen(host: "127.0.0.1", port: 0) { accepted = $0 }
    defer { listener.close() }
    let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var sin = sockaddr_in()
    sin.sin_family = sa_family_t(AF_INET)
    sin.sin_port = listener.port.bigEndian
    sin.sin_addr.s_addr = inet_addr("127.0.0.1")
    let rc = withUnsafePointer(to: &sin) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        Glibc.connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    XCTAssertEqual(rc, 0)
    XCTAssertTrue(loop.spin { accepted != nil })
    let recorder = Recorder()
    accepted?.delegate = recorder
    var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
    setsockopt(client, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
    Glibc.close(client)  // linger 0: RST instead of FIN
    XCTAssertTrue(loop.spin { !(accepted?.isOpen ?? true) })
    XCTAssertEqual(recorder.closeReasons, ["read failed: Connection reset by peer"])
  }

  func testDeallocatedLoopClosesItsSockets() throws {
    let (a, b) = makePair()
    defer { Glibc.close(b) }
    var loop: EventLoop? = try EventLoop()
    let connection = loop!.adopt(fd: a, peer: "pair")
    let recorder = Recorder()
    connection.delegate = recorder
    loop = nil
    XCTAssertFalse(connection.isOpen)
    XCTAssertEqual(recvOnce(b), [], "peer sees end of stream")
    XCTAssertEqual(recorder.closeReasons, [], "no delegate calls from deinit")
  }
}
