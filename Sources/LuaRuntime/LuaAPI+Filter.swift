import CLua
import CShim

/// core.lazy_fields' table_match(f, ev): the prelude's table filter in
/// Swift. Each field of `f` is looked up in the message, then its packet,
/// then the event, made on the way as a handler's read would make it.
extension LuaRuntime {
  /// Where table_match keeps things: its two arguments, the message and its
  /// packet (nil until a key needs it), then for each key of the filter the
  /// key, the filter's value and the value found for it.
  private enum Slot {
    static let filter: Int32 = 1, ev: Int32 = 2, msg: Int32 = 3, pkt: Int32 = 4
    static let key: Int32 = 5, want: Int32 = 6, got: Int32 = 7
  }

  /// What the filter knows of the message: whether it is a table, whether
  /// fields may still come into it (it has one of zofhost's metatables), and
  /// whether the fields past its head still wait.
  private struct FilterMessage {
    var isTable = false, lazy = false, restWaits = false
  }

  /// How a step of the filter ended: done, as it says; Lua must decide (a
  /// metatable of the app's own on the way); or a frame could not be read,
  /// why on top.
  private enum FilterStep<T> {
    case done(T), luaDecides, failed
  }

  /// true, matched | false, why; nothing when Lua must decide.
  static func tableMatch(_ L: OpaquePointer) -> Int32 {
    let s = LuaStack(L)
    lua_settop(L, Slot.ev)
    guard s.isTable(Slot.filter), s.isTable(Slot.ev) else { return 0 }
    // Only metatables of zofhost's own: an app's may do anything on a read.
    guard let evLazy = ownMeta(L, Slot.ev, .eventMeta) else { return 0 }
    let m: FilterMessage
    switch pushFilterMessage(L, evLazy: evLazy) {
    case .done(let found): m = found
    case .luaDecides: return 0
    case .failed: return filterFailed(L)
    }
    lua_pushnil(L)  // the packet, once needed
    lua_pushnil(L)  // before the first key
    while lua_next(L, Slot.filter) != 0 {
      switch pushFilterValue(L, m, evLazy: evLazy) {
      case .done: break
      case .luaDecides: return 0
      case .failed: return filterFailed(L)
      }
      // `~=` may run an __eq of the app's tables: Lua decides those.
      if s.mayCompareByMetamethod(Slot.want) || s.mayCompareByMetamethod(Slot.got) { return 0 }
      if lua_rawequal(L, Slot.want, Slot.got) == 0 { return filterAnswer(L, matched: false) }
      lua_settop(L, Slot.key)
    }
    return filterAnswer(L, matched: true)
  }

  @inline(__always)
  private static func filterAnswer(_ L: OpaquePointer, matched: Bool) -> Int32 {
    lua_pushboolean(L, 1)
    lua_pushboolean(L, matched ? 1 : 0)
    return 2
  }

  /// false and why (on top): the filter read a frame that is malformed.
  @inline(__always)
  private static func filterFailed(_ L: OpaquePointer) -> Int32 {
    lua_pushboolean(L, 0)
    lua_rotate(L, -2, 1)
    return 2
  }

  /// Pushes the event's message, at Slot.msg (nil without one), made now if
  /// it waits.
  @inline(__always)
  private static func pushFilterMessage(_ L: OpaquePointer, evLazy: Bool) -> FilterStep<FilterMessage> {
    let s = LuaStack(L)
    rawField(L, Slot.ev, .msg)
    if s.isNil(Slot.msg) && evLazy {
      lua_settop(L, Slot.ev)
      guard pushEventField(L, Slot.ev, .msg) else { return .failed }
    }
    var m = FilterMessage(isTable: s.isTable(Slot.msg))
    guard m.isTable || s.isNil(Slot.msg) else { return .luaDecides }
    // A message whose rest waits holds its head only: a key no rest field
    // has is not in it, and needs no filling in to say so.
    if m.isTable && lua_getmetatable(L, Slot.msg) != 0 {
      m.restWaits = lua_rawequal(L, -1, LazyUp.packetInRestMeta.index) != 0
      m.lazy = m.restWaits || lua_rawequal(L, -1, LazyUp.packetInMeta.index) != 0
      lua_settop(L, Slot.msg)
      // An app's own metatable.
      guard m.lazy else { return .luaDecides }
    }
    return .done(m)
  }

