import CLua
import CShim
import OpenFlow

/// Schema values to and from Lua tables.
extension LuaStack {
  func push(_ v: OFValue) {
    switch v {
    case .uint(let u): lua_pushinteger(L, lua_Integer(bitPattern: u))
    case .int(let i): lua_pushinteger(L, lua_Integer(i))
    case .bool(let b): lua_pushboolean(L, b ? 1 : 0)
    case .string(let s): push(s)
    case .bytes(let b): b.withUnsafeBytes { push($0) }
    case .list(let items):
      _ = lua_checkstack(L, 4)
      lua_createtable(L, Int32(clamping: items.count), 0)
      for (i, x) in items.enumerated() {
        push(x)
        lua_rawseti(L, -2, lua_Integer(i + 1))
      }
    case .table(let fields):
      _ = lua_checkstack(L, 4)
      lua_createtable(L, 0, Int32(clamping: fields.count))
      for f in fields {
        push(f.name)
        push(f.value)
        lua_rawset(L, -3)
      }
    }
  }

  /// Fills the table at `idx` with the fields of a table value.
  func setFields(_ v: OFValue, into idx: Int32) {
    let t = lua_absindex(L, idx)
    for f in v.fields ?? [] {
      push(f.name)
      push(f.value)
      lua_rawset(L, t)
    }
  }

  /// Reads the value at `idx`; an error names where in the table it is
  /// (`msg.match.eth_dst: ...`), with `root` as the first part.
  func value(at idx: Int32, path root: String = "") throws(LuaError) -> OFValue {
    do {
      return try value(at: idx, depth: 0)
    } catch {
      var where_ = root
      for part in error.path.reversed() {
        if part.hasPrefix("[") || where_.isEmpty { where_ += part } else { where_ += "." + part }
      }
      throw LuaError("\(where_.isEmpty ? "message" : where_): \(error.reason)")
    }
  }

  /// A conversion error; the path is built only while it unwinds, so the
  /// common case allocates no strings for it.
  struct ValueError: Error {
    var reason: String
    var path: [String] = []
  }

  /// Tables with keys 1..n are lists; others are tables ordered by the codec's
  /// field rank, so encoding is deterministic.
  private func value(at idx: Int32, depth: Int) throws(ValueError) -> OFValue {
    let idx = lua_absindex(L, idx)
    switch lua_type(L, idx) {
    case LUA_TNUMBER:
      if zs_isinteger(L, idx) != 0 {
        let i = lua_tointegerx(L, idx, nil)
        return i >= 0 ? .uint(UInt64(i)) : .int(i)
      }
      let d = lua_tonumberx(L, idx, nil)
      guard d == d.rounded(), abs(d) < 9.2e18 else { throw ValueError(reason: "\(d) is not a whole number") }
      return d >= 0 ? .uint(UInt64(d)) : .int(Int64(d))
    case LUA_TBOOLEAN:
      return .bool(lua_toboolean(L, idx) != 0)
    case LUA_TSTRING:
      return withBytes(at: idx) { b in
        if let s = String(validating: b, as: UTF8.self) { return OFValue.string(s) }
        return .bytes(Array(b))
      } ?? .string("")
    case LUA_TTABLE:
      guard depth < 32 else { throw ValueError(reason: "tables nested too deep (a cycle?)") }
      guard lua_checkstack(L, 8) != 0 else { throw ValueError(reason: "Lua stack exhausted") }
      finishLazy(at: idx)
      let n = Int(lua_rawlen(L, idx))
      var fields: [OFField] = []
      var count = 0
      lua_pushnil(L)
      while zs_next(L, idx) != 0 {
        count += 1
        if lua_type(L, -2) == LUA_TSTRING, let key = string(at: -2) {
          do {
            fields.append(OFField(key, try value(at: -1, depth: depth + 1)))
          } catch {
            pop(2)
            var e = error
            e.path.append(key)
            throw e
          }
        } else if !(lua_type(L, -2) == LUA_TNUMBER && zs_isinteger(L, -2) != 0) {
          pop(2)
          throw ValueError(reason: "table keys must be field names or list indexes")
        }
        pop()
      }
      if count == 0 { return .table([]) }
      if fields.isEmpty && count == n {
        var items: [OFValue] = []
        items.reserveCapacity(n)
        for i in 1...n {
          lua_rawgeti(L, idx, lua_Integer(i))
          defer { pop() }
          do {
            items.append(try value(at: -1, depth: depth + 1))
          } catch {
            var e = error
            e.path.append("[\(i)]")
            throw e
          }
        }
        return .list(items)
      }
      guard fields.count == count else { throw ValueError(reason: "a table mixes list items and named fields") }
      if fields.count > 1 {
        // Rank each name once, not at every comparison.
        let ranked = fields.map { (OFCodec.fieldRank($0.name), $0) }
          .sorted { a, b in a.0 != b.0 ? a.0 < b.0 : a.1.name < b.1.name }
        fields = ranked.map(\.1)
      }
      return .table(fields)
    default:
      let tn = String(cString: lua_typename(L, lua_type(L, idx)))
      throw ValueError(reason: "a \(tn) cannot go into a message")
    }
  }

  /// Pushes t[name] without metamethods (they could raise inside a Swift frame).
  func rawField(_ t: Int32, _ name: String) {
    let t = lua_absindex(L, t)
    push(name)
    lua_rawget(L, t)
  }

  /// rawField for a name in the binary (no NUL in it): Lua finds the string
  /// in the cache it keeps by address, where a Swift String is hashed anew.
  func rawField(_ t: Int32, named name: StaticString) {
    let t = lua_absindex(L, t)
    _ = lua_pushstring(L, UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self))
    lua_rawget(L, t)
  }

  /// `{type = "...", msg = {...}, xid = n}` at `idx` as a message (version set by the caller).
  func message(at idx: Int32) throws(LuaError) -> OFMessage {
    guard lua_type(L, idx) == LUA_TTABLE else { throw LuaError("message must be a table like {type = \"FLOW_MOD\", msg = {...}}") }
    let t = lua_absindex(L, idx)
    rawField(t, named: "type")
    // Most apps write it in capitals already; uppercased() would copy it.
    let type = string(at: -1).map { s in
      var s = s
      return s.withUTF8 { $0.contains { $0 &- 0x61 < 26 } } ? s.uppercased() : s
    }
    pop()
    guard let type else { throw LuaError("message has no `type` (e.g. type = \"FLOW_MOD\")") }
    rawField(t, named: "msg")
    defer { pop() }
    let body = lua_type(L, -1) == LUA_TNIL ? OFValue.emptyTable : try value(at: -1, path: "msg")
    rawField(t, named: "xid")
    let xid = integer(at: -1) ?? 0
    pop()
    return OFMessage(version: 0, type: type, xid: UInt32(truncatingIfNeeded: xid), msg: body)
  }
}
