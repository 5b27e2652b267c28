import CLua
import CShim
import HostCore
import Logging
import OpenFlow

/// Runs the Lua apps: loads them, and is the dispatcher's event sink.
public final class LuaRuntime: EventSink {
  let state: LuaState
  /// The main thread's stack.
  let lua: LuaStack
  public let host: Controller
  var logger: Logger
  /// Registry refs of the prelude's entry points, in `Entry` order.
  var entries: [Int32] = []

  /// The prelude's entry points (their order is the refs' order).
  enum Entry: Int, CaseIterable {
    case load, apps, begin_message, begin_fields, begin_event, deliver, finish, resume_ready, timer, reply
    case cancel_all, stats, set_lib, kept, seed, report, set_order, dispatch_frames
    case socket_wake, socket_accept, socket_datagram
  }
  var templates: [Template] = []
  /// Set when Lua has tasks ready to resume.
  var readyPending = false
  var timers: [Int: HostTimer] = [:]
  var lastTimer = 0
  /// The apps' sockets (LuaAPI+Socket.swift), made on first use.
  var sockets: LuaSockets?
  var currentHandle: Int32? = nil
  public private(set) var appList: [AppEntry] = []
  /// The file each app of `appList` came from (a required app may come from the library).
  public private(set) var appSources: [String] = []
  /// The OpenFlow versions each app of `appList` takes (nil: any); see LuaRuntime+Versions.swift.
  public private(set) var appVersions: [[String]?] = []

  /// The datapath the last send went to (see datapathArg).
  var lastDatapath: Datapath?

  public let options: RuntimeOptions

  /// A generation of apps in a Lua state of its own; `activate()` makes it the one events go to.
  public init(host: Controller, logger: Logger, options: RuntimeOptions) throws {
    self.host = host
    self.logger = logger
    self.options = options
    state = try LuaState(memoryLimit: options.memoryLimit)
    state.mem.pointee.budget = options.handlerBudgetMs / 1000
    lua = state.stack
    zs_setctx(lua.L, Unmanaged.passUnretained(self).toOpaque())
    try installPrelude()
    pushEntry(.set_lib)
    lua.push(options.appsDir)
    if let lib = options.libDir { lua.push(lib) } else { lua_pushnil(lua.L) }
    report(lua.call(nargs: 2, nresults: 0), "set lib path")
  }

  deinit {
    // The dispatcher holds its sink unowned.
    if host.dispatcher.sink === self { host.dispatcher.sink = nil }
    host.bus?.dropOwner(self)
    // Before the state closes: its sockets' finalizers then find nothing to close.
    closeSockets()
  }

  /// Events go to this generation's apps from now on.
  public func activate() {
    host.dispatcher.sink = self
    host.dispatcher.setApps(appList)
    host.appVersions = offeredVersions
    // The dispatch order, for events the prelude runs through every app in one call.
    pushEntry(.set_order)
    LuaStack(lua.L).push(OFValue.list(host.dispatcher.apps.map { .uint(UInt64($0.index)) }))
    report(lua.call(nargs: 1, nresults: 0), "set dispatch order")
  }

  static func of(_ L: OpaquePointer?) -> LuaRuntime {
    Unmanaged<LuaRuntime>.fromOpaque(zs_getctx(L)!).takeUnretainedValue()
  }

  /// `body` with the runtime of L's state, not counting a reference to it
  /// (the state lives no longer than its runtime): for what runs per event.
  static func with<R>(_ L: OpaquePointer?, _ body: (LuaRuntime) -> R) -> R {
    Unmanaged<LuaRuntime>.fromOpaque(zs_getctx(L)!)._withUnsafeGuaranteedRef(body)
  }

  /// Pushes an entry point, ready for its arguments.
  func pushEntry(_ e: Entry) {
    zs_getref(lua.L, entries[e.rawValue])
  }

  /// Loads the app files in order. Every file is tried; the errors (`file:line:
  /// message`, one per line) are thrown together.
  public func loadApps(paths: [String]) throws {
    var errors: [String] = []
    for path in paths {
      pushEntry(.load)
      lua.push(path)
      if let err = lua.call(nargs: 1, nresults: 0) { errors.append(firstLine(err)) }
    }
    if !errors.isEmpty { throw LoadError(errors: errors) }
    refreshApps()
    try checkVersions()
  }

  /// Reads the app list from Lua and gives it to the dispatcher.
  func refreshApps() {
    let L = lua.L
    pushEntry(.apps)
    guard lua.call(nargs: 0, nresults: 1) == nil else { return }
    var list: [AppEntry] = []
    var sources: [String] = []
    var versions: [[String]?] = []
    let n = Int(lua_rawlen(L, -1))
    if n > 0 {
      for i in 1...n {
        lua_rawgeti(L, -1, lua_Integer(i))
        lua_rawgeti(L, -1, 1)
        let name = lua.string(at: -1) ?? "?"
        lua_rawgeti(L, -2, 2)
        let prec = lua.integer(at: -1) ?? 100
        lua_rawgeti(L, -3, 3)
        sources.append(lua.string(at: -1) ?? "?")
        lua_rawgeti(L, -4, 4)
        versions.append(lua_type(L, -1) == LUA_TTABLE ? ((try? lua.value(at: -1))?.list ?? []).compactMap { $0.string } : nil)
        lua.pop(5)
        list.append(AppEntry(name: name, precedence: prec, index: i))
      }
    }
    lua.pop()
    appList = list
    appSources = sources
    appVersions = versions
  }

