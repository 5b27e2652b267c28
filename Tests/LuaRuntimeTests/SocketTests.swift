import Foundation
import HostCore
import OpenFlow
import Reactor
import TestSupport
import XCTest

@testable import LuaRuntime

/// App sockets across generations, their bounds, and the descriptors they use.
final class SocketTests: XCTestCase {
  var dir: URL!
  var loop: EventLoop!
  var host: Controller!
  var gens: AppGenerations!
  let log = CaptureLog()

  func setUp(_ apps: [String: String]) throws {
    dir = FileManager.default.temporaryDirectory.appendingPathComponent("zofsock-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    write(apps)
    loop = try EventLoop()
    var config = HostConfig()
    config.listen = []
    host = Controller(loop: loop, config: config, logger: log.logger)
    gens = AppGenerations(host: host, logger: log.logger, options: RuntimeOptions(appsDir: dir.path))
    try gens.start()
  }

  override func tearDown() {
    gens?.stop()
    AppListener.linger = 2
    if let dir { try? FileManager.default.removeItem(at: dir) }
  }

  func write(_ apps: [String: String]) {
    for (name, code) in apps {
      _ = FileManager.default.createFile(atPath: dir.appendingPathComponent(name).path, contents: Data(code.utf8))
    }
  }

  var printed: [String] {
    log.lines.compactMap { l in
      guard l.hasPrefix("info ["), let r = l.range(of: "] ") else { return nil }
      return String(l[r.upperBound...])
    }
  }

  @discardableResult
  func spin(_ seconds: Double = 5, until done: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while !done() {
      if Date() > deadline { return false }
      loop.runOnce(timeout: 0.01)
    }
    return true
  }

  func spinFor(_ seconds: Double) {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline { loop.runOnce(timeout: 0.01) }
  }

  /// A free loopback port (bound and let go).
  func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var sin = sockaddr_in()
    sin.sin_family = sa_family_t(AF_INET)
    sin.sin_addr.s_addr = inet_addr("127.0.0.1")
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &sin) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
    _ = withUnsafeMutablePointer(to: &sin) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
    return Int(UInt16(bigEndian: sin.sin_port))
  }

  /// A blocking client connected to 127.0.0.1:port (the connect completes in
  /// the kernel's backlog, whether or not the loop has accepted it yet).
  func dial(_ port: Int) -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var sin = sockaddr_in()
    sin.sin_family = sa_family_t(AF_INET)
    sin.sin_addr.s_addr = inet_addr("127.0.0.1")
    sin.sin_port = UInt16(port).bigEndian
    let r = withUnsafePointer(to: &sin) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    XCTAssertEqual(r, 0, "connect to \(port): \(errno)")
    return fd
  }

  /// What `fd` has to read within `seconds`, while the loop runs.
  func readLine(_ fd: Int32, _ seconds: Double = 3) -> String? {
    var got: [UInt8] = []
    let ok = spin(seconds) {
      var b = [UInt8](repeating: 0, count: 256)
      let n = recv(fd, &b, b.count, Int32(MSG_DONTWAIT))
      if n > 0 { got += b[0..<n] }
      return got.last == 10 || n == 0
    }
    return ok ? String(decoding: got, as: UTF8.self) : nil
  }

  func greeter(_ version: String, port: Int, inStart: Bool = false) -> String {
    let listen = "assert(zof.listen{port = \(port), handler = function(s) s:send(\"\(version)\\n\") end})"
    return """
      local app = zof.app("greeter")
      \(inStart ? "app:event(\"START\", function() \(listen) end)" : listen)
      """
  }

  func testReloadHandsTheListenerOverWithoutLosingAConnection() throws {
    let port = freePort()
    try setUp(["g.lua": greeter("v1", port: port)])
    let a = dial(port)
    defer { close(a) }
    XCTAssertEqual(readLine(a), "v1\n")
    // Connected in the kernel, not accepted yet when the reload comes.
    let b = dial(port)
    defer { close(b) }
    write(["g.lua": greeter("v2", port: port)])
    XCTAssertTrue(gens.reload(), "\(log.lines)")
    XCTAssertFalse(log.lines.contains { $0.contains("address in use") || $0.contains("already") })
    XCTAssertEqual(readLine(b), "v2\n", "the queued connection goes to the new generation")
    let c = dial(port)
    defer { close(c) }
    XCTAssertEqual(readLine(c), "v2\n")
  }

  func testAReloadThatFailsLeavesTheListenerWithTheRunningApps() throws {
    let port = freePort()
    try setUp(["g.lua": greeter("v1", port: port)])
    let baseline = openDescriptors()
    // The new generation listens (a claim behind v1's) and opens a socket, then fails to load.
    write(["g.lua": greeter("v2", port: port) + "\nassert(zof.udp():setpeername('127.0.0.1', 9))\nerror('broken')"])
    XCTAssertFalse(gens.reload())
    XCTAssertEqual(openDescriptors(), baseline, "the failed generation's sockets are closed")
    let a = dial(port)
    defer { close(a) }
    XCTAssertEqual(readLine(a), "v1\n")
    write(["g.lua": greeter("v3", port: port)])
    XCTAssertTrue(gens.reload())
    let b = dial(port)
    defer { close(b) }
    XCTAssertEqual(readLine(b), "v3\n")
  }

  func testAListenerOpenedInStartTakesTheLingeringOneOver() throws {
    let port = freePort()
    try setUp(["g.lua": greeter("v1", port: port, inStart: true)])
    spinFor(0.05)
    let b = dial(port)
    defer { close(b) }
    write(["g.lua": greeter("v2", port: port, inStart: true)])
    XCTAssertTrue(gens.reload())
    XCTAssertFalse(log.lines.contains { $0.contains("address in use") }, "\(log.lines)")
    XCTAssertEqual(readLine(b), "v2\n")
  }

  func testAnUnclaimedListenerClosesAfterLingering() throws {
    AppListener.linger = 0.05
    let port = freePort()
    try setUp(["g.lua": greeter("v1", port: port)])
    write(["g.lua": "zof.app('greeter')"])
    XCTAssertTrue(gens.reload())
    spinFor(0.2)
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var sin = sockaddr_in()
    sin.sin_family = sa_family_t(AF_INET)
    sin.sin_addr.s_addr = inet_addr("127.0.0.1")
    sin.sin_port = UInt16(port).bigEndian
    let r = withUnsafePointer(to: &sin) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    XCTAssertEqual(r, -1, "nobody listens any more")
  }

  /// Descriptors open in the process, from /proc/self/fd.
  func openDescriptors() -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
  }

  func testDescriptorsComeBackToTheBaseline() throws {
    AppListener.linger = 0.05
    try setUp(["idle.lua": "zof.app('idle')"])
    let baseline = openDescriptors()
    let app = """
      local app = zof.app("busy")
      local server = assert(zof.listen{port = 0, handler = function(s)
        while true do local l = s:receive(); if not l then return end; s:send(l .. "\\n") end
      end})
      local udp = assert(zof.listen{type = "udp", port = 0, handler = function(d, h, p, s) s:sendto(d, h, p) end})
      local kept = {}
      app:event("START", function()
        for i = 1, 20 do
          local c = zof.tcp()
          assert(c:connect(i % 2 == 0 and "127.0.0.1" or "localhost", server.port))
          c:send("hi\\n")
          assert(c:receive() == "hi")
          if i % 3 == 0 then c:close() elseif i % 3 == 1 then kept[#kept + 1] = c end  -- else left to the collector
          local u = zof.udp()
          assert(u:setpeername("127.0.0.1", udp.port))
          u:send("x")
          assert(u:receive() == "x")
        end
        collectgarbage()
        print("done")
      end)
      """
    write(["busy.lua": app])
    XCTAssertTrue(gens.reload())
    XCTAssertTrue(spin { printed.contains("done") }, "\(log.lines)")
    XCTAssertGreaterThan(openDescriptors(), baseline)
    // The next generation has no sockets: the old one's close after its STOP.
    try FileManager.default.removeItem(at: dir.appendingPathComponent("busy.lua"))
    XCTAssertTrue(gens.reload())
    spinFor(0.2)
    XCTAssertEqual(gens.current?.socketCount, 0)
    XCTAssertEqual(openDescriptors(), baseline, "every socket, listener and the resolver's pipe closed")
  }

  func testSendWaitsPastTheBoundAndGoesOnAsThePeerReads() throws {
    let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(server) }
    var sin = sockaddr_in()
    sin.sin_family = sa_family_t(AF_INET)
    sin.sin_addr.s_addr = inet_addr("127.0.0.1")
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &sin) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(server, $0, len) } }
    _ = withUnsafeMutablePointer(to: &sin) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(server, $0, &len) } }
    listen(server, 4)
    let port = Int(UInt16(bigEndian: sin.sin_port))
    try setUp(["push.lua": """
      local app = zof.app("push")
      app:event("START", function()
        local c = zof.tcp()
        assert(c:connect("127.0.0.1", \(port)))
        local chunk = string.rep("p", 256 * 1024)
        for i = 1, 32 do
          assert(c:send(chunk))
          print("sent " .. i)
        end
        c:close()
      end)
      """])
    spinFor(0.3)
    let peer = accept(server, nil, nil)
    defer { close(peer) }
    spinFor(0.3)
    let sentBefore = printed.count
    XCTAssertGreaterThan(sentBefore, 0)
    XCTAssertLessThan(sentBefore, 32, "the task waits while the peer does not read")
    let queued = gens.current?.sockets?.socks.values.first?.outputCount ?? -1
    XCTAssertLessThanOrEqual(queued, AppSocket.outputBound + 256 * 1024, "at most the bound and one send queued")
    var total = 0
    var buf = [UInt8](repeating: 0, count: 1 << 16)
    XCTAssertTrue(spin(10) {
      while true {
        let n = recv(peer, &buf, buf.count, Int32(MSG_DONTWAIT))
        if n <= 0 { break }
        total += n
      }
      return total == 32 * 256 * 1024
    }, "read \(total)")
    XCTAssertTrue(printed.contains("sent 32"))
  }

  /// A peer that floods an app's socket gets 64 KiB read per round: a
  /// PACKET_IN sent meanwhile is handled within a couple of rounds.
  func testAFloodOnAnAppSocketDoesNotStarveTheSwitch() throws {
    let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(server) }
    var sin = sockaddr_in()
    sin.sin_family = sa_family_t(AF_INET)
    sin.sin_addr.s_addr = inet_addr("127.0.0.1")
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &sin) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(server, $0, len) } }
    _ = withUnsafeMutablePointer(to: &sin) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(server, $0, &len) } }
    listen(server, 4)
    let port = Int(UInt16(bigEndian: sin.sin_port))
    try setUp(["flood.lua": """
      local app = zof.app("flood")
      local got = 0
      app:event("START", function()
        local c = zof.tcp()
        assert(c:connect("127.0.0.1", \(port)))
        print("connected")
        while true do
          local data, err, partial = c:receive(8192)
          if not data then print("flood ended: " .. err); return end
          got = got + #data
        end
      end)
      app:message("PACKET_IN", function() print("packet after " .. got .. " bytes") end)
      """])
    XCTAssertTrue(spin { printed.contains("connected") })
    let peer = accept(server, nil, nil)
    defer { close(peer) }
    _ = fcntl(peer, F_SETFL, fcntl(peer, F_GETFL) | O_NONBLOCK)
    let sw = FakeSwitch(host: host, version: 4)
    sw.pump(loop, quietRounds: 2, timeout: 0)
    let chunk = [UInt8](repeating: 0x66, count: 1 << 20)
    func flood() { while chunk.withUnsafeBytes({ send(peer, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) > 0 {} }
    for i in 0..<5 {
      flood()
      for _ in 0..<3 { loop.runOnce(timeout: 0) }
      flood()
      let before = printed.filter { $0.hasPrefix("packet after") }.count
      sw.send(OFMessage(version: 4, type: "PACKET_IN", msg: .table([
        "in_port": .uint(1), "reason": .string("NO_MATCH"), "data": .bytes([UInt8](repeating: 0, count: 14)),
      ])))
      var rounds = 0
      while printed.filter({ $0.hasPrefix("packet after") }).count == before && rounds < 50 {
        loop.runOnce(timeout: 0.01)
        rounds += 1
      }
      XCTAssertLessThanOrEqual(rounds, 2, "PACKET_IN \(i) waited \(rounds) rounds behind the flood")
    }
    // The app did read the flood meanwhile, 64 KiB per round at most.
    let counts = printed.compactMap { $0.hasPrefix("packet after") ? Int($0.split(separator: " ")[2]) : nil }
    XCTAssertEqual(counts.count, 5)
    XCTAssertGreaterThan(counts.last ?? 0, 0)
  }

  func testASocketWaitIsCancelledWithItsTask() throws {
    try setUp(["wait.lua": """
      local app = zof.app("wait")
      local server = assert(zof.listen{port = 0, handler = function(s) zof.sleep(30) end})
      app:message("CHANNEL_UP", function()
        local c = zof.tcp()
        assert(c:connect("127.0.0.1", server.port))
        print("waiting")
        c:receive()
        print("never")
      end)
      """])
    let sw = FakeSwitch(host: host, version: 4)
    sw.pump(loop, quietRounds: 2, timeout: 0)
    XCTAssertTrue(spin { printed.contains("waiting") })
    let rt = gens.current!
    XCTAssertEqual(rt.taskStats.tasks, 2, "the handler and the connection's handler")
    sw.shutdownWrite()
    XCTAssertTrue(spin { rt.taskStats.tasks == 1 }, "the switch's task is cancelled at CHANNEL_DOWN")
    // Its socket closed with it (the task made it and failed: cancelled).
    XCTAssertTrue(spin { (rt.sockets?.socks.count ?? 0) == 1 }, "only the accepted connection is left")
    XCTAssertFalse(printed.contains("never"))
  }
}
