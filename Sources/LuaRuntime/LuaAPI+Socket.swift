import CLua
import CShim
import HostCore

/// A generation's sockets and listeners, by the ids its Lua knows them by.
/// Made on first use: a generation whose apps use no socket costs nothing.
final class LuaSockets {
  let net: AppNet
  var socks: [Int: AppSocket] = [:]
  var claims: [Int: ListenClaim] = [:]
  var lastID = 0

  init(host: Controller) { net = AppNet(host: host) }

  /// A generation that goes without its STOP (a reload that failed to load).
  deinit { closeAll() }

  /// Everything closed; listeners another generation claims go on, others
  /// linger for the next generation a moment (see AppListener).
  func closeAll() {
    for s in socks.values { s.close() }
    socks = [:]
    for c in claims.values { c.release(closeNow: false) }
    claims = [:]
    net.shutdown()
  }
}

extension LuaRuntime {
  var net: LuaSockets {
    if let s = sockets { return s }
    let s = LuaSockets(host: host)
    sockets = s
    return s
  }

  /// After STOP: the generation's sockets close (its listeners are handed on).
  func closeSockets() {
    sockets?.closeAll()
    sockets = nil
  }

  /// Sockets and listeners open (for leak checks).
  public var socketCount: Int { (sockets?.socks.count ?? 0) + (sockets?.claims.count ?? 0) }

  func adoptSocket(_ sock: AppSocket) -> Int {
    let n = net
    n.lastID += 1
    let id = n.lastID
    n.socks[id] = sock
    sock.onWake = { [weak self] side in
      guard let self else { return }
      self.pushEntry(.socket_wake)
      self.lua.push(id)
      self.lua.push(side.rawValue)
      self.report(self.lua.call(nargs: 2, nresults: 0), "socket wake")
      self.host.dispatcher.resumeReady()
    }
    return id
  }

  static func outcome(_ L: OpaquePointer?, _ o: AppSocket.Outcome) -> Int32 {
    switch o {
    case .done: LuaStack(L!).push("done")
    case .wait: LuaStack(L!).push("wait")
    case .failed(let why): return fail(L, why)
    }
    return 1
  }

  static func socket(_ L: OpaquePointer?) -> AppSocket? {
    guard let id = LuaStack(L!).integer(at: 1) else { return nil }
    return LuaRuntime.of(L).sockets?.socks[id]
  }

