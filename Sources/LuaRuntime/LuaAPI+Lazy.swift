import CLua
import CShim
import OpenFlow

/// An event made from a frame holds in its array part the record of its
/// batch (its frames, connection, time and message type) and where its frame
/// starts (ZS_EV_*, ZS_REC_*); its fields are made from those on first read,
/// and so are a PACKET_IN message's `match` and `pkt`. Those reads are the
/// tables' __index, written here rather than in the prelude: a Lua __index
/// took three Lua calls for every first read of `ev.msg`.
/// The private key of a reply's message not decoded yet, which keeps its
/// frame (the prelude spells it too): a short string that starts with a NUL
/// byte, as no field an app names does.
enum PrivateKey {
  static let frame = "\0frame"
}

/// What an event made from a frame is made of: where its frame starts, in
/// its array part, and the rest in its batch's record.
enum EventSlot {
  case frame, offset, conn, time, type

  /// Pushes the slot's value of the event at `ev`.
  static func push(_ L: OpaquePointer, _ ev: Int32, _ slot: EventSlot) {
    let record: Int
    switch slot {
    case .offset:
      lua_rawgeti(L, ev, lua_Integer(ZS_EV_OFFSET))
      return
    case .frame: record = ZS_REC_FRAMES
    case .conn: record = ZS_REC_CONN
    case .time: record = ZS_REC_TIME
    case .type: record = ZS_REC_TYPE
    }
    lua_rawgeti(L, ev, lua_Integer(ZS_EV_BATCH))
    guard lua_type(L, -1) == LUA_TTABLE else {
      lua_settop(L, -2)
      lua_pushnil(L)
      return
    }
    lua_rawgeti(L, -1, lua_Integer(record))
    lua_copy(L, -1, -2)
    lua_settop(L, -2)
  }

  /// In a PACKET_IN message: its event, while its match waits.
  static let messageEvent = lua_Integer(ZS_MSG_EVENT)
}

extension LuaRuntime {
  /// Keys and values the lazy fields use, as upvalues after the
  /// PacketInStrings ones (LazyUp order).
  private static let lazyStrings = ["msg", "datapath", "datapath_id", "version", "xid", "conn_id", "time",
                                    "type", "PACKET_IN", "match", "pkt", "data"]
  enum LazyUp: Int {
    case msg, datapath, datapathId, version, xid, connId, time, type, packetIn, match, pkt, data
    /// Then the six tables given to core.lazy_fields, then PacketKey's names.
    case datapaths, packetInMeta, partialMeta, partialFrames, eventMeta, packetInRestMeta, packetKeys

    /// The event fields made on first read.
    static let event: [LazyUp] = [.msg, .datapath, .datapathId, .version, .xid, .connId, .time, .type]

    /// The upvalue's number, and its pseudo-index.
    var number: Int32 { PacketInStrings.upvalue(PacketInStrings.count + rawValue) }
    var index: Int32 { zs_upvalueindex(number) }
  }

