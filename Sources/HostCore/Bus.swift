import CZMQ
import Foundation
import Logging
import Reactor

/// Where the bus's two sockets are: clients push events to `emit` and
/// register (subscribe) at `reg`.
public struct BusEndpoints: Equatable {
  public var emit: String
  public var reg: String

  public init(emit: String, reg: String) {
    self.emit = emit
    self.reg = reg
  }

  /// `EMIT_ADDR,REG_ADDR`, each tcp://HOST:PORT, ipc://PATH or inproc://NAME.
  public init?(_ text: String) {
    let parts = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    guard parts.count == 2, parts.allSatisfy(Self.hasScheme), parts[0] != parts[1] else { return nil }
    emit = parts[0]
    reg = parts[1]
  }

  static func hasScheme(_ a: String) -> Bool {
    ["tcp://", "ipc://", "inproc://"].contains { a.hasPrefix($0) && a.count > $0.count }
  }

  /// Why a server may not bind these, or nil: without CURVE a TCP address
  /// must be on loopback (127.0.0.0/8, ::1 or localhost), as nothing on the
  /// bus is then authenticated or encrypted.
  public func bindProblem(curve: Bool = false) -> String? {
    for a in [emit, reg] where a.hasPrefix("tcp://") && !curve {
      var host = String(a.dropFirst(6))
      if let colon = host.lastIndex(of: ":") { host = String(host[..<colon]) }
      host = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
      let loopback = host == "localhost" || host == "::1" || host.hasPrefix("127.")
      if !loopback { return "\(a): the bus binds TCP on loopback only without --bus-curve-dir" }
    }
    return nil
  }
}

public struct BusOptions {
  /// ZMQ_MAXMSGSIZE on the receiving sockets: a peer sending more is disconnected by libzmq.
  public var maxMessageSize = 1 << 20
  /// ZMQ_SNDHWM and ZMQ_RCVHWM: past this, a slow subscriber loses messages.
  public var highWaterMark: Int32 = 1000
  /// Messages taken from one socket per loop round.
  public var budget = 256
  /// Problem log lines per second at most.
  public var logPerSecond = 5.0
  /// CURVE keys: encrypted sockets, and on a server only listed clients.
  public var curve: BusCurve?

  public init() {}
}

/// The events bus: external programs and other zofhost instances exchange
/// named events with the apps over ZeroMQ.
///
/// A server binds a PULL socket (events in) and an XPUB (events out, to
/// whoever subscribed to their name) and republishes what it pulls; a client
/// connects a PUSH and a SUB to a server. Either way local apps get the
/// events they asked for through `onEvent`. zofhost subscribes only to names
/// some app wants (`want`).
public final class Bus {
  public enum Role: String { case server, client }
  public let role: Role
  public let endpoints: BusEndpoints
  public let options: BusOptions
  var logger: Logger
  private let loop: EventLoop
  private let context: UnsafeMutableRawPointer
  private let sockets: BusSockets
  /// server: PULL, XPUB; client: PUSH, SUB.
  private var input: BusSocket!
  private var output: BusSocket!

  /// Each event for local apps (wanted by some app).
  public var onEvent: ((BusMessage) -> Void)?

  /// How many apps' registrations want each name, by owner (a generation).
  private var wants: [ObjectIdentifier: [String: Int]] = [:]
  private var wanted: [String: Int] = [:]

  public private(set) var received = 0
  public private(set) var sent = 0
  /// Sends refused by a full queue (or no peer yet).
  public private(set) var sendDropped = 0
  public private(set) var dropped: [BusWire.Problem: Int] = [:]
  public private(set) var subscriptionsSeen = 0
  /// ZAP answers by status (200, 400, 500).
  public private(set) var zapReplies: [Int: Int] = [:]
  private var zap: BusSocket?
  private var hostSeq: UInt64 = 0
  private var appSeq: UInt64 = 0
  private var logAllowance = 0.0
  private var logAt = 0.0
  private var logSuppressed = 0

