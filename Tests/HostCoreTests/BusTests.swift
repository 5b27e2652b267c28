import CZMQ
import Foundation
import Logging
import Reactor
import XCTest

@testable import HostCore

/// The bus over ipc:// in a temp folder, driven by a real EventLoop; test
/// peers are plain libzmq sockets on a thread of their own, with a context
/// of their own.
final class BusTests: XCTestCase {
  var dir: String!
  var loop: EventLoop!

  override func setUp() {
    dir = NSTemporaryDirectory() + "zofbus-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    loop = try! EventLoop()
  }

  override func tearDown() {
    loop = nil
    try? FileManager.default.removeItem(atPath: dir)
  }

  var endpoints: BusEndpoints { BusEndpoints(emit: "ipc://\(dir!)/emit", reg: "ipc://\(dir!)/reg") }

  func server(_ options: BusOptions = BusOptions()) throws -> Bus {
    try Bus(loop: loop, role: .server, endpoints: endpoints, options: options, logger: Logger(label: "bus-test"))
  }

  /// Runs rounds until `done` or `seconds` pass; returns how many rounds ran.
  @discardableResult
  func spin(_ seconds: Double, until done: () -> Bool) -> Int {
    let end = Date().addingTimeInterval(seconds)
    var rounds = 0
    while !done() && Date() < end {
      loop.runOnce(timeout: 0.05)
      rounds += 1
    }
    return rounds
  }

  /// A PUSH socket connected to `address` in a context of its own, sending
  /// `messages` (each a list of frames) from another thread, blocking.
  func push(_ address: String, _ messages: [[[UInt8]]], hwm: Int32 = 0) -> Peer {
    let stop = Flag()
    let t = Thread {
      let ctx = zmq_ctx_new()!
      let s = zmq_socket(ctx, ZMQ_PUSH)!
      var h = hwm
      zmq_setsockopt(s, ZMQ_SNDHWM, &h, 4)
      var linger: Int32 = 5000
      zmq_setsockopt(s, ZMQ_LINGER, &linger, 4)
      zmq_connect(s, address)
      for m in messages {
        for (i, f) in m.enumerated() {
          _ = f.withUnsafeBytes { zmq_send(s, $0.baseAddress, $0.count, i < m.count - 1 ? ZMQ_SNDMORE : 0) }
        }
      }
      // Closing with messages still held back by the receiver's high-water
      // mark loses them (libzmq), so the peer stays until the test is done.
      while !stop.isSet { usleep(2000) }
      zmq_close(s)
      zmq_ctx_term(ctx)
    }
    t.start()
    return Peer(thread: t, stop: stop)
  }

