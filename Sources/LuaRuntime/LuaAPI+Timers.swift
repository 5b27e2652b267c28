import CLua
import CShim

extension LuaRuntime {
  /// core.timer(seconds) -> id, calling the prelude's `timer(id)` when due;
  /// core.cancel_timer(id); core.ready(): a task is ready to resume;
  /// core.now(): the loop's clock, in seconds (what `ev.time` is read from).
  static func registerTimers(_ L: OpaquePointer) {
    set(L, "timer") { L in
      let rt = LuaRuntime.of(L)
      var ok: Int32 = 0
      let seconds = lua_tonumberx(L, 1, &ok)
      guard ok != 0 else { return LuaRuntime.fail(L, "timer needs seconds") }
      rt.lastTimer += 1
      let id = rt.lastTimer
      rt.timers[id] = rt.host.addTimer(after: max(0, seconds)) { [weak rt] in
        guard let rt, rt.timers.removeValue(forKey: id) != nil else { return }
        rt.pushEntry(.timer)
        rt.lua.push(id)
        rt.report(rt.lua.call(nargs: 1, nresults: 0), "timer")
        rt.host.dispatcher.resumeReady()
      }
      LuaStack(L!).push(id)
      return 1
    }
    set(L, "cancel_timer") { L in
      let rt = LuaRuntime.of(L)
      if let id = LuaStack(L!).integer(at: 1), let h = rt.timers.removeValue(forKey: id) {
        rt.host.cancelTimer(h)
      }
      return 0
    }
    set(L, "now") { L in
      lua_pushnumber(L, LuaRuntime.of(L).host.now)
      return 1
    }
    set(L, "ready") { L in
      LuaRuntime.of(L).readyPending = true
      return 0
    }
  }
}
