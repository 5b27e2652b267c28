import TestSupport
import XCTest

@testable import LuaRuntime

/// A handler's failures are logged (and posted as EXCEPTION) at most 5 times
/// in 10 s; the rest are counted, and one line says how many when the 10 s end.
final class HandlerErrorLogTests: XCTestCase {
  func testFailuresPastTheBurstAreCountedInOneLine() throws {
    let h = try TaskHarness([
      "a.lua": """
        local app = zof.app("broken")
        local n = 0
        app:message("PACKET_IN", function(ev) n = n + 1; error("boom " .. n) end)
        """,
      "b.lua": """
        local app = zof.app("watcher")
        local seen, exceptions = 0, 0
        app:message("PACKET_IN", function(ev) seen = seen + 1 end)
        app:event("EXCEPTION", function(ev) exceptions = exceptions + 1 end)
        app:message("CHANNEL_UP", function(ev) print(("seen %d, exceptions %d"):format(seen, exceptions)) end)
        """,
    ])
    let sw = h.connect()
    h.log.clear()
    for _ in 0..<10 {
      sw.sendRaw(try packetIns(100))
      h.settle(sw)
    }
    let failures = h.errors.filter { $0.contains("[broken] message PACKET_IN handler at") }
    XCTAssertEqual(failures.count, 5, failures.joined(separator: "\n"))
    XCTAssertTrue(failures[0].contains("boom 1\nstack traceback:"), failures[0])
    XCTAssertTrue(failures[4].contains("boom 5\n"), failures[4])
    // Every event still reached the other app; 5 EXCEPTION events were posted.
    _ = h.connect(dpid: 2)
    XCTAssertEqual(h.printed.last, "seen 1000, exceptions 5")

    // The window's end: one line with the count and the last error.
    h.advance(10, sw)
    let summary = h.errors.filter { $0.contains("more like it") }
    XCTAssertEqual(summary.count, 1, h.errors.joined(separator: "\n"))
    XCTAssertTrue(summary[0].hasSuffix("a.lua:3: boom 1000 ... and 995 more like it in the last 10 s"), summary[0])

    // A new window: logged in full again.
    sw.sendRaw(try packetIns(1))
    h.settle(sw)
    XCTAssertTrue(h.errors.last!.contains("boom 1001\nstack traceback:"), h.errors.last!)
  }
}
