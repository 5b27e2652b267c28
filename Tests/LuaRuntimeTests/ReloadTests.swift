import CLua
import Foundation
import HostCore
import OpenFlow
import Reactor
import TestSupport
import XCTest

@testable import LuaRuntime

/// Reload generations, the keep store and the guard rails.
final class ReloadTests: XCTestCase {
  var dir: URL!
  var loop: EventLoop!
  var host: Controller!
  var gens: AppGenerations!
  let log = CaptureLog()

  func setUp(_ apps: [String: String], budgetMs: Double = 300, memory: Int = 0) throws {
    dir = FileManager.default.temporaryDirectory.appendingPathComponent("zofreload-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: dir.appendingPathComponent("lib"), withIntermediateDirectories: true)
    write(apps)
    loop = try EventLoop()
    var config = HostConfig()
    config.listen = []
    host = Controller(loop: loop, config: config, logger: log.logger)
    gens = AppGenerations(host: host, logger: log.logger, options: RuntimeOptions(appsDir: dir.path, memoryLimit: memory, handlerBudgetMs: budgetMs))
    try gens.start()
  }

  override func tearDown() {
    if let dir { try? FileManager.default.removeItem(at: dir) }
  }

  func write(_ apps: [String: String]) {
    for (name, code) in apps {
      FileManager.default.createFile(atPath: dir.appendingPathComponent(name).path, contents: Data(code.utf8))
    }
  }

  var printed: [String] {
    log.lines.compactMap { l in
      guard l.hasPrefix("info ["), let r = l.range(of: "] ") else { return nil }
      return String(l[r.upperBound...])
    }
  }

  /// A 1.3 switch, its handshake done.
  func connect() -> FakeSwitch {
    let sw = FakeSwitch(host: host, version: 4)
    sw.pump(loop, quietRounds: 2, timeout: 0)
    return sw
  }

  func packetIn(_ sw: FakeSwitch, data: [UInt8] = [UInt8](repeating: 0, count: 14)) {
    sw.send(OFMessage(version: 4, type: "PACKET_IN", msg: .table([
      "in_port": .uint(1), "reason": .string("NO_MATCH"), "data": .bytes(data),
    ])))
    sw.pump(loop, quietRounds: 2, timeout: 0)
  }

  func app(_ version: String) -> String {
    """
    local app = zof.app("a")
    app:event("START", function() print("\(version) start") end)
    app:event("STOP", function() print("\(version) stop") end)
    app:event("RELOAD_FAILED", function(ev) print("\(version) told: " .. ev.errors[1]) end)
    app:message("CHANNEL_UP", function(ev) print("\(version) up replay=" .. tostring(ev.replay == true)) end)
    app:message("PACKET_IN", function(ev) print("\(version) packet") end)
    """
  }

  func testReloadSwitchesGenerationsWithoutDroppingTheSwitch() throws {
    try setUp(["a.lua": app("v1")])
    let sw = connect()
    let conn = host.datapaths.first?.connection
    write(["a.lua": app("v2")])
    XCTAssertTrue(gens.reload())
    sw.pump(loop, quietRounds: 2, timeout: 0)
    packetIn(sw)
    XCTAssertEqual(printed, ["v1 start", "v1 up replay=false", "v1 stop", "v2 start", "v2 up replay=true", "v2 packet"])
    XCTAssertFalse(sw.peerClosed)
    XCTAssertTrue(host.datapaths.first?.connection === conn)
    XCTAssertTrue(log.lines.contains { $0.contains("reload 1: 1 apps in") && $0.contains("Lua memory") })
  }

  func testEveryKindOfFailureKeepsTheOldGeneration() throws {
    try setUp(["a.lua": app("v1")])
    let sw = connect()
    let broken: [(String, [String: String], String)] = [
      ("syntax", ["a.lua": "local app = zof.app('a'\nthis is not lua"], "a.lua:2:"),
      ("top-level error", ["a.lua": "local x = nil\nlocal y = x.field"], "a.lua:2: attempt to index"),
      ("duplicate name", ["a.lua": app("v2"), "b.lua": "zof.app('a')"], "b.lua:1: zof.app: app \"a\" is already defined"),
      ("runaway top level", ["a.lua": "while true do end"], "time budget"),
    ]
    for (what, files, want) in broken {
      try? FileManager.default.removeItem(at: dir.appendingPathComponent("b.lua"))
      write(files)
      log.clear()
      XCTAssertFalse(gens.reload(), what)
      XCTAssertTrue(log.lines.contains { $0.contains("reload failed") && $0.contains(want) }, "\(what): \(log.lines)")
      XCTAssertTrue(printed.contains { $0.hasPrefix("v1 told: ") && $0.contains(want) }, "\(what): \(printed)")
      packetIn(sw)
      XCTAssertEqual(printed.last, "v1 packet", what)
      XCTAssertFalse(printed.contains("v1 stop"), what)
    }
    XCTAssertEqual(gens.reloads, 0)
  }

  func testKeepStoreCarriesPlainDataAcrossAReload() throws {
    let keeper = """
      local app = zof.app("k")
      local macs = app:keep("macs", {})
      local count = app:keep("count", {n = 0})
      app:event("START", function()
        count.n = count.n + 1
        macs["02:00:00:00:00:01"] = 3
        print("start " .. count.n .. " " .. tostring(macs["02:00:00:00:00:01"]))
      end)
      """
    try setUp(["k.lua": keeper])
    XCTAssertTrue(gens.reload())
    XCTAssertTrue(gens.reload())
    XCTAssertEqual(printed, ["start 1 3", "start 2 3", "start 3 3"])
  }

  /// Tables zofhost fills on first read, put in the keep store unread, reach
  /// the next generation whole and plain: a packet read only up to Ethernet,
  /// a PACKET_IN message whose match was not read, a reply's message.
  func testKeptLazyTablesGoOverWhole() throws {
    try setUp(["k.lua": """
      local app = zof.app("k")
      local store = app:keep("store", {})
      local function private(t)
        local n = 0
        for k in next, t do if type(k) == "string" and k:byte(1) == 0 then n = n + 1 end end
        return n
      end
      app:event("START", function()
        if not store.pkt then return end
        print("pkt " .. store.pkt.eth_type .. " " .. store.pkt.ipv4_src .. " " .. tostring(getmetatable(store.pkt) == nil))
        print("msg match in_port " .. store.msg.match.in_port .. ", private keys " .. private(store.msg))
        print("config " .. store.config.miss_send_len .. ", private keys " .. private(store.config))
      end)
      app:message("CHANNEL_UP", function(ev)
        store.config = zof.request{type = "GET_CONFIG_REQUEST"}.msg
      end)
      app:message("PACKET_IN", function(ev)
        store.msg = ev.msg
        store.pkt = ev.msg.pkt
        print("eth " .. store.pkt.eth_src .. " " .. tostring(rawget(store.pkt, "ipv4_src")))
      end)
      """])
    let sw = connect()
    let req = try XCTUnwrap(sw.received.first { $0.type == "GET_CONFIG_REQUEST" })
    sw.send(OFMessage(version: 4, type: "GET_CONFIG_REPLY", xid: req.xid, msg: .table([
      "flags": .list([]), "miss_send_len": .uint(128),
    ])))
    sw.pump(loop, quietRounds: 2, timeout: 0)
    let eth: [UInt8] = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00]
    let ipv4: [UInt8] = [0x45, 0, 0, 20, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]
    packetIn(sw, data: eth + ipv4)
    XCTAssertTrue(gens.reload())
    XCTAssertEqual(printed, [
      "eth 02:00:00:00:00:01 nil", "pkt 2048 10.0.0.1 true", "msg match in_port 1, private keys 0",
      "config 128, private keys 0",
    ], log.lines.joined(separator: "\n"))
  }

