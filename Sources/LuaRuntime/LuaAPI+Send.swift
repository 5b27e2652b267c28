import CLua
import CShim
import HostCore
import OpenFlow

extension LuaRuntime {
  /// core.send(conn, msg) -> xid; core.compile(msg) -> id; core.template_method(cur, slow) -> template:send
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
        // template:send's Lua way names itself.
        return LuaRuntime.sendFailure(L, LuaStack(L!).string(at: 3) ?? "zof.send", dp, error)
      }
    }
    set(L, "compile") { L in
      let rt = LuaRuntime.of(L)
      do {
        let m = try LuaStack(L!).message(at: 1)
        var t = Template(message: m)
        for slot in t.slots {
          LuaStack(L!).push(slot)
          t.slotKeys[slot] = zs_ref(L)
        }
        rt.templates.append(t)
        LuaStack(L!).push(rt.templates.count)
        return 1
      } catch {
        return LuaRuntime.fail(L, "zof.compile: \(error)")
      }
    }
    // core.template_method(cur, slow) -> template:send (see zs_push_template_send).
    set(L, "template_method") { L in
      lua_settop(L, 2)
      zs_push_template_send(L) { L in LuaRuntime.with(L) { $0.sendTemplateMethod(L!) } }
      return 1
    }
  }

  func datapathArg(_ L: OpaquePointer?, _ idx: Int32) -> Datapath? {
    guard let conn = LuaStack(L!).integer(at: idx) else { return nil }
    return datapath(conn: conn)
  }

  /// The open datapath of connection `conn`.
  func datapath(conn: Int) -> Datapath? {
    // A batch sends to one switch over and over: its datapath is remembered.
    if let dp = lastDatapath, dp.connId == conn, dp.isOpen { return dp }
    guard let dp = host.datapath(connId: conn), dp.isOpen else { return nil }
    lastDatapath = dp
    return dp
  }

  /// template:send(args [, dp]) the fast way: the xid pushed and 1; ZS_RAISE
  /// with the error at the app's line; or 0 to leave the send to the Lua way,
  /// which fills the message in and encodes it (a template that is not
  /// patchable, an argument that does not fit, a datapath argument that is not
  /// a table).
  func sendTemplateMethod(_ L: OpaquePointer) -> Int32 {
    let s = LuaStack(L)
    func raise(_ message: String) -> Int32 {
      s.push(message)
      return LuaRuntime.raiseAtCaller(L)
    }
    switch lua_type(L, 3) {
    case LUA_TTABLE: s.rawField(3, named: "conn_id")
    case LUA_TNIL: lua_rawgeti(L, zs_upvalueindex(2), 1)
    default: return 0
    }
    guard let conn = s.integer(at: -1) else {
      return lua_type(L, 3) == LUA_TNIL ? raise("template:send: no datapath here; use dp:send(...) or pass a datapath") : 0
    }
    guard let dp = datapath(conn: conn) else { return raise("datapath is not connected") }
    if lua_type(L, 1) == LUA_TTABLE {
      lua_pushvalue(L, zs_upvalueindex(4))  // "id"
      lua_rawget(L, 1)
    }
    guard let id = s.integer(at: -1), id >= 1, id <= templates.count else { return raise("not a compiled template") }
    lua_settop(L, 3)
    do {
      guard let xid = try sendTemplate(id - 1, to: dp, stack: s, args: 2) else { return 0 }
      if xid == 0 { return raise(LuaRuntime.sendFailureText("template:send", dp, dp.outputFull())) }
      s.push(Int(xid))
      return 1
    } catch {
      return raise(LuaRuntime.sendFailureText("template:send", dp, error))
    }
  }

  /// Sends template `i` with the xid and slot values patched into its bytes,
  /// which are written straight into the datapath's output (reserveOutput).
  /// Returns nil when it must take the slow path (not patchable, or an
  /// argument at stack index `args` is not a number that fits): then nothing
  /// was sent. 0 (no xid) when the send was refused (the output is full).
  func sendTemplate(_ i: Int, to dp: Datapath, stack s: LuaStack, args: Int32) throws -> UInt32? {
    let v = Int(dp.version)
    guard let found = try templates[i].patchablePlan(v) else { return nil }
    // The template holds its plan for as long as the state lives.
    return try found._withUnsafeGuaranteedRef { try sendPlan($0, i, v, to: dp, stack: s, args: args) }
  }

  private func sendPlan(_ plan: Template.Plan, _ i: Int, _ v: Int, to dp: Datapath, stack s: LuaStack, args: Int32) throws(RoleRefusal) -> UInt32? {
    let L = s.L
    let base = lua_gettop(L)
    // (The tail's string stays on the stack, so its bytes stay put, until the write.)
    defer { lua_settop(L, base) }
    let spots = plan.spots, keys = plan.keys, values = plan.values
    // Every slot's value first: one that does not fit sends nothing.
    var tail = UnsafeRawBufferPointer(start: nil, count: 0)
    if !spots.isEmpty || plan.hasTail {
      guard lua_type(L, args) == LUA_TTABLE else { return nil }
      let t = lua_absindex(L, args)
      for k in 0..<spots.count {
        let p = spots[k]
        zs_getref(L, keys[k])
        lua_rawget(L, t)
        var value: UInt64?
        if p.mac {
          value = s.withBytes(at: -1, Template.macValue) ?? nil
        } else if let n = s.integer(at: -1) {
          value = n >= 0 ? UInt64(n) : nil
        } else if lua_type(L, -1) == LUA_TSTRING {
          value = namedValue(i, v, k, plan.patches[k], s, plan)
        }
        s.pop()
        guard let value, Template.fits(value, p) else { return nil }
        values[k] = value
      }
      if plan.hasTail {
        zs_getref(L, plan.tailKey)
        lua_rawget(L, t)
        var n = 0
        guard let p = zs_tolstring(L, -1, &n) else { return nil }
        tail = UnsafeRawBufferPointer(start: p, count: n)
      }
    }
    let bytes = plan.bytes
    let head = bytes.count, count = head + tail.count
    guard count <= 0xffff else { return nil }
    let xid = plan.xid != 0 ? plan.xid : dp.nextXid()
    guard let out = try dp.reserveOutput(count: count, type: bytes[1]) else { return dp.refuses(count: count) ? 0 : xid }
    out.copyMemory(from: UnsafeRawBufferPointer(bytes))
    for k in 0..<spots.count { Template.patch(out, spots[k], values[k]) }
    if plan.hasTail {
      UnsafeMutableRawBufferPointer(rebasing: out[head...]).copyMemory(from: tail)
      out[2] = UInt8(truncatingIfNeeded: count >> 8)
      out[3] = UInt8(truncatingIfNeeded: count)
    }
    out.storeBytes(of: xid.bigEndian, toByteOffset: 4, as: UInt32.self)
    return xid
  }

  /// The number the name at the top of the stack encodes to in patch `k`:
  /// from the plan's byte-level cache, else found once by encoding.
  private func namedValue(_ i: Int, _ v: Int, _ k: Int, _ p: Template.Patch, _ s: LuaStack, _ plan: Template.Plan) -> UInt64? {
    let hit = s.withBytes(at: -1) { b in plan.names[k].first { $0.name.elementsEqual(b) }?.value } ?? nil
    if let hit { return hit }
    guard let name = s.string(at: -1), let value = templates[i].value(ofName: name, for: p, version: UInt8(v), tail: plan.tail)
    else { return nil }
    templates[i].remember(name, value, patch: k, version: v)
    return value
  }
}
