import CLua
import CShim
import OpenFlow

/// The runtime's own Lua: one file per area in `lua/`, compiled into the
/// binary (SwiftPM's embedInCode), run in this order. Each runs as a chunk
/// named after its file (a traceback says `dispatch.lua:42`), with `core`
/// (the Swift and C functions) and `R` (what the areas share) as arguments;
/// a file may use what the files before it put in R (see zof.lua).
enum Prelude {
  static let files: [(name: String, code: [UInt8])] = [
    ("zof.lua", PackageResources.zof_lua),
    ("datapath.lua", PackageResources.datapath_lua),
    ("events.lua", PackageResources.events_lua),
    ("apps.lua", PackageResources.apps_lua),
    ("log.lua", PackageResources.log_lua),
    ("post.lua", PackageResources.post_lua),
    ("tasks.lua", PackageResources.tasks_lua),
    ("socket.lua", PackageResources.socket_lua),
    ("dispatch.lua", PackageResources.dispatch_lua),
    ("send.lua", PackageResources.send_lua),
    ("keep.lua", PackageResources.keep_lua),
    ("sandbox.lua", PackageResources.sandbox_lua),
    ("report.lua", PackageResources.report_lua),
    ("bus.lua", PackageResources.bus_lua),
  ]
}

extension LuaRuntime {
  /// Builds the `core` table of Swift functions, runs the runtime's Lua
  /// files with it, and keeps their entry points.
  func installPrelude() throws {
    let L = lua.L
    zs_newtable(L)
    let core = lua_gettop(L)
    Self.registerLog(L)
    Self.registerSend(L)
    Self.registerDecode(L)
    Self.registerLazy(L)
    Self.registerDatapath(L)
    Self.registerRole(L)
    Self.registerTimers(L)
    Self.registerPost(L)
    Self.registerRequest(L)
    Self.registerSocket(L)
    Self.registerBus(L)
    Self.registerBudget(L)
    zs_set_slots(L)
    zs_set_mem_fns(L)
    lua.push("files")
    lua.push(OFValue.list(Prelude.files.map { .string($0.name) }))
    lua_rawset(L, core)
    zs_newtable(L)
    let shared = lua_gettop(L)
    for file in Prelude.files {
      let status = file.code.withUnsafeBufferPointer { b in
        b.withMemoryRebound(to: CChar.self) { zs_loadbuffer(L, $0.baseAddress, $0.count, "@" + file.name) }
      }
      guard status == LUA_OK else {
        let msg = lua.string(at: -1) ?? "?"
        lua_settop(L, core - 1)
        throw LuaError("runtime Lua: \(msg)")
      }
      lua_pushvalue(L, core)
      lua_pushvalue(L, shared)
      if let err = lua.call(nargs: 2, nresults: 0) {
        lua_settop(L, core - 1)
        throw LuaError("runtime Lua: \(err)")
      }
    }
    // R.linked(): links what files took from later ones, returns the entry points.
    lua_getfield(L, shared, "linked")
    if let err = lua.call(nargs: 0, nresults: 1) {
      lua_settop(L, core - 1)
      throw LuaError("runtime Lua: \(err)")
    }
    for e in Entry.allCases {
      lua.rawField(-1, "\(e)")
      guard lua_type(L, -1) == LUA_TFUNCTION else {
        lua_settop(L, core - 1)
        throw LuaError("runtime Lua: no entry point \(e)")
      }
      entries.append(zs_ref(L))
    }
    lua_settop(L, core - 1)
  }
}
