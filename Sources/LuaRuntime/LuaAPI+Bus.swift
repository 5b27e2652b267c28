import CLua
import CShim
import Foundation
import HostCore
import OpenFlow

/// The events bus's Swift half (bus.lua): emit, register, and bus events
/// made into Lua tables.
extension LuaRuntime {
  static func registerBus(_ L: OpaquePointer) {
    // core.bus_emit(name, packed_args): true when it went out, false with no
    // bus configured; nil, message on a bad value or name.
    set(L, "bus_emit") { L in
      let rt = LuaRuntime.of(L)
      let s = LuaStack(L!)
      guard let name = s.string(at: 1) else { return LuaRuntime.fail(L, "zof.bus.emit: the event name must be a string") }
      lua_getfield(L, 2, "n")
      let count = s.integer(at: -1) ?? 0
      lua_settop(L, 2)
      var values: [JSONValue] = []
      for i in 0..<count {
        lua_rawgeti(L, 2, lua_Integer(i + 1))
        let v = LuaRuntime.jsonValue(L!, at: lua_gettop(L), path: "argument \(i + 2)", depth: 0)
        lua_settop(L, 2)
        switch v {
        case .success(let j): values.append(j)
        case .failure(let e): return LuaRuntime.fail(L, "zof.bus.emit: \(e.text)")
        }
      }
      guard let bus = rt.host.bus else {
        lua_pushboolean(L, 0)
        return 1
      }
      let payload: [UInt8]
      do {
        payload = try JSONValue.encodeArray(values)
      } catch {
        return LuaRuntime.fail(L, "zof.bus.emit: cannot encode as JSON: \(error)")
      }
      if let why = bus.emit(name: name, payload: payload) { return LuaRuntime.fail(L, "zof.bus.emit: \(why)") }
      lua_pushboolean(L, 1)
      return 1
    }
    // core.bus_want(name, on): an app wants (or no longer wants) events named `name`.
    set(L, "bus_want") { L in
      let rt = LuaRuntime.of(L)
      let s = LuaStack(L!)
      guard let name = s.string(at: 1) else { return LuaRuntime.fail(L, "bus event name must be a string") }
      if !name.isEmpty && BusWire.checkName(Array(name.utf8)[...]) == nil {
        return LuaRuntime.fail(L, "bad bus event name \(name.debugDescription) (1 to 255 bytes, no zero byte)")
      }
      if lua_toboolean(L, 2) != 0 { rt.host.bus?.want(name, owner: rt) } else { rt.host.bus?.unwant(name, owner: rt) }
      lua_pushboolean(L, 1)
      return 1
    }
    // core.bus_stats(): the bus's counters as a table; nil with no bus.
    set(L, "bus_stats") { L in
      guard let bus = LuaRuntime.of(L).host.bus else {
        lua_pushnil(L)
        return 1
      }
      let dropped = BusWire.Problem.allCases.map { p in
        OFField(String(describing: p), .uint(UInt64(bus.dropped[p] ?? 0)))
      }
      LuaStack(L!).push(OFValue.table([
        OFField("role", .string(bus.role.rawValue)),
        OFField("received", .uint(UInt64(bus.received))),
        OFField("sent", .uint(UInt64(bus.sent))),
        OFField("send_dropped", .uint(UInt64(bus.sendDropped))),
        OFField("dropped", .table(dropped)),
        OFField("wanted", .list(bus.wantedNames.map { .string($0) })),
      ]))
      return 1
    }
    // core.bus_stamp(): the next app event's sequence number (per process,
    // from 1) and the Unix time; 0 and the time with no bus.
    set(L, "bus_stamp") { L in
      let seq = LuaRuntime.of(L).host.bus?.nextAppSeq() ?? 0
      lua_pushinteger(L, lua_Integer(seq))
      lua_pushnumber(L, Date().timeIntervalSince1970)
      return 2
    }
    // core.bus_null(): the value JSON null stands for (a NULL light userdata).
    set(L, "bus_null") { L in
      lua_pushlightuserdata(L, nil)
      return 1
    }
  }

  struct JSONPathError: Error { let text: String }

