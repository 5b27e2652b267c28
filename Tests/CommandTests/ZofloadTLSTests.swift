import Foundation
import XCTest

/// zofload's TLS option against a real zofhost listening with tls: both
/// sides use the reactor's OpenSSL wrapper, with mutual authentication.
final class ZofloadTLSTests: XCTestCase, ZofhostRunner {
  func testSwitchesConnectOverTLSAndAWrongCAFails() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zofloadtls-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let zofload = zofhost.deletingLastPathComponent().appendingPathComponent("zofload")
    guard FileManager.default.isExecutableFile(atPath: zofload.path) else { throw XCTSkip("zofload is not built") }
    // One CA signs both ends; "other" is a CA nobody here trusts.
    let certs = Process()
    certs.executableURL = URL(fileURLWithPath: "/bin/sh")
    certs.currentDirectoryURL = dir
    certs.arguments = ["-c", """
      set -e
      for ca in ca other; do
        openssl req -x509 -newkey rsa:2048 -nodes -keyout $ca-key.pem -out $ca.pem -days 2 -subj /CN=$ca 2>/dev/null
      done
      for who in ctl sw; do
        openssl req -newkey rsa:2048 -nodes -keyout $who-key.pem -out $who.csr -subj /CN=$who 2>/dev/null
        openssl x509 -req -in $who.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -out $who.pem -days 2 2>/dev/null
      done
      """]
    try certs.run()
    certs.waitUntilExit()
    XCTAssertEqual(certs.terminationStatus, 0)
    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
    FileManager.default.createFile(atPath: path("reply.lua"), contents: Data("""
      local app = zof.app("reply")
      app:message("PACKET_IN", function(ev)
        zof.send{type = "FLOW_MOD", msg = {command = "ADD", buffer_id = ev.msg.buffer_id, match = {in_port = ev.msg.in_port}}}
      end)
      """.utf8))

    let p = Process()
    p.executableURL = zofhost
    p.arguments = ["--apps", dir.path, "--listen", "tls:127.0.0.1:0",
                   "--tls-cert", path("ctl.pem"), "--tls-key", path("ctl-key.pem"), "--tls-ca", path("ca.pem")]
    let err = Pipe()
    p.standardError = err
    p.standardOutput = FileHandle.nullDevice
    let box = Box(), lock = NSLock()
    err.fileHandleForReading.readabilityHandler = { h in
      let d = h.availableData
      lock.lock(); box.data.append(d); lock.unlock()
    }
    var stderr: String { lock.lock(); defer { lock.unlock() }; return String(decoding: box.data, as: UTF8.self) }
    try p.run()
    defer { if p.isRunning { p.terminate(); p.waitUntilExit() } }
    var port = ""
    let deadline = Date().addingTimeInterval(10)
    while port.isEmpty && Date() < deadline {
      if let r = stderr.range(of: #"listening on tls:127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
        port = String(stderr[r].split(separator: ":").last!)
      }
      usleep(20_000)
    }
    XCTAssertFalse(port.isEmpty, stderr)

    func load(_ args: [String], ca: String) throws -> (Int32, String) {
      let l = Process()
      l.executableURL = zofload
      l.arguments = ["--controller", "127.0.0.1:\(port)", "--connect-timeout", "10",
                     "--tls-cert", path("sw.pem"), "--tls-key", path("sw-key.pem"), "--tls-ca", path(ca)] + args
      let out = Pipe()
      l.standardOutput = out
      l.standardError = out
      try l.run()
      let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
      l.waitUntilExit()
      return (l.terminationStatus, text)
    }
    var (status, text) = try load(["--mode", "handshake", "--switches", "20"], ca: "ca.pem")
    XCTAssertEqual(status, 0, text)
    XCTAssertTrue(text.contains("HANDSHAKE: 20 switches OpenFlow 1.3 over TLS: 20 completed"), text)
    (status, text) = try load(["--switches", "2", "--loops", "1", "--warmup", "0", "--ms-per-loop", "300"], ca: "ca.pem")
    XCTAssertEqual(status, 0, text)
    XCTAssertTrue(text.contains("lost=0") && text.contains("errors=0"), text)
    XCTAssertFalse(text.contains("flow_mod_add=0 "), text)
    // The controller's certificate does not chain to the CA zofload trusts.
    (status, text) = try load(["--mode", "handshake", "--switches", "2"], ca: "other.pem")
    XCTAssertEqual(status, 1, text)
    XCTAssertTrue(text.contains("closed during the handshake: TLS") && text.contains("certificate verify failed"), text)
    XCTAssertTrue(p.isRunning, stderr)
  }
}