  func testKeepStoreRefusesFunctionsAndUserdata() throws {
    try setUp(["k.lua": """
      local app = zof.app("k")
      local ok, err = pcall(app.keep, app, "bad", {nested = {f = print}})
      print(tostring(ok) .. " " .. err)
      local ok2, err2 = pcall(app.keep, app, "file", io.stdout)
      print(tostring(ok2) .. " " .. err2)
      """])
    XCTAssertEqual(printed.count, 2)
    XCTAssertTrue(printed[0].hasPrefix("false ") && printed[0].contains("bad[\"nested\"][\"f\"] is a function"), printed[0])
    XCTAssertTrue(printed[1].hasPrefix("false ") && printed[1].contains("file is a userdata"), printed[1])
  }

  func testBudgetAbortCannotBeSwallowedByPcall() throws {
    try setUp([
      "a.lua": """
        local app = zof.app("a", {precedence = 200})
        local n = 0
        app:message("PACKET_IN", function(ev)
          n = n + 1
          if n == 1 then
            local ok = pcall(function() while true do end end)
            print("swallowed the loop")
          elseif n == 2 then
            local ok = pcall(table.sort, {3, 2, 1}, function(x, y) while true do end end)
            print("swallowed the sort")
          else
            print("a handles packet " .. n)
          end
        end)
        """,
      "b.lua": """
        local app = zof.app("b")
        app:message("PACKET_IN", function(ev) print("b still gets it") end)
        app:event("EXCEPTION", function(ev) print("exception from " .. ev.app) end)
        """,
    ], budgetMs: 50)
    let sw = connect()
    packetIn(sw)
    packetIn(sw)
    packetIn(sw)
    XCTAssertFalse(printed.contains("swallowed the loop"))
    XCTAssertFalse(printed.contains("swallowed the sort"))
    XCTAssertEqual(printed.filter { $0 == "b still gets it" }.count, 3)
    XCTAssertEqual(printed.filter { $0 == "exception from a" }.count, 2)
    XCTAssertTrue(printed.contains("a handles packet 3"))
    XCTAssertEqual(log.lines.filter { $0.contains("time budget") }.count, 2)
  }

