import HostCore

extension LuaRuntime {
  /// START goes to every app once they are all loaded.
  public func start() {
    host.dispatcher.dispatch(HostEvent(event: "START"))
  }

  /// STOP goes to every app before the connections close; then every task is cancelled.
  public func stop() {
    host.dispatcher.dispatch(HostEvent(event: "STOP"))
    pushEntry(.cancel_all)
    report(lua.call(nargs: 0, nresults: 0), "cancel tasks")
    closeSockets()
    host.bus?.dropOwner(self)
  }

  /// Live tasks, Lua timers, and requests awaiting replies (for leak checks).
  public var taskStats: (tasks: Int, timers: Int, pending: Int) {
    pushEntry(.stats)
    var n = 0
    if lua.call(nargs: 0, nresults: 1) == nil {
      n = lua.integer(at: -1) ?? 0
      lua.pop()
    }
    return (n, timers.count, host.datapaths.reduce(0) { $0 + $1.pendingCount })
  }
}
