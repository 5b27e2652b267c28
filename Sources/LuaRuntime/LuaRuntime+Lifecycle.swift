import HostCore

extension LuaRuntime {
  /// START goes to every app once they are all loaded.
  public func start() {
    host.dispatcher.dispatch(HostEvent(event: "START"))
  }

  /// STOP goes to every app before the connections close.
  public func stop() {
    host.dispatcher.dispatch(HostEvent(event: "STOP"))
  }
}
