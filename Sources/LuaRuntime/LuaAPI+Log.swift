import CLua
import CShim
import Logging

extension LuaRuntime {
  /// core.log(level, app, text)
  static func registerLog(_ L: OpaquePointer) {
    set(L, "log") { L in
      let rt = LuaRuntime.of(L)
      let level = LuaStack(L!).string(at: 1) ?? "info"
      let app = LuaStack(L!).string(at: 2) ?? "?"
      let text = LuaStack(L!).string(at: 3) ?? ""
      let lvl: Logger.Level =
        switch level {
        case "debug": .debug
        case "notice": .notice
        case "warning": .warning
        case "error": .error
        default: .info
        }
      rt.logger.log(level: lvl, "[\(app)] \(text)")
      return 0
    }
  }
}