  public init(loop: EventLoop, role: Role, endpoints: BusEndpoints, options: BusOptions = BusOptions(), logger: Logger) throws {
    if role == .server, let why = endpoints.bindProblem(curve: options.curve != nil) { throw BusError.address(why) }
    self.loop = loop
    self.role = role
    self.endpoints = endpoints
    self.options = options
    self.logger = logger
    guard let ctx = zmq_ctx_new() else { throw BusError.zmq("zmq_ctx_new") }
    context = ctx
    sockets = BusSockets(loop: loop)
    do {
      try open()
    } catch {
      close()
      throw error
    }
  }

  deinit {
    close()
    zmq_ctx_term(context)
  }

  private func socket(_ type: Int32, _ name: String) throws -> BusSocket {
    let s = try BusSocket(context: context, type: type, name: name, hwm: options.highWaterMark,
                          maxMessageSize: Int64(options.maxMessageSize), budget: options.budget)
    sockets.add(s)
    return s
  }

  private func open() throws {
    switch role {
    case .server:
      if let curve = options.curve { try openZAP(curve) }
      input = try socket(ZMQ_PULL, "pull")
      output = try socket(ZMQ_XPUB, "xpub")
      if let curve = options.curve {
        input.curveServer(curve)
        output.curveServer(curve)
      }
      try input.bind(endpoints.emit)
      try output.bind(endpoints.reg)
      // What XPUB reads are subscriptions; libzmq filters by them itself.
      output.maxFrames = 1
      output.onMessage = { [unowned self] _, _ in self.subscriptionsSeen += 1 }
      input.onMessage = { [unowned self] frames, tooMany in self.pulled(frames, tooMany) }
    case .client:
      input = try socket(ZMQ_SUB, "sub")
      output = try socket(ZMQ_PUSH, "push")
      if let curve = options.curve {
        input.curveClient(curve)
        output.curveClient(curve)
      }
      try input.connect(endpoints.reg)
      try output.connect(endpoints.emit)
      input.onMessage = { [unowned self] frames, tooMany in self.subscribed(frames, tooMany) }
    }
    try input.attach(to: loop)
    try output.attach(to: loop)
  }

  /// The ZAP handler libzmq asks about each CURVE client: a REP socket in
  /// the bus's context, bound before the CURVE sockets and driven by the loop.
  private func openZAP(_ curve: BusCurve) throws {
    let z = try socket(ZMQ_REP, "zap")
    z.maxFrames = 8
    try z.bind(ZAP.endpoint)
    z.onMessage = { [unowned self, unowned z] frames, tooMany in
      let (reply, status) = ZAP.reply(frames, tooMany: tooMany, allowed: curve.allowed)
      self.zapReplies[status, default: 0] += 1
      if status != 200 { self.logger.notice("bus: refused a client (ZAP \(status))") }
      z.sendFrames(reply)
    }
    try z.attach(to: loop)
    zap = z
  }

  public func close() {
    for s in sockets.sockets { s.close() }
    sockets.sockets = []
  }

  // MARK: Arrivals

  /// Server: an event a client pushed. Republished as it came (one frame)
  /// to the clients registered for it, and given to the apps that want it.
  private func pulled(_ frames: [[UInt8]], _ tooMany: Bool) {
    switch BusWire.parse(frames, tooMany: tooMany) {
    case .failure(let e):
      drop(e.problem, frames)
    case .success(let m):
      if BusWire.isReserved(m.name) {
        drop(.reserved, frames)
        return
      }
      received += 1
      publish(m.frame)
      deliverLocally(m)
    }
  }

  /// Client: an event the server published to us.
  private func subscribed(_ frames: [[UInt8]], _ tooMany: Bool) {
    switch BusWire.parse(frames, tooMany: tooMany) {
    case .failure(let e): drop(e.problem, frames)
    case .success(let m):
      received += 1
      deliverLocally(m)
    }
  }

  private func deliverLocally(_ m: BusMessage) {
    guard isWanted(m.name) else { return }
    onEvent?(m)
  }

  public func isWanted(_ name: String) -> Bool {
    (wanted[""] ?? 0) > 0 || (wanted[name] ?? 0) > 0
  }

