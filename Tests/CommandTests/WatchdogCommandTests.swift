import Foundation
import XCTest

/// The loop's watchdog in a real process: stalls named on stderr, and a
/// SIGTERM that a stuck loop cannot read still ends the process.
final class WatchdogCommandTests: XCTestCase, ZofhostRunner {
  func testAStuckLoopIsNamedAndSIGTERMStillEndsIt() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zofwatch-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    // A task first busy in Lua for 1.5 s (the budget is 5 s), then stuck in
    // a C function for good: a read of a stdin nobody writes.
    FileManager.default.createFile(atPath: dir.appendingPathComponent("stuck.lua").path, contents: Data("""
      local app = zof.app("stuck")
      app:event("START", function()
        zof.spawn(function()
          zof.sleep(0.2)
          local t = os.clock()
          while os.clock() - t < 1.5 do end
          zof.sleep(0.2)
          io.read("l")
        end)
      end)
      """.utf8))
    let p = Process()
    p.executableURL = zofhost
    p.arguments = ["--apps", dir.path, "--listen", "127.0.0.1:0", "--handler-budget-ms", "5000",
                   "--stall-warning-seconds", "0.5"]
    let inp = Pipe(), err = Pipe()
    p.standardInput = inp
    p.standardError = err
    p.standardOutput = FileHandle.nullDevice
    let box = Box(), lock = NSLock()
    err.fileHandleForReading.readabilityHandler = { h in
      let d = h.availableData
      lock.lock(); box.data.append(d); lock.unlock()
    }
    var stderr: String { lock.lock(); defer { lock.unlock() }; return String(decoding: box.data, as: UTF8.self) }
    try p.run()
    defer { if p.isRunning { p.terminate() } }
    func waitFor(_ what: String, count: Int = 1, within seconds: Double) -> Bool {
      let deadline = Date().addingTimeInterval(seconds)
      while Date() < deadline {
        if stderr.components(separatedBy: what).count - 1 >= count { return true }
        usleep(20_000)
      }
      return false
    }
    // The Lua stall: named by the watchdog while it lasts, logged by the loop after.
    XCTAssertTrue(waitFor("has not turned", within: 10), stderr)
    XCTAssertTrue(stderr.contains("task spawned at") && stderr.contains("of app stuck"), stderr)
    XCTAssertTrue(waitFor("the loop was stalled", within: 10), stderr)
    // The C stall: no Lua runs to answer, so the watchdog says so.
    XCTAssertTrue(waitFor("has not turned", count: 2, within: 10), stderr)
    let sent = Date()
    kill(p.processIdentifier, SIGTERM)
    while p.isRunning && Date().timeIntervalSince(sent) < 10 { usleep(20_000) }
    let took = Date().timeIntervalSince(sent)
    XCTAssertFalse(p.isRunning)
    XCTAssertLessThan(took, 5, stderr)
    XCTAssertEqual(p.terminationStatus, 143, stderr)
    XCTAssertTrue(waitFor("SIGTERM while the loop was stuck", within: 1), stderr)
    XCTAssertTrue(stderr.contains("stuck.lua:"), stderr)
    try? inp.fileHandleForWriting.close()
  }
}
