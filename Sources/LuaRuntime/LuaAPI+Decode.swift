import CLua
import CShim
import OpenFlow

extension LuaRuntime {
  /// core.decode_into(t, frame) fills t with the message's fields;
  /// core.decode_msg(frame [, at [, later]]) -> a new table of them, made at its final size
  /// (an event's message is made by the same code from Swift, see
  /// core.lazy_fields; this entry is what tests hold to the codec)
  /// (filling `{}` grows it four times on the way to a PACKET_IN's 8 keys);
  /// `later` true leaves a PACKET_IN's match out (core.lazy_fields reads it
  /// later), and then answers true as a second value;
  /// `at` (1-based) picks one message out of a string holding several;
  /// core.decode_packet(data) -> table of packet fields;
  /// core.decode_packet(data, 2, t) adds to t what a packet's first part
  /// (its Ethernet fields, see core.lazy_fields' pkt_index) left out.
  static func registerDecode(_ L: OpaquePointer) {
    // PACKET_IN's keys and names ride along as upvalues (see PacketInStrings).
    let strings = PacketInStrings.all
    _ = lua_checkstack(L, Int32(strings.count) + 4)
    for s in strings { LuaStack(L).push(s) }
    zs_setfuncs_up(L, "decode_into", { L in LuaRuntime.decodeFrame(L, at: 2, into: 1) }, Int32(strings.count))
    for s in strings { LuaStack(L).push(s) }
    zs_setfuncs_up(L, "decode_msg", { L in LuaRuntime.decodeFrame(L, at: 1, into: nil) }, Int32(strings.count))
    // core.set_partial(mt, frames, message_mt, message_rest_mt): see zs_set_partial.
    set(L, "set_partial") { L in
      lua_settop(L, 4)
      zs_set_partial(L)
      return 0
    }
    // The packet table's keys ride along too, in PacketKey order (see LuaStack+Packet).
    _ = lua_checkstack(L, Int32(PacketKey.names.count) + 4)
    for name in PacketKey.names { LuaStack(L).push(name) }
    zs_setfuncs_up(L, "decode_packet", { L in
      let stack = LuaStack(L!)
      let keys = zs_upvalueindex(2)
      switch stack.integer(at: 2) {
      case 2?:
        guard lua_type(L, 3) == LUA_TTABLE else { return 0 }
        _ = stack.withBytes(at: 1) { stack.setPacketRest($0, into: 3, keys: keys) }
        return 0
      default:
        return stack.withBytes(at: 1) { stack.pushPacket($0, keys: keys) } == nil ? 0 : 1
      }
    }, Int32(PacketKey.names.count))
  }

  /// Decodes the frame at `frame` into the table at `into`, or into a new
  /// table sized for the fields. PACKET_IN comes straight from the wire
  /// (OFPacketInView, LuaStack+PacketIn); other messages through OFCodec.
  static func decodeFrame(_ L: OpaquePointer?, at frame: Int32, into: Int32?) -> Int32 {
    let stack = LuaStack(L!)
    func done() -> Int32 {
      if into != nil { lua_pushboolean(L, 1) }
      return 1
    }
    // decode_msg's third argument: the match is read later, if at all.
    let later = into == nil && lua_toboolean(L, frame + 2) != 0
    var matchLeft = false
    let fast = withFrame(stack, at: frame) { b -> Bool in
      guard let w = OFPacketInView(b) else { return false }
      // 1.1's PACKET_IN has no match.
      matchLeft = later && w.version != OFVersion.v1_1
      // Room for `pkt`.
      if into == nil { lua_createtable(L, 0, Int32(truncatingIfNeeded: w.fieldCount) + Int32(roomFor("PACKET_IN"))) }
      stack.setPacketInFields(w, into: into ?? -1, strings: PacketInStrings.first, withoutMatch: matchLeft)
      return true
    }
    if fast == true {
      if matchLeft {
        lua_pushboolean(L, 1)
        return 2
      }
      return done()
    }
    let result: Result<OFMessage, OFCodecError>? = withFrame(stack, at: frame) { b in
      Result { () throws(OFCodecError) -> OFMessage in try OFCodec.decode(b) }
    }
    switch result {
    case .success(let m)?:
      if into == nil { lua_createtable(L, 0, Int32(clamping: (m.msg.fields?.count ?? 0) + roomFor(m.type))) }
      stack.setFields(m.msg, into: into ?? -1)
      return done()
    case .failure(let e)?:
      return LuaRuntime.fail(L, "malformed message from the switch: \(e)")
    case nil:
      return LuaRuntime.fail(L, "no frame to decode")
    }
  }

  /// Slots a new message table keeps free: PACKET_IN's `pkt` is set on its
  /// first read, and growing a full table rehashes it.
  static func roomFor(_ type: String) -> Int { type == "PACKET_IN" ? 1 : 0 }

  /// The string at `idx`, or with an offset at `idx + 1` (1-based; a batch
  /// of messages shares one string) the message starting there, as far as its
  /// length field says and the string goes.
  static func withFrame<R>(_ stack: LuaStack, at idx: Int32, _ body: (UnsafeRawBufferPointer) -> R) -> R? {
    let at = lua_type(stack.L, idx + 1) == LUA_TNUMBER ? stack.integer(at: idx + 1) : nil
    return stack.withBytes(at: idx) { all in
      guard let at else { return body(all) }
      let start = min(max(at - 1, 0), all.count)
      var end = all.count
      if end - start >= 4 { end = min(end, start + OFHeader.length(all, at: start)) }
      return body(UnsafeRawBufferPointer(rebasing: all[start..<end]))
    }
  }
}
