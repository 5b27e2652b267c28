import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif
@testable import Reactor

/// TLS on socketpairs, both ends driven by one loop.
final class TLSTests: XCTestCase {
  static var dir: URL!

  /// Two CAs, each with a server and a client certificate, made once with openssl.
  override class func setUp() {
    dir = FileManager.default.temporaryDirectory.appendingPathComponent("zoftls-\(getpid())")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let script = """
      set -e
      for ca in ca1 ca2; do
        openssl req -x509 -newkey rsa:2048 -nodes -keyout $ca-key.pem -out $ca.pem -days 2 -subj /CN=$ca 2>/dev/null
        for who in server client; do
          openssl req -newkey rsa:2048 -nodes -keyout $ca-$who-key.pem -out $ca-$who.csr -subj /CN=$ca-$who 2>/dev/null
          openssl x509 -req -in $ca-$who.csr -CA $ca.pem -CAkey $ca-key.pem -CAcreateserial -out $ca-$who.pem -days 2 2>/dev/null
        done
      done
      """
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", script]
    p.currentDirectoryURL = dir
    try? p.run()
    p.waitUntilExit()
  }

  override class func tearDown() { try? FileManager.default.removeItem(at: dir) }

  func path(_ name: String) -> String { Self.dir.appendingPathComponent(name).path }

  func context(server: Bool, ca: String = "ca1", signer: String = "ca1") throws -> TLSContext {
    let who = server ? "server" : "client"
    return try TLSContext(server: server, certificate: path("\(signer)-\(who).pem"), key: path("\(signer)-\(who)-key.pem"), ca: path("\(ca).pem"))
  }

  func run(_ loop: EventLoop, until done: () -> Bool, rounds: Int = 400) {
    for _ in 0..<rounds where !done() { loop.runOnce(timeout: 0.005) }
  }

  /// A server and a client connection over a socketpair.
  func pair(_ loop: EventLoop, server: TLSContext, client: TLSContext) -> (Connection, Recorder, Connection, Recorder) {
    let (a, b) = makePair()
    let s = loop.adopt(fd: a, peer: "server-side"), c = loop.adopt(fd: b, peer: "client-side")
    let rs = Recorder(), rc = Recorder()
    s.delegate = rs
    c.delegate = rc
    s.startTLS(server)
    c.startTLS(client)
    return (s, rs, c, rc)
  }

