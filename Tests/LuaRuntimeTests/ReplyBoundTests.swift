import Foundation
import HostCore
import OpenFlow
import Reactor
import TestSupport
import XCTest

@testable import LuaRuntime

/// A switch that never ends a multipart reply (REPLY_MORE forever) cannot
/// make the host hold more than --max-reply-mb of it.
final class ReplyBoundTests: XCTestCase {
  /// 16 bytes of multipart header and 10 ports of 64: 656 bytes a part.
  static func part(xid: UInt32, more: Bool = true) -> OFMessage {
    OFMessage(version: 4, type: "REPLY.PORT_DESC", xid: xid, msg: .table([
      "flags": .list(more ? [.string("REPLY_MORE")] : []),
      "ports": .list((1...10).map { FakeSwitch.port(UInt64($0), "p\($0)") }),
    ]))
  }

  func testDefaultBoundIs16MiB() {
    XCTAssertEqual(HostConfig().maxReplyBytes, 16 << 20)
  }

  /// Past the bound the request fails at once, naming the request, its xid
  /// and the bound; later parts of that xid are dropped, not dispatched.
  func testAJoinedReplyPastTheBoundFailsAndTheRestIsDropped() throws {
    let h = try TaskHarness([
      "a.lua": """
        local app = zof.app("a")
        app:message("CHANNEL_UP", function(ev)
          local ok, err = pcall(zof.request, {type = "REQUEST.PORT_DESC"})
          print(err.kind .. " " .. err.limit .. ": " .. tostring(err))
        end)
        app:message("REPLY.PORT_DESC", function() print("a stray part") end)
        """
    ], config: { $0.maxReplyBytes = 4096 })
    let sw = h.connect()
    let req = try XCTUnwrap(sw.received.first { $0.type == "REQUEST.PORT_DESC" })
    XCTAssertEqual(try OFCodec.encode(Self.part(xid: req.xid)).count, 656)
    for _ in 0..<6 {
      sw.send(Self.part(xid: req.xid))
      h.settle(sw)
    }
    XCTAssertEqual(h.printed, [], "3936 bytes held, under 4096")
    sw.send(Self.part(xid: req.xid))
    h.settle(sw)
    XCTAssertEqual(h.printed, [
      "too_large 4096: zof.request REQUEST.PORT_DESC (xid \(req.xid)): reply too large, past 4096 bytes "
        + "(--max-reply-mb); its parts were dropped (zof.request_stream reads large replies)"
    ])
    XCTAssertEqual(h.rt.taskStats.pending, 0)
    for more in [true, true, true, false] {
      sw.send(Self.part(xid: req.xid, more: more))
      h.settle(sw)
    }
    XCTAssertEqual(h.printed.count, 1, "the rest of the reply reached no app")
    // Once the reply has ended, that xid is any message's again.
    sw.send(Self.part(xid: req.xid, more: false))
    h.settle(sw)
    XCTAssertEqual(h.printed.last, "a stray part")
    XCTAssertEqual(h.errors, [])
  }

  /// A reply within the bound is still joined whole.
  func testAJoinedReplyWithinTheBoundIsJoined() throws {
    let h = try TaskHarness([
      "a.lua": """
        local app = zof.app("a")
        app:message("CHANNEL_UP", function(ev)
          print(#zof.request{type = "REQUEST.PORT_DESC"}.msg.ports .. " ports")
        end)
        """
    ], config: { $0.maxReplyBytes = 4096 })
    let sw = h.connect()
    let req = try XCTUnwrap(sw.received.first { $0.type == "REQUEST.PORT_DESC" })
    for more in [true, true, true, true, true, false] {
      sw.send(Self.part(xid: req.xid, more: more))
      h.settle(sw)
    }
    XCTAssertEqual(h.printed, ["60 ports"])
  }

  /// A stream whose task does not read (it sleeps in its loop): the parts
  /// waiting unread are bounded, past which the stream fails at its next
  /// read and the rest is dropped.
  func testAStreamsUnreadPartsAreBounded() throws {
    let h = try TaskHarness([
      "a.lua": """
        local app = zof.app("a")
        app:message("CHANNEL_UP", function(ev)
          local ok, err = pcall(function()
            for _ in zof.request_stream({type = "REQUEST.PORT_DESC"}, {timeout = 100}) do
              print("part")
              zof.sleep(10)
            end
          end)
          print(ok and "done" or (err.kind .. ": " .. tostring(err)))
        end)
        app:message("REPLY.PORT_DESC", function() print("a stray part") end)
        """
    ], config: { $0.maxReplyBytes = 4096 })
    let sw = h.connect()
    let req = try XCTUnwrap(sw.received.first { $0.type == "REQUEST.PORT_DESC" })
    for _ in 0..<8 {  // one read at once, six held (3936 bytes), the eighth over
      sw.send(Self.part(xid: req.xid))
      h.settle(sw)
    }
    for more in [true, false] {
      sw.send(Self.part(xid: req.xid, more: more))
      h.settle(sw)
    }
    XCTAssertEqual(h.printed, ["part"])
    h.advance(10, sw)
    XCTAssertEqual(h.printed, [
      "part",
      "too_large: zof.request_stream REPLY.PORT_DESC (xid \(req.xid)): reply parts unread past 4096 bytes "
        + "(--max-reply-mb); they and the rest of the reply were dropped",
    ])
    XCTAssertEqual(h.rt.taskStats.pending, 0)
    XCTAssertEqual(h.errors, [])
  }
}