  /// core.lazy_fields(datapaths, pkt_mt, partial_mt, partial_frames, ev_mt, pkt_rest_mt) ->
  /// event_index, message, pkt_index, table_match, pkt_newindex, new_event:
  /// - event_index(ev, k) is `ev_mt`'s __index: msg, datapath, datapath_id,
  ///   version, xid, conn_id, time and type, each kept in the event once made. A
  ///   malformed frame raises at the line that read `msg`.
  /// - message(ev) -> the event's message, or nil and why (for filters, which
  ///   must not raise). A PACKET_IN's starts with its head, behind
  ///   `pkt_rest_mt`, and keeps its event (EventSlot.messageEvent) until its
  ///   match is read; once its rest is read its metatable is `pkt_mt`.
  /// - pkt_index(msg, k) is the __index of both: the rest of the message on
  ///   the first read of a field of it, the match, and the packet decoded up
  ///   to Ethernet, its upper layers waiting in `partial_frames` behind
  ///   `partial_mt` (see the prelude).
  /// - table_match(f, ev) -> true, matched | false, why: the prelude's table
  ///   filter (each field of `f` against the message, then its packet, then
  ///   the event), or nothing when a table on the way has a metatable of the
  ///   app's own, whose metamethods only Lua may run.
  /// - pkt_newindex(msg, k, v) is `pkt_rest_mt`'s __newindex: the rest, then
  ///   the write.
  /// - new_event(record, frames, head [, at]) makes an event of `ev_mt`
  ///   (in C: see zs_push_event_maker).
  static func registerLazy(_ L: OpaquePointer) {
    set(L, "lazy_fields") { L in
      let L = L!
      lua_settop(L, 6)
      let fns: [zs_fn] = [{ L in LuaRuntime.eventIndex(L!) }, { L in LuaRuntime.eventMessage(L!) },
                          { L in LuaRuntime.packetInIndex(L!) }, { L in LuaRuntime.tableMatch(L!) },
                          { L in LuaRuntime.packetInNewIndex(L!) }]
      let count = PacketInStrings.all.count + LuaRuntime.lazyStrings.count + 6 + PacketKey.names.count
      precondition(count <= 254, "a C closure holds at most 255 upvalues, its function pointer one of them")
      var ups = zs_lazy_ups(event_mt: LazyUp.eventMeta.number, rest_mt: LazyUp.packetInRestMeta.number,
                            msg: LazyUp.msg.number,
                            buffer_id: PacketInStrings.upvalue(PacketInStrings.bufferId),
                            in_port: PacketInStrings.upvalue(PacketInStrings.inPort))
      zs_set_lazy(&ups, { L in LuaRuntime.eventMessageIndex(L!) }, { b, n, bufferId, inPort in
        LuaRuntime.readHead(b, n, bufferId!, inPort!)
      })
      func pushUpvalues() {
        _ = lua_checkstack(L, Int32(count) + 4)
        for s in PacketInStrings.all + LuaRuntime.lazyStrings { LuaStack(L).push(s) }
        for i: Int32 in 1...6 { lua_pushvalue(L, i) }
        for s in PacketKey.names { LuaStack(L).push(s) }
      }
      for (i, fn) in fns.enumerated() {
        pushUpvalues()
        if i == 0 {
          zs_push_event_index(L, fn, Int32(count))
        } else {
          zs_pushfn_up(L, fn, Int32(count))
        }
      }
      pushUpvalues()
      zs_push_event_maker(L, Int32(count))
      return 6
    }
    zs_set_interrupt(L)
  }

  /// zs_head_fn: the head of a PACKET_IN frame, for C to make the message of.
  private static func readHead(_ b: UnsafePointer<UInt8>?, _ n: Int, _ bufferId: UnsafeMutablePointer<zs_head_field>,
                               _ inPort: UnsafeMutablePointer<zs_head_field>) -> Int32 {
    guard let w = OFPacketInView(UnsafeRawBufferPointer(start: b, count: n)) else { return 0 }
    func put(_ v: HeadValue?, _ f: UnsafeMutablePointer<zs_head_field>) {
      switch v {
      case .number(let x)?: f.pointee = zs_head_field(value: Int64(bitPattern: x), name: 0)
      case .name(let k)?: f.pointee = zs_head_field(value: 0, name: PacketInStrings.upvalue(k))
      case nil: f.pointee = zs_head_field(value: 0, name: -1)
      }
    }
    put(HeadValue(bufferId: w.bufferId), bufferId)
    put(w.inPort.map(HeadValue.init), inPort)
    return 1
  }

  private static func eventMessage(_ L: OpaquePointer) -> Int32 {
    lua_settop(L, 1)
    if pushMessage(L, of: 1) { return 1 }
    lua_pushnil(L)
    lua_rotate(L, -2, 1)
    return 2
  }

  /// event_index's `msg` (see zs_push_event_index): the message, which C
  /// keeps in the event.
  private static func eventMessageIndex(_ L: OpaquePointer) -> Int32 {
    pushMessage(L, of: 1) ? 1 : raiseAtCaller(L)
  }

