import CEpoll
#if canImport(Glibc)
import Glibc
#endif

/// A listening socket registered with a loop; accepted connections go to
/// `onAccept` in the accept step of a round.
public final class Listener {
  /// The bound port (the one the kernel chose when asked for port 0).
  public let port: UInt16
  /// The bound address, as "127.0.0.1:6653" or "[::]:6653".
  public let address: String

  let fd: Int32
  let token: UInt64
  /// Nil once closed; not weak, as Connection.loop.
  unowned(unsafe) var loop: EventLoop?
  let onAccept: (Connection) -> Void
  private(set) var isOpen = true
  /// Accepts per round, so a connection storm cannot starve open connections.
  static let acceptBatch = 64
  /// Seconds accepting pauses after running out of descriptors or memory.
  static let acceptPause = 0.1
  /// Told why accepting failed (out of descriptors or memory), at most once
  /// every 10 s, with the number of failures since the last time it was told.
  /// Each failure pauses accepting for `acceptPause`.
  public var onAcceptError: ((_ error: String, _ failures: Int) -> Void)?
  private var failures = 0
  private var reportedAt = -Double.infinity

  init(fd: Int32, token: UInt64, address: SocketAddress, loop: EventLoop, onAccept: @escaping (Connection) -> Void) {
    self.fd = fd
    self.token = token
    self.port = address.port
    self.address = address.text
    self.loop = loop
    self.onAccept = onAccept
  }

  deinit { if isOpen { Glibc.close(fd) } }

  /// Stops listening; established connections are not affected.
  public func close() {
    guard isOpen else { return }
    isOpen = false
    if let loop {
      loop.unwatch(fd: fd)
      loop.listeners[token] = nil
    }
    loop = nil
    Glibc.close(fd)
  }

  func acceptReady() {
    for _ in 0..<Listener.acceptBatch {
      guard isOpen, let loop else { return }
      let (fd, peer) = SocketAddress.from {
        zr_accept(self.fd, $0, $1)
      }
      if fd < 0 {
        let code = errno
        switch code {
        case EINTR, ECONNABORTED, EPROTO: continue
        case EMFILE, ENFILE, ENOBUFS, ENOMEM:
          // Out of descriptors or memory: readiness stays level, so back off
          // briefly instead of spinning.
          failures += 1
          if loop.now - reportedAt >= 10 {
            reportedAt = loop.now
            let n = failures
            failures = 0
            onAcceptError?(errorText(code), n)
          }
          guard isOpen else { return }
          loop.rewatch(fd: self.fd, token: token, interest: [])
          loop.addTimer(after: Listener.acceptPause) { [weak self] in
            guard let self, self.isOpen, let loop = self.loop else { return }
            loop.rewatch(fd: self.fd, token: self.token, interest: .readable)
          }
          return
        default: return
        }
      }
      setNoDelay(fd)
      guard let connection = loop.register(fd: fd, peer: peer.text, connecting: false) else { continue }
      onAccept(connection)
    }
  }
}
