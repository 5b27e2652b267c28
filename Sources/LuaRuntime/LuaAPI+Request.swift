import CLua
import CShim
import HostCore
import OpenFlow

extension LuaRuntime {
  /// core.request(conn, msg, task_id, stream) -> xid; core.cancel_request(conn, xid);
  /// core.reply_limit() -> bytes
  static func registerRequest(_ L: OpaquePointer) {
    set(L, "request") { L in
      let rt = LuaRuntime.of(L)
      let s = LuaStack(L!)
      guard let dp = rt.datapathArg(L, 1) else { return LuaRuntime.fail(L, "datapath is not connected") }
      guard let task = s.integer(at: 3) else { return LuaRuntime.fail(L, "request needs a task") }
      let stream = lua_toboolean(L, 4) != 0
      do {
        let m = try s.message(at: 2)
        let limit = rt.host.config.maxReplyBytes
        var parts: [[UInt8]] = []
        var held = 0
        var sent: UInt32 = 0
        let xid = try dp.request(m) { [weak rt, weak dp] frame, final in
          guard let rt else { return }
          guard let frame else { return rt.deliverReply(task: task, xid: sent, kind: "closed") }
          if stream || (final && parts.isEmpty) {
            rt.deliverReply(task: task, frame: frame, final: final)
            return
          }
          held += frame.count
          guard held <= limit else {
            // Too large to join: free what is held; the rest of it is dropped.
            parts = []
            if !final { dp?.cancelRequest(xid: sent) }
            return rt.deliverTooLarge(task: task, xid: sent, request: m.type, limit: limit)
          }
          parts.append(Array(frame))
          if final { rt.deliverJoined(task: task, parts: parts) }
        }
        sent = xid
        s.push(Int(xid))
        return 1
      } catch {
        return LuaRuntime.sendFailure(L, "zof.request", dp, error)
      }
    }
    set(L, "reply_limit") { L in
      LuaStack(L!).push(LuaRuntime.of(L).host.config.maxReplyBytes)
      return 1
    }
    set(L, "cancel_request") { L in
      let rt = LuaRuntime.of(L)
      if let dp = rt.host.datapath(connId: LuaStack(L!).integer(at: 1) ?? -1), let xid = LuaStack(L!).integer(at: 2) {
        dp.cancelRequest(xid: UInt32(truncatingIfNeeded: xid))
      }
      return 0
    }
  }

  /// A reply (or one part of a streamed reply) for a waiting task, decoded lazily in Lua.
  func deliverReply(task: Int, frame: UnsafeRawBufferPointer, final: Bool) {
    pushEntry(.reply)
    lua.push(task)
    lua.push(Int(OFHeader(frame)?.xid ?? 0))
    lua.push("frame")
    lua.push(OFCodec.typeName(frame))
    lua.push(frame)
    lua_pushboolean(lua.L, final ? 1 : 0)
    report(lua.call(nargs: 6, nresults: 0), "deliver reply")
    host.dispatcher.resumeReady()
  }

  /// The parts of a multipart reply, joined into one message by the codec.
  func deliverJoined(task: Int, parts: [[UInt8]]) {
    var messages: [OFMessage] = []
    for p in parts { if let m = try? OFCodec.decode(p) { messages.append(m) } }
    guard let first = messages.first else { return }
    let joined = (try? OFCodec.joinMultipart(messages)) ?? first
    pushEntry(.reply)
    lua.push(task)
    lua.push(Int(joined.xid))
    lua.push("value")
    lua.push(joined.type)
    lua.push(joined.msg)
    lua_pushboolean(lua.L, 1)
    report(lua.call(nargs: 6, nresults: 0), "deliver reply")
    host.dispatcher.resumeReady()
  }

  /// A joined reply that passed `limit` bytes: the request fails.
  func deliverTooLarge(task: Int, xid: UInt32, request: String, limit: Int) {
    pushEntry(.reply)
    lua.push(task)
    lua.push(Int(xid))
    lua.push("too_large")
    lua.push(request)
    lua.push(limit)
    report(lua.call(nargs: 5, nresults: 0), "deliver reply")
    host.dispatcher.resumeReady()
  }

  func deliverReply(task: Int, xid: UInt32, kind: String) {
    pushEntry(.reply)
    lua.push(task)
    lua.push(Int(xid))
    lua.push(kind)
    report(lua.call(nargs: 3, nresults: 0), "deliver reply")
  }
}
