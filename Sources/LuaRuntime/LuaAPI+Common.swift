import CLua
import CShim
import HostCore
import OpenFlow

/// Swift functions called from Lua never raise: on failure they return
/// `nil, message` and the prelude raises at the caller's line, or, the few
/// that Lua calls directly, ZS_RAISE for the C side to raise once they have
/// returned.
extension LuaRuntime {
  static func fail(_ L: OpaquePointer?, _ message: String) -> Int32 {
    lua_pushnil(L)
    LuaStack(L!).push(message)
    return 2
  }

  /// For the few Swift functions Lua calls directly, with no Lua wrapper to
  /// raise for them (a metamethod, template:send): the message on top,
  /// prefixed with the calling line, as error(message, level) would put it,
  /// for the trampoline to raise.
  static func raiseAtCaller(_ L: OpaquePointer) -> Int32 {
    luaL_where(L, 1)
    lua_rotate(L, -2, 1)
    lua_concat(L, 2)
    return ZS_RAISE
  }

  /// A message that could not be read from Lua or encoded for the switch.
  static func sendFailure(_ L: OpaquePointer?, _ what: String, _ dp: Datapath, _ error: Error) -> Int32 {
    fail(L, sendFailureText(what, dp, error))
  }

  static func sendFailureText(_ what: String, _ dp: Datapath, _ error: Error) -> String {
    if let e = error as? LuaError { return "\(what): \(e)" }
    if let e = error as? OutputFull { return "\(what): \(e)" }
    if let e = error as? RoleRefusal { return "\(what): \(e)" }
    return "\(what): cannot encode for OpenFlow \(OFVersion.name(dp.version)) (\(dp.idText)): \(error)"
  }

  static func set(_ L: OpaquePointer, _ name: String, _ fn: zs_fn) {
    zs_setfuncs(L, name, fn)
  }
}