  private static func eventIndex(_ L: OpaquePointer) -> Int32 {
    lua_settop(L, 2)
    guard let field = eventField(L, 2) else { return 0 }
    guard pushEventField(L, 1, field) else { return raiseAtCaller(L) }
    return 1
  }

  private static func packetInIndex(_ L: OpaquePointer) -> Int32 {
    lua_settop(L, 2)
    if let field = packetInField(L, 2) {
      pushPacketInField(L, 1, field)
      return 1
    }
    switch lackedField(L, 2) {
    case .data?:
      pushData(L, 1)
      return 1
    case nil:
      return 0
    default:
      // A field past the head: the rest, if it waits.
      guard fillRest(L, 1) else { return 0 }
      lua_rawget(L, 1)
      return 1
    }
  }

  /// A write of a field the message lacks: the rest first, so the write is
  /// not undone by it.
  private static func packetInNewIndex(_ L: OpaquePointer) -> Int32 {
    lua_settop(L, 3)
    fillRest(L, 1)
    lua_rawset(L, 1)
    return 0
  }

  /// Whether the fields past the head of the PACKET_IN message at `msg`
  /// are still to come (its metatable says so).
  static func restWaits(_ L: OpaquePointer, _ msg: Int32) -> Bool {
    ownMeta(L, msg, .packetInRestMeta) == true
  }

  /// Whether the message at `msg` lacks `data` (read raw). Until its rest
  /// comes, a message lacks it only if it was never set: a write of a
  /// missing key brings the rest first.
  private static func lacksData(_ L: OpaquePointer, _ msg: Int32) -> Bool {
    rawField(L, msg, .data)
    defer { lua_settop(L, -2) }
    return lua_type(L, -1) == LUA_TNIL
  }

  /// Pushes `data` of the PACKET_IN message at `msg` (nil without one), set
  /// from its event's frame first if it still waits. The frame passed the
  /// whole check when the head was made, so finding where the data starts is
  /// enough.
  static func pushData(_ L: OpaquePointer, _ msg: Int32) {
    let s = LuaStack(L)
    let msg = lua_absindex(L, msg)
    s.balanced(pushing: 1) {
      let data = lua_gettop(L) + 1
      rawField(L, msg, .data)
      guard s.isNil(data), restWaits(L, msg) else { return }
      // The event, its frame and the frame's offset go once `data` is set.
      s.restoring(to: data) {
        guard pushEventFrame(L, of: msg) else { return }
        withFrame(s, at: data + 2) { b in
          guard let at = OFPacketInView.dataStart(in: b) else { return }
          s.push(UnsafeRawBufferPointer(rebasing: b[at...]))
          lua_copy(L, -1, data)
          s.setRawField(of: msg, keyAt: LazyUp.data.index)
        }
      }
    }
  }

  /// Sets the fields past the head of the PACKET_IN message at `msg`, from
  /// its event's frame, if they still wait, and `data` if it waits too; then
  /// its metatable is the one of messages whose match alone may wait. True
  /// if they waited.
  @discardableResult
  static func fillRest(_ L: OpaquePointer, _ msg: Int32) -> Bool {
    guard restWaits(L, msg) else { return false }
    let s = LuaStack(L)
    let msg = lua_absindex(L, msg)
    s.balanced {
      let data = lacksData(L, msg)
      // The event and its frame go once the fields are set.
      s.restoring {
        _ = withEventFrame(L, of: msg) { w in
          s.setPacketInFields(w, into: msg, strings: PacketInStrings.first, withoutMatch: true, part: .rest)
          if data { s.setPacketInFields(w, into: msg, strings: PacketInStrings.first, part: .data) }
        }
      }
      setMeta(L, of: msg, .packetInMeta)
    }
    return true
  }

  /// Runs `body` on the checked frame of the event the PACKET_IN message at
  /// `msg` keeps (nil without one). Leaves the event, its frame and offset on
  /// the stack, under what `body` pushes.
  private static func withEventFrame<R>(_ L: OpaquePointer, of msg: Int32, _ body: (OFPacketInView) -> R) -> R? {
    let top = lua_gettop(L)
    guard pushEventFrame(L, of: msg) else { return nil }
    return withFrame(LuaStack(L), at: top + 2) { b in OFPacketInView(b).map(body) } ?? nil
  }

