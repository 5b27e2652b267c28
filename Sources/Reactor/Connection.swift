#if canImport(Glibc)
import Glibc
#endif

public protocol ConnectionDelegate: AnyObject {
  /// New input arrived; the delegate reads connection.input and calls consume(n) for what it used.
  func connectionReadable(_ connection: Connection)
  /// Called exactly once, after the socket is closed (peer closed, error, or close() called).
  func connectionClosed(_ connection: Connection, reason: String)
}

/// A non-blocking stream socket owned by an `EventLoop`.
///
/// Input: each round the loop reads once into `input` and calls the
/// delegate, which consumes what it used. Output: `write` only appends; the
/// loop's flush step sends it, one write per connection per round.
///
/// `close(reason:)` closes the socket and calls `connectionClosed`
/// synchronously, before it returns. Closes the loop detects (peer closed, read
/// or write error) call it at the point in the round where they are found.
public final class Connection {
  public let id: Int
  public let peer: String
  /// Held strongly; set to nil after `connectionClosed` so cycles through the
  /// delegate are broken.
  public var delegate: ConnectionDelegate?

  enum State { case open, closing, closed }

  var fd: Int32
  /// Nil once closed. Not weak (every retain of a weakly referenced object
  /// takes the slow path): the loop closes its connections before it goes.
  unowned(unsafe) var loop: EventLoop?
  var state = State.open
  var closeReason = ""
  /// A non-blocking connect still in progress: output waits for it.
  var connecting: Bool

  let input = ByteBuffer()
  let output = ByteBuffer()
  /// The TLS session of a TLS connection (Connection+TLS.swift).
  var tls: TLSSession?

  /// Current interest, to skip epoll_ctl calls that change nothing.
  var interest: Interest = []
  /// Removed from epoll: a hang-up is reported whatever the interest, so a
  /// connection that may not read would otherwise wake every round.
  var parked = false
  var queuedForFlush = false
  /// The last write was short; the next waits until the socket is writable.
  var awaitingWritable = false
  var pausedForOutput = false
  var pausedForInput = false
  /// The lower of the loop's outputHighWater and outputLimit, as of the last
  /// flush: a write that passes it takes the slower way (write reads it here).
  var highWater: Int
  /// When a limited write was first refused with no byte taken since (0: none).
  var stalledSince: Double = 0
  var closingStuck = false
  private var cachedLocalPort: UInt16?

  init(id: Int, fd: Int32, peer: String, loop: EventLoop, connecting: Bool) {
    self.id = id
    self.fd = fd
    self.peer = peer
    self.loop = loop
    self.connecting = connecting
    highWater = min(loop.outputHighWater, loop.outputLimit)
  }

  deinit {
    if fd >= 0 { Glibc.close(fd) }
  }

  public var isOpen: Bool { state != .closed }

  /// True while the loop does not read this socket: output backlog over the
  /// loop's `outputHighWater`, unconsumed input at `inputLimit`, or closing.
  public var isReadPaused: Bool { pausedForOutput || pausedForInput || state == .closing }

  /// The local port (0 for non-IP sockets, or if first asked after closing).
  public var localPort: UInt16 {
    if let cachedLocalPort { return cachedLocalPort }
    guard fd >= 0 else { return 0 }
    let port = localAddress(of: fd)?.port ?? 0
    cachedLocalPort = port
    return port
  }

  /// Closes now, dropping unsent output, and calls `connectionClosed` before
  /// returning. Does nothing if already closed.
  public func close(reason: String) {
    guard state != .closed else { return }
    release()
    delegate?.connectionClosed(self, reason: reason)
    delegate = nil
    input.removeAll()
  }

  /// Stops reading, sends what is queued, then closes with `reason`. Later
  /// writes are dropped. The close happens in a flush step, so at the
  /// earliest at the end of the current (or next) round.
  public func closeAfterFlush(reason: String) {
    guard state == .open else { return }
    state = .closing
    closeReason = reason
    updateInterest()
    loop?.enqueueFlush(self)
  }

  /// Closes without telling the delegate (the loop is going away).
  func closeQuietly() {
    guard state != .closed else { return }
    release()
    delegate = nil
    input.removeAll()
  }

  private func release() {
    state = .closed
    if let loop {
      if !parked { loop.unwatch(fd: fd) }
      loop.connections[id] = nil
    }
    loop = nil
    Glibc.close(fd)
    fd = -1
    output.removeAll()
    awaitingWritable = false
  }
}