  public var memoryInUse: Int { state.memoryInUse }

  /// The Lua memory each app holds (what its code made and still lives),
  /// by name; the runtime's own under "zofhost".
  public var memoryByApp: [String: Int] {
    var out = ["zofhost": state.memory(owner: 0)]
    for a in appList { out[a.name] = state.memory(owner: a.index) }
    return out
  }

  // MARK: EventSink

  public func begin(_ event: HostEvent) {
    let L = lua.L
    let dp = event.datapath
    let now = host.now
    switch event.payload {
    case .frame(let buf):
      beginMessage(event, dp, buf, now)
    case .ownedFrame(let bytes):
      bytes.withUnsafeBytes { beginMessage(event, dp, $0, now) }
    case .fields(let v):
      pushEntry(.begin_fields)
      lua_pushboolean(L, event.isMessage ? 1 : 0)
      lua.push(event.name)
      lua.push(dp?.connId ?? 0)
      lua_pushinteger(L, lua_Integer(bitPattern: dp?.id ?? 0))
      lua.push(Int(dp?.version ?? 0))
      lua.push(Int(event.xid))
      lua.push(v)
      lua_pushnumber(L, now)
      report(lua.call(nargs: 8, nresults: 0), "begin \(event.name)")
    case .token(let token):
      // A registry ref of the posted event table (LuaAPI+Post).
      let ref = Int32(truncatingIfNeeded: token.raw)
      currentHandle = ref
      pushEntry(.begin_event)
      zs_getref(L, ref)
      report(lua.call(nargs: 1, nresults: 0), "begin \(event.name)")
    }
  }

  private func beginMessage(_ event: HostEvent, _ dp: Datapath?, _ buf: UnsafeRawBufferPointer, _ now: Double) {
    pushEntry(.begin_message)
    lua.push(dp?.connId ?? 0)
    lua.push(event.name)
    lua.push(buf)
    lua_pushnumber(lua.L, now)
    report(lua.call(nargs: 4, nresults: 0), "begin \(event.name)")
  }

  /// A message from a switch goes through every app in one call into Lua;
  /// everything else (and a call to one app) goes step by step.
  public func run(_ event: HostEvent, apps: [AppEntry], readBack: String?) -> Bool? {
    guard readBack == nil, event.onlyApp == nil, event.isMessage else {
      return runStepwise(event, apps: apps, readBack: readBack)
    }
    switch event.payload {
    case .frame(let buf):
      _ = dispatchFrames(event.name, event.datapath, buf)
    case .ownedFrame(let bytes):
      _ = bytes.withUnsafeBytes { dispatchFrames(event.name, event.datapath, $0) }
    default:
      return runStepwise(event, apps: apps, readBack: readBack)
    }
    return nil
  }

  public func runFrames(_ name: String, datapath: Datapath?, frames: UnsafeRawBufferPointer, from offset: Int, apps: [AppEntry]) -> Int {
    offset + dispatchFrames(name, datapath, UnsafeRawBufferPointer(rebasing: frames[offset...]))
  }

  /// Runs frames through every app in one call into Lua (see the prelude's
  /// batches); returns how many bytes of them it got through.
  private func dispatchFrames(_ name: String, _ dp: Datapath?, _ frames: UnsafeRawBufferPointer) -> Int {
    let L = lua.L
    pushEntry(.dispatch_frames)
    lua.push(dp?.connId ?? 0)
    lua.push(name)
    lua.push(frames)
    lua_pushnumber(L, host.now)
    // The frames are whole, as the channel cut them: new_event walks them from here.
    state.mem.pointee.batch_at = 0
    state.mem.pointee.interrupted = 0
    if let err = lua.call(nargs: 4, nresults: 0) {
      report(err, "dispatch \(name)")
      return frames.count
    }
    // Where it stopped: every call gets through one event at least; anything else would loop.
    let used = state.mem.pointee.batch_at
    return used > 0 ? min(used, frames.count) : frames.count
  }

  public func deliver(toApp index: Int) -> Bool {
    pushEntry(.deliver)
    lua.push(index)
    if let err = lua.call(nargs: 1, nresults: 1) {
      report(err, "dispatch to app \(index)")
      return false
    }
    let stop = lua_toboolean(lua.L, -1) != 0
    lua.pop()
    return stop
  }

  public func end(readBack: String?) -> Bool? {
    pushEntry(.finish)
    if let readBack { lua.push(readBack) } else { lua_pushnil(lua.L) }
    var result: Bool? = nil
    if let err = lua.call(nargs: 1, nresults: 1) {
      report(err, "finish event")
    } else {
      if lua_type(lua.L, -1) == LUA_TBOOLEAN { result = lua_toboolean(lua.L, -1) != 0 }
      lua.pop()
    }
    if let ref = currentHandle {
      zs_unref(lua.L, ref)
      currentHandle = nil
    }
    return result
  }

  public func resumeReady() {
    guard readyPending else { return }
    readyPending = false
    pushEntry(.resume_ready)
    report(lua.call(nargs: 0, nresults: 0), "resume tasks")
  }

  /// An error escaping the prelude is a bug in zofhost or a filter function.
  func report(_ err: String?, _ what: @autoclosure () -> String) {
    if let err { logger.error("lua: \(what()): \(err)") }
  }
}

func firstLine(_ s: String) -> String {
  String(s.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
}
