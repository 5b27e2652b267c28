import HostCore
import OpenFlow
import TestSupport
import XCTest

@testable import LuaRuntime

/// The two ways an event reaches the apps, a batch of frames in one call
/// (dispatch.lua's dispatch_loop) and one event step by step (begin, deliver
/// per app, finish), must give apps the same thing: the same handlers in the
/// same order, the same filter verdicts, the same log lines.
final class DispatchParityTests: XCTestCase {
  /// Apps that exercise precedence, load order at equal precedence, table
  /// filters (Swift's verdict and, past an app's own metatable, Lua's),
  /// function filters, a failing filter, ANY handlers, STOP, a handler that
  /// raises, a handler that waits, and events posted meanwhile.
  static let apps: [String: String] = [
    "a.lua": #"""
      local app = zof.app("a", {precedence = 300})
      app:message("PACKET_IN", {eth_type = 0x88cc}, function(ev) print("a lldp", ev.msg.in_port); return zof.STOP end)
      app:message("PACKET_IN", function(ev) return ev.msg.in_port == 5 end, function(ev)
        -- An app's own table with a metatable: only Lua can read through it.
        ev.msg = setmetatable({in_port = 5}, {__index = function(_, k) if k == "tag" then return "own" end end})
        print("a own msg")
      end)
      app:message("PACKET_IN", function(ev) print("a any", ev.msg.in_port, ev.msg.pkt.eth_src) end)
      """#,
    "b.lua": #"""
      local app = zof.app("b", {precedence = 200})
      app:message("PACKET_IN", {tag = "own"}, function(ev) print("b tag", ev.msg.in_port) end)
      app:message("PACKET_IN", {in_port = 3}, function(ev) print("b port 3") end)
      app:message("PACKET_IN", function(ev) if ev.msg.in_port == 4 then error("boom on 4") end return false end,
        function() print("b never") end)
      app:message("PACKET_IN", {in_port = 6}, function(ev) error("handler fails on 6") end)
      app:message("PACKET_IN", {in_port = 7}, function(ev)
        zof.sleep(0)
        print("b woke for 7")
      end)
      app:message("*", function(ev) print("b any", ev.type, ev.msg.in_port) end)
      """#,
    "c.lua": #"""
      local app = zof.app("c")
      app:message("PACKET_IN", {eth_type = 0x0800, in_port = 2}, function(ev)
        print("c ipv4 on 2")
        zof.post{event = "SEEN", port = 2}
      end)
      app:message("PACKET_IN", function(ev) print("c", ev.msg.in_port, ev.msg.pkt.eth_type) end)
      app:event("SEEN", function(ev) print("c seen", ev.port) end)
      app:event("EXCEPTION", function(ev) print("c exception from", ev.app) end)
      """#,
    "d.lua": #"""
      local app = zof.app("d")
      app:message("PACKET_IN", function(ev) print("d", ev.msg.in_port, ev.datapath_id) end)
      """#,
  ]

  /// PACKET_INs: in_port and the frame's source MAC and Ethernet type.
  static let inputs = """
    packet_in(1),
    packet_in(2),
    packet_in(3, eth("01:80:c2:00:00:0e", "02:00:00:00:00:03", 0x88cc, "lldp")),
    packet_in(3),
    packet_in(4),
    packet_in(5),
    packet_in(6),
    packet_in(7),
    packet_in(2, eth("02:00:00:00:00:09", "02:00:00:00:00:08", 0x86dd, "")),
    packet_in(8),
    """

  /// The apps' log lines and errors when the frames go in as one batch
  /// (`batched`) or one event at a time.
  func run(version: UInt8, batched: Bool) throws -> [String] {
    let h = try TaskHarness(Self.apps)
    let sw = h.connect(version)
    h.log.clear()
    let dp = try XCTUnwrap(h.host.datapaths.first)
    var frames: [[UInt8]] = []
    for var m in try luaMessages(Self.inputs) {
      m.version = version
      frames.append(try OFCodec.encode(m))
    }
    if batched {
      let all = frames.flatMap { $0 }
      all.withUnsafeBytes { b in
        h.host.dispatcher.dispatchFrames("PACKET_IN", datapath: dp, frames: b, stillOpen: { true })
      }
    } else {
      for f in frames {
        f.withUnsafeBytes { b in
          // Asking for a field back takes the step-by-step way.
          _ = h.host.dispatcher.dispatch(HostEvent(message: "PACKET_IN", datapath: dp, frame: b), readBack: "type")
        }
      }
    }
    h.advance(0.01, sw)
    // Each run has a folder of its own for the apps.
    return h.log.lines.map { $0.replacingOccurrences(of: h.dir.path, with: "APPS") }
  }

  func testBatchAndStepwiseAgree() throws {
    for version in [OFVersion.v1_0, OFVersion.v1_3] {
      let batch = try run(version: version, batched: true)
      let stepwise = try run(version: version, batched: false)
      XCTAssertEqual(batch, stepwise, "OpenFlow version \(version)")
      // What the apps show is what the rules say, not just the same twice.
      let printed = batch.filter { $0.hasPrefix("info [") }
      XCTAssertEqual(printed.first, "info [a] a any\t1\t02:00:00:00:00:01", "version \(version)")
      XCTAssertTrue(printed.contains("info [a] a lldp\t3"))
      XCTAssertFalse(printed.contains { $0.contains("b any\tPACKET_IN\t3") && $0.contains("lldp") })
      XCTAssertTrue(printed.contains("info [b] b tag\t5"), "Lua's filter past an app's metatable")
      XCTAssertTrue(printed.contains("info [b] b port 3"))
      XCTAssertTrue(printed.contains("info [c] c ipv4 on 2"))
      XCTAssertTrue(printed.contains("info [c] c seen\t2"))
      XCTAssertTrue(printed.contains("info [b] b woke for 7"))
      XCTAssertTrue(batch.contains { $0.hasPrefix("error [b] filter of") && $0.contains("boom on 4") })
      XCTAssertTrue(batch.contains { $0.hasPrefix("error [b] message PACKET_IN handler at") && $0.contains("handler fails on 6") })
      XCTAssertFalse(printed.contains { $0.contains("b never") })
      // c and d share the default precedence: load order decides, c first.
      let firstC = try XCTUnwrap(printed.firstIndex { $0.hasPrefix("info [c] c\t1") })
      let firstD = try XCTUnwrap(printed.firstIndex { $0.hasPrefix("info [d] d\t1") })
      XCTAssertLessThan(firstC, firstD)
      // The LLDP frame stopped at a: no later app saw it.
      XCTAssertFalse(printed.contains { $0.hasPrefix("info [d] d\t3") && printed.filter { $0.hasPrefix("info [d] d\t3") }.count > 1 })
    }
  }
}
