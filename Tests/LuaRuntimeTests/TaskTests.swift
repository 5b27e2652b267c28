import OpenFlow
import TestSupport
import XCTest

@testable import LuaRuntime

/// The task rules one by one, on a manual clock with an in-memory switch.
final class TaskTests: XCTestCase {
  func testFirstStepRunsBeforeTheNextApp() throws {
    let h = try TaskHarness([
      "a.lua": """
        local app = zof.app("a", {precedence = 200})
        app:event("START", function() print("a1"); zof.sleep(1); print("a2") end)
        """,
      "b.lua": """
        local app = zof.app("b")
        app:event("START", function() print("b") end)
        """,
    ])
    XCTAssertEqual(h.printed, ["a1", "b"])
    h.advance(0.5)
    XCTAssertEqual(h.printed, ["a1", "b"])
    h.advance(0.5)
    XCTAssertEqual(h.printed, ["a1", "b", "a2"])
  }

  func testReplyResumesTheTaskBeforeTheNextMessage() throws {
    let h = try TaskHarness([
      "a.lua": """
        local app = zof.app("a")
        app:message("CHANNEL_UP", function(ev)
          local r = zof.request{type = "BARRIER_REQUEST"}
          print("reply " .. r.type .. " xid " .. r.xid)
        end)
        app:message("PACKET_IN", function(ev) print("packet-in") end)
        """
    ])
    let sw = FakeSwitch(host: h.host, version: 4)
    sw.pump(h.loop, quietRounds: 2, timeout: 0)
    let req = try XCTUnwrap(sw.received.first { $0.type == "BARRIER_REQUEST" })
    // The reply and a PACKET_IN arrive in one read.
    let reply = try OFCodec.encode(OFMessage(version: 4, type: "BARRIER_REPLY", xid: req.xid))
    let pin = try OFCodec.encode(OFMessage(version: 4, type: "PACKET_IN", xid: 0, msg: .table([
      "in_port": .uint(1), "reason": .string("NO_MATCH"), "data": .bytes([UInt8](repeating: 0, count: 14)),
    ])))
    sw.sendRaw(reply + pin)
    h.settle(sw)
    XCTAssertEqual(h.printed, ["reply BARRIER_REPLY xid \(req.xid)", "packet-in"])
  }

  func testTasksReadyInOneRoundResumeInOrder() throws {
    let h = try TaskHarness([
      "a.lua": """
        local app = zof.app("a")
        app:event("START", function()
          for i = 1, 3 do zof.spawn(function() zof.sleep(1); print("t" .. i) end) end
        end)
        """
    ])
    h.advance(1)
    XCTAssertEqual(h.printed, ["t1", "t2", "t3"])
  }

  /// A task spawned as an app file loads (a poller, say) is that app's: it
  /// waits as any task does, logs as the app, and fails as the app's. One
  /// spawned before its file made an app is no app's, and waits as well.
  func testTaskSpawnedAtLoadIsTheLoadingApps() throws {
    let h = try TaskHarness([
      "a.lua": """
        local app = zof.app("a")
        zof.spawn(function()
          for i = 1, 2 do zof.sleep(1); zof.log("info", "tick " .. i) end
          error("poller gave up")
        end)
        """,
      "b.lua": """
        zof.spawn(function() zof.sleep(1); zof.log("info", "early tick"); zof.sleep(1); error("early gave up") end)
        local app = zof.app("b")
        """,
    ])
    h.advance(1)
    h.advance(1)
    XCTAssertEqual(h.log.lines.filter { $0.hasPrefix("info [a] tick") }, ["info [a] tick 1", "info [a] tick 2"])
    XCTAssertTrue(h.log.lines.contains("info [zofhost] early tick"), "\(h.log.lines)")
    XCTAssertEqual(h.errors.count, 2, "\(h.errors)")
    XCTAssertTrue(h.errors.contains { $0.contains("[a] task spawned at") && $0.contains("poller gave up") }, "\(h.errors)")
    XCTAssertTrue(h.errors.contains { $0.contains("[zofhost] task spawned at") && $0.contains("early gave up") },
                  "\(h.errors)")
    XCTAssertFalse(h.log.lines.contains { $0.contains("dispatch failed") }, "\(h.log.lines)")
  }

