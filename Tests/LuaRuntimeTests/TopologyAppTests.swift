import Foundation
import HostCore
import OpenFlow
import Reactor
import TestSupport
import XCTest

@testable import LuaRuntime

/// The bundled topology app, against in-memory switches and a manual clock:
/// probes, links, hosts, ports, ageing, and the service.
final class TopologyAppTests: XCTestCase {
  let watcher = """
    local app = zof.app("watch", {requires = {"topology"}})
    local topo = zof.service("topology")
    local function link(ev) print(("%s %s:%d>%s:%d"):format(ev.event, ev.src:sub(-2), ev.src_port, ev.dst:sub(-2), ev.dst_port)) end
    app:event("LINK_ADD", link)
    app:event("LINK_DELETE", link)
    app:event("SWITCH_ENTER", function(ev) print("enter " .. ev.datapath_id:sub(-2)) end)
    app:event("SWITCH_LEAVE", function(ev) print("leave " .. ev.datapath_id:sub(-2)) end)
    app:event("HOST_ADD", function(ev) print(("host %s at %s:%d"):format(ev.mac, ev.datapath_id:sub(-2), ev.port)) end)
    app:event("HOST_MOVE", function(ev)
      print(("moved %s to %s:%d from %s:%d"):format(ev.mac, ev.datapath_id:sub(-2), ev.port, ev.from.datapath_id:sub(-2), ev.from.port))
    end)
    app:event("PORT_MODIFY", function(ev) print("port modify " .. ev.port_no) end)
    app:event("PORT_ADD", function(ev) print("port add " .. ev.port_no .. " " .. ev.port.name) end)
    app:event("PORT_DELETE", function(ev) print("port delete " .. ev.port_no) end)
    app:event("DUMP", function()
      local parts = {}
      for _, l in ipairs(topo.links()) do parts[#parts + 1] = l.src:sub(-2) .. ":" .. l.src_port .. ">" .. l.dst:sub(-2) .. ":" .. l.dst_port end
      print("links " .. table.concat(parts, " "))
      local path = topo.path("00:00:00:00:00:00:00:01", "00:00:00:00:00:00:00:02")
      local hops = {}
      for _, h in ipairs(path or {}) do hops[#hops + 1] = h.datapath_id:sub(-2) .. (h.out_port and (":" .. h.out_port) or "") end
      print("path " .. table.concat(hops, " "))
      print("switches " .. #topo.switches() .. ", hosts " .. #topo.hosts() ..
        ", link port " .. tostring(topo.is_link_port("00:00:00:00:00:00:00:01", 2)))
    end)
    app:message("PACKET_IN", function(ev) print("watch saw PACKET_IN type " .. ev.msg.pkt.eth_type) end)
    """

  var h: TaskHarness!

  override func setUpWithError() throws {
    h = try TaskHarness(["watch.lua": watcher], libDir: bundledLibraryDir)
  }

  /// Connects a switch and answers topology's barrier; returns it with the LLDP frames it was sent, by port.
  func connect(_ dpid: UInt64) throws -> (FakeSwitch, [UInt64: [UInt8]]) {
    let sw = h.connect(OFVersion.v1_3, dpid: dpid)
    let barrier = try XCTUnwrap(sw.received.first { $0.type == "BARRIER_REQUEST" })
    sw.received.removeAll()
    sw.send(OFMessage(version: 4, type: "BARRIER_REPLY", xid: barrier.xid, msg: .emptyTable))
    h.settle(sw)
    let flow = try XCTUnwrap(sw.received.first { $0.type == "FLOW_MOD" })
    XCTAssertEqual(flow.msg["priority"], .uint(65000))
    XCTAssertEqual(flow.msg["match"]?["eth_type"], .uint(0x88cc))
    var frames: [UInt64: [UInt8]] = [:]
    for m in sw.received where m.type == "PACKET_OUT" {
      let port = try XCTUnwrap(m.msg["actions"]?.list?.first?["port_no"]?.uint)
      frames[port] = m.msg["data"]?.bytes
    }
    sw.received.removeAll()
    return (sw, frames)
  }

  func packetIn(_ sw: FakeSwitch, port: UInt64, _ frame: [UInt8]) {
    sw.send(OFMessage(version: 4, type: "PACKET_IN", msg: .table([
      "in_port": .uint(port), "reason": .string("NO_MATCH"), "data": .bytes(frame),
    ])))
    h.settle(sw)
  }

