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
}
