import ArgumentParser
import Foundation
import HostCore
import Logging
import LuaRuntime
import OpenFlow
import Reactor

/// `zofhost [run] --apps DIR`: the controller itself.
struct RunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run", abstract: "Run the controller with the Lua apps of a folder (the default command).")

  @Option(name: .long, help: "Folder of Lua apps; every *.lua in it is loaded in name order.")
  var apps: String = "apps-lua"

  @Option(name: .long, help: ArgumentHelp("Address to listen on, [HOST:]PORT; repeatable (default: 6653 and 6633 on all IPv4 addresses).", valueName: "addr"))
  var listen: [String] = []

  @Option(name: .long, help: "OpenFlow versions to speak, comma separated (1.0,1.3).")
  var versions: String = "1.0,1.3"

  @Option(name: .long, help: "Seconds of silence before we send an ECHO_REQUEST; three times this closes the channel.")
  var echoInterval: Double = 5

  @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
  var logLevel: String = "info"

  func validate() throws {
    guard Logger.Level(rawValue: logLevel) != nil else {
      throw ValidationError("--log-level: '\(logLevel)' is not one of trace, debug, info, notice, warning, error, critical")
    }
    for l in listen where ListenAddress(l) == nil {
      throw ValidationError("--listen: '\(l)' is not [HOST:]PORT (e.g. 6653 or 127.0.0.1:6653)")
    }
    for v in versions.split(separator: ",") {
      guard let w = OFVersion.parse(String(v)), [OFVersion.v1_0, OFVersion.v1_3].contains(w) else {
        throw ValidationError("--versions: '\(v)' is not a version zofhost speaks yet (1.0, 1.3)")
      }
    }
    guard echoInterval > 0 else { throw ValidationError("--echo-interval must be above 0") }
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: apps, isDirectory: &isDir), isDir.boolValue else {
      throw ValidationError("--apps: folder '\(apps)' does not exist")
    }
  }

  func run() throws {
    let level = Logger.Level(rawValue: logLevel) ?? .info
    LoggingSystem.bootstrap { label in
      var h = StreamLogHandler.standardError(label: label)
      h.logLevel = level
      return h
    }
    let logger = Logger(label: "zofhost")

    var config = HostConfig()
    if !listen.isEmpty { config.listen = listen.compactMap(ListenAddress.init).map { ($0.host, $0.port) } }
    config.versions = Set(versions.split(separator: ",").compactMap { OFVersion.parse(String($0)) })
    config.echoInterval = echoInterval

    let loop: EventLoop
    let host: Controller
    let runtime: LuaRuntime
    do {
      loop = try EventLoop()
      host = Controller(loop: loop, config: config, logger: logger)
      runtime = try LuaRuntime(host: host, logger: logger)
    } catch {
      fail("cannot start: \(error)")
    }
    let files = appFiles(apps)
    if files.isEmpty { logger.warning("no *.lua apps in \(apps)") }
    do {
      try runtime.loadApps(paths: files)
    } catch {
      fail("\(error)")
    }
    for a in host.dispatcher.apps { logger.info("app \(a.name) (precedence \(a.precedence)) from \(runtime.appFiles[a.index - 1])") }
    do {
      try host.start()
      try host.handleSignals { _ in
        runtime.stop()
        host.shutdown()
        loop.stop()
      }
    } catch {
      fail("\(error)")
    }
    runtime.start()
    loop.run()
    logger.info("stopped")
  }

  private func appFiles(_ dir: String) -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
    return names.filter { $0.hasSuffix(".lua") }.sorted().map { (dir as NSString).appendingPathComponent($0) }
  }
}

/// One line on stderr and exit status 1: the run could not go on.
func fail(_ message: String) -> Never {
  FileHandle.standardError.write(Data("zofhost: error: \(message)\n".utf8))
  exit(1)
}