  func testWaitEventResumesAfterTheEventReachedEveryApp() throws {
    let h = try TaskHarness([
      "a.lua": """
        local app = zof.app("a", {precedence = 300})
        app:event("START", function()
          local ev = zof.wait_event("ping")
          print("a woke with n=" .. ev.n)
        end)
        """,
      "b.lua": """
        local app = zof.app("b", {precedence = 200})
        app:event("PING", function(ev) print("b saw ping " .. ev.n) end)
        """,
      "c.lua": """
        local app = zof.app("c")
        app:event("START", function() zof.post{event = "PING", n = 1}; zof.post{event = "PING", n = 2} end)
        """,
    ])
    XCTAssertEqual(h.printed, ["b saw ping 1", "a woke with n=1", "b saw ping 2"])
  }

  func testMultipartReplyIsJoined() throws {
    let h = try TaskHarness([
      "a.lua": """
        local app = zof.app("a")
        app:message("CHANNEL_UP", function(ev)
          local r = zof.request{type = "REQUEST.PORT_DESC"}
          local names = {}
          for _, p in ipairs(r.msg.ports) do names[#names + 1] = p.name end
          print(r.type .. ": " .. table.concat(names, ","))
        end)
        """
    ])
    let sw = h.connect()
    let req = try XCTUnwrap(sw.received.first { $0.type == "REQUEST.PORT_DESC" })
    func part(_ names: [String], more: Bool) -> OFMessage {
      OFMessage(version: 4, type: "REPLY.PORT_DESC", xid: req.xid, msg: .table([
        "flags": .list(more ? [.string("REPLY_MORE")] : []),
        "ports": .list(names.enumerated().map { FakeSwitch.port(UInt64($0.offset + 1), $0.element) }),
      ]))
    }
    sw.send(part(["x1", "x2"], more: true))
    h.settle(sw)
    XCTAssertEqual(h.printed, [])
    sw.send(part(["x3"], more: false))
    h.settle(sw)
    XCTAssertEqual(h.printed, ["REPLY.PORT_DESC: x1,x2,x3"])
  }

  /// Replies are matched by xid and type: a PACKET_IN that carries a
  /// pending barrier's xid is a PACKET_IN for the apps (its packet reads as
  /// any), and the barrier still ends with its own reply.
  func testAPacketInWithARequestsXidGoesToTheApps() throws {
    let h = try TaskHarness([
      "a.lua": """
        local app = zof.app("a")
        app:message("CHANNEL_UP", function(ev)
          local r = ev.datapath:barrier()
          print("barrier: " .. r.type)
        end)
        app:message("PACKET_IN", function(ev)
          print(("PACKET_IN xid %d from %s on %d"):format(ev.xid, ev.msg.pkt.eth_src, ev.msg.in_port))
        end)
        """
    ])
    let sw = h.connect()
    let arp = try PacketBuilder.build(.table([
      "eth_dst": .string("ff:ff:ff:ff:ff:ff"), "eth_src": .string("02:00:00:00:00:01"), "arp_op": .uint(1),
      "arp_sha": .string("02:00:00:00:00:01"), "arp_spa": .string("10.0.0.1"), "arp_tpa": .string("10.0.0.9"),
    ]))
    let req = try XCTUnwrap(sw.received.first { $0.type == "BARRIER_REQUEST" })
    sw.send(OFMessage(version: 4, type: "PACKET_IN", xid: req.xid, msg: .table([
      "buffer_id": .string("NO_BUFFER"), "reason": .string("ACTION"), "table_id": .uint(1), "cookie": .uint(5),
      "match": .table(["in_port": .uint(7)]), "data": .bytes(arp),
    ])))
    h.settle(sw)
    XCTAssertEqual(h.printed, ["PACKET_IN xid \(req.xid) from 02:00:00:00:00:01 on 7"])
    XCTAssertEqual(h.rt.taskStats.pending, 1, "the barrier still waits")
    sw.send(OFMessage(version: 4, type: "BARRIER_REPLY", xid: req.xid, msg: .emptyTable))
    h.settle(sw)
    XCTAssertEqual(h.printed.last, "barrier: BARRIER_REPLY")
    XCTAssertEqual(h.rt.taskStats.pending, 0)
    XCTAssertEqual(h.errors, [])
  }

