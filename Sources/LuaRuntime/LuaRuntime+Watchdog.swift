import CShim
import Reactor

extension LuaRuntime {
  /// Lets the loop's watchdog ask which app, handler and event are running
  /// (lua_watchdog.c): asked only once the loop has stalled.
  public static func nameStalledHandlers() {
    EventLoop.describeStalls(with: zs_watch_describe)
  }
}
