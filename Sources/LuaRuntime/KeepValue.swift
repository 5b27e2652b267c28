import CLua
import CShim

/// Plain Lua data copied from one generation's state into the next's.
public indirect enum KeepValue {
  case bool(Bool)
  case int(Int64)
  case number(Double)
  case string([UInt8])
  case table([(KeepValue, KeepValue)])
}

extension LuaStack {
  /// Copies plain data; anything else (the keep store refuses it when stored,
  /// but a table can be changed later) is reported with its path and left out.
  func keepValue(at idx: Int32, path: String, problems: inout [String], depth: Int = 0) -> KeepValue? {
    let idx = lua_absindex(L, idx)
    switch lua_type(L, idx) {
    case LUA_TBOOLEAN: return .bool(lua_toboolean(L, idx) != 0)
    case LUA_TNUMBER:
      return zs_isinteger(L, idx) != 0 ? .int(lua_tointegerx(L, idx, nil)) : .number(lua_tonumberx(L, idx, nil))
    case LUA_TSTRING: return withBytes(at: idx) { .string(Array($0)) }
    case LUA_TTABLE:
      guard depth < 64, lua_checkstack(L, 4) != 0 else {
        problems.append("\(path): nested too deep (a cycle?)")
        return nil
      }
      finishLazy(at: idx)
      var pairs: [(KeepValue, KeepValue)] = []
      lua_pushnil(L)
      while zs_next(L, idx) != 0 {
        let keyText = lua_type(L, -2) == LUA_TSTRING ? (string(at: -2) ?? "?") : "[\(lua_type(L, -2) == LUA_TNUMBER ? "number" : "key")]"
        if let k = keepValue(at: -2, path: path, problems: &problems, depth: depth + 1),
          let v = keepValue(at: -1, path: "\(path).\(keyText)", problems: &problems, depth: depth + 1)
        {
          pairs.append((k, v))
        }
        pop()
      }
      return .table(pairs)
    default:
      let tn = String(cString: lua_typename(L, lua_type(L, idx)))
      problems.append("\(path) is a \(tn); only plain data can be kept")
      return nil
    }
  }

  func push(_ v: KeepValue) {
    switch v {
    case .bool(let b): lua_pushboolean(L, b ? 1 : 0)
    case .int(let i): lua_pushinteger(L, i)
    case .number(let d): lua_pushnumber(L, d)
    case .string(let b): b.withUnsafeBytes { push($0) }
    case .table(let pairs):
      _ = lua_checkstack(L, 4)
      lua_createtable(L, 0, Int32(clamping: pairs.count))
      for (k, x) in pairs {
        push(k)
        push(x)
        lua_rawset(L, -3)
      }
    }
  }
}