  func testStreamedRequestYieldsPartsOneByOne() throws {
    let h = try TaskHarness([
      "a.lua": """
        local app = zof.app("a")
        app:message("CHANNEL_UP", function(ev)
          for part in zof.request_stream{type = "REQUEST.PORT_DESC"} do print("part with " .. #part.msg.ports) end
          print("stream done")
        end)
        """
    ])
    let sw = h.connect()
    let req = try XCTUnwrap(sw.received.first { $0.type == "REQUEST.PORT_DESC" })
    for (i, more) in [true, true, false].enumerated() {
      sw.send(OFMessage(version: 4, type: "REPLY.PORT_DESC", xid: req.xid, msg: .table([
        "flags": .list(more ? [.string("REPLY_MORE")] : []),
        "ports": .list((0...i).map { FakeSwitch.port(UInt64($0 + 1), "p\($0)") }),
      ])))
      h.settle(sw)
    }
    XCTAssertEqual(h.printed, ["part with 1", "part with 2", "part with 3", "stream done"])
  }

  /// A streamed request whose task sleeps in its loop, and a stand-in switch
  /// that has sent one part of the reply: the test plays the rest.
  private func sleepingStream(timeout: Double, sleep: Double) throws -> (TaskHarness, FakeSwitch, UInt32) {
    let h = try TaskHarness([
      "a.lua": """
        local app = zof.app("a")
        app:message("CHANNEL_UP", function(ev)
          local ok, err = pcall(function()
            for part in zof.request_stream({type = "REQUEST.PORT_DESC"}, {timeout = \(timeout)}) do
              print("part")
              zof.sleep(\(sleep))
              print("slept")
            end
          end)
          print(ok and "done" or err.kind .. ": " .. tostring(err))
        end)
        """
    ])
    let sw = h.connect()
    let req = try XCTUnwrap(sw.received.first { $0.type == "REQUEST.PORT_DESC" })
    sw.send(Self.portDescPart(xid: req.xid, more: true))
    h.settle(sw)
    XCTAssertEqual(h.printed, ["part"])
    return (h, sw, req.xid)
  }

  static func portDescPart(xid: UInt32, more: Bool) -> OFMessage {
    OFMessage(version: 4, type: "REPLY.PORT_DESC", xid: xid, msg: .table([
      "flags": .list(more ? [.string("REPLY_MORE")] : []), "ports": .list([FakeSwitch.port(1, "p1")]),
    ]))
  }

  /// A stream's time that runs out while its task sleeps in the loop is not
  /// that sleep's: the sleep lasts its own time. The request is over then:
  /// the parts that came in time are read, then the stream raises its timeout.
  func testAStreamsTimeRunningOutInASleepEndsTheStreamNotTheSleep() throws {
    let (h, sw, xid) = try sleepingStream(timeout: 1, sleep: 2)
    h.advance(0.5, sw)
    sw.send(Self.portDescPart(xid: xid, more: true))
    h.settle(sw)
    h.advance(1, sw)
    XCTAssertEqual(h.printed, ["part"], "the stream's 1 s timer fired during the 2 s sleep")
    sw.send(Self.portDescPart(xid: xid, more: false))
    h.settle(sw)
    h.advance(0.5, sw)
    XCTAssertEqual(h.printed, ["part", "slept", "part"], "the part that came in time, not the late one")
    h.advance(2, sw)
    XCTAssertEqual(h.printed, ["part", "slept", "part", "slept",
                               "timeout: zof.request_stream (xid \(xid)) timed out after 1 s"])
    XCTAssertEqual(h.errors, [])
    XCTAssertEqual(h.rt.taskStats.pending, 0)
  }

  /// A stream whose task waited on something else in the loop still times
  /// out when it waits on the stream again.
  func testAStreamKeepsItsTimeoutAfterASleepInItsLoop() throws {
    let (h, sw, xid) = try sleepingStream(timeout: 5, sleep: 1)
    h.advance(1, sw)
    XCTAssertEqual(h.printed, ["part", "slept"])
    h.advance(3.9, sw)
    XCTAssertEqual(h.printed, ["part", "slept"])
    h.advance(0.1, sw)
    XCTAssertEqual(h.printed.last, "timeout: zof.request_stream (xid \(xid)) timed out after 5 s")
    XCTAssertEqual(h.rt.taskStats.pending, 0)
  }

