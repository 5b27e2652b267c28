import ArgumentParser
import HostCore

/// How zofhost stands towards its switches: the role it asks for.
struct ChannelOptions: ParsableArguments {
  @Option(name: .long, help: ArgumentHelp("OpenFlow role to ask of every switch as it connects: master, slave or equal (1.0 through Nicira's extension, 1.2 and later natively).", valueName: "role"))
  var role: String?

  @Option(name: .long, help: ArgumentHelp("Generation id sent with --role (default: 0).", valueName: "n"))
  var generationId: UInt64?

  func validate() throws {
    if let role, !Datapath.roleNames.contains(role.uppercased()) {
      throw ValidationError("--role: '\(role)' is not one of master, slave, equal")
    }
    if generationId != nil && role == nil {
      throw ValidationError("--generation-id needs --role")
    }
  }

  func apply(to config: inout HostConfig) {
    config.role = role?.uppercased()
    config.generationId = generationId
  }
}