  private func drop(_ p: BusWire.Problem, _ frames: [[UInt8]]) {
    dropped[p, default: 0] += 1
    // At most logPerSecond lines a second; the rest are counted and summed up.
    let now = loop.now
    logAllowance = min(options.logPerSecond, logAllowance + (now - logAt) * options.logPerSecond)
    logAt = now
    guard logAllowance >= 1 else {
      logSuppressed += 1
      return
    }
    logAllowance -= 1
    let size = frames.reduce(0) { $0 + $1.count }
    let more = logSuppressed > 0 ? " (\(logSuppressed) more dropped unlogged)" : ""
    logSuppressed = 0
    logger.warning("bus: dropped an event (\(p.rawValue), \(frames.count) frames, \(size) bytes)\(more)")
  }

  // MARK: Sending

  private func publish(_ frame: [UInt8]) {
    if output.send(frame) { sent += 1 } else { sendDropped += 1 }
  }

  /// An app's event: JSON (or raw) payload already made. On a server it goes
  /// to the registered clients and to the local apps that want it; on a
  /// client to the server, which sends it back if we registered for it.
  /// Nil, or why it was refused.
  public func emit(name: String, payload: [UInt8]) -> String? {
    guard BusWire.checkName(Array(name.utf8)[...]) != nil else { return "bad event name (1 to 255 bytes, no zero byte)" }
    if BusWire.isReserved(name) { return "names starting with '\(BusWire.reservedPrefix)' are zofhost's own" }
    let frame = BusWire.frame(name: name, payload: payload)
    guard frame.count <= options.maxMessageSize else {
      return "event of \(frame.count) bytes is over the bus's \(options.maxMessageSize)"
    }
    emitFrame(name: name, frame: frame, payload: payload)
    return nil
  }

  private func emitFrame(name: String, frame: [UInt8], payload: [UInt8]) {
    publish(frame)
    if role == .server, isWanted(name), case .success(let m) = BusWire.decode(name: name, payload: payload) {
      onEvent?(m)
    }
  }

  /// zofhost's own publication `zofhost.WHAT`: one JSON object with `seq`
  /// (counting from 1 per process) and `time` (Unix seconds) beside `fields`.
  /// A client does not send its own to the server, which would drop them as
  /// forged: its local apps get them.
  public func publishHost(_ what: String, _ fields: [(String, JSONValue)]) {
    hostSeq += 1
    let name = BusWire.reservedPrefix + what
    let object = JSONValue.object([("seq", .int(Int64(hostSeq))), ("time", .double(Date().timeIntervalSince1970))] + fields)
    guard let payload = try? JSONValue.encodeArray([object]) else { return }
    if role == .server { publish(BusWire.frame(name: name, payload: payload)) }
    if isWanted(name) { onEvent?(BusMessage(name: name, payload: payload, content: [object])) }
  }

  /// The sequence number of the next app event published for an app with
  /// `bus = true` (1, 2, ... per process, across reloads).
  public func nextAppSeq() -> UInt64 {
    appSeq += 1
    return appSeq
  }

  // MARK: Registrations

  /// Some app of `owner` wants events named `name` ("" for all): the client
  /// subscribes to the name's prefix on first want.
  public func want(_ name: String, owner: AnyObject) {
    wants[ObjectIdentifier(owner), default: [:]][name, default: 0] += 1
    wanted[name, default: 0] += 1
    if wanted[name] == 1, role == .client { input.subscribe(BusWire.prefix(name), true) }
  }

  public func unwant(_ name: String, owner: AnyObject) {
    let id = ObjectIdentifier(owner)
    guard let n = wants[id]?[name], n > 0 else { return }
    wants[id]?[name] = n == 1 ? nil : n - 1
    release(name, 1)
  }

  /// Everything `owner` wanted (a generation going away).
  public func dropOwner(_ owner: AnyObject) {
    guard let mine = wants.removeValue(forKey: ObjectIdentifier(owner)) else { return }
    for (name, n) in mine { release(name, n) }
  }

  private func release(_ name: String, _ n: Int) {
    let left = (wanted[name] ?? 0) - n
    wanted[name] = left > 0 ? left : nil
    if left <= 0, role == .client { input.subscribe(BusWire.prefix(name), false) }
  }

  /// Names wanted now, sorted.
  public var wantedNames: [String] { wanted.keys.sorted() }
}
