import CLua
import CShim

extension LuaRuntime {
  /// Every app's kept data, copied out of this state.
  func keptData(problems: inout [String]) -> KeepValue? {
    pushEntry(.kept)
    guard lua.call(nargs: 0, nresults: 1) == nil else { return nil }
    defer { lua.pop() }
    return lua.keepValue(at: -1, path: "kept", problems: &problems)
  }

  /// What the previous generation kept; `app:keep` hands it out.
  func seed(_ v: KeepValue) {
    pushEntry(.seed)
    lua.push(v)
    report(lua.call(nargs: 1, nresults: 0), "seed the keep store")
  }
}