  /// core.sock_new(kind) -> id; core.sock_connect(id, host, port); core.sock_status(id);
  /// core.sock_send(id, data); core.sock_receive(id, mode, size | pattern, inclusive, max);
  /// core.sock_take(id); core.sock_sendto(id, data [, host, port]); core.sock_receivefrom(id);
  /// core.sock_unwait(id, side); core.sock_close(id); core.sock_peer(id); core.sock_name(id);
  /// core.sock_setoption(id, name, value); core.listen(kind, host, port) -> id, address, port;
  /// core.unlisten(id); core.listener_sendto(id, data, host, port).
  /// Waits are Lua's (socket.lua): "wait" answers, and entry.socket_wake(id, side)
  /// comes later (side 0: a receive's wait, 1: a connect's or a send's).
  static func registerSocket(_ L: OpaquePointer) {
    set(L, "sock_new") { L in
      let rt = LuaRuntime.of(L)
      let kind: AppSocket.Kind = LuaStack(L!).string(at: 1) == "udp" ? .udp : .tcp
      LuaStack(L!).push(rt.adoptSocket(rt.net.net.socket(kind)))
      return 1
    }
    set(L, "sock_connect") { L in
      guard let s = LuaRuntime.socket(L) else { return LuaRuntime.fail(L, "closed") }
      let st = LuaStack(L!)
      return LuaRuntime.outcome(L, s.connect(host: st.string(at: 2) ?? "", port: st.integer(at: 3) ?? 0))
    }
    set(L, "sock_status") { L in
      guard let s = LuaRuntime.socket(L) else { return LuaRuntime.fail(L, "closed") }
      return LuaRuntime.outcome(L, s.status())
    }
    set(L, "sock_send") { L in
      guard let s = LuaRuntime.socket(L) else { return LuaRuntime.fail(L, "closed") }
      return LuaRuntime.outcome(L, LuaStack(L!).withBytes(at: 2) { s.send($0) } ?? .failed("send needs a string"))
    }
    set(L, "sock_sendto") { L in
      guard let s = LuaRuntime.socket(L) else { return LuaRuntime.fail(L, "closed") }
      let st = LuaStack(L!)
      let to = st.string(at: 3).map { ($0, st.integer(at: 4) ?? 0) }
      return LuaRuntime.outcome(L, st.withBytes(at: 2) { s.sendDatagram($0, to: to) } ?? .failed("send needs a string"))
    }
    set(L, "sock_receive") { L in
      guard let s = LuaRuntime.socket(L) else { return LuaRuntime.fail(L, "closed") }
      let st = LuaStack(L!)
      let mode: AppSocket.ReceiveMode
      switch st.string(at: 2) {
      case "size": mode = .size(st.integer(at: 3) ?? 0)
      case "line": mode = .line
      case "all": mode = .all
      default:
        let pattern = st.withBytes(at: 3) { Array($0) } ?? []
        mode = .until(pattern, inclusive: lua_toboolean(L, 4) != 0, max: st.integer(at: 5))
      }
      // The data (or the partial data of a failure) goes straight from the socket's buffer.
      var got: UnsafeRawBufferPointer? = nil
      switch s.receive(mode, { bytes in
        st.push(bytes)
        got = bytes
      }) {
      case .data:
        return 1
      case .partEnd:
        lua_pushboolean(L, 1)
        return 1
      case .wait:
        lua_pushboolean(L, 0)
        return 1
      case .failed(let why):
        if got == nil { st.push("") }
        lua_pushnil(L)
        lua_rotate(L, -2, 1)
        st.push(why)
        lua_rotate(L, -2, 1)
        return 3
      }
    }
    set(L, "sock_take") { L in
      let bytes = LuaRuntime.socket(L)?.takeInput() ?? []
      bytes.withUnsafeBytes { LuaStack(L!).push($0) }
      return 1
    }
    set(L, "sock_receivefrom") { L in
      guard let s = LuaRuntime.socket(L) else { return LuaRuntime.fail(L, "closed") }
      let st = LuaStack(L!)
      switch s.receiveDatagram() {
      case .data(let bytes, let host, let port):
        bytes.withUnsafeBytes { st.push($0) }
        st.push(host)
        st.push(port)
        return 3
      case .failed(let why):
        return LuaRuntime.fail(L, why)
      case .wait:
        lua_pushboolean(L, 0)
        return 1
      }
    }
    set(L, "sock_unwait") { L in
      LuaRuntime.socket(L)?.stopWaiting(LuaStack(L!).integer(at: 2) == 1 ? .write : .read)
      return 0
    }
    set(L, "sock_close") { L in
      let rt = LuaRuntime.of(L)
      if let id = LuaStack(L!).integer(at: 1), let s = rt.sockets?.socks.removeValue(forKey: id) { s.close() }
      return 0
    }
    set(L, "sock_peer") { L in
      guard let s = LuaRuntime.socket(L), let (h, p) = s.peerName else { return LuaRuntime.fail(L, "not connected") }
      LuaStack(L!).push(h)
      LuaStack(L!).push(p)
      return 2
    }
    set(L, "sock_name") { L in
      guard let s = LuaRuntime.socket(L), let (h, p) = s.sockName else { return LuaRuntime.fail(L, "closed") }
      LuaStack(L!).push(h)
      LuaStack(L!).push(p)
      return 2
    }
    set(L, "sock_setoption") { L in
      guard let s = LuaRuntime.socket(L) else { return LuaRuntime.fail(L, "closed") }
      let st = LuaStack(L!)
      let value = st.integer(at: 3) ?? (lua_toboolean(L, 3) != 0 ? 1 : 0)
      return LuaRuntime.outcome(L, s.setOption(st.string(at: 2) ?? "", value))
    }
    set(L, "listen") { L in
      let rt = LuaRuntime.of(L)
      let st = LuaStack(L!)
      let kind: AppSocket.Kind = st.string(at: 1) == "udp" ? .udp : .tcp
      let n = rt.net
      n.lastID += 1
      let lid = n.lastID
      do {
        let claim = try n.net.listen(
          kind, host: st.string(at: 2) ?? "127.0.0.1", port: st.integer(at: 3) ?? 0, owner: rt,
          onAccept: { [weak rt] sock, host, port in
            guard let rt, rt.sockets?.claims[lid] != nil else { return sock.close() }
            let sid = rt.adoptSocket(sock)
            rt.pushEntry(.socket_accept)
            rt.lua.push(lid)
            rt.lua.push(sid)
            rt.lua.push(host)
            rt.lua.push(port)
            rt.report(rt.lua.call(nargs: 4, nresults: 0), "socket accept")
            rt.host.dispatcher.resumeReady()
          },
          onDatagram: { [weak rt] data, host, port in
            guard let rt else { return }
            rt.pushEntry(.socket_datagram)
            rt.lua.push(lid)
            data.withUnsafeBytes { rt.lua.push($0) }
            rt.lua.push(host)
            rt.lua.push(port)
            rt.report(rt.lua.call(nargs: 4, nresults: 0), "socket datagram")
            rt.host.dispatcher.resumeReady()
          })
        n.claims[lid] = claim
        st.push(lid)
        st.push(claim.address)
        st.push(claim.port)
        return 3
      } catch {
        return LuaRuntime.fail(L, "\(error)")
      }
    }
    set(L, "unlisten") { L in
      let rt = LuaRuntime.of(L)
      if let id = LuaStack(L!).integer(at: 1), let c = rt.sockets?.claims.removeValue(forKey: id) {
        c.release(closeNow: true)
      }
      return 0
    }
    set(L, "listener_sendto") { L in
      let rt = LuaRuntime.of(L)
      let st = LuaStack(L!)
      guard let id = st.integer(at: 1), let c = rt.sockets?.claims[id] else { return LuaRuntime.fail(L, "closed") }
      let host = st.string(at: 3) ?? "", port = st.integer(at: 4) ?? 0
      return LuaRuntime.outcome(L, st.withBytes(at: 2) { c.sendto($0, host: host, port: port) } ?? .failed("sendto needs a string"))
    }
  }
}
