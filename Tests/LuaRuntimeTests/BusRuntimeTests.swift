import Foundation
import HostCore
import Reactor
import TestSupport
import XCTest

@testable import LuaRuntime

/// zof.bus and bus events, with a bus server on ipc:// in a temp folder and
/// a client bus on the same loop standing for an external program.
final class BusRuntimeTests: XCTestCase {
  var dir: URL!
  var loop: EventLoop!
  var host: Controller!
  var rt: LuaRuntime!
  var peer: Bus!
  let log = CaptureLog()

  override func tearDown() {
    rt = nil
    peer = nil
    host = nil
    loop = nil
    if let dir { try? FileManager.default.removeItem(at: dir) }
  }

  func start(_ app: String) throws {
    dir = FileManager.default.temporaryDirectory.appendingPathComponent("zofbusrt-\(getpid())-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let path = dir.appendingPathComponent("app.lua").path
    FileManager.default.createFile(atPath: path, contents: Data(app.utf8))
    loop = try EventLoop()
    var config = HostConfig()
    config.listen = []
    host = Controller(loop: loop, config: config, logger: log.logger)
    let ends = BusEndpoints(emit: "ipc://\(dir.path)/e", reg: "ipc://\(dir.path)/r")
    let bus = try Bus(loop: loop, role: .server, endpoints: ends, logger: log.logger)
    bus.onEvent = { [unowned self] m in self.rt.postBusEvent(m) }
    host.bus = bus
    peer = try Bus(loop: loop, role: .client, endpoints: ends, logger: log.logger)
    rt = try LuaRuntime(host: host, logger: log.logger, options: RuntimeOptions(appsDir: dir.path, libDir: nil))
    try rt.loadApps(paths: [path])
    rt.activate()
    rt.start()
  }

  func spin(_ seconds: Double, until done: () -> Bool) {
    let end = Date().addingTimeInterval(seconds)
    while !done() && Date() < end { loop.runOnce(timeout: 0.02) }
  }

  func printed(_ text: String) -> Bool { log.lines.contains { $0.contains(text) } }

  func testHandlersSubscribeAndReceive() throws {
    try start("""
      local app = zof.app("b")
      app:event("bus:Hello.World", function(ev)
        print(ev.event, ev.name, ev.codec, type(ev.content), #ev.raw)
        if ev.codec == "json" then
          print("content", ev.content[1], ev.content[2].k[2], ev.content[3] == zof.bus.null)
        else
          print("raw", ev.content)
        end
        zof.bus.emit("reply", ev.content[1] or "none", {list = {1, 2.5, true}, s = "x"})
      end)
      """)
    XCTAssertEqual(host.bus?.wantedNames, ["Hello.World"])
    var replies: [String] = []
    peer.want("reply", owner: self)
    peer.onEvent = { replies.append(String(decoding: $0.payload, as: UTF8.self)) }
    spin(3) { host.bus!.subscriptionsSeen > 0 }
    XCTAssertNil(peer.emit(name: "Hello.World", payload: Array(#"["a",{"k":[1,"two"]},null]"#.utf8)))
    XCTAssertNil(peer.emit(name: "Hello.World", payload: Array("plain bytes".utf8)))
    XCTAssertNil(peer.emit(name: "hello.world", payload: Array("[]".utf8)))
    spin(5) { replies.count == 2 }
    // "hello.world" is another name on the wire: no app registered it.
    spin(0.1) { false }
    XCTAssertEqual(replies.count, 2)
    XCTAssertTrue(printed("BUS:HELLO.WORLD\tHello.World\tjson\ttable\t"), "\(log.lines)")
    XCTAssertTrue(printed("content\ta\ttwo\ttrue"), "\(log.lines)")
    XCTAssertTrue(printed("raw\tplain bytes"), "\(log.lines)")
    XCTAssertEqual(replies, [#"["a",{"list":[1,2.5,true],"s":"x"}]"#, #"["none",{"list":[1,2.5,true],"s":"x"}]"#])
  }

  func testEmitRefusesWhatJSONCannotHold() throws {
    try start("""
      local app = zof.app("e")
      app:event("START", function()
        print("1", select(2, pcall(zof.bus.emit, "x", {a = {b = print}})))
        print("2", select(2, pcall(zof.bus.emit, "zofhost.switch_up")))
        print("3", select(2, pcall(zof.bus.emit, "x", 0/0)))
        print("4", select(2, pcall(zof.bus.emit, "x", {1, 2, [4] = 4})))
        print("5", zof.bus.emit("x", {}, "ok"))
        zof.bus.register("manual")
        zof.bus.register("")
        zof.bus.unregister("")
        local s = zof.bus.stats()
        print("stats", s.role, s.sent, s.dropped.reserved, s.wanted[1])
      end)
      """)
    spin(0.2) { false }
    XCTAssertTrue(printed("app.lua:3: zof.bus.emit: argument 2.a.b: a function cannot go on the bus"), "\(log.lines)")
    XCTAssertTrue(printed("app.lua:4: zof.bus.emit: names starting with 'zofhost.' are zofhost's own"), "\(log.lines)")
    XCTAssertTrue(printed("nan is not a JSON number"), "\(log.lines)")
    XCTAssertTrue(printed("app.lua:6: zof.bus.emit: argument 2: a table with holes"), "\(log.lines)")
    XCTAssertTrue(printed("5\ttrue"), "\(log.lines)")
    XCTAssertEqual(host.bus?.wantedNames, ["manual"])
    XCTAssertTrue(printed("stats\tserver\t1\t0\tmanual"), "\(log.lines)")
    rt.stop()
    XCTAssertEqual(host.bus?.wantedNames, [])
  }

  func testHostPublications() throws {
    try start("""
      local app = zof.app("h")
      app:event("bus:zofhost.reload_failed", function(ev)
        print("seq", ev.content[1].seq, type(ev.content[1].time), ev.content[1].errors[1])
      end)
      """)
    host.bus?.publishReload(ok: false, errors: ["boom"])
    spin(0.2) { false }
    XCTAssertTrue(printed("seq\t1\tnumber\tboom"), "\(log.lines)")
  }

  func testDeclaredEventsOfABusAppArePublished() throws {
    try start("""
      local pub = zof.app("pub", {emits = {"host_seen"}, bus = true})
      local quiet = zof.app("quiet", {emits = {"host_gone"}})
      pub:event("START", function()
        zof.spawn(function()
          zof.sleep(0.3)
          zof.post({event = "host_seen", mac = "aa:bb", port = 3, tags = {"x"}, f = print})
          zof.post({event = "host_seen", mac = "cc:dd", port = 4})
        end)
      end)
      quiet:event("START", function()
        zof.spawn(function() zof.sleep(0.3) zof.post({event = "host_gone", mac = "aa:bb"}) end)
      end)
      pub:event("HOST_SEEN", function(ev) print("local", ev.mac) end)
      """)
    var got: [(String, JSONValue)] = []
    peer.want("HOST_SEEN", owner: self)
    peer.want("HOST_GONE", owner: self)
    peer.onEvent = { got.append(($0.name, $0.content?.first ?? .null)) }
    spin(5) { got.count == 2 }
    spin(0.2) { false }
    XCTAssertEqual(got.map { $0.0 }, ["HOST_SEEN", "HOST_SEEN"])
    guard got.count == 2, case .object(let f) = got[0].1, case .object(let g) = got[1].1 else { return XCTFail("\(got)") }
    let first = Dictionary(uniqueKeysWithValues: f), second = Dictionary(uniqueKeysWithValues: g)
    XCTAssertEqual(first["mac"], .string("aa:bb"))
    XCTAssertEqual(first["port"], .int(3))
    XCTAssertEqual(first["tags"], .array([.string("x")]))
    XCTAssertNil(first["f"])
    XCTAssertNil(first["event"])
    XCTAssertEqual(first["seq"], .int(1))
    XCTAssertEqual(second["seq"], .int(2))
    if case .double(let t) = first["time"] ?? .null { XCTAssertEqual(t, Date().timeIntervalSince1970, accuracy: 60) } else { XCTFail("time") }
    XCTAssertTrue(printed("local\taa:bb"), "\(log.lines)")
  }
}
