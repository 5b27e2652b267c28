import CLua
import CShim

/// Owns a lua_State and its memory accounting.
final class LuaState {
  let L: OpaquePointer
  let mem: UnsafeMutablePointer<zs_mem>
  /// The main thread's stack.
  var stack: LuaStack { LuaStack(L) }

  init(memoryLimit: Int = 0) throws {
    mem = .allocate(capacity: 1)
    mem.initialize(to: zs_mem())
    mem.pointee.limit = memoryLimit
    guard let L = zs_open(mem) else {
      mem.deallocate()
      throw LuaError("cannot create a Lua state")
    }
    self.L = L
  }

  deinit {
    zs_close(L)
    mem.deallocate()
  }

  var memoryInUse: Int { Int(zs_mem_owned(mem, -1)) }

  /// What the code of app number `owner` (its load index) holds; 0: the runtime.
  func memory(owner: Int) -> Int { Int(zs_mem_owned(mem, Int32(owner))) }
}

/// One Lua thread's stack, as seen from Swift: a function called from Lua must
/// use the thread it was called on, not the main one. Everything here uses only
/// Lua calls that cannot raise (raw access, pushes as the runtime, which no cap limits);
/// running Lua code goes through the shim's protected calls.
struct LuaStack {
  let L: OpaquePointer

  init(_ L: OpaquePointer) { self.L = L }

  var top: Int32 { lua_gettop(L) }
  func pop(_ n: Int32 = 1) { zs_pop(L, n) }

  func push(_ s: String) {
    var s = s
    s.withUTF8 { push(UnsafeRawBufferPointer($0)) }
  }

  func push(_ bytes: UnsafeRawBufferPointer) {
    if let p = bytes.baseAddress, bytes.count > 0 {
      _ = lua_pushlstring(L, p.assumingMemoryBound(to: CChar.self), bytes.count)
    } else {
      _ = lua_pushstring(L, "")
    }
  }

  func push(_ i: Int) { lua_pushinteger(L, lua_Integer(i)) }

  /// The string at `idx` (strings only; numbers are not converted).
  func string(at idx: Int32) -> String? {
    var len = 0
    guard let p = zs_tolstring(L, idx, &len) else { return nil }
    return String(decoding: UnsafeRawBufferPointer(start: p, count: len), as: UTF8.self)
  }

  func withBytes<R>(at idx: Int32, _ body: (UnsafeRawBufferPointer) -> R) -> R? {
    var len = 0
    guard let p = zs_tolstring(L, idx, &len) else { return nil }
    return body(UnsafeRawBufferPointer(start: p, count: len))
  }

  func integer(at idx: Int32) -> Int? {
    var ok: Int32 = 0
    let v = lua_tointegerx(L, idx, &ok)
    return ok != 0 ? Int(v) : nil
  }

  /// Runs the function below `nargs` arguments. On error returns its message
  /// (with traceback) and leaves the stack as it was before the function.
  func call(nargs: Int32, nresults: Int32) -> String? {
    if zs_pcall(L, nargs, nresults) == LUA_OK { return nil }
    let msg = string(at: -1) ?? "(error object is not a string)"
    pop()
    return msg
  }
}

struct LuaError: Error, CustomStringConvertible {
  var description: String
  init(_ d: String) { description = d }
}
