import CLua
import CShim

@testable import LuaRuntime

/// A Lua value as read back, tables with their keys in pairs order, so two
/// tables compare equal only when they hold the same keys, values and Lua
/// types and iterate alike.
indirect enum LV: Equatable {
  case int(Int64), float(Double), bool(Bool), string([UInt8]), table([Entry]), other(String)

  struct Entry: Equatable {
    var key: LV
    var value: LV
  }
}

extension LuaStack {
  /// The value at `idx` as an LV; a metatable shows as one more entry.
  func readBack(_ idx: Int32, depth: Int = 0) -> LV {
    let idx = lua_absindex(L, idx)
    switch lua_type(L, idx) {
    case LUA_TNUMBER:
      return zs_isinteger(L, idx) != 0 ? .int(lua_tointegerx(L, idx, nil)) : .float(lua_tonumberx(L, idx, nil))
    case LUA_TBOOLEAN: return .bool(lua_toboolean(L, idx) != 0)
    case LUA_TSTRING: return .string(withBytes(at: idx) { Array($0) } ?? [])
    case LUA_TTABLE:
      guard depth < 10 else { return .other("deep table") }
      var entries: [LV.Entry] = []
      lua_pushnil(L)
      while zs_next(L, idx) != 0 {
        entries.append(LV.Entry(key: readBack(-2, depth: depth + 1), value: readBack(-1, depth: depth + 1)))
        pop()
      }
      if lua_getmetatable(L, idx) != 0 {
        pop()
        entries.append(LV.Entry(key: .other("metatable"), value: .other("set")))
      }
      return .table(entries)
    default: return .other(String(cString: lua_typename(L, lua_type(L, idx))))
    }
  }
}

extension LuaState {
  /// Registry refs of the named `core` decode functions, in a `core` table
  /// built as the runtime builds it.
  func decodeFunctionRefs(_ names: [String]) -> [Int32] {
    zs_newtable(L)
    LuaRuntime.registerDecode(L)
    var refs: [Int32] = []
    for name in names {
      stack.rawField(-1, name)
      precondition(lua_type(L, -1) == LUA_TFUNCTION, "core.\(name) is not registered")
      refs.append(zs_ref(L))
    }
    stack.pop()
    return refs
  }

  /// Registry refs of core.lazy_fields' five functions (event_index,
  /// message, pkt_index, table_match, pkt_newindex), made over fresh tables.
  func lazyFunctionRefs() -> [Int32] {
    zs_newtable(L)
    LuaRuntime.registerLazy(L)
    stack.rawField(-1, "lazy_fields")
    for _ in 1...6 { zs_newtable(L) }
    precondition(stack.call(nargs: 6, nresults: 6) == nil, "core.lazy_fields failed")
    let refs = (0..<6).map { _ in zs_ref(L) }.reversed()
    stack.pop()
    return Array(refs)
  }
}
