#if canImport(Glibc)
import Glibc
#endif

/// A descriptor the loop watches for someone else: an app's socket, an
/// eventfd, a pipe. The loop only reports readiness; reading and writing are
/// the handler's. Level-triggered, as everything in the loop: readiness left
/// unserved is reported again next round, so a handler that reads once per
/// call is read once per round, and cannot starve the switches.
///
/// The target owns its descriptor: `close` (or a handler that throws) closes
/// it, and `onClose` hears of it exactly once, with the reason. `detach`
/// hands the descriptor back instead, unclosed.
public final class Target {
  /// The descriptor; -1 once closed or detached.
  public private(set) var fd: Int32
  /// What the target is watched for now.
  public private(set) var interest: Interest
  let token: UInt64
  /// Nil once closed; not weak, as Connection.loop.
  unowned(unsafe) var loop: EventLoop?
  var onReady: (Target, Readiness) throws -> Void
  var onClose: ((Target, String) -> Void)?
  /// Out of epoll while the interest is empty: a hang-up is reported whatever
  /// the interest, so a target that wants nothing would wake every round.
  var parked = false

  init(fd: Int32, token: UInt64, interest: Interest, loop: EventLoop,
       onReady: @escaping (Target, Readiness) throws -> Void, onClose: ((Target, String) -> Void)?) {
    self.fd = fd
    self.token = token
    self.interest = interest
    self.loop = loop
    self.onReady = onReady
    self.onClose = onClose
  }

  deinit { if fd >= 0 { Glibc.close(fd) } }

  public var isOpen: Bool { fd >= 0 }

  /// Watches for `interest` from now on ([] for nothing).
  public func setInterest(_ interest: Interest) {
    guard fd >= 0, let loop, interest != self.interest || parked != interest.isEmpty else { return }
    if interest.isEmpty {
      if !parked { loop.unwatch(fd: fd) }
      parked = true
    } else if parked {
      do {
        try loop.watch(fd: fd, token: token, interest: interest)
      } catch {
        self.interest = interest
        close(reason: "\(error)")
        return
      }
      parked = false
    } else {
      loop.rewatch(fd: fd, token: token, interest: interest)
    }
    self.interest = interest
  }

  /// Stops watching, closes the descriptor, and calls `onClose` before it
  /// returns. Does nothing if already closed or detached.
  public func close(reason: String) {
    guard fd >= 0 else { return }
    let notify = onClose
    release()
    notify?(self, reason)
  }

  /// Stops watching and gives the descriptor back, open; `onClose` is not
  /// called. -1 if the target was closed already.
  public func detach() -> Int32 {
    guard fd >= 0 else { return -1 }
    let fd = self.fd
    self.fd = -1
    forget(fd)
    return fd
  }

  /// Closes without telling anyone (the loop is going away).
  func closeQuietly() {
    guard fd >= 0 else { return }
    release()
  }

  private func release() {
    let fd = self.fd
    self.fd = -1
    forget(fd)
    Glibc.close(fd)
  }

  private func forget(_ fd: Int32) {
    if let loop {
      if !parked { loop.unwatch(fd: fd) }
      loop.targets[token] = nil
    }
    loop = nil
    parked = true
    onReady = { _, _ in }
    onClose = nil
  }

  /// Readiness from one wait. A handler that throws closes its target alone.
  func handle(_ ready: Readiness) {
    do {
      try onReady(self, ready)
    } catch {
      loop?.log("target fd \(fd) closed: its handler failed: \(error)")
      close(reason: "handler failed: \(error)")
    }
  }
}

extension EventLoop {
  /// Watches `fd` for `interest` ([] to start with nothing), calling
  /// `onReady` with what each round's wait reports (error and hang-up come
  /// whatever the interest). The loop makes the descriptor non-blocking and
  /// close-on-exec and owns it from now on; `onClose` hears once when it
  /// closes. Throws (leaving `fd` open, still the caller's) if epoll refuses it.
  public func addTarget(fd: Int32, interest: Interest,
                        onReady: @escaping (Target, Readiness) throws -> Void,
                        onClose: ((Target, String) -> Void)? = nil) throws -> Target {
    let flags = fcntl(fd, F_GETFL)
    if flags >= 0 && flags & O_NONBLOCK == 0 { _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK) }
    _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    let token = nextTargetToken
    if !interest.isEmpty { try watch(fd: fd, token: token, interest: interest) }
    nextTargetToken += 1
    let target = Target(fd: fd, token: token, interest: interest, loop: self, onReady: onReady, onClose: onClose)
    target.parked = interest.isEmpty
    targets[token] = target
    return target
  }

  /// Targets open on this loop.
  public var targetCount: Int { targets.count }
}
