import ArgumentParser
import Foundation
import HostCore
import Logging
import LuaRuntime
import Reactor

/// `zofhost apps --apps DIR`: loads the apps without listening and prints who
/// provides and who consumes what (requirements, services, events, messages).
struct AppsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "apps", abstract: "Print the apps in dispatch order with what each requires, provides, emits and consumes.")

  @Option(name: .long, help: "Folder of Lua apps.")
  var apps: String = "apps-lua"

  @Flag(name: .long, help: "Print JSON instead of text.")
  var json = false

  @OptionGroup var limits: AppLimits

  func validate() throws { try validateAppsFolder(apps) }

  func run() throws {
    var logger = Logger(label: "zofhost")
    logger.logLevel = .error
    var config = HostConfig()
    config.listen = []
    let host = Controller(loop: try EventLoop(), config: config, logger: logger)
    let gens = AppGenerations(host: host, logger: logger, options: limits.options(appsDir: apps))
    let rt: LuaRuntime
    do {
      rt = try gens.load()
    } catch {
      let errors = (error as? LoadError)?.errors ?? ["\(error)"]
      for e in errors { FileHandle.standardError.write(Data("error: \(e)\n".utf8)) }
      throw ExitCode(1)
    }
    let report = rt.appReport()
    print(json ? report.json : report.text)
  }
}