  func testBudgetReachesAnAppsOwnCoroutine() throws {
    try setUp([
      "a.lua": """
        local app = zof.app("a")
        local n = 0
        app:message("PACKET_IN", function(ev)
          n = n + 1
          if n == 1 then
            local spin = coroutine.wrap(function() while true do end end)
            pcall(spin)
            print("swallowed the coroutine")
          else
            print("a handles packet " .. n)
          end
        end)
        """
    ], budgetMs: 50)
    let sw = connect()
    packetIn(sw)
    packetIn(sw)
    XCTAssertFalse(printed.contains("swallowed the coroutine"))
    XCTAssertTrue(printed.contains("a handles packet 2"))
    XCTAssertEqual(log.lines.filter { $0.contains("time budget") }.count, 1)
  }

  /// PACKET_INs of these xids from one switch, sent back to back (one read,
  /// one batch), then the loop run until they are through.
  private func sendPacketIns(xids: [UInt32]) {
    let sw = connect()
    for xid in xids {
      sw.send(OFMessage(version: 4, type: "PACKET_IN", xid: xid, msg: .table([
        "in_port": .uint(1), "reason": .string("NO_MATCH"), "data": .bytes([UInt8](repeating: 0, count: 14)),
      ])))
    }
    sw.pump(loop, quietRounds: 2, timeout: 0)
  }

  /// `zof.wall()` for the apps of these tests: seconds on the monotonic clock,
  /// read live. The budget is wall time, so handlers that spin on CPU time
  /// (os.clock) ran past it whenever other processes shared the cores.
  func giveWallClock() {
    let L = gens.current!.lua.L
    let top = lua_gettop(L)
    lua_getglobal(L, "zof")
    lua_pushcclosure(L, { L in
      lua_pushnumber(L, Double(DispatchTime.now().uptimeNanoseconds) / 1e9)
      return 1
    }, 0)
    lua_setfield(L, -2, "wall")
    lua_settop(L, top)
  }

