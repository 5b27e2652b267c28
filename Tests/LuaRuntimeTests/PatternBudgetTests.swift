import Foundation
import OpenFlow
import TestSupport
import XCTest

@testable import LuaRuntime

/// Apps' pattern functions are cut off by the handler budget, like Lua code.
final class PatternBudgetTests: XCTestCase {
  /// 30 "a*" against 30 a's and no "b": the standard matcher backtracks for
  /// hours inside one C call, where no hook can stop it.
  static let hopeless = #"(("a"):rep(30), ("a*"):rep(30) .. "b")"#

  func testABacktrackingPatternIsCutOffByTheBudget() throws {
    let started = Date()
    let h = try TaskHarness([
      "a.lua": """
        local app = zof.app("a")
        app:event("START", function()
          print("find " .. tostring(string.find\(Self.hopeless)))
        end)
        app:message("PACKET_IN", function(ev)
          local s = ("a"):rep(30)
          local ok = pcall(s.match, s, ("a*"):rep(30) .. "b")
          while true do end  -- (the budget's hook ends this step anyway)
        end)
        """,
      "b.lua": """
        local app = zof.app("b")
        app:event("START", function() print("b started") end)
        app:message("PACKET_IN", function(ev) print("b got it") end)
        """,
    ])
    XCTAssertLessThan(Date().timeIntervalSince(started), 3)
    XCTAssertFalse(h.printed.contains { $0.hasPrefix("find") })
    XCTAssertEqual(h.printed, ["b started"])
    XCTAssertTrue(h.errors.contains { $0.contains("time budget") }, "\(h.errors)")
    let sw = h.connect()
    let t = Date()
    sw.send(OFMessage(version: 4, type: "PACKET_IN", msg: .table([
      "in_port": .uint(1), "reason": .string("NO_MATCH"), "data": .bytes([UInt8](repeating: 0, count: 14)),
    ])))
    h.settle(sw)
    XCTAssertLessThan(Date().timeIntervalSince(t), 2)
    XCTAssertEqual(h.printed.last, "b got it")
  }

  /// s:find through the strings' metatable, gmatch and gsub take the same
  /// matcher; ordinary patterns answer as the standard library does.
  func testOrdinaryPatternsAnswerAsBefore() throws {
    let h = try TaskHarness([
      "a.lua": """
        local app = zof.app("a")
        app:event("START", function()
          local s = "key=val&k2=v2"
          print(s:find("(%w+)=(%w+)", 2))
          print(s:match("^(%w+)"), ("x"):rep(3):gsub("x", "%0%0", 2))
          local t = {}
          for k, v in s:gmatch("(%w+)=(%w+)") do t[#t + 1] = k .. ":" .. v end
          print(table.concat(t, ","), string.gsub("abc", "%w", {a = "A"}), string.find("a.b", ".", 1, true))
          print(pcall(string.find, "x", "%"))
        end)
        """
    ])
    XCTAssertEqual(h.printed, [
      "2\t7\tey\tval",
      "key\txxxxx\t2",
      "key:val,k2:v2\tAbc\t2\t2",
      "false\tmalformed pattern (ends with '%')",
    ])
  }
}