  func dump() -> [String] {
    let before = h.printed.count
    h.host.dispatcher.post(HostEvent(event: "DUMP"))
    h.settle()
    return Array(h.printed[before...])
  }

  func frame(src: String, dst: String = "ff:ff:ff:ff:ff:ff") throws -> [UInt8] {
    try PacketBuilder.build(.table(["eth_dst": .string(dst), "eth_src": .string(src), "eth_type": .uint(0x0800)]))
  }

  func testProbesLinksHostsPortsAndAgeing() throws {
    let (s1, probes1) = try connect(1)
    XCTAssertEqual(probes1.keys.sorted(), [1, 2, 3])
    let p = probes1[2].map { b in b.withUnsafeBytes { PacketDecoder.decode($0) } }
    XCTAssertEqual(p?["eth_type"], .uint(0x88cc))
    XCTAssertEqual(p?["eth_dst"], .string("01:80:c2:00:00:0e"))
    XCTAssertEqual(p?["lldp_chassis_id"], .string("dpid:00:00:00:00:00:00:00:01"))
    XCTAssertEqual(p?["lldp_port_id"], .string("2"))
    let (s2, probes2) = try connect(2)
    XCTAssertEqual(h.printed.prefix(2), ["enter 01", "enter 02"])

    // s1 port 2 is wired to s2 port 3: each probe comes back in on the other end.
    packetIn(s2, port: 3, probes1[2]!)
    packetIn(s1, port: 2, probes2[3]!)
    XCTAssertEqual(Array(h.printed.suffix(2)), ["LINK_ADD 01:2>02:3", "LINK_ADD 02:3>01:2"])
    // Its LLDP is topology's own: apps after it never see those PACKET_INs.
    XCTAssertFalse(h.printed.contains { $0.hasPrefix("watch saw PACKET_IN type 35020") })
    packetIn(s2, port: 3, probes1[2]!)  // seen again: no new event
    XCTAssertEqual(h.printed.filter { $0.hasPrefix("LINK_ADD") }.count, 2)
    XCTAssertEqual(dump(), ["links 01:2>02:3 02:3>01:2", "path 01:2 02", "switches 2, hosts 0, link port true"])

    // Hosts: learned on edge ports, moved, never learned on a link port.
    packetIn(s1, port: 1, try frame(src: "02:aa:00:00:00:01"))
    packetIn(s2, port: 3, try frame(src: "02:aa:00:00:00:02"))  // a packet in transit
    packetIn(s2, port: 1, try frame(src: "02:aa:00:00:00:01"))
    s1.send(OFMessage(version: 4, type: "PACKET_IN", msg: .table([
      "in_port": .string("CONTROLLER"), "reason": .string("ACTION"), "data": .bytes(try frame(src: "02:aa:00:00:00:03")),
    ])))
    h.settle(s1)
    XCTAssertEqual(h.printed.filter { $0.hasPrefix("host") || $0.hasPrefix("moved") }, [
      "host 02:aa:00:00:00:01 at 01:1", "moved 02:aa:00:00:00:01 to 02:1 from 01:1",
    ])
    XCTAssertTrue(h.printed.contains("watch saw PACKET_IN type 2048"))

    // A port going down takes its links with it.
    var desc = FakeSwitch.port(3, "p3")
    if case .table(var f) = desc { f.removeAll { $0.name == "state" }; f.append(OFField("state", .list([.string("LINK_DOWN")]))); desc = .table(f) }
    s2.send(OFMessage(version: 4, type: "PORT_STATUS", msg: .table(["reason": .string("MODIFY"), "desc": desc])))
    h.settle(s2)
    XCTAssertEqual(Array(h.printed.suffix(3)), ["LINK_DELETE 01:2>02:3", "LINK_DELETE 02:3>01:2", "port modify 3"])
    XCTAssertEqual(dump().first, "links ")

    // A new port is announced and probed; a deleted one is announced.
    s1.received.removeAll()
    s1.send(OFMessage(version: 4, type: "PORT_STATUS", msg: .table(["reason": .string("ADD"), "desc": FakeSwitch.port(4, "p4")])))
    h.settle(s1)
    XCTAssertEqual(h.printed.last, "port add 4 p4")
    let probe4 = try XCTUnwrap(s1.received.first { $0.type == "PACKET_OUT" })
    XCTAssertEqual(probe4.msg["actions"]?.list?.first?["port_no"], .uint(4))
    s1.send(OFMessage(version: 4, type: "PORT_STATUS", msg: .table(["reason": .string("DELETE"), "desc": FakeSwitch.port(4, "p4")])))
    h.settle(s1)
    XCTAssertEqual(h.printed.last, "port delete 4")

    // Ageing: found again, then its probes stop coming back.
    packetIn(s2, port: 3, probes1[2]!)
    XCTAssertEqual(h.printed.last, "LINK_ADD 01:2>02:3")
    s1.received.removeAll()
    h.advance(2, s1)
    XCTAssertEqual(s1.received.filter { $0.type == "PACKET_OUT" }.count, 3, "a probe round every 2 s")
    h.advance(4, s1)
    XCTAssertEqual(h.printed.last, "LINK_ADD 01:2>02:3", "6 s unheard: not yet gone (the timeout is 7 s)")
    h.advance(2, s1)
    XCTAssertEqual(h.printed.last, "LINK_DELETE 01:2>02:3")

    // A switch leaving: SWITCH_LEAVE, and its hosts go.
    s2.shutdownWrite()
    h.settle(s2)
    XCTAssertEqual(h.printed.last, "leave 02")
    XCTAssertEqual(dump().last, "switches 1, hosts 0, link port false")
    XCTAssertEqual(h.errors, [])
  }

