import Foundation
import HostCore
import OpenFlow
import Reactor
import TestSupport
import XCTest

@testable import LuaRuntime

/// A switch that connects again with the datapath id of a connection still
/// up (it restarted, or its old TCP connection is not seen dead yet).
final class SameDatapathTests: XCTestCase {
  let watcher = """
    local app = zof.app("watch", {requires = {"topology"}})
    app:message("CHANNEL_UP", function(ev) print("up " .. ev.conn_id) end)
    app:message("CHANNEL_DOWN", function(ev) print("down " .. ev.conn_id) end)
    app:event("SWITCH_ENTER", function() print("enter") end)
    app:event("SWITCH_LEAVE", function() print("leave") end)
    """

  func arp(from src: String, to dst: String) throws -> [UInt8] {
    try PacketBuilder.build(.table([
      "eth_dst": .string(dst), "eth_src": .string(src), "arp_op": .uint(1),
      "arp_sha": .string(src), "arp_spa": .string("10.0.0.1"), "arp_tpa": .string("10.0.0.2"),
    ]))
  }

  func packetIn(_ sw: FakeSwitch, port: UInt64, from src: String, to dst: String) throws {
    sw.send(OFMessage(version: 4, type: "PACKET_IN", xid: 0, msg: .table([
      "buffer_id": .string("NO_BUFFER"), "reason": .string("NO_MATCH"), "table_id": .uint(0), "cookie": .uint(0),
      "match": .table(["in_port": .uint(port)]), "data": .bytes(try arp(from: src, to: dst)),
    ])))
  }

  /// The newer connection wins: the older is closed, its CHANNEL_DOWN comes
  /// before the new CHANNEL_UP, and the learning switch and topology go on
  /// with the new one, without an error.
  func testTheNewerConnectionWinsAndTheBundledAppsKeepWorking() throws {
    let l2 = try String(contentsOf: packageRoot.appendingPathComponent("apps-lua/l2_switch.lua"), encoding: .utf8)
    let h = try TaskHarness(["l2_switch.lua": l2, "watch.lua": watcher], libDir: bundledLibraryDir)
    let first = h.connect(dpid: 1)
    let barrier = try XCTUnwrap(first.received.first { $0.type == "BARRIER_REQUEST" })
    first.send(OFMessage(version: 4, type: "BARRIER_REPLY", xid: barrier.xid, msg: .emptyTable))
    h.settle(first)
    XCTAssertEqual(h.printed, ["up \(first.connection.id)", "enter"])

    let second = h.connect(dpid: 1)
    first.readAvailable()
    XCTAssertTrue(first.peerClosed)
    XCTAssertFalse(second.peerClosed)
    XCTAssertEqual(h.printed, ["up \(first.connection.id)", "enter",
                               "down \(first.connection.id)", "leave", "up \(second.connection.id)", "enter"])
    XCTAssertEqual(h.host.datapaths.map(\.connId), [second.connection.id])
    XCTAssertTrue(h.log.lines.contains {
      $0.hasPrefix("warning") && $0.contains("datapath 00:00:00:00:00:00:00:01 is already connected")
        && $0.contains("(conn \(first.connection.id))") && $0.contains("fake-switch-1")
    }, h.log.lines.joined(separator: "\n"))

    let barrier2 = try XCTUnwrap(second.received.first { $0.type == "BARRIER_REQUEST" })
    second.send(OFMessage(version: 4, type: "BARRIER_REPLY", xid: barrier2.xid, msg: .emptyTable))
    h.settle(second)
    second.received.removeAll()
    try packetIn(second, port: 1, from: "02:00:00:00:00:01", to: "02:00:00:00:00:02")
    h.settle(second)
    try packetIn(second, port: 2, from: "02:00:00:00:00:02", to: "02:00:00:00:00:01")
    h.settle(second)
    let outs = second.received.filter { $0.type == "PACKET_OUT" }.map { $0.msg["actions"]?.list?.first?["port_no"] }
    XCTAssertEqual(outs, [.string("FLOOD"), .uint(1)])
    let learned = try XCTUnwrap(second.received.first { $0.type == "FLOW_MOD" && $0.msg["priority"] == .uint(10) })
    XCTAssertEqual(learned.msg["match"]?["eth_dst"], .string("02:00:00:00:00:01"))
    XCTAssertEqual(h.errors, [])
  }
}
