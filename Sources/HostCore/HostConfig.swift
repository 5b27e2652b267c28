import OpenFlow

/// Settings of the OpenFlow side, from the command line.
public struct HostConfig {
  /// (host, port) pairs to listen on.
  public var listen: [(host: String, port: UInt16)] = [("0.0.0.0", 6653), ("0.0.0.0", 6633)]
  /// Switches that listen, which we connect out to (and again after each end).
  public var connect: [ConnectTarget] = []
  /// (host, port) pairs to listen on for TLS channels, and the files TLS needs.
  public var tlsListen: [(host: String, port: UInt16)] = []
  public var tls: TLSFiles?
  /// Versions we speak, as wire numbers.
  public var versions: Set<UInt8> = [OFVersion.v1_0, OFVersion.v1_3, OFVersion.v1_4, OFVersion.v1_5]
  /// Idle seconds before we send our own ECHO_REQUEST; three times this without
  /// any message closes the channel.
  public var echoInterval: Double = 5
  /// Seconds from accept to CHANNEL_UP before we give up on a switch.
  public var handshakeTimeout: Double = 10
  /// Seconds the loop may go without turning before the watchdog says what
  /// it is running (Controller+Watchdog.swift).
  public var stallWarningSeconds: Double = 2
  /// Messages that arrive before CHANNEL_UP are held (not lost) up to this
  /// many, and up to `earlyByteLimit` bytes in all; past either they are
  /// dropped, with one warning per connection.
  public var earlyMessageLimit = 1000
  public var earlyByteLimit = 1 << 20
  /// The handshake's port list (the PORT_DESC reply, 1.3 on): a switch that
  /// sends more ports than this (OFPP_MAX, all a switch can number), or more
  /// bytes of reply, is closed.
  public var handshakePortLimit = 0xff00
  public var handshakePortByteLimit = 8 << 20
  /// A multipart reply joined for `zof.request` fails past this many bytes
  /// (its parts are freed, the rest dropped); a `zof.request_stream` fails
  /// when this many bytes of parts wait unread.
  public var maxReplyBytes = 16 << 20
  /// `--role`: asked of every switch when it comes up ("EQUAL", "MASTER",
  /// "SLAVE"), with `--generation-id` (else the datapath's, else 0).
  public var role: String?
  public var generationId: UInt64?

  public init() {}
}
