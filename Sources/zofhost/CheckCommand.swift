import ArgumentParser
import Foundation
import HostCore
import Logging
import LuaRuntime
import Reactor

/// `zofhost check --apps DIR`: loads the apps as a reload would, without
/// listening, and says whether they would run. For a user's own CI.
struct CheckCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check", abstract: "Load the apps as a reload would and report problems; exit 0 if they load, 1 if not.")

  @Option(name: .long, help: "Folder of Lua apps.")
  var apps: String = "apps-lua"

  @OptionGroup var limits: AppLimits

  func validate() throws { try validateAppsFolder(apps) }

  func run() throws {
    let rt = try loadWithoutListening(apps: apps, limits: limits)
    for a in rt.appList { print("ok: app \(a.name) (precedence \(a.precedence)) from \(rt.appSources[a.index - 1])") }
    for u in rt.appReport().unheard { print("warning: \(AppReport.warning(u))") }
    print("\(rt.appList.count) apps load; Lua memory \(rt.memoryInUse / 1024) KiB")
  }
}

/// Loads the apps of a folder as a reload would, with no listener. A load
/// error is printed (`error: file:line: message`, one per line) and exits 1.
func loadWithoutListening(apps: String, limits: AppLimits) throws -> LuaRuntime {
  var logger = Logger(label: "zofhost")
  logger.logLevel = .warning
  var config = HostConfig()
  config.listen = []
  let host = Controller(loop: try EventLoop(), config: config, logger: logger)
  let gens = AppGenerations(host: host, logger: logger, options: limits.options(appsDir: apps))
  do {
    return try gens.load()
  } catch {
    let errors = (error as? LoadError)?.errors ?? ["\(error)"]
    for e in errors { FileHandle.standardError.write(Data("error: \(e)\n".utf8)) }
    throw ExitCode(1)
  }
}