  /// An error reply, or the switch's end, while the task sleeps in the loop:
  /// the sleep lasts, and the stream raises it at its next wait.
  func testAStreamsFailureInASleepComesAtItsNextWait() throws {
    let (h, sw, xid) = try sleepingStream(timeout: 10, sleep: 2)
    sw.send(OFMessage(version: 4, type: "ERROR", xid: xid, msg: .table([
      "type": .string("BAD_REQUEST"), "code": .string("BAD_MULTIPART"), "data": .bytes([]),
    ])))
    h.settle(sw)
    h.advance(1, sw)
    XCTAssertEqual(h.printed, ["part"])
    h.advance(1, sw)
    XCTAssertEqual(h.printed, ["part", "slept", "error: request xid \(xid) failed: BAD_REQUEST BAD_MULTIPART"])
    XCTAssertEqual(h.rt.taskStats.pending, 0)
  }

  func testErrorReplyRaisesWithNames() throws {
    let h = try TaskHarness([
      "a.lua": """
        local app = zof.app("a")
        app:message("CHANNEL_UP", function(ev)
          local ok, err = pcall(zof.request, {type = "BARRIER_REQUEST"})
          print(tostring(ok), err.kind, err.type, err.code, tostring(err):match("failed") ~= nil)
        end)
        """
    ])
    let sw = h.connect()
    let req = try XCTUnwrap(sw.received.first { $0.type == "BARRIER_REQUEST" })
    sw.send(OFMessage(version: 4, type: "ERROR", xid: req.xid, msg: .table([
      "type": .string("BAD_REQUEST"), "code": .string("BAD_TYPE"), "data": .bytes([]),
    ])))
    h.settle(sw)
    XCTAssertEqual(h.printed, ["false\terror\tBAD_REQUEST\tBAD_TYPE\ttrue"])
  }

  func testRequestTimesOutAfterTenSecondsByDefault() throws {
    let h = try TaskHarness([
      "a.lua": """
        local app = zof.app("a")
        app:message("CHANNEL_UP", function(ev)
          local ok, err = pcall(zof.request, {type = "BARRIER_REQUEST"})
          print(err.kind, tostring(err))
          local ok2, err2 = pcall(zof.request, {type = "BARRIER_REQUEST"}, {timeout = 0.5})
          print(err2.kind)
        end)
        """
    ])
    let sw = h.connect()
    h.advance(9.9, sw)
    XCTAssertEqual(h.printed, [])
    h.advance(0.1, sw)
    XCTAssertEqual(h.printed.first?.hasPrefix("timeout\tzof.request (xid "), true)
    XCTAssertEqual(h.printed.first?.hasSuffix("timed out after 10 s"), true)
    h.advance(0.5, sw)
    XCTAssertEqual(h.printed.last, "timeout")
    XCTAssertEqual(h.rt.taskStats.pending, 0)
  }

  func testChannelDownCancelsItsTasksAndFreesEverything() throws {
    let h = try TaskHarness([
      "a.lua": """
        local app = zof.app("a")
        app:message("CHANNEL_UP", function(ev)
          zof.spawn(function() zof.sleep(100); print("never") end)
          zof.request{type = "BARRIER_REQUEST"}
          print("never either")
        end)
        """
    ])
    let base = h.loop.timerCount
    for i in 0..<10_000 {
      let sw = FakeSwitch(host: h.host, version: 4, dpid: UInt64(i + 1))
      sw.pump(h.loop, quietRounds: 1, timeout: 0)
      if i == 0 {
        let s = h.rt.taskStats
        XCTAssertEqual(s.tasks, 2)
        XCTAssertEqual(s.pending, 1)
        XCTAssertEqual(s.timers, 2)  // the sleep and the request's timeout
      }
      sw.shutdownWrite()
      sw.pump(h.loop, quietRounds: 1, timeout: 0)
    }
    let s = h.rt.taskStats
    XCTAssertEqual(s.tasks, 0)
    XCTAssertEqual(s.timers, 0)
    XCTAssertEqual(s.pending, 0)
    XCTAssertEqual(h.loop.timerCount, base)
    h.advance(200)
    XCTAssertFalse(h.printed.contains("never"))
    XCTAssertFalse(h.printed.contains("never either"))
    XCTAssertEqual(h.errors, [])
  }

