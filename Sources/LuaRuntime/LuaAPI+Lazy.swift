import CLua
import CShim
import OpenFlow

/// An event made from a frame holds its type, connection, time and where its
/// frame is; its other fields are made on first read, and so are a PACKET_IN
/// message's `match` and `pkt`. Those reads are the tables' __index, written
/// here rather than in the prelude: a Lua __index took three Lua calls for
/// every first read of `ev.msg`.
extension LuaRuntime {
  /// Keys and values the lazy fields use, as upvalues after the
  /// PacketInStrings ones (LazyUp order).
  private static let lazyStrings = ["msg", "datapath", "datapath_id", "version", "xid", "type", "conn_id",
                                    "\0frame", "\0foff", "\0mframe", "\0mfoff", "PACKET_IN", "match", "pkt", "data"]
  private enum LazyUp: Int {
    case msg, datapath, datapathId, version, xid, type, connId, frame, foff, mframe, mfoff, packetIn, match, pkt, data
    /// Then the four tables given to core.lazy_fields, then PacketKey's names.
    case datapaths, packetInMeta, partialMeta, partialFrames, packetKeys

    /// The event fields made on first read.
    static let event: [LazyUp] = [.msg, .datapath, .datapathId, .version, .xid]

    var index: Int32 { zs_upvalueindex(Int32(2 + PacketInStrings.all.count + rawValue)) }
  }

  /// core.lazy_fields(datapaths, pkt_mt, partial_mt, partial_frames) ->
  /// event_index, message, pkt_index:
  /// - event_index(ev, k) is the events' __index: msg, datapath,
  ///   datapath_id, version and xid, each kept in the event once made. A
  ///   malformed frame raises at the line that read `msg`.
  /// - message(ev) -> the event's message, or nil and why (for filters, which
  ///   must not raise). A PACKET_IN's gets `pkt_mt` and keeps its frame under
  ///   two private keys until its match is read.
  /// - pkt_index(msg, k) is `pkt_mt`'s __index: the match, and the packet
  ///   decoded up to Ethernet, its upper layers waiting in `partial_frames`
  ///   behind `partial_mt` (see the prelude).
  static func registerLazy(_ L: OpaquePointer) {
    set(L, "lazy_fields") { L in
      let L = L!
      lua_settop(L, 4)
      let fns: [zs_fn] = [{ L in LuaRuntime.eventIndex(L!) }, { L in LuaRuntime.eventMessage(L!) },
                          { L in LuaRuntime.packetInIndex(L!) }]
      let count = PacketInStrings.all.count + LuaRuntime.lazyStrings.count + 4 + PacketKey.names.count
      precondition(count <= 254, "a C closure holds at most 255 upvalues, its function pointer one of them")
      for fn in fns {
        _ = lua_checkstack(L, Int32(count) + 4)
        for s in PacketInStrings.all + LuaRuntime.lazyStrings { LuaStack(L).push(s) }
        for i: Int32 in 1...4 { lua_pushvalue(L, i) }
        for s in PacketKey.names { LuaStack(L).push(s) }
        zs_pushfn_up(L, fn, Int32(count))
      }
      return 3
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
          let field = LazyUp.event.first(where: { lua_rawequal(L, 2, $0.index) != 0 }) else { return 0 }
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
      lua_pushvalue(L, LazyUp.datapaths.index)
      rawField(L, 1, .connId)
      lua_rawget(L, -2)
      if field == .datapathId && lua_type(L, -1) == LUA_TTABLE { rawField(L, -1, .datapathId) }
    default:
      rawField(L, 1, .frame)
      rawField(L, 1, .foff)
      let v = withFrame(LuaStack(L), at: 3) { b -> Int? in
        if field == .version { return b.isEmpty ? nil : Int(b[0]) }
        return b.count < 8 ? nil : Int(UInt32(bigEndian: b.loadUnaligned(fromByteOffset: 4, as: UInt32.self)))
      }
      if let v = v ?? nil { lua_pushinteger(L, lua_Integer(v)) } else { lua_pushnil(L) }
    }
    return keep(L)
  }

  private static func packetInIndex(_ L: OpaquePointer) -> Int32 {
    lua_settop(L, 2)
    guard lua_type(L, 2) == LUA_TSTRING else { return 0 }
    let stack = LuaStack(L)
    if lua_rawequal(L, 2, LazyUp.match.index) != 0 {
      rawField(L, 1, .mframe)
      guard lua_type(L, 3) == LUA_TSTRING else { return 0 }
      rawField(L, 1, .mfoff)
      let pushed = withFrame(stack, at: 3) { b -> Bool in
        guard let w = PacketInWire(b) else { return false }
        return stack.pushPacketInMatch(w, strings: zs_upvalueindex(2))
      }
      if pushed != true { lua_pushnil(L) }
      for key in [LazyUp.mframe, .mfoff] {
        lua_pushvalue(L, key.index)
        lua_pushnil(L)
        lua_rawset(L, 1)
      }
    } else if lua_rawequal(L, 2, LazyUp.pkt.index) != 0 {
      rawField(L, 1, .data)
      guard lua_type(L, 3) == LUA_TSTRING,
            let more = stack.withBytes(at: 3, { stack.pushPacketHead($0, keys: LazyUp.packetKeys.index) })
      else { return 0 }
      if more {
        lua_pushvalue(L, 4)
        lua_pushvalue(L, 3)
        lua_rawset(L, LazyUp.partialFrames.index)
        lua_pushvalue(L, LazyUp.partialMeta.index)
        lua_setmetatable(L, 4)
      }
    } else {
      return 0
    }
    return keep(L)
  }

  /// Keeps the value on top in the table read (argument 1) under the key read
  /// (argument 2), and returns it.
  private static func keep(_ L: OpaquePointer) -> Int32 {
    if lua_type(L, -1) == LUA_TNIL { return 1 }
    lua_pushvalue(L, 2)
    lua_pushvalue(L, -2)
    lua_rawset(L, 1)
    return 1
  }

  /// Pushes t[key] for the table at `t`, read raw.
  private static func rawField(_ L: OpaquePointer, _ t: Int32, _ key: LazyUp) {
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
    let packetIn = lua_rawequal(L, -1, LazyUp.packetIn.index) != 0
    lua_settop(L, -2)
    if packetIn {
      if n == 2 {
        lua_pushvalue(L, LazyUp.mframe.index)
        lua_pushvalue(L, top + 1)
        lua_rawset(L, m)
        lua_pushvalue(L, LazyUp.mfoff.index)
        lua_pushvalue(L, top + 2)
        lua_rawset(L, m)
      }
      lua_pushvalue(L, LazyUp.packetInMeta.index)
      lua_setmetatable(L, m)
    }
    lua_copy(L, m, top + 1)
    lua_settop(L, top + 1)
    return true
  }
}
