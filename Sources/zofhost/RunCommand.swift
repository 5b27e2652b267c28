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

  @Option(name: .long, help: ArgumentHelp("Address to listen on, [tcp:][HOST:]PORT, or tls:[HOST:]PORT for TLS (needs --tls-cert, --tls-key, --tls-ca); repeatable (default: 6653 and 6633 on all IPv4 addresses).", valueName: "addr"))
  var listen: [String] = []

  @Option(name: .long, help: "OpenFlow versions to speak, comma separated (any of 1.0 to 1.5).")
  var versions: String = "1.0,1.3,1.4,1.5"

  @Option(name: .long, help: "Seconds of silence before we send an ECHO_REQUEST; three times this closes the channel.")
  var echoInterval: Double = 5

  @Option(name: .long, help: "MiB a multipart reply joined for zof.request may reach, and a zof.request_stream's unread parts; past it the request fails.")
  var maxReplyMb: Int = 16
  @Option(name: .long, help: "Seconds the loop may go without turning before a warning names the handler running.")
  var stallWarningSeconds: Double = 2
  @Option(name: .customLong("output-limit-mb"), help: "MiB of output that may wait for one switch; an app's send past it raises.")
  var outputLimitMB: Int = 16

  @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
  var logLevel: String = "info"

  @OptionGroup var limits: AppLimits

  @OptionGroup var channels: ChannelOptions
  @OptionGroup var bus: BusArguments

  @Option(name: .long, help: "Write the process id to this file (removed at exit).")
  var pidFile: String?

  func validate() throws {
    guard Logger.Level(rawValue: logLevel) != nil else {
      throw ValidationError("--log-level: '\(logLevel)' is not one of trace, debug, info, notice, warning, error, critical")
    }
    for l in listen where ListenAddress(l) == nil {
      throw ValidationError("--listen: '\(l)' is not [tcp:|tls:][HOST:]PORT (e.g. 6653, 127.0.0.1:6653, tcp:6653 or tls:6653)")
    }
    for v in versions.split(separator: ",") {
      guard OFVersion.parse(String(v)) != nil else {
        throw ValidationError("--versions: '\(v)' is not an OpenFlow version (1.0, 1.1, 1.2, 1.3, 1.4, 1.5)")
      }
    }
    guard echoInterval > 0 else { throw ValidationError("--echo-interval must be above 0") }
    guard maxReplyMb > 0 && maxReplyMb <= 1 << 20 else { throw ValidationError("--max-reply-mb must be 1 to 1048576") }
    guard stallWarningSeconds > 0 else { throw ValidationError("--stall-warning-seconds must be above 0") }
    guard (1...4096).contains(outputLimitMB) else { throw ValidationError("--output-limit-mb must be 1 to 4096") }
    try channels.validate(listen: listen)
    try validateAppsFolder(apps)
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
    if !listen.isEmpty { config.listen = listen.compactMap(ListenAddress.init).filter { !$0.tls }.map { ($0.host, $0.port) } }
    config.versions = Set(versions.split(separator: ",").compactMap { OFVersion.parse(String($0)) })
    config.echoInterval = echoInterval
    config.maxReplyBytes = maxReplyMb << 20
    config.stallWarningSeconds = stallWarningSeconds
    channels.apply(to: &config, listen: listen)

    let loop: EventLoop
    let host: Controller
    do {
      loop = try EventLoop()
      loop.outputLimit = outputLimitMB << 20
      host = Controller(loop: loop, config: config, logger: logger)
    } catch {
      fail("cannot start: \(error)")
    }
    do {
      try bus.open(loop: loop, host: host, logger: logger)
    } catch {
      fail("bus: \(error)")
    }
    let apps = AppGenerations(host: host, logger: logger, options: limits.options(appsDir: self.apps))
    if apps.appFiles().isEmpty { logger.warning("no *.lua apps in \(self.apps)") }
    do {
      try apps.start()
    } catch {
      fail("\(error)")
    }
    do {
      try host.start()
      try host.handleSignals(
        onExit: { immediately in
          if !immediately { apps.stop() }
          host.shutdown()
          loop.stop()
          if immediately { loop.runOnce(timeout: 0); Foundation.exit(130) }
        },
        onReload: { apps.reload() })
      // Signals are blocked now: the watchdog thread starts without them.
      LuaRuntime.nameStalledHandlers()
      host.watchStalls()
    } catch {
      fail("\(error)")
    }
    if let pidFile {
      guard FileManager.default.createFile(atPath: pidFile, contents: Data("\(getpid())\n".utf8)) else {
        fail("--pid-file: cannot write \(pidFile)")
      }
    }
    defer { if let pidFile { try? FileManager.default.removeItem(atPath: pidFile) } }
    loop.run()
    logger.info("stopped")
  }
}

/// Where required apps come from, and the guard rails every generation of apps runs under.
struct AppLimits: ParsableArguments {
  @Option(name: .long, help: ArgumentHelp("Library of bundled apps that `requires` finds when an app is not in the apps folder (default: the one installed beside zofhost).", valueName: "dir"))
  var lib: String?

  @Option(name: .long, help: "Milliseconds one handler step may run before it is aborted.")
  var handlerBudgetMs: Double = 300

  @Option(name: .long, help: "Cap on each app's live Lua memory in MiB (0: none); an app past it fails its own handlers only.")
  var luaMemoryMb: Int = 0

  func validate() throws {
    if let lib { try validateFolder(lib, option: "--lib") }
    guard handlerBudgetMs > 0 else { throw ValidationError("--handler-budget-ms must be above 0") }
    guard luaMemoryMb >= 0 else { throw ValidationError("--lua-memory-mb must be 0 (no cap) or more") }
  }

  func options(appsDir: String) -> RuntimeOptions {
    RuntimeOptions(
      appsDir: appsDir, libDir: lib ?? bundledLibrary(), memoryLimit: luaMemoryMb * 1024 * 1024,
      handlerBudgetMs: handlerBudgetMs)
  }
}

func validateAppsFolder(_ path: String) throws { try validateFolder(path, option: "--apps") }

func validateFolder(_ path: String, option: String) throws {
  guard isFolder(path) else { throw ValidationError("\(option): folder '\(path)' does not exist") }
}

func isFolder(_ path: String) -> Bool {
  var isDir: ObjCBool = false
  return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
}

/// One line on stderr and exit status 1: the run could not go on.
func fail(_ message: String) -> Never {
  FileHandle.standardError.write(Data("zofhost: error: \(message)\n".utf8))
  exit(1)
}