  func testRequestFromElsewhereRaisesClosedWhenTheSwitchGoes() throws {
    let h = try TaskHarness([
      "a.lua": """
        local app = zof.app("a")
        app:message("CHANNEL_UP", function(ev)
          local dp = ev.datapath
          zof.post{event = "ASK", dp = dp}
        end)
        app:event("ASK", function(ev)
          local ok, err = pcall(ev.dp.request, ev.dp, {type = "BARRIER_REQUEST"})
          print(err.kind)
        end)
        """
    ])
    let sw = h.connect()
    sw.shutdownWrite()
    h.settle(sw)
    XCTAssertEqual(h.printed, ["closed"])
  }

  func testErrorInATaskBecomesExceptionAndOthersGoOn() throws {
    let h = try TaskHarness([
      "a.lua": """
        local app = zof.app("a", {precedence = 200})
        app:message("CHANNEL_UP", function(ev) zof.sleep(1); error("late failure") end)
        """,
      "b.lua": """
        local app = zof.app("b")
        app:message("CHANNEL_UP", function(ev) print("b up") end)
        app:event("EXCEPTION", function(ev)
          print(ev.app, ev.error:match("late failure") ~= nil, ev.source.type, ev.handler:match("^message CHANNEL_UP") ~= nil)
        end)
        """,
    ])
    let sw = h.connect()
    h.advance(1, sw)
    XCTAssertEqual(h.printed, ["b up", "a\ttrue\tCHANNEL_UP\ttrue"])
    XCTAssertTrue(h.errors.contains { $0.contains("late failure") && $0.contains("stack traceback") })
  }

  func testSpawnWaitAndCancel() throws {
    let h = try TaskHarness([
      "a.lua": """
        local app = zof.app("a")
        app:event("START", function()
          local t = zof.spawn(function(x, y) zof.sleep(1); return x + y, "sum" end, 2, 3)
          print("wait gives", t:wait())
          local bad = zof.spawn(function() zof.sleep(1); error("inner") end)
          local ok, err = pcall(bad.wait, bad)
          print("failed task", ok, tostring(err):match("inner") ~= nil)
          local c = zof.spawn(function() zof.sleep(1); print("cancelled task ran") end)
          zof.sleep(0.5)
          c:cancel()
          local ok2, err2 = pcall(c.wait, c)
          print("cancelled", ok2, err2)
        end)
        """
    ])
    h.advance(1)
    h.advance(1)
    h.advance(1)
    h.advance(1)
    XCTAssertEqual(h.printed, ["wait gives\t5\tsum", "failed task\tfalse\ttrue", "cancelled\tfalse\ttask was cancelled"])
    XCTAssertEqual(h.rt.taskStats.tasks, 0)
  }

  func testCallAndReplyBetweenApps() throws {
    let h = try TaskHarness([
      "a.lua": """
        local app = zof.app("a")
        app:event("START", function()
          print("answer", zof.call("calc", {event = "ADD", x = 2, y = 40}))
          local ok, err = pcall(zof.call, "nobody", {})
          print(ok, err:match("no such app") ~= nil)
          local ok2, err2 = pcall(zof.call, "calc", {event = "IGNORED"}, {timeout = 1})
          print(ok2, err2.kind, tostring(err2))
          local ok3, err3 = pcall(zof.wait_event, "never", {timeout = 0.5})
          print(ok3, tostring(err3))
          local long = zof.spawn(function() zof.sleep(100) end)
          local ok4, err4 = pcall(long.wait, long, {timeout = 0.25})
          print(ok4, tostring(err4))
        end)
        """,
      "calc.lua": """
        local app = zof.app("calc")
        app:event("ADD", function(ev) zof.sleep(0.1); zof.reply(ev, ev.x + ev.y) end)
        app:event("START", function() print("calc start") end)
        """,
    ])
    h.advance(0.1)
    h.advance(1)
    h.advance(0.5)
    h.advance(0.25)
    XCTAssertEqual(h.printed, ["calc start", "answer\t42", "false\ttrue",
                               "false\ttimeout\tzof.call calc IGNORED timed out after 1 s",
                               "false\tzof.wait_event NEVER timed out after 0.5 s",
                               "false\ttask:wait timed out after 0.25 s"])
  }

