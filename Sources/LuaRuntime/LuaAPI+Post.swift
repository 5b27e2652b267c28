import CLua
import CShim
import HostCore

extension LuaRuntime {
  /// core.post(ev, name [, app_index]): the event goes to all apps (or one)
  /// after the current event.
  static func registerPost(_ L: OpaquePointer) {
    set(L, "post") { L in
      let rt = LuaRuntime.of(L)
      let s = LuaStack(L!)
      let name = s.string(at: 2) ?? "?"
      let only = s.integer(at: 3)
      lua_settop(L, 1)
      // The event table is kept in the registry until the event ends; its ref is the token.
      var event = HostEvent(event: name, payload: .token(EventToken(raw: Int(zs_ref(L)))))
      event.onlyApp = only
      rt.host.dispatcher.post(event)
      return 0
    }
  }
}
