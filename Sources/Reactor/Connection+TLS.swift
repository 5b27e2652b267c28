#if canImport(Glibc)
import Glibc
#endif
import CTLS

// TLS on a connection, driven by the loop like plain TCP: the socket is read
// and written here, OpenSSL only sees memory (no thread, no blocking call).
// `input` holds plaintext as for TCP; `output` holds plaintext until the
// flush step encrypts all of it in one SSL_write and sends the ciphertext in
// one `send`. A handshake that stalls is ended by the owner's timeout.
extension Connection {
  /// Makes this connection TLS, as a server or client after `context`. Call
  /// before the loop reads from it (right after accept or connect). False,
  /// with the connection closed, if OpenSSL cannot start a session.
  @discardableResult
  public func startTLS(_ context: TLSContext) -> Bool {
    guard let s = TLSSession(context) else {
      close(reason: "TLS: cannot start a session")
      return false
    }
    tls = s
    // A client speaks first: its ClientHello goes out in the next flush.
    if !connecting, state == .open { loop?.enqueueFlush(self) }
    return true
  }

  /// True for a TLS connection whose handshake is over.
  public var isTLSEstablished: Bool { tls?.established ?? false }
  /// "TLSv1.3, peer /CN=..." once established; nil for TCP.
  public var tlsSummary: String? { tls.map { $0.summary } }

  /// readOnce for TLS: one read of ciphertext, the handshake moved on, then
  /// every whole record's plaintext into `input` for the delegate.
  func tlsReadOnce() {
    guard let loop, let t = tls else { return }
    let chunk = min(loop.readChunk, TLSSession.scratchSize)
    let n = Glibc.read(fd, TLSSession.scratch, chunk)
    if n == 0 {
      close(reason: t.established ? "peer closed" : "peer closed during the TLS handshake")
      return
    }
    if n < 0 {
      if errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR { close(reason: "read failed: \(errorText(errno))") }
      return
    }
    guard zt_feed(t.conn, TLSSession.scratch, n) == 0 else { return tlsFail("TLS: cannot buffer input") }
    if !t.established {
      switch zt_handshake(t.conn) {
      case 1: tlsEstablished(t)
      case 0: break
      default: return tlsFail("TLS handshake failed: \(t.error)")
      }
    }
    var got = false
    var peerEnded = false
    if t.established {
      while true {
        let room = 16 * 1024
        let r = zt_read(t.conn, input.reserve(room), room)
        if r > 0 {
          input.commit(Int(r))
          got = true
        } else if r == 0 {
          break
        } else if r == -2 {
          peerEnded = true
          break
        } else {
          return tlsFail("TLS: \(t.error)")
        }
      }
      if zt_renegotiations(t.conn) > 0 { return tlsFail("TLS: the peer asked to renegotiate; refused") }
    }
    if zt_pending(t.conn) > 0 || (t.established && !output.isEmpty) {
      if !awaitingWritable && !queuedForFlush { loop.enqueueFlush(self) }
    }
    if got {
      delegate?.connectionReadable(self)
      if state != .closed && !pausedForInput && input.count >= loop.inputLimit {
        pausedForInput = true
        updateInterest()
      }
    }
    if peerEnded && state != .closed { close(reason: "peer closed the TLS session") }
  }

  private func tlsEstablished(_ t: TLSSession) {
    t.established = true
    var subject = [CChar](repeating: 0, count: 256)
    zt_peer_subject(t.conn, &subject, subject.count)
    t.summary = "\(String(cString: zt_version(t.conn))), peer \(String(cString: subject))"
  }

  /// The flush step's write for TLS: the handshake moved on (a client's
  /// first step), this round's plaintext encrypted at once, and one `send`
  /// of the ciphertext. False when the connection closed.
  func tlsFlushOnce(_ loop: EventLoop) -> Bool {
    guard let t = tls else { return true }
    if !t.established {
      switch zt_handshake(t.conn) {
      case 1: tlsEstablished(t)
      case 0: break
      default:
        tlsFail("TLS handshake failed: \(t.error)")
        return false
      }
    }
    if t.established && !output.isEmpty {
      let p = output.readable
      let n = zt_write(t.conn, p.baseAddress, p.count)
      if n > 0 {
        output.consume(Int(n))
      } else if n < 0 {
        tlsFail("TLS: \(t.error)")
        return false
      }
    }
    // Closing once all is written: close_notify goes with the last bytes.
    if state == .closing && output.isEmpty && t.established && !t.shutdownSent {
      t.shutdownSent = true
      zt_shutdown(t.conn)
    }
    t.drain()
    if !t.cipher.isEmpty {
      let pending = t.cipher.readable
      let n = send(fd, pending.baseAddress, pending.count, Int32(MSG_NOSIGNAL))
      if n > 0 {
        t.cipher.consume(n)
      } else if n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR {
        close(reason: "write failed: \(errorText(errno))")
        return false
      }
      if !t.cipher.isEmpty { awaitingWritable = true }
    }
    if pausedForOutput && output.count + t.cipher.count < loop.outputHighWater / 4 { pausedForOutput = false }
    return true
  }

  /// Ciphertext still to go (a TLS connection that closes after its flush waits for it).
  var tlsPending: Int { tls?.cipher.count ?? 0 }

  /// Closes after a TLS failure; the alert OpenSSL made, if any, goes first
  /// (one try, never waiting).
  private func tlsFail(_ reason: String) {
    if let t = tls, state != .closed {
      t.drain()
      if !t.cipher.isEmpty {
        let p = t.cipher.readable
        _ = send(fd, p.baseAddress, p.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
      }
    }
    close(reason: reason)
  }
}

extension TLSContext {
  /// Tests: offer TLS 1.2 at most, and allow asking to renegotiate.
  func limitToTLS12() { zt_ctx_max_tls12(ctx) }
}

extension Connection {
  /// Tests: a client asking for renegotiation (TLS 1.2).
  func tlsRenegotiate() {
    guard let t = tls else { return }
    _ = zt_renegotiate(t.conn)
    loop?.enqueueFlush(self)
  }
}
