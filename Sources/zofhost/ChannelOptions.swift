import ArgumentParser
import HostCore

/// How zofhost reaches its switches and stands towards them: switches it
/// connects out to, the role it asks for.
struct ChannelOptions: ParsableArguments {
  @Option(name: .long, help: ArgumentHelp("Switch that listens (Open vSwitch's ptcp: or pssl:) to connect out to, tcp:HOST:PORT or tls:HOST:PORT; repeatable. Reconnects after 0.5 s, doubling to 8 s (±25% jitter), while the switch is unreachable.", valueName: "addr"))
  var connect: [String] = []

  @Option(name: .long, help: ArgumentHelp("Our TLS certificate (PEM, may hold the chain), for tls: listeners and targets.", valueName: "file"))
  var tlsCert: String?

  @Option(name: .long, help: ArgumentHelp("The private key of --tls-cert (PEM).", valueName: "file"))
  var tlsKey: String?

  @Option(name: .long, help: ArgumentHelp("CA certificate (PEM) the switches' certificates must chain to; switches without one are refused.", valueName: "file"))
  var tlsCa: String?

  @Option(name: .long, help: ArgumentHelp("OpenFlow role to ask of every switch as it connects: master, slave or equal (1.0 through Nicira's extension, 1.2 and later natively).", valueName: "role"))
  var role: String?

  @Option(name: .long, help: ArgumentHelp("Generation id sent with --role (default: 0).", valueName: "n"))
  var generationId: UInt64?

  func validate() throws {
    for c in connect where Self.target(c) == nil {
      throw ValidationError("--connect: '\(c)' is not tcp:HOST:PORT or tls:HOST:PORT (e.g. tcp:127.0.0.1:6653)")
    }
    if let role, !Datapath.roleNames.contains(role.uppercased()) {
      throw ValidationError("--role: '\(role)' is not one of master, slave, equal")
    }
    if generationId != nil && role == nil {
      throw ValidationError("--generation-id needs --role")
    }
  }

  /// TLS needs all three files, and they are wanted only with a tls: address.
  func validate(listen: [String]) throws {
    let wantsTLS = listen.contains { $0.hasPrefix("tls:") } || connect.contains { $0.hasPrefix("tls:") }
    let given = [tlsCert, tlsKey, tlsCa].compactMap { $0 }
    if wantsTLS && given.count != 3 {
      throw ValidationError("a tls: address needs --tls-cert, --tls-key and --tls-ca")
    }
    if !wantsTLS && !given.isEmpty {
      throw ValidationError("--tls-cert, --tls-key and --tls-ca go with a tls: address in --listen or --connect")
    }
  }

  /// With --connect and no --listen, zofhost listens nowhere.
  func apply(to config: inout HostConfig, listen: [String]) {
    if !connect.isEmpty && listen.isEmpty { config.listen = [] }
    config.tlsListen = listen.compactMap(ListenAddress.init).filter(\.tls).map { ($0.host, $0.port) }
    if let tlsCert, let tlsKey, let tlsCa { config.tls = TLSFiles(certificate: tlsCert, key: tlsKey, ca: tlsCa) }
    config.role = role?.uppercased()
    config.generationId = generationId
    config.connect = connect.compactMap(Self.target)
  }

  /// `tcp:HOST:PORT` or `tls:HOST:PORT` (the host is required; `[v6]` in brackets).
  static func target(_ text: String) -> ConnectTarget? {
    guard text.hasPrefix("tcp:") || text.hasPrefix("tls:") else { return nil }
    let rest = String(text.dropFirst(4))
    guard let a = ListenAddress(rest), !rest.hasPrefix(":"), rest.contains(":") else { return nil }
    return ConnectTarget(host: a.host, port: a.port, tls: text.hasPrefix("tls:"))
  }
}
