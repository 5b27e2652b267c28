import CLua
import CShim
import OpenFlow

extension LuaRuntime {
  /// core.ports(conn) -> list; core.close(conn); core.conn_ids() -> list in CHANNEL_UP order
  static func registerDatapath(_ L: OpaquePointer) {
    set(L, "ports") { L in
      let rt = LuaRuntime.of(L)
      guard let dp = rt.datapathArg(L, 1) else { return 0 }
      LuaStack(L!).push(OFValue.list(dp.ports))
      return 1
    }
    set(L, "close") { L in
      let rt = LuaRuntime.of(L)
      rt.datapathArg(L, 1)?.close(reason: "closed by an app")
      return 0
    }
    set(L, "conn_ids") { L in
      let rt = LuaRuntime.of(L)
      LuaStack(L!).push(OFValue.list(rt.host.datapaths.map { .uint(UInt64($0.connId)) }))
      return 1
    }
  }
}