  /// Pushes, at Slot.got, the value of the filter's key (at Slot.key): the
  /// message's field, else its packet's, else the event's; nil if none has
  /// it. The stack is Slot.want high on the way in.
  @inline(__always)
  private static func pushFilterValue(_ L: OpaquePointer, _ m: FilterMessage, evLazy: Bool) -> FilterStep<Void> {
    let s = LuaStack(L)
    if m.isTable {
      pushMessageField(L, m)
      if s.isNil(Slot.got) {
        lua_settop(L, Slot.want)
        guard pushPacketField(L, m) else { return .luaDecides }
      }
      guard s.isNil(Slot.got) else { return .done(()) }
      lua_settop(L, Slot.want)
    }
    return pushEventValue(L, evLazy: evLazy) ? .done(()) : .failed
  }

  /// Pushes the message's field the key names: as the message has it, else
  /// made now if it is one still to come (nil if neither).
  @inline(__always)
  private static func pushMessageField(_ L: OpaquePointer, _ m: FilterMessage) {
    let s = LuaStack(L)
    s.balanced(pushing: 1) {
      s.pushRawField(of: Slot.msg, keyAt: Slot.key)
      guard m.lazy, s.isNil(Slot.got) else { return }
      lua_settop(L, Slot.want)
      if let field = packetInField(L, Slot.key) {
        pushPacketInField(L, Slot.msg, field)
      } else if m.restWaits, let lacked = lackedField(L, Slot.key) {
        if lacked == .data {
          pushData(L, Slot.msg)
        } else {
          fillRest(L, Slot.msg)
          s.pushRawField(of: Slot.msg, keyAt: Slot.key)
        }
      } else {
        lua_pushnil(L)
      }
    }
  }

  /// Pushes the field the key names of the message's packet (nil without a
  /// packet), the packet or its upper layers made first if they wait; false
  /// when the packet is not zofhost's to read (Lua decides).
  @inline(__always)
  private static func pushPacketField(_ L: OpaquePointer, _ m: FilterMessage) -> Bool {
    let s = LuaStack(L)
    return s.balancedIfDone(pushing: 1) {
      if s.isNil(Slot.pkt) {
        // Once per filter: the packet, made now if it waits, to its slot.
        rawField(L, Slot.msg, .pkt)
        if s.isNil(-1) && m.lazy {
          lua_settop(L, Slot.want)
          pushPacketInField(L, Slot.msg, .pkt)
        }
        lua_copy(L, -1, Slot.pkt)
        lua_settop(L, Slot.want)
      }
      if s.isTable(Slot.pkt) {
        s.pushRawField(of: Slot.pkt, keyAt: Slot.key)
        if s.isNil(-1) && lua_getmetatable(L, Slot.pkt) != 0 {
          // Only a packet whose upper layers wait: any other metatable is the app's.
          guard lua_rawequal(L, -1, LazyUp.partialMeta.index) != 0 else { return false }
          lua_settop(L, Slot.want)
          s.finishPartialPacket(at: Slot.pkt)
          s.pushRawField(of: Slot.pkt, keyAt: Slot.key)
        }
        return true
      }
      guard s.isNil(Slot.pkt) else { return false }
      lua_pushnil(L)
      return true
    }
  }

  /// Pushes the event's field the key names, made now if it is one still to
  /// come; false with why instead when its frame is malformed.
  @inline(__always)
  private static func pushEventValue(_ L: OpaquePointer, evLazy: Bool) -> Bool {
    let s = LuaStack(L)
    return s.balanced(pushing: 1) {
      s.pushRawField(of: Slot.ev, keyAt: Slot.key)
      guard s.isNil(-1), evLazy, let field = eventField(L, Slot.key) else { return true }
      lua_settop(L, Slot.want)
      return pushEventField(L, Slot.ev, field)
    }
  }
}
