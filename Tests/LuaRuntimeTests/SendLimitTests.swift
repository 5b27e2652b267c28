import Foundation
import HostCore
import OpenFlow
import Reactor
import TestSupport
import XCTest

@testable import LuaRuntime

/// An app that keeps sending to a switch that stopped reading: every way of
/// sending raises at the app's line once the switch's output is at the
/// limit, the output stays under it, and the switch is closed as stuck.
final class SendLimitTests: XCTestCase {
  static let flood = """
    local app = zof.app("flood")
    local BIG = string.rep("x", 30000)
    local OUT = {type = "PACKET_OUT", msg = {in_port = "CONTROLLER", actions = {}, data = BIG}}
    local FAST = zof.compile{type = "PACKET_OUT", msg = {in_port = "CONTROLLER", actions = {}, data = "$data"}}
    local SLOW = zof.compile{type = "PACKET_OUT", msg = {in_port = "CONTROLLER", actions = "$actions", data = BIG}}
    local function try(f) local ok, err = pcall(f); if not ok then print(tostring(err)) end; return ok end
    app:message("CHANNEL_UP", function(ev)
      local dp = ev.datapath
      zof.spawn(function()
        local n = 0
        -- A timer's worth of sends every 10 ms, until refused.
        while try(function() zof.send(OUT) end) do
          n = n + 1
          if n % 10 == 0 then zof.sleep(0.01) end
        end
        try(function() dp:send(OUT) end)
        try(function() FAST:send{data = BIG} end)
        try(function() SLOW:send{actions = {}} end)
        try(function() zof.request{type = "ECHO_REQUEST", msg = {data = BIG}} end)
        print("sent " .. n)
        while true do zof.sleep(1); try(function() zof.send(OUT) end) end
      end)
    end)
    app:message("CHANNEL_DOWN", function(ev) print("down: " .. ev.msg.reason) end)
    """

  func testSendsPastTheOutputLimitRaiseAndAStuckSwitchIsClosed() throws {
    let h = try TaskHarness(["flood.lua": Self.flood])
    let limit = 1 << 20
    h.loop.outputLimit = limit
    let sw = h.connect()
    // From here the switch reads nothing: only the loop runs.
    var maxOutput = 0
    for _ in 0..<500 where !h.printed.contains(where: { $0.hasPrefix("sent ") }) {
      h.advance(0.01)
      maxOutput = max(maxOutput, sw.connection.outputCount)
    }
    let sent = try XCTUnwrap(h.printed.first { $0.hasPrefix("sent ") }, "\(h.log.lines)")
    XCTAssertGreaterThan(Int(sent.dropFirst(5)) ?? 0, limit / 30000, "the socket took some, the output the rest")
    XCTAssertLessThanOrEqual(maxOutput, limit, "the output stays under the limit")
    let refused = h.printed.filter { $0.contains("is not reading") }
    let names = ["zof.send", "dp:send", "template:send", "template:send", "zof.request"]
    XCTAssertEqual(refused.count, names.count, "\(h.printed)")
    for (line, name) in zip(refused, names) {
      XCTAssertTrue(line.contains("/flood.lua:"), line)
      XCTAssertTrue(line.contains(": \(name): switch 00:00:00:00:00:00:00:01 (fake-switch-1) is not reading: "), line)
      XCTAssertTrue(line.contains("at the limit of 1.0 MiB"), line)
    }
    XCTAssertTrue(sw.connection.isOpen)

    // Nothing taken for stuckTimeout (10 s) while sends are refused: closed.
    for _ in 0..<12 { h.advance(1) }
    XCTAssertFalse(sw.connection.isOpen)
    XCTAssertLessThanOrEqual(maxOutput, limit)
    let down = try XCTUnwrap(h.printed.first { $0.hasPrefix("down: ") })
    XCTAssertTrue(down.hasPrefix("down: stuck: "), down)
    XCTAssertTrue(h.log.lines.contains { $0.hasPrefix("warning") && $0.contains("CHANNEL_DOWN") && $0.contains("stuck") },
      "\(h.log.lines)")
  }
}
