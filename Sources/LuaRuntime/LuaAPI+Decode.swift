import CLua
import CShim
import OpenFlow

extension LuaRuntime {
  /// core.decode_into(t, frame) fills t with the message's fields;
  /// core.decode_packet(data) -> table of packet fields.
  static func registerDecode(_ L: OpaquePointer) {
    // PACKET_IN's keys and names ride along as upvalues (see PacketInStrings).
    let strings = PacketInStrings.all
    _ = lua_checkstack(L, Int32(strings.count) + 4)
    for s in strings { LuaStack(L).push(s) }
    zs_setfuncs_up(L, "decode_into", { L in
      let stack = LuaStack(L!)
      let fast = stack.withBytes(at: 2) { b in stack.setPacketInFields(b, into: 1, strings: zs_upvalueindex(2)) }
      if fast == true {
        lua_pushboolean(L, 1)
        return 1
      }
      let result: Result<OFMessage, OFCodecError>? = stack.withBytes(at: 2) { b in
        Result { () throws(OFCodecError) -> OFMessage in try OFCodec.decode(b) }
      }
      switch result {
      case .success(let m)?:
        stack.setFields(m.msg, into: 1)
        lua_pushboolean(L, 1)
        return 1
      case .failure(let e)?:
        return LuaRuntime.fail(L, "malformed message from the switch: \(e)")
      case nil:
        return LuaRuntime.fail(L, "no frame to decode")
      }
    }, Int32(strings.count))
    set(L, "decode_packet") { L in
      let rt = LuaRuntime.of(L)
      guard let v = LuaStack(L!).withBytes(at: 1, { PacketDecoder.decode($0) }) else { return 0 }
      LuaStack(L!).push(v)
      return 1
    }
  }
}
