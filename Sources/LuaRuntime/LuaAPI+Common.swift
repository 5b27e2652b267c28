import CLua
import CShim

/// Swift functions called from Lua never raise: on failure they return
/// `nil, message` and the prelude raises at the caller's line.
extension LuaRuntime {
  static func fail(_ L: OpaquePointer?, _ message: String) -> Int32 {
    lua_pushnil(L)
    LuaStack(L!).push(message)
    return 2
  }

  static func set(_ L: OpaquePointer, _ name: String, _ fn: zs_fn) {
    zs_setfuncs(L, name, fn)
  }
}
