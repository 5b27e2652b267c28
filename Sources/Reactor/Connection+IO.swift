#if canImport(Glibc)
import Glibc
#endif

// The public buffer API and what the loop does with a connection each round.
extension Connection {
  /// Calls `body` with the unconsumed input; the pointer is valid only inside.
  public func withInput<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
    try body(input.readable)
  }

  public var inputCount: Int { input.count }

  /// Drops the first `n` bytes of input (the delegate has used them).
  public func consume(_ n: Int) {
    input.consume(n)
    if pausedForInput, let loop, input.count < loop.inputLimit {
      pausedForInput = false
      updateInterest()
    }
  }

  /// Queues bytes for the flush step. Dropped after close or closeAfterFlush.
  public func write(_ bytes: UnsafeRawBufferPointer) {
    write(count: bytes.count) { $0.copyMemory(from: bytes) }
  }

  public func write(_ bytes: [UInt8]) {
    bytes.withUnsafeBytes { write($0) }
  }

  /// Appends `count` bytes that `fill` writes in place, in the output buffer
  /// itself (a message built per send needs no buffer of its own). Dropped
  /// after close or closeAfterFlush.
  public func write(count: Int, _ fill: (UnsafeMutableRawBufferPointer) -> Void) {
    if let out = write(count: count) { fill(out) }
  }

  /// The same for a caller that fills the bytes itself, at once (before
  /// anything else writes): nil when nothing is to be written. A `limited`
  /// write (an app's) is refused, nil too, when it would take the backlog
  /// past the loop's `outputLimit`: `refuses(count:)` then says so.
  public func write(count: Int, limited: Bool = false) -> UnsafeMutableRawBufferPointer? {
    guard state == .open, count > 0 else { return nil }
    if output.count + count > highWater, !admit(count, limited: limited) { return nil }
    let out = UnsafeMutableRawBufferPointer(start: output.reserve(count), count: count)
    output.commit(count)
    // Most writes of a round find the connection queued already.
    if !awaitingWritable && !queuedForFlush { loop?.enqueueFlush(self) }
    return out
  }

  public var outputCount: Int { output.count }

  /// Closed, or about to be, because its peer took nothing for the loop's
  /// stuckTimeout while limited writes were refused.
  public var isStuck: Bool { closingStuck }

  /// The loop's outputLimit (0 once closed).
  public var outputLimit: Int { loop?.outputLimit ?? 0 }

  /// True when a limited write of `count` bytes is refused now: the
  /// connection is open and its backlog would pass the loop's `outputLimit`.
  public func refuses(count: Int) -> Bool {
    guard state == .open, let loop else { return false }
    return output.count + count > loop.outputLimit
  }

  /// A write past `highWater`: reading stops over the loop's outputHighWater;
  /// a limited one past its outputLimit is refused, and once the peer has
  /// taken nothing for the loop's stuckTimeout since the first refusal, the
  /// connection is closed as stuck (in the timer step, not under the writer).
  private func admit(_ count: Int, limited: Bool) -> Bool {
    guard let loop else { return false }
    let after = output.count + count
    if limited && after > loop.outputLimit {
      if stalledSince == 0 {
        stalledSince = loop.now
      } else if !closingStuck && loop.now - stalledSince >= loop.stuckTimeout {
        closingStuck = true
        let reason = "stuck: \(output.count) bytes of output unsent, none taken in the \(Int(loop.now - stalledSince)) s since sends were first refused"
        loop.addTimer(after: 0) { self.close(reason: reason) }
      }
      return false
    }
    if !pausedForOutput && after > loop.outputHighWater {
      pausedForOutput = true
      updateInterest()
    }
    return true
  }

  /// Readiness from one wait.
  func handle(_ ready: Readiness) {
    if connecting {
      if !ready.isDisjoint(with: [.writable, .error, .hangup]) { finishConnect() }
      return
    }
    if ready.contains(.writable) && awaitingWritable {
      awaitingWritable = false
      loop?.enqueueFlush(self)
    }
    if interest.contains(.readable) {
      // A hang-up or error is reported by the read, after any data before it.
      if !ready.isDisjoint(with: [.readable, .error, .hangup]) { readOnce() }
    } else if ready.contains(.error) {
      close(reason: "socket error: \(errorText(socketError()))")
    } else if ready.contains(.hangup) {
      if output.isEmpty {
        park()
      } else {
        // The write will fail and say why, or finish what is left.
        awaitingWritable = false
        loop?.enqueueFlush(self)
      }
    }
  }

  private func readOnce() {
    if tls != nil { return tlsReadOnce() }
    guard let loop else { return }
    let chunk = loop.readChunk
    let n = Glibc.read(fd, input.reserve(chunk), chunk)
    if n > 0 {
      input.commit(n)
      delegate?.connectionReadable(self)
      if state != .closed && !pausedForInput && input.count >= loop.inputLimit {
        pausedForInput = true
        updateInterest()
      }
    } else if n == 0 {
      close(reason: "peer closed")
    } else if errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR {
      close(reason: "read failed: \(errorText(errno))")
    }
  }

  /// The one write of this round's flush step.
  func flushOnce() {
    guard state != .closed, !connecting, !awaitingWritable, let loop else { return }
    highWater = min(loop.outputHighWater, loop.outputLimit)
    if tls != nil {
      guard tlsFlushOnce(loop) else { return }
    } else if !output.isEmpty {
      let pending = output.readable
      let n = send(fd, pending.baseAddress, pending.count, Int32(MSG_NOSIGNAL))
      if n > 0 {
        output.consume(n)
        stalledSince = 0
      } else if n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR {
        close(reason: "write failed: \(errorText(errno))")
        return
      }
      if !output.isEmpty { awaitingWritable = true }
      if pausedForOutput && output.count < loop.outputHighWater / 4 { pausedForOutput = false }
    }
    if output.isEmpty && state == .closing && tlsPending == 0 {
      close(reason: closeReason)
      return
    }
    updateInterest()
  }

  private func finishConnect() {
    let code = socketError()
    guard code == 0 else {
      close(reason: "connect to \(peer) failed: \(errorText(code))")
      return
    }
    connecting = false
    setNoDelay(fd)
    if !output.isEmpty { loop?.enqueueFlush(self) }
    updateInterest()
  }

  /// Brings the watched interest in line with the state: read unless paused
  /// or closing; writable wanted while connecting or after a short write.
  func updateInterest() {
    guard state != .closed, let loop else { return }
    var want: Interest = []
    if !isReadPaused { want.formUnion(.readable) }
    if connecting || awaitingWritable { want.formUnion(.writable) }
    if parked {
      guard !want.isEmpty else { return }
      do {
        try loop.watch(fd: fd, token: UInt64(id), interest: want)
      } catch {
        close(reason: "\(error)")
        return
      }
      parked = false
    } else if want != interest {
      loop.rewatch(fd: fd, token: UInt64(id), interest: want)
    }
    interest = want
  }

  private func park() {
    guard !parked, let loop else { return }
    loop.unwatch(fd: fd)
    parked = true
  }

  private func socketError() -> Int32 {
    var code: Int32 = 0
    var len = socklen_t(MemoryLayout<Int32>.size)
    if getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &len) != 0 { return errno }
    return code
  }
}
