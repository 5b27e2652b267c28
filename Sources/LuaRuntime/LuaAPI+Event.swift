import CLua
import CShim

/// An event made from a frame holds its type, connection, time and where its
/// frame is; its other fields are made on first read. That read is the
/// event's __index, written here rather than in the prelude: a Lua __index
/// took three Lua calls for every `ev.msg`.
extension LuaRuntime {
  /// Keys and values the event functions use, as upvalues after the
  /// PacketInStrings ones (EventUp order).
  private static let eventStrings = ["msg", "datapath", "datapath_id", "version", "xid", "type", "conn_id",
                                     "\0frame", "\0foff", "\0mframe", "\0mfoff", "PACKET_IN"]
  private enum EventUp: Int {
    case msg, datapath, datapathId, version, xid, type, connId, frame, foff, mframe, mfoff, packetIn
    /// Then the two tables given to core.event_fields.
    case datapaths, packetInMeta

    /// The fields made on first read: msg...xid.
    static let lazy: [EventUp] = [.msg, .datapath, .datapathId, .version, .xid]

    var index: Int32 { zs_upvalueindex(Int32(2 + PacketInStrings.all.count + rawValue)) }
  }

  /// core.event_fields(datapaths, pkt_mt) -> index, message:
  /// - index(ev, k) is the events' __index: msg, datapath, datapath_id,
  ///   version and xid, each kept in the event once made. A malformed frame
  ///   raises at the line that read `msg`.
  /// - message(ev) -> the event's message, or nil and why (for filters, which
  ///   must not raise).
  /// A PACKET_IN's message gets `pkt_mt` and keeps its frame for the match,
  /// which is decoded on first read (see the prelude).
  static func registerEvent(_ L: OpaquePointer) {
    set(L, "event_fields") { L in
      let L = L!
      lua_settop(L, 2)
      for fn: zs_fn in [{ L in LuaRuntime.eventIndex(L!) }, { L in LuaRuntime.eventMessage(L!) }] {
        let strings = PacketInStrings.all + LuaRuntime.eventStrings
        _ = lua_checkstack(L, Int32(strings.count) + 4)
        for s in strings { LuaStack(L).push(s) }
        lua_pushvalue(L, 1)
        lua_pushvalue(L, 2)
        zs_pushfn_up(L, fn, Int32(strings.count) + 2)
      }
      return 2
    }
  }

  private static func eventMessage(_ L: OpaquePointer) -> Int32 {
    lua_settop(L, 1)
    if pushMessage(L, of: 1) { return 1 }
    lua_pushnil(L)
    lua_rotate(L, -2, 1)
    return 2
  }

  private static func eventIndex(_ L: OpaquePointer) -> Int32 {
    lua_settop(L, 2)
    guard lua_type(L, 2) == LUA_TSTRING,
          let field = EventUp.lazy.first(where: { lua_rawequal(L, 2, $0.index) != 0 }) else { return 0 }
    switch field {
    case .msg:
      guard pushMessage(L, of: 1) else {
        // At the reader's line, as error(message, level) would put it.
        luaL_where(L, 1)
        lua_rotate(L, -2, 1)
        lua_concat(L, 2)
        return ZS_RAISE
      }
    case .datapath, .datapathId:
      lua_pushvalue(L, EventUp.datapaths.index)
      rawField(L, 1, .connId)
      lua_rawget(L, -2)
      if field == .datapathId && lua_type(L, -1) == LUA_TTABLE { rawField(L, -1, .datapathId) }
    default:
      rawField(L, 1, .frame)
      rawField(L, 1, .foff)
      let stack = LuaStack(L)
      let v = withFrame(stack, at: 3) { b -> Int? in
        if field == .version { return b.isEmpty ? nil : Int(b[0]) }
        return b.count < 8 ? nil : Int(UInt32(bigEndian: b.loadUnaligned(fromByteOffset: 4, as: UInt32.self)))
      }
      if let v = v ?? nil { lua_pushinteger(L, lua_Integer(v)) } else { lua_pushnil(L) }
    }
    if lua_type(L, -1) == LUA_TNIL { return 1 }
    lua_pushvalue(L, 2)
    lua_pushvalue(L, -2)
    lua_rawset(L, 1)
    return 1
  }

  /// Pushes t[key] for the table at `t`, read raw.
  private static func rawField(_ L: OpaquePointer, _ t: Int32, _ key: EventUp) {
    let t = lua_absindex(L, t)
    lua_pushvalue(L, key.index)
    lua_rawget(L, t)
  }

  /// Pushes the message of the event at `ev` (decoded from its frame), or
  /// why it cannot be read; true for the message.
  private static func pushMessage(_ L: OpaquePointer, of ev: Int32) -> Bool {
    let top = lua_gettop(L)
    rawField(L, ev, .frame)
    rawField(L, ev, .foff)
    lua_pushboolean(L, 1)  // decode_msg's `later`: the match on first read
    let n = decodeFrame(L, at: top + 1, into: nil)
    let m = top + 4
    guard lua_type(L, m) == LUA_TTABLE else {
      lua_copy(L, top + 3 + n, top + 1)
      lua_settop(L, top + 1)
      return false
    }
    rawField(L, ev, .type)
    let packetIn = lua_rawequal(L, -1, EventUp.packetIn.index) != 0
    lua_settop(L, -2)
    if packetIn {
      if n == 2 {
        lua_pushvalue(L, EventUp.mframe.index)
        lua_pushvalue(L, top + 1)
        lua_rawset(L, m)
        lua_pushvalue(L, EventUp.mfoff.index)
        lua_pushvalue(L, top + 2)
        lua_rawset(L, m)
      }
      lua_pushvalue(L, EventUp.packetInMeta.index)
      lua_setmetatable(L, m)
    }
    lua_copy(L, m, top + 1)
    lua_settop(L, top + 1)
    return true
  }
}