  /// Pushes the event the PACKET_IN message at `msg` keeps, its frame and
  /// the frame's offset; false (the event pushed alone) without one.
  static func pushEventFrame(_ L: OpaquePointer, of msg: Int32) -> Bool {
    let ev = lua_gettop(L) + 1
    lua_rawgeti(L, msg, EventSlot.messageEvent)
    guard lua_type(L, ev) == LUA_TTABLE else { return false }
    EventSlot.push(L, ev, .frame)
    EventSlot.push(L, ev, .offset)
    return true
  }

  /// Which PACKET_IN field the head lacks the key at `k` names: `data`, or
  /// one past the head (nil for any other key). By its bytes: a filter asks
  /// this of every key the head lacks (eth_type...), and comparing with
  /// upvalues cost more than reading the key once.
  static func lackedField(_ L: OpaquePointer, _ k: Int32) -> PacketInPart? {
    guard lua_type(L, k) == LUA_TSTRING else { return nil }
    var len = 0
    guard let p = zs_tolstring(L, k, &len) else { return nil }
    let key = UnsafeRawBufferPointer(start: p, count: len)
    func named(_ s: StaticString) -> Bool {
      s.utf8CodeUnitCount == len && key.elementsEqual(UnsafeRawBufferPointer(start: s.utf8Start, count: len))
    }
    if named("data") { return .data }
    return PacketInPart.restKeys.contains(where: named) ? .rest : nil
  }

  /// The lazy event field the key at `k` names.
  static func eventField(_ L: OpaquePointer, _ k: Int32) -> LazyUp? {
    guard lua_type(L, k) == LUA_TSTRING else { return nil }
    return LazyUp.event.first { lua_rawequal(L, k, $0.index) != 0 }
  }

  /// The lazy PACKET_IN message field (match or pkt) the key at `k` names.
  static func packetInField(_ L: OpaquePointer, _ k: Int32) -> LazyUp? {
    guard lua_type(L, k) == LUA_TSTRING else { return nil }
    if lua_rawequal(L, k, LazyUp.match.index) != 0 { return .match }
    return lua_rawequal(L, k, LazyUp.pkt.index) != 0 ? .pkt : nil
  }

  /// Pushes the event field `field` of the event at `ev`, made now and kept
  /// in the event; false with why on top when its frame is malformed.
  static func pushEventField(_ L: OpaquePointer, _ ev: Int32, _ field: LazyUp) -> Bool {
    let ev = lua_absindex(L, ev)
    let top = lua_gettop(L)
    switch field {
    case .msg:
      guard pushMessage(L, of: ev) else { return false }
    case .datapath, .datapathId:
      lua_pushvalue(L, LazyUp.datapaths.index)
      EventSlot.push(L, ev, .conn)
      lua_rawget(L, -2)
      if field == .datapathId && lua_type(L, -1) == LUA_TTABLE { rawField(L, -1, .datapathId) }
    case .connId:
      EventSlot.push(L, ev, .conn)
    case .time:
      EventSlot.push(L, ev, .time)
    case .type:
      EventSlot.push(L, ev, .type)
    default:
      EventSlot.push(L, ev, .frame)
      EventSlot.push(L, ev, .offset)
      let v = withFrame(LuaStack(L), at: top + 1) { b -> Int? in
        field == .version ? b.first.map(Int.init) : OFHeader(b).map { Int($0.xid) }
      }
      if let v = v ?? nil { lua_pushinteger(L, lua_Integer(v)) } else { lua_pushnil(L) }
    }
    keep(L, in: ev, field, top: top)
    return true
  }