  func testWaitingWhereLuaCannotYieldGivesAClearError() throws {
    let h = try TaskHarness([
      "a.lua": """
        local app = zof.app("a")
        app:event("START", function()
          local ok, err = pcall(table.sort, {3, 1, 2}, function(a, b) zof.sleep(0); return a < b end)
          print(ok, err:match("cannot wait here") ~= nil)
        end)
        """
    ])
    XCTAssertEqual(h.printed, ["false\ttrue"])
  }

  func testSpawnedTaskKeepsItsDatapath() throws {
    let h = try TaskHarness([
      "a.lua": """
        local app = zof.app("a")
        app:message("CHANNEL_UP", function(ev)
          zof.spawn(function() zof.sleep(1); zof.send{type = "BARRIER_REQUEST"} end)
        end)
        app:event("START", function()
          local ok, err = pcall(zof.send, {type = "BARRIER_REQUEST"})
          print(err:match("no datapath here") ~= nil)
        end)
        """
    ])
    let (sw, sw2) = h.connectTwo()
    h.advance(1, sw)
    sw2.readAvailable()
    XCTAssertEqual(sw.received.map(\.type), ["BARRIER_REQUEST"])
    XCTAssertEqual(sw2.received.map(\.type), ["BARRIER_REQUEST"])
    XCTAssertEqual(h.printed, ["true"])
  }

  /// template:send without a datapath goes to the switch of the handler
  /// that sends, after waits during which another switch's handler ran, on
  /// the patched way and on the filled-in way alike; with one, to that one.
  func testTemplateSendAfterAWaitGoesToItsOwnSwitch() throws {
    let h = try TaskHarness([
      "a.lua": """
        local app = zof.app("a")
        local PATCHED = zof.compile{type = "FLOW_MOD", msg = {priority = "$p", idle_timeout = 5}}
        local FILLED = zof.compile{type = "FLOW_MOD", msg = {priority = "$p", match = "$m"}}
        app:message("CHANNEL_UP", function(ev)
          local n = ev.datapath_id == "00:00:00:00:00:00:00:01" and 1 or 2
          zof.sleep(n)
          PATCHED:send{p = 10 * n}
          zof.sleep(n)
          FILLED:send{p = 10 * n + 1, m = {in_port = n}}
          -- A datapath given wins over the handler's own.
          for _, dp in ipairs(zof.datapaths()) do
            if n == 2 and dp.datapath_id == "00:00:00:00:00:00:00:01" then PATCHED:send({p = 99}, dp) end
          end
        end)
        app:event("START", function()
          local ok, err = pcall(PATCHED.send, PATCHED, {p = 1})
          print(err:match("no datapath here") ~= nil)
        end)
        """
    ])
    let (sw, sw2) = h.connectTwo()
    for _ in 0..<4 {
      h.advance(1, sw)
      sw2.readAvailable()
    }
    func priorities(_ s: FakeSwitch) -> [String] {
      s.received.map { "\($0.type) \($0.msg["priority"].map { "\($0)" } ?? "-")" }
    }
    XCTAssertEqual(priorities(sw), ["FLOW_MOD \(OFValue.uint(10))", "FLOW_MOD \(OFValue.uint(11))", "FLOW_MOD \(OFValue.uint(99))"])
    XCTAssertEqual(priorities(sw2), ["FLOW_MOD \(OFValue.uint(20))", "FLOW_MOD \(OFValue.uint(21))"])
    XCTAssertEqual(sw2.received.last?.msg["match"]?["in_port"], .uint(2))
    XCTAssertEqual(h.printed, ["true"])
  }

  func testStopCancelsAllTasks() throws {
    let h = try TaskHarness([
      "a.lua": """
        local app = zof.app("a")
        app:event("START", function() zof.sleep(5); print("after stop") end)
        app:event("STOP", function() print("stopping") end)
        """
    ])
    h.rt.stop()
    h.advance(10)
    XCTAssertEqual(h.printed, ["stopping"])
    XCTAssertEqual(h.rt.taskStats.tasks, 0)
    XCTAssertEqual(h.rt.taskStats.timers, 0)
  }
}
