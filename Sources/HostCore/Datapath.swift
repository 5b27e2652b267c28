import OpenFlow
import Reactor

/// A switch whose channel is up: what apps address with `send` and `request`.
public final class Datapath {
  public let id: UInt64
  public let idText: String
  public let version: UInt8
  public let connection: Connection
  /// The FEATURES_REPLY fields.
  public let features: OFValue
  /// Port descriptions by port number, kept current by PORT_STATUS.
  public internal(set) var ports: [OFValue]
  private var lastXid: UInt32 = 0
  /// Requests awaiting their reply, by xid. The handler gets each reply part
  /// (`final` false while a multipart reply says more follow), or nil once
  /// if the channel closes first.
  public typealias ReplyHandler = (_ frame: UnsafeRawBufferPointer?, _ final: Bool) -> Void
  /// A request's handler and the type that answers it (ERROR aside, which
  /// answers any); `started` once part of a multipart reply has come.
  struct Pending {
    let handler: ReplyHandler
    let answer: String?
    var started = false
  }
  private(set) var pending: [UInt32: Pending] = [:]
  /// Multipart replies whose request was given up part way (timed out,
  /// cancelled, too large), by xid, with their reply type: their further
  /// parts are dropped, not dispatched, until the last. At most
  /// `droppingLimit` are remembered.
  private var dropping: [UInt32: String] = [:]
  static let droppingLimit = 256
  /// The role the switch last stated for this connection (ROLE_REPLY,
  /// ROLE_STATUS, Nicira's role reply) and the generation id in force, if it
  /// gave one (Datapath+Role.swift).
  public internal(set) var role = "EQUAL"
  public internal(set) var generationId: UInt64?
  /// True while sends a slave may not make are refused: SLAVE, or a SLAVE
  /// request is out. The only test the send paths make when not a slave.
  @usableFromInline var restricted = false
  /// Role requests awaiting their reply, by xid, with the role asked for.
  var roleRequests: [UInt32: String] = [:]
  /// Role requests given up on (timed out, cancelled), newest last: a reply
  /// that comes after still states what the switch did.
  var abandonedRoleRequests: [UInt32] = []

  init(id: UInt64, version: UInt8, connection: Connection, features: OFValue, ports: [OFValue]) {
    self.id = id
    self.idText = DatapathID.format(id)
    self.version = version
    self.connection = connection
    self.features = features
    self.ports = ports
  }

  public var connId: Int { connection.id }
  public var isOpen: Bool { connection.isOpen }

  /// A fresh transaction id; 0 is never used so "no xid" stays distinguishable.
  public func nextXid() -> UInt32 {
    lastXid = lastXid &+ 1
    if lastXid == 0 { lastXid = 1 }
    return lastXid
  }

  /// Queues encoded bytes; the reactor writes them in the round's flush.
  /// Sends nothing, and throws, when the role forbids the message
  /// (RoleRefusal) or the backlog is at the limit (OutputFull).
  public func send(_ bytes: [UInt8]) throws {
    if restricted, bytes.count >= 2 { try refuse(bytes[1]) }
    guard let out = connection.write(count: bytes.count, limited: true) else {
      if refuses(count: bytes.count) { throw outputFull() }
      return
    }
    bytes.withUnsafeBytes { out.copyMemory(from: $0) }
  }

  /// Room for `count` bytes at the end of the output, for a caller that
  /// writes a message in place (a template send): fill it at once, before
  /// anything else is sent to this switch; it goes out in the round's flush.
  /// Nil when the connection takes nothing more (closing or closed), when
  /// `count` is 0, or when the backlog is at the limit (`refuses(count:)`).
  /// `type` is the message's wire type: refused, with nothing reserved, when
  /// the role forbids it. Inlinable: the event path calls it for every answer.
  @inlinable
  public func reserveOutput(count: Int, type: UInt8) throws(RoleRefusal) -> UnsafeMutableRawBufferPointer? {
    if restricted { try refuse(type) }
    return connection.write(count: count, limited: true)
  }