  /// Pushes the PACKET_IN message field `field` (match or pkt) of the message
  /// at `msg`, made now and kept in the message (nil when it has none).
  static func pushPacketInField(_ L: OpaquePointer, _ msg: Int32, _ field: LazyUp) {
    let msg = lua_absindex(L, msg)
    let top = lua_gettop(L)
    let stack = LuaStack(L)
    if field == .match {
      // The match lets the event go, and the rest needs it.
      fillRest(L, msg)
      let pushed = withEventFrame(L, of: msg) { w in stack.pushPacketInMatch(w, strings: PacketInStrings.first) }
      if pushed != true { lua_pushnil(L) }
      // The event is let go.
      lua_pushnil(L)
      lua_rawseti(L, msg, EventSlot.messageEvent)
    } else {
      // The packet is decoded from `data`, which may wait too.
      pushData(L, msg)
      guard lua_type(L, top + 1) == LUA_TSTRING,
            let more = stack.withBytes(at: top + 1, { stack.pushPacketHead($0, keys: LazyUp.packetKeys.index) })
      else {
        lua_pushnil(L)
        return keep(L, in: msg, field, top: top)
      }
      if more {
        lua_pushvalue(L, -1)
        lua_pushvalue(L, top + 1)
        lua_rawset(L, LazyUp.partialFrames.index)
        lua_pushvalue(L, LazyUp.partialMeta.index)
        lua_setmetatable(L, -2)
      }
    }
    keep(L, in: msg, field, top: top)
  }

  /// Whether the table at `t` has zofhost's metatable `own` (true) or none
  /// (false); nil for any other.
  static func ownMeta(_ L: OpaquePointer, _ t: Int32, _ own: LazyUp) -> Bool? {
    guard lua_getmetatable(L, t) != 0 else { return false }
    let same = lua_rawequal(L, -1, own.index) != 0
    lua_settop(L, -2)
    return same ? true : nil
  }

  /// Leaves only the value on top above `top`, kept in the table at `t`
  /// under `field`'s key unless nil.
  private static func keep(_ L: OpaquePointer, in t: Int32, _ field: LazyUp, top: Int32) {
    lua_copy(L, -1, top + 1)
    lua_settop(L, top + 1)
    guard lua_type(L, -1) != LUA_TNIL else { return }
    lua_pushvalue(L, field.index)
    lua_pushvalue(L, -2)
    lua_rawset(L, t)
  }

  /// Pushes t[key] for the table at `t`, read raw.
  static func rawField(_ L: OpaquePointer, _ t: Int32, _ key: LazyUp) {
    let t = lua_absindex(L, t)
    lua_pushvalue(L, key.index)
    lua_rawget(L, t)
  }

  /// Gives the table at `t` zofhost's metatable `meta`.
  static func setMeta(_ L: OpaquePointer, of t: Int32, _ meta: LazyUp) {
    lua_pushvalue(L, meta.index)
    lua_setmetatable(L, t)
  }

  /// Pushes the message of the event at `ev` (decoded from its frame), or
  /// why it cannot be read; true for the message.
  private static func pushMessage(_ L: OpaquePointer, of ev: Int32) -> Bool {
    // A PACKET_IN's head (the rest waits with the event), as new_event makes it.
    if zs_push_packet_in_head(L, ev) != 0 { return true }
    let top = lua_gettop(L)
    EventSlot.push(L, ev, .frame)
    EventSlot.push(L, ev, .offset)
    _ = decodeFrame(L, at: top + 1, into: nil)
    let m = top + 3
    guard lua_type(L, m) == LUA_TTABLE else {
      lua_copy(L, -1, top + 1)
      lua_settop(L, top + 1)
      return false
    }
    // Any other message, or a PACKET_IN the codec decoded whole: only its
    // packet may wait.
    EventSlot.push(L, ev, .type)
    let packetIn = lua_rawequal(L, -1, LazyUp.packetIn.index) != 0
    lua_settop(L, -2)
    if packetIn {
      lua_pushvalue(L, LazyUp.packetInMeta.index)
      lua_setmetatable(L, m)
    }
    lua_copy(L, m, top + 1)
    lua_settop(L, top + 1)
    return true
  }
}
