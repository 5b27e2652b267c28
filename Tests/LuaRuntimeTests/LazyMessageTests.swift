import Foundation
import OpenFlow
import TestSupport
import XCTest

@testable import LuaRuntime

/// A PACKET_IN body is decoded as the handler reads it; a malformed one is
/// an error at the handler's read, and the connection and other apps go on.
final class LazyMessageTests: XCTestCase {
  func testMalformedPacketInIsAnErrorAtTheRead() throws {
    let h = try TaskHarness([
      "a.lua": """
        local app = zof.app("a")
        app:message("PACKET_IN", function(ev)
          local ok, err = pcall(function() return ev.msg.in_port end)
          print("read ok=" .. tostring(ok) .. " " .. tostring(err))
        end)
        """,
      "b.lua": """
        zof.app("b"):message("PACKET_IN", function(ev) print("b got xid " .. ev.xid) end)
        """,
    ])
    let sw = h.connect()
    var frame = try OFCodec.encode(OFMessage(version: 4, type: "PACKET_IN", xid: 77, msg: .table([
      "in_port": .uint(3), "reason": .string("NO_MATCH"), "data": .bytes([1, 2, 3]),
    ])))
    // The match's length (at 24 + 2) now runs past the end of the message.
    frame[26] = 0x01
    frame[27] = 0x00
    sw.sendRaw(frame)
    h.settle(sw)
    let read = try XCTUnwrap(h.printed.first { $0.hasPrefix("read ok=") })
    XCTAssertTrue(read.hasPrefix("read ok=false"), read)
    XCTAssertTrue(read.contains("malformed message from the switch"), read)
    XCTAssertTrue(read.contains("a.lua:3:"), "the error is at the handler's read: \(read)")
    XCTAssertTrue(read.contains("PACKET_IN"), read)
    XCTAssertTrue(h.printed.contains("b got xid 77"))
    XCTAssertFalse(sw.peerClosed)
  }

  /// A table filter that meets a malformed body, or a filter function that
  /// raises, fails that app's match only: logged, and the event goes on.
  func testFiltersThatFailSkipOnlyTheirApp() throws {
    let h = try TaskHarness([
      "a.lua": """
        local app = zof.app("a", {precedence = 300})
        app:message("PACKET_IN", {in_port = 3}, function(ev) print("a matched") end)
        app:message("PACKET_IN", function(ev) print("a fell through") end)
        """,
      "b.lua": """
        local app = zof.app("b", {precedence = 200})
        app:message("PACKET_IN", function(ev) error("filter boom") end, function(ev) print("b matched") end)
        """,
      "c.lua": """
        zof.app("c"):message("PACKET_IN", {in_port = 3}, function(ev) print("c matched xid " .. ev.xid) end)
        """,
    ])
    let sw = h.connect()
    let good = try OFCodec.encode(OFMessage(version: 4, type: "PACKET_IN", xid: 5, msg: .table([
      "in_port": .uint(3), "reason": .string("NO_MATCH"), "data": .bytes([1, 2, 3]),
    ])))
    var bad = good
    bad[7] = 6  // xid 6
    bad[26] = 0x01  // the match's length now runs past the end of the message
    bad[27] = 0x00
    sw.sendRaw(good + bad)
    h.settle(sw)
    XCTAssertEqual(h.printed, ["a matched", "c matched xid 5"])
    let failures = h.errors.filter { $0.contains("filter of") }
    XCTAssertEqual(failures.filter { $0.contains("[a]") && $0.contains("malformed message from the switch") }.count, 1, "\(h.errors)")
    XCTAssertEqual(failures.filter { $0.contains("[b]") && $0.contains("filter boom") }.count, 2, "\(h.errors)")
    XCTAssertEqual(failures.filter { $0.contains("[c]") }.count, 1, "\(h.errors)")
    XCTAssertFalse(sw.peerClosed)
  }
}
