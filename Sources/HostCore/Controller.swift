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
  public private(set) var datapaths: [Datapath] = []
  private var byConn: [Int: Datapath] = [:]
  private var channelXid: UInt32 = 0
  private var stopping = false

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
        listeners.append(l)
        logger.info("listening on \(l.address)")
      }
    } catch {
      for l in listeners { l.close() }
      listeners = []
      throw error
    }
    scheduleSweep()
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
    datapaths.append(dp)
    byConn[dp.connId] = dp
    logger.info("\(ch.connection.peer): CHANNEL_UP datapath \(dp.idText), OpenFlow \(OFVersion.name(dp.version)), \(dp.ports.count) ports")
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
    guard let dp = ch.datapath else {
      logger.info("\(ch.connection.peer): closed before CHANNEL_UP: \(reason)")
      return
    }
    datapaths.removeAll { $0 === dp }
    byConn[dp.connId] = nil
    dp.failPending()
    logger.info("\(ch.connection.peer): CHANNEL_DOWN datapath \(dp.idText): \(reason)")
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
    let now = loop.now
    for ch in Array(channels.values) where ch.connection.isOpen {
      if ch.state != .up {
        if now - ch.acceptedAt > config.handshakeTimeout {
          logger.warning("\(ch.connection.peer): no handshake within \(config.handshakeTimeout) s; closing")
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
    for l in listeners { l.close() }
    listeners = []
    for ch in Array(channels.values) { ch.connection.closeAfterFlush(reason: "controller stopping") }
  }
}