  final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
  }

  struct Peer {
    let thread: Thread
    let stop: Flag
    /// Lets the peer close, and waits until it has.
    func finish() {
      stop.set()
      while !thread.isFinished { usleep(1000) }
    }
  }

  func frame(_ name: String, _ json: String) -> [[UInt8]] { [Array("\(name)\0\(json)".utf8)] }

  func testWireFormat() {
    guard case .success(let one) = BusWire.parse([Array("a.b\0[1,\"x\",true,null,2.5,{\"k\":[]}]".utf8)]) else { return XCTFail() }
    XCTAssertEqual(one.name, "a.b")
    XCTAssertEqual(one.content, [.int(1), .string("x"), .bool(true), .null, .double(2.5), .object([("k", .array([]))])])
    guard case .success(let two) = BusWire.parse([Array("n".utf8), Array("[2]".utf8)]) else { return XCTFail() }
    XCTAssertEqual(two.frame, Array("n\0[2]".utf8))
    guard case .success(let raw) = BusWire.parse([Array("n\0hello".utf8)]) else { return XCTFail() }
    XCTAssertEqual(raw.codec, .raw)
    XCTAssertNil(raw.content)
    func problem(_ frames: [[UInt8]]) -> BusWire.Problem? {
      if case .failure(let e) = BusWire.parse(frames) { return e.problem }
      return nil
    }
    XCTAssertEqual(problem([Array("nosep".utf8)]), .noSeparator)
    XCTAssertEqual(problem([Array("\0[]".utf8)]), .badName)
    XCTAssertEqual(problem([Array(repeating: 0x61, count: 256) + [0]]), .badName)
    XCTAssertEqual(problem([[0x61], [0x5b, 0x5d], []]), .frames)
    XCTAssertEqual(problem([Array("n\0[1,".utf8)]), .badJSON)
    XCTAssertEqual(BusWire.prefix("x"), [0x78, 0])
    XCTAssertEqual(BusWire.prefix(""), [])
  }

  func testEndpointsAndLoopbackOnly() {
    XCTAssertNotNil(BusEndpoints("tcp://127.0.0.1:9000,tcp://127.0.0.1:9001"))
    XCTAssertNil(BusEndpoints("tcp://127.0.0.1:9000"))
    XCTAssertNil(BusEndpoints("http://x,tcp://127.0.0.1:1"))
    XCTAssertNil(BusEndpoints("tcp://127.0.0.1:9000,tcp://127.0.0.1:9000"))
    XCTAssertNil(BusEndpoints("tcp://127.0.0.1:9000,tcp://127.0.0.1:9001")!.bindProblem())
    XCTAssertNil(BusEndpoints("tcp://[::1]:9000,ipc:///tmp/x")!.bindProblem())
    XCTAssertNotNil(BusEndpoints("tcp://0.0.0.0:9000,tcp://127.0.0.1:9001")!.bindProblem())
    XCTAssertNotNil(BusEndpoints("tcp://*:9000,tcp://127.0.0.1:9001")!.bindProblem())
    XCTAssertThrowsError(try Bus(loop: loop, role: .server,
                                 endpoints: BusEndpoints("tcp://0.0.0.0:9000,tcp://127.0.0.1:9001")!, logger: Logger(label: "t")))
  }

  /// 10,000 events already queued when the loop first looks: ZMQ_FD signals
  /// once, so only the before-sleep drain (and the zero wait it arms when
  /// the budget is spent) gets them all, over many rounds.
  func testBurstIsAllDelivered() throws {
    var options = BusOptions()
    options.highWaterMark = 20_000
    options.budget = 256
    let bus = try server(options)
    var got = 0
    var order = true
    bus.onEvent = { m in
      if m.content != [.int(Int64(got))] { order = false }
      got += 1
    }
    bus.want("burst", owner: self)
    let n = 10_000
    let t = push(endpoints.emit, (0..<n).map { frame("burst", "[\($0)]") })
    usleep(500_000)
    // A timer due now fires in the first rounds, not after the flood.
    var timerSawGot: Int?
    loop.addTimer(after: 0) { timerSawGot = got }
    let started = Date()
    let rounds = spin(20) { got == n }
    XCTAssertLessThanOrEqual(timerSawGot ?? n, 2 * options.budget)
    XCTAssertEqual(got, n)
    XCTAssertTrue(order)
    XCTAssertGreaterThanOrEqual(rounds, n / options.budget)
    // No round waited out its 50 ms timeout while messages were left.
    XCTAssertLessThan(Date().timeIntervalSince(started), Double(rounds) * 0.05 / 2 + 2)
    XCTAssertEqual(bus.received, n)
    t.finish()
  }

  /// A client answers every ping with a pong while it handles the ping; the
  /// server's apps count the pongs. Sends between receives on both sides
  /// must lose no wakeup.
  func testEmitWhileHandling() throws {
    let srv = try server()
    let client = try Bus(loop: loop, role: .client, endpoints: endpoints, logger: Logger(label: "bus-client"))
    var pongs = 0
    var pings = 0
    srv.want("pong", owner: self)
    srv.onEvent = { m in if m.name == "pong" { pongs += 1 } }
    client.want("ping", owner: self)
    client.onEvent = { m in
      pings += 1
      XCTAssertNil(client.emit(name: "pong", payload: m.payload))
    }
    // The SUB's subscription must reach the XPUB before pings are published.
    spin(5) { srv.subscriptionsSeen > 0 }
    let n = 2000
    let t = push(endpoints.emit, (0..<n).map { frame("ping", "[\($0)]") })
    spin(20) { pongs == n }
    t.finish()
    XCTAssertEqual(pings, n)
    XCTAssertEqual(pongs, n)
  }

  func testBadInputDroppedAndCounted() throws {
    var options = BusOptions()
    options.maxMessageSize = 4096
    let bus = try server(options)
    var got: [String] = []
    bus.onEvent = { got.append($0.name) }
    bus.want("", owner: self)
    let t1 = push(endpoints.emit, [
      frame("zofhost.switch_up", "[]"), [Array("nosep".utf8)], frame("x", "[1,"), [[0x78], [], []],
      [Array("two".utf8), Array("[1]".utf8)], frame("ok", "raw text"),
    ])
    spin(5) { got.count == 2 }
    XCTAssertEqual(got, ["two", "ok"])
    XCTAssertEqual(bus.dropped[.reserved], 1)
    XCTAssertEqual(bus.dropped[.noSeparator], 1)
    XCTAssertEqual(bus.dropped[.badJSON], 1)
    XCTAssertEqual(bus.dropped[.frames], 1)
    t1.finish()
    // Over ZMQ_MAXMSGSIZE: libzmq drops the sender; a later one is heard.
    let t2 = push(endpoints.emit, [frame("big", "[\"" + String(repeating: "a", count: 8192) + "\"]")])
    spin(0.3) { false }
    t2.finish()
    let t3 = push(endpoints.emit, [frame("after", "[]")])
    spin(5) { got.count == 3 }
    XCTAssertEqual(got, ["two", "ok", "after"])
    t3.finish()
    // Local emits are checked the same way.
    XCTAssertNotNil(bus.emit(name: "zofhost.x", payload: []))
    XCTAssertNotNil(bus.emit(name: "", payload: []))
    XCTAssertNotNil(bus.emit(name: "y", payload: Array(repeating: 0x20, count: 5000)))
  }

  func testFlowControlled() throws {
    let bus = try server()
    var got = 0
    bus.onEvent = { _ in got += 1 }
    bus.want("f", owner: self)
    let n = 5000
    let t = push(endpoints.emit, (0..<n).map { frame("f", "[\($0)]") })
    spin(20) { got == n }
    XCTAssertEqual(got, n)
    t.finish()
  }

  func testOnlyWantedNamesReachApps() throws {
    let bus = try server()
    var got: [String] = []
    bus.onEvent = { got.append($0.name) }
    let owner = NSObject()
    bus.want("a", owner: owner)
    bus.want("a", owner: self)
    let t = push(endpoints.emit, [frame("a", "[]"), frame("b", "[]")])
    spin(5) { bus.received == 2 }
    XCTAssertEqual(got, ["a"])
    bus.dropOwner(owner)
    XCTAssertTrue(bus.isWanted("a"))
    bus.unwant("a", owner: self)
    XCTAssertFalse(bus.isWanted("a"))
    XCTAssertEqual(bus.wantedNames, [])
    t.finish()
  }

  func testCurveKeyFileParser() {
    let secret = """
    #   ****  Generated on 2026-12-08 by pyzmq  ****
    #   ZeroMQ CURVE **Secret** Certificate

    metadata
    curve
        public-key = "uWG1vZKGzD{FJ[7)AdX#AMxj$T?9N[u8^lkN@<DI"
        secret-key = "b[WCH*Nsp$G0.Z%G@(3$)5%8(?4QG-s^(qXztU%2"
    """
    let k = CurveKeyFile.parse(secret)
    XCTAssertEqual(k?.publicKey, "uWG1vZKGzD{FJ[7)AdX#AMxj$T?9N[u8^lkN@<DI")
    XCTAssertEqual(k?.secretKey, "b[WCH*Nsp$G0.Z%G@(3$)5%8(?4QG-s^(qXztU%2")
    XCTAssertEqual(Curve.decode(k!.publicKey!)?.count, 32)
    let pub = CurveKeyFile.parse("metadata\ncurve\n    public-key = \"uWG1vZKGzD{FJ[7)AdX#AMxj$T?9N[u8^lkN@<DI\"\n")
    XCTAssertNotNil(pub)
    XCTAssertNil(pub?.secretKey)
    // Outside the curve section, short keys, no key at all.
    XCTAssertNil(CurveKeyFile.parse("metadata\n    public-key = \"uWG1vZKGzD{FJ[7)AdX#AMxj$T?9N[u8^lkN@<DI\"\n"))
    XCTAssertNil(CurveKeyFile.parse("curve\n    public-key = \"abc\"\n"))
    XCTAssertNil(CurveKeyFile.parse("curve\n    public-key = \"uWG1vZKGzD{FJ[7)AdX#AMxj$T?9N[u8^lkN@<DI\"\n    secret-key = \"x\"\n"))
    XCTAssertNil(CurveKeyFile.parse(""))
  }

  func testZAPReplies() {
    let key = Curve.decode("uWG1vZKGzD{FJ[7)AdX#AMxj$T?9N[u8^lkN@<DI")!
    let other = [UInt8](repeating: 7, count: 32)
    func request(_ mech: String, _ cred: [[UInt8]]) -> [[UInt8]] {
      [Array("1.0".utf8), Array("r1".utf8), Array("zofhost".utf8), Array("127.0.0.1".utf8), [], Array(mech.utf8)] + cred
    }
    let ok = ZAP.reply(request("CURVE", [key]), tooMany: false, allowed: [key])
    XCTAssertEqual(ok.status, 200)
    XCTAssertEqual(ok.reply.count, 6)
    XCTAssertEqual(ok.reply[1], Array("r1".utf8))
    XCTAssertEqual(ok.reply[2], Array("200".utf8))
    XCTAssertEqual(ZAP.reply(request("CURVE", [other]), tooMany: false, allowed: [key]).status, 400)
    XCTAssertEqual(ZAP.reply(request("NULL", []), tooMany: false, allowed: [key]).status, 400)
    XCTAssertEqual(ZAP.reply(request("CURVE", [[1, 2]]), tooMany: false, allowed: [key]).status, 500)
    XCTAssertEqual(ZAP.reply([Array("2.0".utf8)], tooMany: false, allowed: [key]).status, 500)
    XCTAssertEqual(ZAP.reply(request("CURVE", [key]), tooMany: true, allowed: [key]).status, 500)
    XCTAssertNil(BusEndpoints("tcp://0.0.0.0:9000,tcp://0.0.0.0:9001")!.bindProblem(curve: true))
  }

  /// Writes NAME.key and NAME.key_secret as pyzmq does, in `folder`.
  func writeKeys(_ folder: String, _ name: String) {
    var pub = [CChar](repeating: 0, count: 41), sec = [CChar](repeating: 0, count: 41)
    XCTAssertEqual(zmq_curve_keypair(&pub, &sec), 0)
    let p = String(cString: pub), s = String(cString: sec)
    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let head = "#   ****  Generated by a test  ****\n\nmetadata\ncurve\n"
    try! (head + "    public-key = \"\(p)\"\n").write(toFile: "\(folder)/\(name).key", atomically: true, encoding: .utf8)
    try! (head + "    public-key = \"\(p)\"\n    secret-key = \"\(s)\"\n")
      .write(toFile: "\(folder)/\(name).key_secret", atomically: true, encoding: .utf8)
  }

  /// A zofhost client with a listed key reaches a CURVE server; one with an
  /// unlisted key is refused by ZAP and its event never arrives.
  func testCurveClientRole() throws {
    let keys = dir + "/keys", other = dir + "/other"
    writeKeys(keys, "server")
    writeKeys(keys, "alice")
    writeKeys(other, "mallory")
    var options = BusOptions()
    options.curve = try BusCurve.server(dir: keys)
    XCTAssertEqual(options.curve?.allowed.count, 1)
    let server = try Bus(loop: loop, role: .server, endpoints: endpoints, options: options, logger: Logger(label: "bus-test"))
    var got: [String] = []
    server.onEvent = { got.append($0.name) }
    server.want("", owner: self)
    func client(_ key: String) throws -> Bus {
      var o = BusOptions()
      o.curve = try BusCurve.client(keyFile: key, serverKeyFile: keys + "/server.key")
      return try Bus(loop: loop, role: .client, endpoints: endpoints, options: o, logger: Logger(label: "bus-test"))
    }
    let bad = try client(other + "/mallory.key_secret")
    spin(3) { (server.zapReplies[400] ?? 0) > 0 }
    _ = bad.emit(name: "from.mallory", payload: Array("[]".utf8))
    let good = try client(keys + "/alice.key_secret")
    spin(3) { (server.zapReplies[200] ?? 0) > 0 }
    spin(5) {
      _ = good.emit(name: "from.alice", payload: Array("[]".utf8))
      return !got.isEmpty
    }
    spin(0.3) { false }
    XCTAssertTrue(got.contains("from.alice"), "\(got)")
    XCTAssertFalse(got.contains("from.mallory"), "\(got)")
    XCTAssertGreaterThan(server.zapReplies[400] ?? 0, 0)
    XCTAssertThrowsError(try BusCurve.client(keyFile: keys + "/alice.key", serverKeyFile: keys + "/server.key"))
  }
}
