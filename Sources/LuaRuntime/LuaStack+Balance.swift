import CLua
import CShim

// Small typed steps for Swift code that works the Lua stack by hand (the
// lazy fields, the table filter): each is one or two Lua API calls, always
// inlined, so code written with them costs what the raw calls cost.

extension LuaStack {
  /// Runs `body`, which leaves the stack `pushed` values higher than it
  /// found it. Debug builds check that on the way out; release builds
  /// compile the check away, top and all.
  @inline(__always)
  func balanced<R>(pushing pushed: Int32 = 0, _ body: () -> R) -> R {
    #if DEBUG
      let top = lua_gettop(L)
      defer { assert(lua_gettop(L) == top + pushed, "Lua stack: \(lua_gettop(L) - top) values left, \(pushed) expected") }
    #endif
    return body()
  }

  /// `balanced` for a body that may give up (false): then the stack is left
  /// as it is, for a caller that abandons it (a C function that returns 0
  /// so that Lua decides), and only a true return (done) is checked.
  @inline(__always)
  func balancedIfDone(pushing pushed: Int32 = 0, _ body: () -> Bool) -> Bool {
    #if DEBUG
      let top = lua_gettop(L)
      let done = body()
      assert(!done || lua_gettop(L) == top + pushed, "Lua stack: \(lua_gettop(L) - top) values left, \(pushed) expected")
      return done
    #else
      return body()
    #endif
  }

  /// Runs `body`, then drops whatever it left on the stack.
  @inline(__always)
  func restoring<R>(_ body: () -> R) -> R {
    let top = lua_gettop(L)
    defer { lua_settop(L, top) }
    return body()
  }

  /// Runs `body`, then leaves the stack `top` high, whatever `body` pushed
  /// above it.
  @inline(__always)
  func restoring<R>(to top: Int32, _ body: () -> R) -> R {
    defer { lua_settop(L, top) }
    return body()
  }

  @inline(__always) func isNil(_ idx: Int32) -> Bool { lua_type(L, idx) == LUA_TNIL }
  @inline(__always) func isTable(_ idx: Int32) -> Bool { lua_type(L, idx) == LUA_TTABLE }

  /// Whether comparing the value at `idx` could run a metamethod (a table's
  /// or a userdata's `__eq`).
  @inline(__always) func mayCompareByMetamethod(_ idx: Int32) -> Bool {
    let t = lua_type(L, idx)
    return t == LUA_TTABLE || t == LUA_TUSERDATA
  }

  /// Pushes t[k], read raw, for the table at `t` and the key at `k` (both
  /// absolute or pseudo-indices: pushing moves the top).
  @inline(__always) func pushRawField(of t: Int32, keyAt k: Int32) {
    lua_pushvalue(L, k)
    lua_rawget(L, t)
  }

  /// Sets t[key] = the value on top, raw, and pops it; `key` is the index
  /// of the key (an upvalue's pseudo-index, say), `t` absolute.
  @inline(__always) func setRawField(of t: Int32, keyAt key: Int32) {
    lua_pushvalue(L, key)
    lua_rotate(L, -2, 1)
    lua_rawset(L, t)
  }
}