  /// A read's PACKET_INs run in one step of the dispatcher, but the budget is each handler's.
  func testBudgetIsEachHandlersInABatch() throws {
    try setUp([
      "a.lua": """
        local app = zof.app("a")
        app:message("PACKET_IN", function(ev)
          local t = zof.wall()
          while zof.wall() - t < 0.04 do end
          print("a done")
        end)
        """
    ], budgetMs: 150)
    giveWallClock()
    // 240 ms of handlers in one batch, 40 ms each, under a 150 ms budget.
    sendPacketIns(xids: Array(repeating: 0, count: 6))
    XCTAssertEqual(printed.filter { $0 == "a done" }.count, 6)
    XCTAssertFalse(log.lines.contains { $0.contains("time budget") }, "\(log.lines)")
  }

  /// Each app's handler of one event has a budget of its own too: the first
  /// one's starts with the event, the others' as they start.
  func testBudgetIsEachAppsForOneEvent() throws {
    let slow = """
      app:message("PACKET_IN", function(ev)
        local t = zof.wall()
        while zof.wall() - t < 0.09 do end
        print(app.name .. " done")
      end)
      """
    try setUp([
      "a.lua": "local app = zof.app(\"a\", {precedence = 200})\n" + slow,
      "b.lua": "local app = zof.app(\"b\")\n" + slow,
    ], budgetMs: 150)
    giveWallClock()
    // 180 ms of handlers per event, 90 ms each, under a 150 ms budget.
    sendPacketIns(xids: [0, 0, 0])
    XCTAssertEqual(printed, ["a done", "b done", "a done", "b done", "a done", "b done"])
    XCTAssertFalse(log.lines.contains { $0.contains("time budget") }, "\(log.lines)")
  }

  func testBudgetAbortInABatchLeavesTheRestOfIt() throws {
    try setUp([
      "a.lua": """
        local app = zof.app("a")
        app:message("PACKET_IN", function(ev)
          if ev.xid == 2 then while true do end end
          print("a handles packet " .. ev.xid)
        end)
        """
    ], budgetMs: 50)
    sendPacketIns(xids: [1, 2, 3])
    XCTAssertEqual(printed.filter { $0.hasPrefix("a handles packet") }, ["a handles packet 1", "a handles packet 3"])
    XCTAssertEqual(log.lines.filter { $0.contains("time budget") }.count, 1)
  }

  func testMemoryCapFailsTheHandlerNotTheProcess() throws {
    try setUp([
      "a.lua": """
        local app = zof.app("a")
        local hog
        app:message("PACKET_IN", function(ev)
          if not hog then
            hog = {}
            for i = 1, 1e8 do hog[i] = ("x"):rep(4096) .. i end
          end
          print("after")
        end)
        app:event("EXCEPTION", function(ev) hog = nil; collectgarbage(); print("exception: " .. ev.error) end)
        """
    ], budgetMs: 60_000, memory: 16 * 1024 * 1024)
    let sw = connect()
    packetIn(sw)
    XCTAssertTrue(printed.contains("exception: app a is over its Lua memory cap of 16 MB"), "\(printed)")
    XCTAssertFalse(printed.contains("after"))
    packetIn(sw)
    XCTAssertEqual(printed.filter { $0 == "after" }.count, 0)  // hog set again: fails again, cleanly
    XCTAssertLessThanOrEqual(gens.current!.memoryByApp["a"]!, 16 * 1024 * 1024)
  }

  func testSandboxAndRequireFromLib() throws {
    try setUp([
      "lib/helper.lua": "local M = {}\nfunction M.greet() return 'hello from lib' end\nreturn M",
      "a.lua": """
        local app = zof.app("a")
        local helper = require("helper")
        print(helper.greet(), tostring(os.exit), tostring(os.execute), tostring(io.popen))
        local f, err = load(string.dump(function() end))
        print(tostring(f), err:match("binary") ~= nil)
        print(type(os.time()), type(string.format))
        """,
    ])
    XCTAssertEqual(printed, ["hello from lib\tnil\tnil\tnil", "nil\ttrue", "number\tfunction"])
  }
}
