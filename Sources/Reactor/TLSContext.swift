import CTLS

/// OpenSSL settings shared by TLS connections of one side: our certificate
/// and key, and the CA peers' certificates must chain to (mutual
/// authentication, as Open vSwitch's ovs-pki sets up). TLS 1.2 and 1.3;
/// renegotiation refused.
public final class TLSContext {
  let ctx: OpaquePointer

  /// `server`: for accepted connections, else for those we connect.
  public init(server: Bool, certificate: String, key: String, ca: String) throws {
    var err = [CChar](repeating: 0, count: 512)
    guard let c = zt_ctx_new(server ? 1 : 0, certificate, key, ca, &err, err.count) else {
      throw ReactorError("TLS: \(String(cString: err))")
    }
    ctx = c
  }

  deinit { zt_ctx_free(ctx) }
}

/// One connection's TLS state: OpenSSL's session with memory BIOs, and the
/// ciphertext waiting for the socket.
final class TLSSession {
  let conn: OpaquePointer
  /// Ciphertext to send: the flush step's one `send` takes from here.
  let cipher = ByteBuffer()
  var established = false
  var shutdownSent = false
  /// Set once the handshake is over: "TLSv1.3, /CN=..." for logs.
  var summary = ""

  init?(_ context: TLSContext) {
    guard let c = zt_conn_new(context.ctx) else { return nil }
    conn = c
  }

  deinit { zt_conn_free(conn) }

  var error: String { String(cString: zt_error(conn)) }

  /// Moves OpenSSL's output into `cipher`.
  func drain() {
    while true {
      let n = zt_pending(conn)
      if n == 0 { return }
      cipher.commit(zt_take(conn, cipher.reserve(n), n))
    }
  }

  /// Reads of ciphertext land here before OpenSSL takes them (one loop, one thread).
  nonisolated(unsafe) static var scratch = UnsafeMutableRawPointer.allocate(byteCount: 64 * 1024, alignment: 16)
  nonisolated(unsafe) static var scratchSize = 64 * 1024
}
