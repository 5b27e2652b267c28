import Logging
import OpenFlow
import Reactor

/// The OpenFlow side of zofhost: listeners, channels, the datapath registry,
/// and the dispatcher that hands events to the apps.
public final class Controller {
  public let loop: EventLoop
  public let config: HostConfig
  public let dispatcher = Dispatcher()
  public var logger: Logger
  /// The events bus, when one is configured (Bus.swift).
  public var bus: Bus?
  public private(set) var listeners: [Listener] = []
  private var channels: [Int: Channel] = [:]
  /// Up datapaths in the order their channels came up.
  public var datapaths: [Datapath] { upList.compactMap { $0 } }
  /// The same with a hole where one went down, so that a channel closing
  /// costs the same however many are up (a mass disconnect stays linear);
  /// compacted once the holes outnumber the datapaths.
  private var upList: [Datapath?] = []
  /// Where each up datapath is in upList, by connection id.
  private var upIndex: [Int: Int] = [:]
  private var byConn: [Int: Datapath] = [:]
  /// The up datapath of each datapath id (one connection each).
  private var byId: [UInt64: Datapath] = [:]
  private var channelXid: UInt32 = 0
  var stopping = false
  /// `--connect` targets (Controller+Connect.swift).
  var outbound: [Outbound] = []
  /// OpenSSL contexts for accepted and outgoing TLS channels (Controller+TLS.swift).
  var tlsContexts: (server: TLSContext?, client: TLSContext?) = (nil, nil)
  /// The versions the running apps all take (nil: any); HELLO offers these within --versions.
  public var appVersions: Set<UInt8>?
  /// What HELLO offers: --versions, narrowed by the apps'.
  var offeredVersions: Set<UInt8> { appVersions.map { config.versions.intersection($0) } ?? config.versions }

  public init(loop: EventLoop, config: HostConfig, logger: Logger) {
    self.loop = loop
    self.config = config
    self.logger = logger
  }

  /// Opens every listener (all or nothing) and starts the keepalive sweep.
  public func start() throws {
    do {
      for (h, p) in config.listen {
        let l = try loop.listen(host: h, port: p) { [unowned self] conn in self.accept(conn) }
        let address = l.address
        l.onAcceptError = { [unowned self] error, n in
          let more = n > 1 ? " (\(n) times since the last such line)" : ""
          self.logger.warning("\(address): cannot accept a switch: \(error)\(more); accepting pauses for a moment")
        }
        listeners.append(l)
        logger.info("listening on \(l.address)")
      }
      for (h, p) in config.tlsListen {
        let ctx = try tlsContext(server: true)
        let l = try loop.listen(host: h, port: p) { [unowned self] conn in self.acceptTLS(conn, ctx) }
        listeners.append(l)
        logger.info("listening on tls:\(l.address)")
      }
      if config.connect.contains(where: \.tls) { _ = try tlsContext(server: false) }
    } catch {
      for l in listeners { l.close() }
      listeners = []
      throw error
    }
    scheduleSweep()
    startConnecting()
  }

  public func datapath(connId: Int) -> Datapath? { byConn[connId] }

  func nextChannelXid() -> UInt32 {
    channelXid = channelXid &+ 1
    return channelXid | 0x8000_0000  // the channel's own xids stay clear of the apps'
  }

  /// Accepts a switch connection (also used by tests with in-memory peers).
  public func accept(_ conn: Connection) {
    guard !stopping else {
      conn.close(reason: "shutting down")
      return
    }
    let ch = Channel(host: self, connection: conn)
    channels[conn.id] = ch
    conn.delegate = ch
    logger.info("\(conn.peer): connected (conn \(conn.id))")
    ch.sendHello()
  }

  func channelUp(_ ch: Channel, _ dp: Datapath) {
    // One connection per datapath id: the newer wins, as with Open vSwitch's
    // own controllers and Ryu (a switch that reconnects before its old TCP
    // connection is seen dead). The older one goes first, so apps see its
    // CHANNEL_DOWN before the new CHANNEL_UP.
    if let old = byId[dp.id], old !== dp {
      logger.warning("\(ch.connection.peer): datapath \(dp.idText) is already connected from \(old.connection.peer) (conn \(old.connId)); closing that older connection, the newer one wins")
      old.close(reason: "datapath \(dp.idText) connected again from \(ch.connection.peer)")
    }
    byId[dp.id] = dp
    upIndex[dp.connId] = upList.count
    upList.append(dp)
    byConn[dp.connId] = dp
    logger.info("\(ch.connection.peer): CHANNEL_UP datapath \(dp.idText), OpenFlow \(OFVersion.name(dp.version)), \(dp.ports.count) ports\(ch.connection.tlsSummary.map { ", over \($0)" } ?? "")")
    requestConfiguredRole(dp)
    dispatcher.dispatch(HostEvent(message: "CHANNEL_UP", datapath: dp, payload: .fields(dp.channelFields())))
    bus?.publishSwitch(up: true, dp)
  }

