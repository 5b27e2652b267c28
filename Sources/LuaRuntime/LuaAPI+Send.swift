import CLua
import CShim
import HostCore
import OpenFlow

extension LuaRuntime {
  /// core.send(conn, msg) -> xid; core.compile(msg) -> id; core.send_template(conn, id) -> xid
  static func registerSend(_ L: OpaquePointer) {
    set(L, "send") { L in
      let rt = LuaRuntime.of(L)
      guard let dp = rt.datapathArg(L, 1) else { return LuaRuntime.fail(L, "datapath is not connected") }
      do {
        let m = try LuaStack(L!).message(at: 2)
        let xid = try dp.send(m)
        LuaStack(L!).push(Int(xid))
        return 1
      } catch {
        return LuaRuntime.sendFailure(L, "zof.send", dp, error)
      }
    }
    set(L, "compile") { L in
      let rt = LuaRuntime.of(L)
      do {
        let m = try LuaStack(L!).message(at: 1)
        rt.templates.append(Template(message: m))
        LuaStack(L!).push(rt.templates.count)
        return 1
      } catch {
        return LuaRuntime.fail(L, "zof.compile: \(error)")
      }
    }
    set(L, "send_template") { L in
      let rt = LuaRuntime.of(L)
      guard let dp = rt.datapathArg(L, 1) else { return LuaRuntime.fail(L, "datapath is not connected") }
      guard let id = LuaStack(L!).integer(at: 2), id >= 1, id <= rt.templates.count else {
        return LuaRuntime.fail(L, "not a compiled template")
      }
      do {
        let xid = try rt.sendTemplate(id - 1, to: dp)
        LuaStack(L!).push(Int(xid))
        return 1
      } catch {
        return LuaRuntime.fail(L, "template:send: cannot encode for OpenFlow \(OFVersion.name(dp.version)): \(error)")
      }
    }
  }

  func datapathArg(_ L: OpaquePointer?, _ idx: Int32) -> Datapath? {
    guard let conn = LuaStack(L!).integer(at: idx), let dp = host.datapath(connId: conn), dp.isOpen else { return nil }
    return dp
  }

  /// Encodes once per version, then only the xid changes per send.
  func sendTemplate(_ i: Int, to dp: Datapath) throws(OFCodecError) -> UInt32 {
    if templates[i].encoded[dp.version] == nil {
      var m = templates[i].message
      m.version = dp.version
      templates[i].encoded[dp.version] = try OFCodec.encode(m)
    }
    let xid = templates[i].message.xid != 0 ? templates[i].message.xid : dp.nextXid()
    var header = (UInt64(0))
    return withUnsafeMutableBytes(of: &header) { h in
      templates[i].encoded[dp.version]!.withUnsafeBytes { b in
        h.copyMemory(from: UnsafeRawBufferPointer(rebasing: b[0..<8]))
        h[4] = UInt8(truncatingIfNeeded: xid >> 24)
        h[5] = UInt8(truncatingIfNeeded: xid >> 16)
        h[6] = UInt8(truncatingIfNeeded: xid >> 8)
        h[7] = UInt8(truncatingIfNeeded: xid)
        dp.connection.write(UnsafeRawBufferPointer(h))
        dp.connection.write(UnsafeRawBufferPointer(rebasing: b[8...]))
      }
      return xid
    }
  }
}
