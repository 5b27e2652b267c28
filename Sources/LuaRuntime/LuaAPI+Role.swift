import CLua
import CShim
import HostCore
import OpenFlow

extension LuaRuntime {
  /// core.role(conn) -> role, generation_id | nil;
  /// core.role_request(conn, role, generation_id | nil) -> message table
  static func registerRole(_ L: OpaquePointer) {
    set(L, "role") { L in
      let rt = LuaRuntime.of(L)
      guard let dp = rt.host.datapath(connId: LuaStack(L!).integer(at: 1) ?? -1) else { return 0 }
      LuaStack(L!).push(dp.role)
      if let g = dp.generationId { LuaStack(L!).push(OFValue.uint(g)) } else { lua_pushnil(L) }
      return 2
    }
    set(L, "role_request") { L in
      let rt = LuaRuntime.of(L)
      let s = LuaStack(L!)
      guard let dp = rt.datapathArg(L, 1) else { return LuaRuntime.fail(L, "dp:set_role: datapath is not connected") }
      guard let role = s.string(at: 2)?.uppercased() else {
        return LuaRuntime.fail(L, "dp:set_role: role must be \"EQUAL\", \"MASTER\" or \"SLAVE\"")
      }
      var gen: UInt64?
      if lua_type(L, 3) != LUA_TNIL {
        guard let g = s.integer(at: 3) else { return LuaRuntime.fail(L, "dp:set_role: generation_id must be an integer") }
        gen = UInt64(bitPattern: Int64(g))
      }
      do {
        let m = try dp.roleRequest(role, generationId: gen)
        s.push(OFValue.table([OFField("type", .string(m.type)), OFField("msg", m.msg)]))
        return 1
      } catch {
        return LuaRuntime.fail(L, "dp:set_role: \(error)")
      }
    }
  }
}