  /// The Lua value at `idx` as JSON: nil and functions, userdata, threads
  /// refused with where they are (`argument 2.ports[3]`).
  static func jsonValue(_ L: OpaquePointer, at idx: Int32, path: String, depth: Int) -> Result<JSONValue, JSONPathError> {
    guard depth < 32 else { return .failure(.init(text: "\(path): nested too deep (a cycle?)")) }
    switch lua_type(L, idx) {
    case LUA_TBOOLEAN: return .success(.bool(lua_toboolean(L, idx) != 0))
    case LUA_TNUMBER:
      if lua_isinteger(L, idx) != 0 { return .success(.int(Int64(lua_tointegerx(L, idx, nil)))) }
      let d = lua_tonumberx(L, idx, nil)
      guard d.isFinite else { return .failure(.init(text: "\(path): \(d) is not a JSON number")) }
      return .success(.double(d))
    case LUA_TSTRING:
      let s = LuaStack(L).string(at: idx) ?? ""
      return .success(.string(s))
    case LUA_TLIGHTUSERDATA where lua_touserdata(L, idx) == nil:
      return .success(.null)
    case LUA_TNIL:
      return .success(.null)
    case LUA_TTABLE:
      let t = lua_absindex(L, idx)
      _ = lua_checkstack(L, 4)
      var items: [Int64: JSONValue] = [:]
      var fields: [(String, JSONValue)] = []
      lua_pushnil(L)
      while lua_next(L, t) != 0 {
        let kt = lua_type(L, -2)
        let v: Result<JSONValue, JSONPathError>
        if kt == LUA_TNUMBER, lua_isinteger(L, -2) != 0 {
          let k = Int64(lua_tointegerx(L, -2, nil))
          v = jsonValue(L, at: lua_gettop(L), path: "\(path)[\(k)]", depth: depth + 1)
          if case .success(let j) = v { items[k] = j }
        } else if kt == LUA_TSTRING {
          let k = LuaStack(L).string(at: -2) ?? ""
          v = jsonValue(L, at: lua_gettop(L), path: "\(path).\(k)", depth: depth + 1)
          if case .success(let j) = v { fields.append((k, j)) }
        } else {
          lua_settop(L, t)
          return .failure(.init(text: "\(path): a table key of type \(String(cString: lua_typename(L, kt))) cannot go in JSON"))
        }
        lua_settop(L, lua_gettop(L) - 1)
        if case .failure(let e) = v {
          lua_settop(L, t)
          return .failure(e)
        }
      }
      if fields.isEmpty {
        // A list: keys 1..n with no hole (an empty table is an empty list).
        guard items.keys.allSatisfy({ $0 >= 1 && $0 <= Int64(items.count) }) else {
          return .failure(.init(text: "\(path): a table with holes or keys outside 1..n is neither a list nor an object"))
        }
        return .success(.array((0..<items.count).map { items[Int64($0 + 1)]! }))
      }
      guard items.isEmpty else { return .failure(.init(text: "\(path): a table with both list and name keys cannot go in JSON")) }
      return .success(.object(fields.sorted { $0.0 < $1.0 }))
    default:
      return .failure(.init(text: "\(path): a \(String(cString: lua_typename(L, lua_type(L, idx)))) cannot go on the bus"))
    }
  }

  static func push(_ L: OpaquePointer, _ v: JSONValue) {
    _ = lua_checkstack(L, 4)
    switch v {
    case .null: lua_pushlightuserdata(L, nil)
    case .bool(let b): lua_pushboolean(L, b ? 1 : 0)
    case .int(let i): lua_pushinteger(L, lua_Integer(i))
    case .double(let d): lua_pushnumber(L, d)
    case .string(let s): LuaStack(L).push(s)
    case .array(let items):
      lua_createtable(L, Int32(clamping: items.count), 0)
      for (i, x) in items.enumerated() {
        push(L, x)
        lua_rawseti(L, -2, lua_Integer(i + 1))
      }
    case .object(let fields):
      lua_createtable(L, 0, Int32(clamping: fields.count))
      for (k, x) in fields {
        LuaStack(L).push(k)
        push(L, x)
        lua_rawset(L, -3)
      }
    }
  }

  /// The name a bus event `name` is dispatched under: `BUS:` and the name
  /// upper-cased in ASCII, as Lua's string.upper does for handler names.
  public static func busEventName(_ name: String) -> String {
    "BUS:" + String(decoding: name.utf8.map { $0 >= 0x61 && $0 <= 0x7a ? $0 - 0x20 : $0 }, as: UTF8.self)
  }

  /// A bus event for this generation's apps, after the current event:
  /// `ev.event` is `BUS:NAME` upper-cased, `ev.name` the exact name,
  /// `ev.content` the decoded list (the payload string for a raw one),
  /// `ev.raw` the payload's bytes, `ev.codec` "json" or "raw".
  public func postBusEvent(_ m: BusMessage) {
    let L = lua.L
    let s = LuaStack(L)
    let event = Self.busEventName(m.name)
    lua_createtable(L, 0, 6)
    s.push("event"); s.push(event); lua_rawset(L, -3)
    s.push("name"); s.push(m.name); lua_rawset(L, -3)
    s.push("raw"); m.payload.withUnsafeBytes { s.push($0) }; lua_rawset(L, -3)
    s.push("codec"); s.push(m.codec.rawValue); lua_rawset(L, -3)
    s.push("content")
    if let content = m.content { Self.push(L, .array(content)) } else { m.payload.withUnsafeBytes { s.push($0) } }
    lua_rawset(L, -3)
    let ref = zs_ref(L)
    host.dispatcher.post(HostEvent(event: event, payload: .token(EventToken(raw: Int(ref)))))
  }
}