  /// Demoted to SLAVE by the switch, topology stops probing (a PACKET_OUT
  /// would be refused and end its probe task) and starts again as MASTER.
  func testNoProbesWhileSlave() throws {
    let (s1, _) = try connect(1)
    let status: (String, UInt64) -> OFMessage = { role, gen in
      let body: [UInt8] = [0, 0, 0, role == "SLAVE" ? 3 : 2, 0, 0, 0, 0] + withUnsafeBytes(of: gen.bigEndian) { Array($0) }
      return OFMessage(version: 4, type: "EXPERIMENTER", xid: 0, msg: .table([
        "experimenter": .uint(0x4f4e_4600), "exp_type": .uint(1911), "data": .bytes(body),
      ]))
    }
    s1.send(status("SLAVE", 8))
    h.settle(s1)
    s1.received.removeAll()
    h.advance(2, s1)
    h.advance(2, s1)
    XCTAssertEqual(s1.received.filter { $0.type == "PACKET_OUT" }.count, 0)
    XCTAssertEqual(h.errors, [])
    s1.send(status("MASTER", 9))
    h.settle(s1)
    h.advance(2, s1)
    XCTAssertEqual(s1.received.filter { $0.type == "PACKET_OUT" }.count, 3, "probing again")
  }

  /// A MAC that flaps between two switches (a loop, or a load generator that
  /// reuses source MACs on every switch) is moved a few times, then held with
  /// one warning; after the hold it moves again.
  func testFlappingHostIsHeldAndReportedOnce() throws {
    let (s1, _) = try connect(1)
    let (s2, _) = try connect(2)
    let mac = "02:aa:00:00:00:07"
    for i in 0..<40 {
      packetIn(i % 2 == 0 ? s1 : s2, port: 1, try frame(src: mac))
    }
    let moves = h.printed.filter { $0.hasPrefix("moved \(mac)") }
    XCTAssertEqual(moves.count, 3, "\(h.printed)")
    let warnings = h.log.lines.filter { $0.contains("moved more than 3 times in a second") }
    XCTAssertEqual(warnings.count, 1, "\(h.log.lines)")
    XCTAssertTrue(warnings[0].hasPrefix("warning [topology] host \(mac)"), warnings[0])
    // The hold ends: the next move is reported again, once.
    h.advance(11, s1)
    packetIn(s1, port: 1, try frame(src: mac))
    packetIn(s1, port: 1, try frame(src: mac))
    // Held where it was last reported (s2) until then.
    XCTAssertEqual(h.printed.filter { $0.hasPrefix("moved \(mac)") }.last, "moved \(mac) to 01:1 from 02:1")
    XCTAssertEqual(h.printed.filter { $0.hasPrefix("moved \(mac)") }.count, 4)
    XCTAssertEqual(h.log.lines.filter { $0.contains("moved more than") }.count, 1)
    XCTAssertEqual(h.errors, [])
  }
}
