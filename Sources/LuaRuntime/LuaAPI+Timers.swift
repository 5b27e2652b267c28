import CLua
import CShim

extension LuaRuntime {
  /// core.timer(seconds, task_id): wakes the task after `seconds`.
  static func registerTimers(_ L: OpaquePointer) {
    set(L, "timer") { L in
      let rt = LuaRuntime.of(L)
      var ok: Int32 = 0
      let seconds = lua_tonumberx(L, 1, &ok)
      guard ok != 0, let id = LuaStack(L!).integer(at: 2) else { return LuaRuntime.fail(L, "timer needs seconds and a task") }
      rt.host.loop.addTimer(after: max(0, seconds)) { [weak rt] in
        guard let rt else { return }
        rt.ready.append(id)
        rt.host.dispatcher.resumeReady()
      }
      return 0
    }
  }
}
