import CLua
import CShim
import OpenFlow

/// Tables zofhost fills on first read, made whole before Swift reads one raw
/// (a message going out, the keep store), so the reader sees every field and
/// none of the private keys: a packet waiting for its upper layers, a
/// PACKET_IN message waiting for its fields past the head or its match, and a
/// reply's message not decoded yet. Through the codec: none of this is on the
/// hot path.
extension LuaStack {
  func finishLazy(at idx: Int32) {
    let t = lua_absindex(L, idx)
    // Each of them has a metatable; a plain table (most of a message going
    // out) is passed at the cost of one call.
    guard lua_getmetatable(L, t) != 0 else { return }
    lua_settop(L, -2)
    finishPartialPacket(at: t)
    let top = lua_gettop(L)
    defer { lua_settop(L, top) }
    // A reply's message: its frame under PrivateKey.frame, and a metatable saying
    // whether it is a PACKET_IN's (see the prelude's `lazy`).
    rawField(t, PrivateKey.frame)
    if lua_type(L, -1) == LUA_TSTRING, lua_getmetatable(L, t) != 0 {
      rawField(-1, "packet_in")
      let kind = lua_type(L, -1)
      let packetIn = lua_toboolean(L, -1) != 0
      lua_settop(L, top + 1)
      guard kind == LUA_TBOOLEAN else { return }
      let decoded = withBytes(at: top + 1) { b in try? OFCodec.decode(b) } ?? nil
      clear(t, PrivateKey.frame)
      if packetIn { zs_push_message_mt(L) } else { lua_pushnil(L) }
      lua_setmetatable(L, t)
      if let m = decoded?.msg { setFields(m, into: t) }
      return
    }
    lua_settop(L, top)
    // A PACKET_IN message whose match waits, or its fields past the head too.
    let rest = zs_lazy_message_rest(L, t) != 0
    guard rest || zs_lazy_message(L, t) != 0 else { return }
    if rest {
      zs_push_message_mt(L)
      lua_setmetatable(L, t)
    }
    guard LuaRuntime.pushEventFrame(L, of: t) else { return }
    let decoded = LuaRuntime.withFrame(self, at: top + 2) { b in try? OFCodec.decode(b) }??.msg
    lua_pushnil(L)
    lua_rawseti(L, t, EventSlot.messageEvent)
    // What the table holds stays: the head, which an app may have changed.
    for f in decoded?.fields ?? [] where rest || f.name == "match" {
      rawField(t, f.name)
      let absent = lua_type(L, -1) == LUA_TNIL
      lua_settop(L, -2)
      guard absent else { continue }
      push(f.name)
      push(f.value)
      lua_rawset(L, t)
    }
  }

  private func clear(_ t: Int32, _ key: String) {
    push(key)
    lua_pushnil(L)
    lua_rawset(L, t)
  }
}
