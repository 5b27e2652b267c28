import Logging
import Reactor

/// `--tls-cert`, `--tls-key`, `--tls-ca`: our certificate and key (PEM), and
/// the CA switches' certificates must chain to. With Open vSwitch's ovs-pki:
/// ctl-cert.pem, ctl-privkey.pem and pki/switchca/cacert.pem.
public struct TLSFiles: Equatable {
  public var certificate: String
  public var key: String
  public var ca: String

  public init(certificate: String, key: String, ca: String) {
    self.certificate = certificate
    self.key = key
    self.ca = ca
  }
}

extension Controller {
  /// The OpenSSL context for one side, made on first use (a bad file fails `start`).
  func tlsContext(server: Bool) throws -> TLSContext {
    if let c = server ? tlsContexts.server : tlsContexts.client { return c }
    guard let files = config.tls else {
      throw ReactorError("TLS needs --tls-cert, --tls-key and --tls-ca")
    }
    let c = try TLSContext(server: server, certificate: files.certificate, key: files.key, ca: files.ca)
    if server { tlsContexts.server = c } else { tlsContexts.client = c }
    return c
  }

  /// An accepted TLS connection: the handshake runs as the channel's first
  /// step (our HELLO waits for it); the handshake timeout covers a peer
  /// that stalls in it.
  func acceptTLS(_ conn: Connection, _ context: TLSContext) {
    guard conn.startTLS(context) else { return }
    accept(conn)
  }
}
