import Logging
import OpenFlow
import Reactor

/// A switch that listens (Open vSwitch's `ptcp:`): zofhost connects out to it
/// and connects again whenever the connection ends.
public struct ConnectTarget: Equatable {
  public var host: String
  public var port: UInt16
  public var tls: Bool

  public init(host: String, port: UInt16, tls: Bool = false) {
    self.host = host
    self.port = port
    self.tls = tls
  }

  public var text: String { "\(tls ? "tls" : "tcp"):\(host.contains(":") ? "[\(host)]" : host):\(port)" }
}

/// One `--connect` target's state: the connection in use, if any, and the
/// delay before the next attempt.
final class Outbound {
  let target: ConnectTarget
  var connId: Int?
  /// Seconds before the next attempt: `first`, doubled after each attempt
  /// that ends before CHANNEL_UP, up to `cap`; back to `first` once a
  /// channel came up.
  var delay: Double
  var timer: TimerHandle?
  static let first = 0.5
  static let cap = 8.0

  init(_ target: ConnectTarget) {
    self.target = target
    delay = Self.first
  }

  /// The wait before the next attempt, with ±25% jitter so that several
  /// controllers (or switches) do not retry in step.
  func nextWait(random: () -> Double) -> Double {
    let wait = delay * (0.75 + 0.5 * random())
    delay = min(Self.cap, delay * 2)
    return wait
  }
}

extension Controller {
  /// Starts every `--connect` target (called by `start`).
  func startConnecting() {
    for t in config.connect {
      let o = Outbound(t)
      outbound.append(o)
      attempt(o)
    }
  }

  private func attempt(_ o: Outbound) {
    o.timer = nil
    guard !stopping else { return }
    do {
      let conn = try openConnection(o.target)
      o.connId = conn.id
      logger.info("\(o.target.text): connecting (conn \(conn.id))")
      accept(conn)
    } catch {
      logger.warning("\(o.target.text): cannot connect: \(error)")
      retry(o)
    }
  }

  /// Opens the socket, and TLS where the target asks for it (its
  /// ClientHello goes out once the connect completes).
  func openConnection(_ t: ConnectTarget) throws -> Connection {
    let ctx = t.tls ? try tlsContext(server: false) : nil
    let conn = try loop.connect(host: t.host, port: t.port)
    if let ctx { conn.startTLS(ctx) }
    return conn
  }

  private func retry(_ o: Outbound) {
    guard !stopping else { return }
    let wait = o.nextWait(random: { Double.random(in: 0..<1) })
    logger.info("\(o.target.text): next attempt in \(Double(Int(wait * 100)) / 100) s")
    o.timer = loop.addTimer(after: wait) { [weak self, weak o] in
      guard let self, let o else { return }
      self.attempt(o)
    }
  }

  /// A connection ended: if it was one of ours, connect again after the
  /// backoff (its first step again after a channel that was up).
  func outboundEnded(connId: Int, wasUp: Bool) {
    guard let o = outbound.first(where: { $0.connId == connId }) else { return }
    o.connId = nil
    if wasUp { o.delay = Outbound.first }
    retry(o)
  }

  /// Stops reconnecting (shutdown).
  func stopConnecting() {
    for o in outbound {
      if let t = o.timer { loop.cancelTimer(t) }
      o.timer = nil
    }
  }

  /// The delay before each target's next attempt (tests, status).
  public var connectDelays: [Double] { outbound.map(\.delay) }
}