  func testHandshakeAndDataBothWaysInPartialRecords() throws {
    let loop = try EventLoop()
    let (s, rs, c, rc) = pair(loop, server: try context(server: true), client: try context(server: false))
    // Written before the handshake: held as plaintext, sent once it is over.
    c.write(Array("hello".utf8))
    run(loop) { rs.received.count >= 5 }
    XCTAssertEqual(String(decoding: rs.received, as: UTF8.self), "hello")
    XCTAssertTrue(s.isTLSEstablished && c.isTLSEstablished)
    XCTAssertTrue(s.tlsSummary?.contains("TLSv1.3, peer /CN=ca1-client") ?? false, s.tlsSummary ?? "")
    // 300 KB is many records and more than a socketpair takes at once:
    // short writes wait for EPOLLOUT, reads end mid-record.
    let big = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 * 7) }
    s.write(big)
    run(loop, until: { rc.received.count >= big.count }, rounds: 2000)
    XCTAssertTrue(rc.received == big, "\(rc.received.count) of \(big.count) bytes")
    XCTAssertTrue(rs.closeReasons.isEmpty && rc.closeReasons.isEmpty, "\(rs.closeReasons) \(rc.closeReasons)")
  }

  func testTLS12Works() throws {
    let loop = try EventLoop()
    let client = try context(server: false)
    client.limitToTLS12()
    let (s, rs, c, _) = pair(loop, server: try context(server: true), client: client)
    c.write(Array("x".utf8))
    run(loop) { rs.received.count >= 1 }
    XCTAssertTrue(s.tlsSummary?.hasPrefix("TLSv1.2") ?? false, s.tlsSummary ?? "")
  }

  func testClientFromAnotherCAIsRefused() throws {
    let loop = try EventLoop()
    let (s, rs, _, rc) = pair(loop, server: try context(server: true), client: try context(server: false, signer: "ca2"))
    run(loop) { !s.isOpen }
    XCTAssertFalse(s.isOpen)
    XCTAssertTrue(rs.closeReasons.first?.contains("certificate verify failed") ?? false, "\(rs.closeReasons)")
    run(loop) { !rc.closeReasons.isEmpty }
    XCTAssertFalse(rc.closeReasons.isEmpty)
  }

  func testPlainTCPOnATLSConnectionIsRefused() throws {
    let loop = try EventLoop()
    let (a, b) = makePair()
    let s = loop.adopt(fd: a, peer: "server-side")
    let rs = Recorder()
    s.delegate = rs
    s.startTLS(try context(server: true))
    // An OpenFlow 1.3 HELLO where a ClientHello should be.
    _ = [UInt8]([4, 0, 0, 8, 0, 0, 0, 1]).withUnsafeBytes { write(b, $0.baseAddress, 8) }
    run(loop) { !s.isOpen }
    XCTAssertTrue(rs.closeReasons.first?.hasPrefix("TLS handshake failed") ?? false, "\(rs.closeReasons)")
    close(b)
  }

  func testStalledHandshakeNeverBlocksTheLoop() throws {
    let loop = try EventLoop()
    let (a, b) = makePair()
    let s = loop.adopt(fd: a, peer: "server-side")
    s.startTLS(try context(server: true))
    // Half a ClientHello's record header, then nothing.
    _ = [UInt8]([0x16, 0x03]).withUnsafeBytes { write(b, $0.baseAddress, 2) }
    let start = Date()
    for _ in 0..<20 { loop.runOnce(timeout: 0.001) }
    XCTAssertLessThan(Date().timeIntervalSince(start), 1)
    XCTAssertTrue(s.isOpen && !s.isTLSEstablished)
    s.close(reason: "timeout")
    close(b)
  }

  func testRenegotiationIsRefused() throws {
    let loop = try EventLoop()
    let client = try context(server: false)
    client.limitToTLS12()
    let (s, rs, c, _) = pair(loop, server: try context(server: true), client: client)
    c.write(Array("x".utf8))
    run(loop) { rs.received.count >= 1 }
    XCTAssertTrue(s.isTLSEstablished)
    c.tlsRenegotiate()
    run(loop) { !s.isOpen }
    XCTAssertFalse(s.isOpen)
    // OpenSSL answers the ClientHello with a no_renegotiation alert and the
    // client gives up (a handshake_failure alert); should a ClientHello get
    // through, the session is closed as renegotiating.
    let reason = rs.closeReasons.first ?? ""
    XCTAssertTrue(reason.contains("renegotiat") || reason.contains("alert handshake failure"), reason)
  }

  func testGarbageAfterAGoodHandshakeClosesWithAClearReason() throws {
    let loop = try EventLoop()
    let (s, rs, c, _) = pair(loop, server: try context(server: true), client: try context(server: false))
    c.write(Array("ok".utf8))
    run(loop) { rs.received.count >= 2 }
    XCTAssertTrue(s.isTLSEstablished)
    // An application-data record header, then bytes no key made.
    let junk: [UInt8] = [0x17, 0x03, 0x03, 0x00, 0x40] + (0..<64).map { UInt8(truncatingIfNeeded: $0 &* 37) }
    _ = junk.withUnsafeBytes { write(c.fd, $0.baseAddress, junk.count) }
    run(loop) { !s.isOpen }
    XCTAssertFalse(s.isOpen)
    let reason = rs.closeReasons.first ?? ""
    XCTAssertTrue(reason.hasPrefix("TLS: read:") && reason.contains("decryption failed or bad record mac"), reason)
    XCTAssertEqual(rs.received.count, 2, "nothing of the garbage reached the reader")
    // The loop goes on: a fresh pair still talks.
    let (s2, rs2, c2, _) = pair(loop, server: try context(server: true), client: try context(server: false))
    c2.write(Array("again".utf8))
    run(loop) { rs2.received.count >= 5 }
    XCTAssertEqual(String(decoding: rs2.received, as: UTF8.self), "again")
    s2.close(reason: "done")
    c.close(reason: "done")
  }

  func testHalfCloseDuringTheHandshakeClosesWithoutSpinning() throws {
    let loop = try EventLoop()
    let (a, b) = makePair()
    let s = loop.adopt(fd: a, peer: "server-side")
    let rs = Recorder()
    s.delegate = rs
    s.startTLS(try context(server: true))
    // Half a ClientHello's record header, then the peer stops writing.
    _ = [UInt8]([0x16, 0x03, 0x01]).withUnsafeBytes { write(b, $0.baseAddress, 3) }
    shutdown(b, Int32(SHUT_WR))
    var rounds = 0
    while s.isOpen && rounds < 50 {
      loop.runOnce(timeout: 0.01)
      rounds += 1
    }
    XCTAssertFalse(s.isOpen)
    XCTAssertLessThan(rounds, 5, "closed at the first read of EOF")
    XCTAssertEqual(rs.closeReasons, ["peer closed during the TLS handshake"])
    close(b)

    // The same as a client: the switch takes our ClientHello and half-closes.
    let (a2, b2) = makePair()
    let c = loop.adopt(fd: a2, peer: "client-side")
    let rc = Recorder()
    c.delegate = rc
    c.startTLS(try context(server: false))
    loop.runOnce(timeout: 0.01)
    var hello = [UInt8](repeating: 0, count: 4096)
    XCTAssertGreaterThan(read(b2, &hello, hello.count), 0, "a ClientHello went out")
    shutdown(b2, Int32(SHUT_WR))
    rounds = 0
    while c.isOpen && rounds < 50 {
      loop.runOnce(timeout: 0.01)
      rounds += 1
    }
    XCTAssertFalse(c.isOpen)
    XCTAssertLessThan(rounds, 5)
    XCTAssertEqual(rc.closeReasons, ["peer closed during the TLS handshake"])
    close(b2)
  }

  func testBadFilesSayWhich() {
    XCTAssertThrowsError(try TLSContext(server: true, certificate: "/nonexistent.pem", key: path("ca1-server-key.pem"), ca: path("ca1.pem"))) {
      XCTAssertTrue("\($0)".contains("certificate"), "\($0)")
    }
    XCTAssertThrowsError(try TLSContext(server: true, certificate: path("ca1-server.pem"), key: path("ca2-server-key.pem"), ca: path("ca1.pem"))) {
      XCTAssertTrue("\($0)".contains("private key"), "\($0)")
    }
  }
}
