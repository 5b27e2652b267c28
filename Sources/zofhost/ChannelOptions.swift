import ArgumentParser
import HostCore

/// How zofhost reaches its switches and stands towards them: switches it
/// connects out to, the role it asks for.
struct ChannelOptions: ParsableArguments {
  @Option(name: .long, help: ArgumentHelp("Switch that listens (Open vSwitch's ptcp:) to connect out to, tcp:HOST:PORT; repeatable. Reconnects after 0.5 s, doubling to 8 s (±25% jitter), while the switch is unreachable.", valueName: "addr"))
  var connect: [String] = []

  @Option(name: .long, help: ArgumentHelp("OpenFlow role to ask of every switch as it connects: master, slave or equal (1.0 through Nicira's extension, 1.2 and later natively).", valueName: "role"))
  var role: String?

  @Option(name: .long, help: ArgumentHelp("Generation id sent with --role (default: 0).", valueName: "n"))
  var generationId: UInt64?

  func validate() throws {
    for c in connect where Self.target(c) == nil {
      throw ValidationError("--connect: '\(c)' is not tcp:HOST:PORT (e.g. tcp:127.0.0.1:6653)")
    }
    if let role, !Datapath.roleNames.contains(role.uppercased()) {
      throw ValidationError("--role: '\(role)' is not one of master, slave, equal")
    }
    if generationId != nil && role == nil {
      throw ValidationError("--generation-id needs --role")
    }
  }

  /// With --connect and no --listen, zofhost listens nowhere.
  func apply(to config: inout HostConfig, listening: Bool) {
    if !connect.isEmpty && !listening { config.listen = [] }
    config.role = role?.uppercased()
    config.generationId = generationId
    config.connect = connect.compactMap(Self.target)
  }

  /// `tcp:HOST:PORT` (the host is required; `[v6]` in brackets).
  static func target(_ text: String) -> ConnectTarget? {
    guard text.hasPrefix("tcp:") else { return nil }
    let rest = String(text.dropFirst(4))
    guard let a = ListenAddress(rest), !rest.hasPrefix(":"), rest.contains(":") else { return nil }
    return ConnectTarget(host: a.host, port: a.port)
  }
}
