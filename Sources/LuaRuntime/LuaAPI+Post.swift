import CLua
import CShim
import HostCore

extension LuaRuntime {
  /// core.post(ev, name): the event goes to all apps after the current one.
  static func registerPost(_ L: OpaquePointer) {
    set(L, "post") { L in
      let rt = LuaRuntime.of(L)
      let name = LuaStack(L!).string(at: 2) ?? "?"
      lua_settop(L, 1)
      let ref = zs_ref(L)
      rt.host.dispatcher.post(HostEvent(event: name, payload: .handle(ref)))
      return 0
    }
  }
}