  /// After a reload: CHANNEL_UP again for every connected switch, marked as a
  /// replay, so the new apps can rebuild their state.
  public func replayChannelUps() {
    for dp in datapaths where dp.isOpen {
      var fields = dp.channelFields()
      if case .table(var f) = fields {
        f.append(OFField("replay", .bool(true)))
        fields = .table(f)
      }
      dispatcher.dispatch(HostEvent(message: "CHANNEL_UP", datapath: dp, payload: .fields(fields)))
    }
  }

  func channelClosed(_ ch: Channel, reason: String, wasUp: Bool) {
    channels[ch.connection.id] = nil
    defer { outboundEnded(connId: ch.connection.id, wasUp: wasUp) }
    guard let dp = ch.datapath else {
      let level: Logger.Level = reason.hasPrefix("TLS") ? .warning : .info
      logger.log(level: level, "\(ch.connection.peer): closed before CHANNEL_UP: \(reason)")
      return
    }
    removeUp(dp)
    byConn[dp.connId] = nil
    dp.failPending()
    // Closed as stuck, a switch's sends were being refused: worth a warning.
    logger.log(level: ch.connection.isStuck ? .warning : .info,
      "\(ch.connection.peer): CHANNEL_DOWN datapath \(dp.idText): \(reason)")
    bus?.publishSwitch(up: false, dp, reason: reason)
    if wasUp && !stopping {
      var fields = dp.channelFields()
      if case .table(var f) = fields {
        f.append(OFField("reason", .string(reason)))
        fields = .table(f)
      }
      dispatcher.dispatch(HostEvent(message: "CHANNEL_DOWN", datapath: dp, payload: .fields(fields)))
    }
  }

  private func removeUp(_ dp: Datapath) {
    if byId[dp.id] === dp { byId[dp.id] = nil }
    guard let i = upIndex.removeValue(forKey: dp.connId) else { return }
    upList[i] = nil
    guard upIndex.count * 2 < upList.count else { return }
    upList.removeAll { $0 == nil }
    for (i, dp) in upList.enumerated() { upIndex[dp!.connId] = i }
  }

  /// A message for the apps.
  func deliver(_ ch: Channel, type: String, xid: UInt32, frame: UnsafeRawBufferPointer) {
    dispatcher.dispatch(HostEvent(message: type, datapath: ch.datapath, xid: xid, payload: .frame(frame)))
  }

  /// Back-to-back messages of one type for the apps, until a handler closes the channel.
  func deliverFrames(_ ch: Channel, type: String, frames: UnsafeRawBufferPointer) {
    let connection = ch.connection
    dispatcher.dispatchFrames(type, datapath: ch.datapath, frames: frames, stillOpen: { connection.isOpen })
  }

  /// Echo keepalive and handshake deadline, for all channels in one sweep.
  private func scheduleSweep() {
    let period = max(0.01, min(1.0, config.echoInterval / 4))
    loop.addTimer(after: period) { [weak self] in
      guard let self, !self.stopping else { return }
      self.sweep()
      self.scheduleSweep()
    }
  }

  private func sweep() {
    // Silence and the handshake's wait are measured on the loop's live
    // clock: a round stalled by the apps is no switch's silence.
    let now = loop.liveNow
    for ch in Array(channels.values) where ch.connection.isOpen {
      if ch.state != .up {
        if now - ch.acceptedAt > config.handshakeTimeout {
          let stage = ch.connection.tlsSummary != nil && !ch.connection.isTLSEstablished ? " (TLS handshake not finished)" : ""
          logger.warning("\(ch.connection.peer): no handshake within \(config.handshakeTimeout) s\(stage); closing")
          ch.connection.close(reason: "handshake timeout")
        }
        continue
      }
      let idle = now - ch.lastReceive
      if idle >= 3 * config.echoInterval {
        logger.warning("\(ch.connection.peer): no answer for \(Int(idle)) s; closing")
        ch.connection.close(reason: "echo timeout")
      } else if idle >= config.echoInterval && !ch.echoPending {
        ch.echoPending = true
        ch.send("ECHO_REQUEST")
      }
    }
  }

  /// Closes every switch connection (their pending output is written first)
  /// and the listeners; CHANNEL_DOWN is not dispatched after STOP.
  public func shutdown() {
    stopping = true
    stopConnecting()
    for l in listeners { l.close() }
    listeners = []
    for ch in Array(channels.values) { ch.connection.closeAfterFlush(reason: "controller stopping") }
  }
}
