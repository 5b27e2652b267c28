import ArgumentParser
import Foundation

@main
struct Zofhost: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "zofhost",
    abstract: "An OpenFlow controller host: Lua apps drive switches over OpenFlow 1.0 to 1.5.",
    subcommands: [RunCommand.self, CheckCommand.self, AppsCommand.self, DecodeCommand.self, EncodeCommand.self],
    defaultSubcommand: RunCommand.self)

  /// Bad usage is one line and exit status 2, not the parser's usage dump.
  static func main() {
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch {
      let code = exitCode(for: error)
      if code == .success {
        print(fullMessage(for: error))
        Foundation.exit(0)
      }
      if code == .validationFailure {
        FileHandle.standardError.write(Data("zofhost: \(message(for: error)) (see zofhost --help)\n".utf8))
        Foundation.exit(2)
      }
      FileHandle.standardError.write(Data("zofhost: error: \(message(for: error))\n".utf8))
      Foundation.exit(1)
    }
  }
}
