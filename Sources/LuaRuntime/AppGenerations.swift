import CLua
import CShim
import Foundation
import HostCore
import Logging

/// The running generation of apps, and the switch to a new one on reload.
/// A reload loads the folder into a fresh Lua state first; only if every app
/// loads does the old generation stop and the new one take over, between two
/// events, so no message is lost or seen by both.
public final class AppGenerations {
  public let host: Controller
  public var logger: Logger
  public let options: RuntimeOptions
  public private(set) var current: LuaRuntime?
  public private(set) var reloads = 0

  public init(host: Controller, logger: Logger, options: RuntimeOptions) {
    self.host = host
    self.logger = logger
    self.options = options
  }

  /// Every `*.lua` of the apps folder, in file name order.
  public func appFiles() -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: options.appsDir)) ?? []
    return names.filter { $0.hasSuffix(".lua") }.sorted().map { options.appsDir + "/" + $0 }
  }

  /// A generation loaded from the folder, not yet running. Throws LoadError.
  public func load(seed: KeepValue? = nil) throws -> LuaRuntime {
    let rt = try LuaRuntime(host: host, logger: logger, options: options)
    if let seed { rt.seed(seed) }
    try rt.loadApps(paths: appFiles())
    return rt
  }

  /// The first generation: load, activate, START.
  public func start() throws {
    let rt = try load()
    rt.activate()
    current = rt
    for a in host.dispatcher.apps { logger.info("app \(a.name) (precedence \(a.precedence)) from \(rt.appSources[a.index - 1])") }
    warnUnheard(rt)
    rt.start()
  }

  /// STOP to the running apps (zofhost is stopping).
  public func stop() {
    current?.stop()
  }

  /// Loads the folder anew. On failure the running apps stay exactly as they
  /// were and get RELOAD_FAILED; on success they get STOP, the new ones START
  /// and a replayed CHANNEL_UP for every connected switch.
  @discardableResult
  public func reload() -> Bool {
    let started = DispatchTime.now().uptimeNanoseconds
    var seed: KeepValue? = nil
    if let old = current {
      var problems: [String] = []
      seed = old.keptData(problems: &problems)
      for p in problems { logger.error("reload: keep store: \(p); left out") }
    }
    let next: LuaRuntime
    do {
      next = try load(seed: seed)
    } catch {
      let errors = (error as? LoadError)?.errors ?? ["\(error)"]
      for e in errors { logger.error("reload failed: \(e)") }
      logger.error("reload failed: the running apps are unchanged")
      host.bus?.publishReload(ok: false, errors: errors)
      host.dispatcher.dispatch(HostEvent(event: "RELOAD_FAILED", payload: .fields(.table([
        "errors": .list(errors.map { .string($0) }),
      ]))))
      return false
    }
    current?.stop()
    next.activate()
    current = next
    reloads += 1
    warnUnheard(next)
    next.start()
    host.replayChannelUps()
    host.bus?.publishReload(ok: true, apps: next.appList.count)
    let ms = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6
    logger.info("reload \(reloads): \(next.appList.count) apps in \(String(format: "%.1f", ms)) ms; Lua memory \(next.memoryInUse / 1024) KiB")
    return true
  }

  /// A handler for an event no app emits is most often a typo in a name.
  func warnUnheard(_ rt: LuaRuntime) {
    for u in rt.appReport().unheard { logger.warning("\(AppReport.warning(u))") }
  }
}
