import HostCore
import OpenFlow
import TestSupport
import XCTest

@testable import LuaRuntime

final class RoleAppTests: XCTestCase {
  func testSetRoleWaitsAndSlaveSendsRaise() throws {
    let h = try TaskHarness([
      "a.lua": """
        local app = zof.app("a")
        local TPL = zof.compile{type = "PACKET_OUT", msg = {actions = {{action = "OUTPUT", port_no = 1}}, data = ""}}
        app:message("CHANNEL_UP", function(ev)
          local dp = ev.datapath
          print("before " .. dp.role .. " " .. tostring(dp.generation_id))
          local role, gen = dp:set_role("slave", 5)
          print("after " .. role .. " " .. gen .. " " .. dp.role)
          local ok, err = pcall(dp.send, dp, {type = "FLOW_MOD", msg = {command = "ADD"}})
          print(tostring(ok) .. " " .. tostring(err))
          ok, err = pcall(TPL.send, TPL, {}, dp)
          print(tostring(ok) .. " " .. tostring(err))
          print("barrier " .. dp:send{type = "BARRIER_REQUEST"})
          ok, err = pcall(dp.set_role, dp, "master", 1)
          print(tostring(ok) .. " " .. tostring(err.kind) .. " " .. tostring(err.code))
        end)
        app:message("ROLE_CHANGED", function(ev)
          print("changed " .. ev.msg.role .. " " .. ev.msg.generation_id .. " " .. ev.msg.reason .. " " .. ev.datapath_id)
        end)
        """
    ])
    let sw = h.connect(OFVersion.v1_3)
    let req = try XCTUnwrap(sw.received.first { $0.type == "ROLE_REQUEST" })
    XCTAssertEqual(req.msg["role"], .string("SLAVE"))
    sw.send(OFMessage(version: 4, type: "ROLE_REPLY", xid: req.xid, msg: .table(["role": .string("SLAVE"), "generation_id": .uint(5)])))
    h.settle(sw)
    let req2 = try XCTUnwrap(sw.received.last { $0.type == "ROLE_REQUEST" })
    sw.send(OFMessage(version: 4, type: "ERROR", xid: req2.xid, msg: .table([
      "type": .string("ROLE_REQUEST_FAILED"), "code": .string("STALE"), "data": .bytes([]),
    ])))
    h.settle(sw)
    XCTAssertEqual(h.printed.count, 7, "\(h.printed)")
    XCTAssertEqual(h.printed[0], "before EQUAL nil")
    XCTAssertEqual(h.printed[1], "changed SLAVE 5 request 00:00:00:00:00:00:00:01")
    XCTAssertEqual(h.printed[2], "after SLAVE 5 SLAVE")
    XCTAssertTrue(h.printed[3].hasPrefix("false dp:send: datapath"), h.printed[3])
    XCTAssertTrue(h.printed[3].contains("is SLAVE: FLOW_MOD refused"), h.printed[3])
    XCTAssertTrue(h.printed[4].contains("PACKET_OUT refused"), h.printed[4])
    XCTAssertTrue(h.printed[5].hasPrefix("barrier "))
    XCTAssertEqual(h.printed[6], "false error STALE")
    XCTAssertFalse(sw.received.contains { $0.type == "FLOW_MOD" || $0.type == "PACKET_OUT" })
  }

  func testSwitchErrorReachesSetRoleAndRoleStays() throws {
    let h = try TaskHarness([
      "a.lua": """
        local app = zof.app("a")
        app:message("CHANNEL_UP", function(ev)
          local dp = ev.datapath
          print("got " .. table.concat({dp:set_role("MASTER", 5)}, " "))
          local ok, err = pcall(dp.set_role, dp, "SLAVE", 3)
          print(tostring(ok) .. " " .. tostring(err.kind) .. " " .. tostring(err.type) .. " " .. tostring(err.code))
          print("still " .. dp.role .. " " .. dp.generation_id)
          print("send " .. tostring(pcall(dp.send, dp, {type = "FLOW_MOD", msg = {command = "ADD"}})))
        end)
        """
    ])
    let sw = h.connect(OFVersion.v1_3)
    let req = try XCTUnwrap(sw.received.last { $0.type == "ROLE_REQUEST" })
    sw.send(OFMessage(version: 4, type: "ROLE_REPLY", xid: req.xid, msg: .table(["role": .string("MASTER"), "generation_id": .uint(5)])))
    h.settle(sw)
    let req2 = try XCTUnwrap(sw.received.last { $0.type == "ROLE_REQUEST" })
    XCTAssertEqual(req2.msg["role"], .string("SLAVE"))
    sw.send(OFMessage(version: 4, type: "ERROR", xid: req2.xid, msg: .table([
      "type": .string("ROLE_REQUEST_FAILED"), "code": .string("STALE"), "data": .bytes([]),
    ])))
    h.settle(sw)
    XCTAssertEqual(h.printed, ["got MASTER 5", "false error ROLE_REQUEST_FAILED STALE", "still MASTER 5", "send true"])
    XCTAssertTrue(sw.received.contains { $0.type == "FLOW_MOD" })
  }

  func testGenerationIdAbove2To63ReadsNegativeAndWrapsLikeTheSpec() throws {
    let h = try TaskHarness([
      "a.lua": """
        local app = zof.app("a")
        app:message("CHANNEL_UP", function(ev)
          local dp = ev.datapath
          local _, cur = dp:set_role("MASTER", -16)
          print("cur " .. cur .. " " .. math.tointeger(cur) .. " " .. string.format("%u", cur))
          local new = cur + 32
          print("new " .. new .. " stale " .. tostring(new - cur < 0) .. " older stale " .. tostring((cur - 1) - cur < 0))
          dp:set_role("MASTER", new)
          print("now " .. dp.generation_id)
        end)
        app:message("ROLE_CHANGED", function(ev) print("changed " .. ev.msg.generation_id) end)
        """
    ])
    let sw = h.connect(OFVersion.v1_3)
    let req = try XCTUnwrap(sw.received.last { $0.type == "ROLE_REQUEST" })
    XCTAssertEqual(req.msg["generation_id"], .uint(0xFFFF_FFFF_FFFF_FFF0))
    sw.send(OFMessage(version: 4, type: "ROLE_REPLY", xid: req.xid, msg: .table(["role": .string("MASTER"), "generation_id": .uint(0xFFFF_FFFF_FFFF_FFF0)])))
    h.settle(sw)
    let req2 = try XCTUnwrap(sw.received.last { $0.type == "ROLE_REQUEST" })
    XCTAssertEqual(req2.msg["generation_id"], .uint(16), "wrapped past 2^64")
    sw.send(OFMessage(version: 4, type: "ROLE_REPLY", xid: req2.xid, msg: .table(["role": .string("MASTER"), "generation_id": .uint(16)])))
    h.settle(sw)
    XCTAssertEqual(h.printed, [
      "changed -16", "cur -16 -16 18446744073709551600", "new 16 stale false older stale true", "changed 16", "now 16",
    ])
  }
}
