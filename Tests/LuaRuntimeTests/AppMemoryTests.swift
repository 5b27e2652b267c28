import OpenFlow
import TestSupport
import XCTest

@testable import LuaRuntime

/// `n` OpenFlow 1.3 PACKET_INs back to back, as one read brings them.
func packetIns(_ n: Int) throws -> [UInt8] {
  let pin = try OFCodec.encode(OFMessage(version: 4, type: "PACKET_IN", xid: 0, msg: .table([
    "in_port": .uint(1), "reason": .string("NO_MATCH"), "data": .bytes([UInt8](repeating: 0, count: 14)),
  ])))
  return Array([[UInt8]](repeating: pin, count: n).joined())
}

/// --lua-memory-mb caps each app's Lua memory on its own: an app over its cap
/// fails alone, and the runtime's own Lua (making events, CHANNEL_UP) goes on.
final class AppMemoryTests: XCTestCase {

  func testAppOverItsCapFailsAloneAndIsCreditedWhenItLetsGo() throws {
    let h = try TaskHarness([
      // 16 KB kept per PACKET_IN: past the 1 MB cap after about 64.
      "a.lua": """
        local app = zof.app("leaky")
        local hoard, n = {}, 0
        app:message("PACKET_IN", function(ev)
          n = n + 1
          hoard[#hoard + 1] = string.rep("x", 16384) .. n
        end)
        app:message("CHANNEL_UP", function(ev)
          print("leaky let go of " .. #hoard)
          hoard = {}
          collectgarbage()
        end)
        """,
      "b.lua": """
        local app = zof.app("healthy")
        local seen = {}
        app:message("PACKET_IN", function(ev) seen[#seen + 1] = ev.msg.in_port end)
        app:message("CHANNEL_UP", function(ev) print("healthy saw " .. #seen .. ", up " .. ev.datapath_id) end)
        """,
    ], memoryLimit: 1 << 20)
    let sw = h.connect()
    XCTAssertEqual(h.printed, ["leaky let go of 0", "healthy saw 0, up 00:00:00:00:00:00:00:01"])
    let before = h.rt.memoryByApp
    XCTAssertLessThan(before["leaky"]!, 64 << 10, "\(before)")
    // In runs of 10, as a read brings them.
    for _ in 0..<10 {
      sw.sendRaw(try packetIns(10))
      h.settle(sw)
    }
    let full = h.rt.memoryByApp
    XCTAssertGreaterThan(full["leaky"]!, 900 << 10, "\(full)")
    XCTAssertLessThanOrEqual(full["leaky"]!, 1 << 20, "\(full)")
    let over = h.errors.filter { $0.contains("app leaky is over its Lua memory cap of 1 MB") }
    XCTAssertFalse(over.isEmpty, h.errors.joined(separator: "\n"))
    XCTAssertTrue(h.errors.allSatisfy { $0.contains("[leaky]") }, h.errors.joined(separator: "\n"))
    // A new switch: the runtime makes its CHANNEL_UP, and both apps see it;
    // the healthy app saw every PACKET_IN.
    _ = h.connect(dpid: 2)
    XCTAssertEqual(h.printed.count, 4, "\(h.printed)")
    let kept = Int(h.printed[2].dropFirst("leaky let go of ".count)) ?? 0
    XCTAssertTrue((50..<64).contains(kept), "\(h.printed)")
    XCTAssertEqual(h.printed[3], "healthy saw 100, up 00:00:00:00:00:00:00:02")
    // What the leaky app let go of is credited back to it when collected.
    let after = h.rt.memoryByApp
    XCTAssertLessThan(after["leaky"]!, 64 << 10, "\(after)")
    XCTAssertLessThan(after["healthy"]!, 64 << 10, "\(after)")
  }
}