  /// After reserveOutput gave nil: true when the send was refused (not
  /// dropped because the connection is closing); outputFull() says why.
  public func refuses(count: Int) -> Bool { connection.refuses(count: count) }

  public func outputFull() -> OutputFull {
    OutputFull(datapath: idText, peer: connection.peer, backlog: connection.outputCount,
      limit: connection.outputLimit)
  }

  /// Encodes for this switch's version, with a fresh xid unless one is given.
  @discardableResult
  public func send(_ message: OFMessage) throws -> UInt32 {
    var m = message
    m.version = version
    if m.xid == 0 { m.xid = nextXid() }
    let bytes = try OFCodec.encode(m)
    try send(bytes)
    noteRoleRequest(bytes, xid: m.xid)  // a role request sent without waiting is still ours
    return m.xid
  }

  /// Sends `message` with a fresh xid; its reply (a message of the type that
  /// answers it, or an ERROR, with that xid) goes to `onReply`, not to the apps.
  public func request(_ message: OFMessage, onReply: @escaping ReplyHandler) throws -> UInt32 {
    var m = message
    m.version = version
    m.xid = m.xid != 0 ? m.xid : nextXid()
    let bytes = try OFCodec.encode(m)
    try send(bytes)
    let answer = bytes.withUnsafeBytes { OFCodec.replyTypeName(ofRequest: OFCodec.typeName($0)) }
    pending[m.xid] = Pending(handler: onReply, answer: answer)
    dropping[m.xid] = nil
    noteRoleRequest(bytes, xid: m.xid)
    return m.xid
  }

  /// Forgets a pending request (its task was cancelled or timed out, or its
  /// reply grew too large). Parts of its reply that come after are dropped.
  public func cancelRequest(xid: UInt32) {
    roleRequestEnded(xid: xid, abandoned: true)
    guard let p = pending.removeValue(forKey: xid) else { return }
    if p.started, let answer = p.answer {
      if dropping.count >= Self.droppingLimit { dropping.removeAll() }
      dropping[xid] = answer
    }
  }

  public var pendingCount: Int { pending.count }

  /// Routes a reply to its request; false when it answers none (nobody waits
  /// for this xid, or the message is not of a type that answers the request
  /// waiting for it): then it goes to the apps as any message does. A part of
  /// a reply given up on is taken, and dropped.
  func routeReply(_ frame: UnsafeRawBufferPointer, xid: UInt32, type: String) -> Bool {
    // Multipart replies carry REPLY_MORE (bit 0 of the flags at offset 10) until the last part.
    let more = type.hasPrefix("REPLY.") && frame.count >= 12 && frame[11] & 1 != 0
    guard var p = pending[xid] else {
      guard !dropping.isEmpty, let answer = dropping[xid], type == answer || type == "ERROR" else { return false }
      if !more { dropping[xid] = nil }
      return true
    }
    guard type == p.answer || type == "ERROR" else { return false }
    if more {
      p.started = true
      pending[xid] = p
    } else {
      pending[xid] = nil
    }
    p.handler(frame, !more)
    return true
  }

  /// The channel closed: every waiting request learns it.
  func failPending() {
    let all = pending
    pending = [:]
    dropping = [:]
    for (_, p) in all.sorted(by: { $0.key < $1.key }) { p.handler(nil, true) }
  }

  public func close(reason: String) {
    connection.close(reason: reason)
  }

  /// Replaces or removes one port after a PORT_STATUS.
  func updatePort(reason: String, desc: OFValue) {
    let no = desc["port_no"]
    ports.removeAll { $0["port_no"] == no }
    if reason != "DELETE" { ports.append(desc) }
  }

  /// The CHANNEL_UP / CHANNEL_DOWN `msg`.
  func channelFields() -> OFValue {
    .table([
      "datapath_id": .string(idText),
      "version": .uint(UInt64(version)),
      "peer": .string(connection.peer),
      "features": features,
      "ports": .list(ports),
    ])
  }
}
