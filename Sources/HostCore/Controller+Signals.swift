import Glibc
import OpenFlow

extension Controller {
  /// SIGTERM and SIGINT become SIGNAL with `exit = true`, SIGHUP with `exit =
  /// false`; an app may change `exit`. Then `onExit(false)` or, for SIGHUP,
  /// `onReload()`. A second SIGINT skips the apps: `onExit(true)`.
  public func handleSignals(onExit: @escaping (_ immediately: Bool) -> Void, onReload: @escaping () -> Void) throws {
    var sigints = 0
    try loop.onSignals([SIGTERM, SIGINT, SIGHUP]) { [unowned self] sig in
      let name = sig == SIGTERM ? "SIGTERM" : sig == SIGINT ? "SIGINT" : "SIGHUP"
      if sig == SIGINT {
        sigints += 1
        if sigints > 1 {
          self.logger.warning("second SIGINT: exiting at once")
          onExit(true)
          return
        }
      }
      let exit = sig != SIGHUP
      let event = HostEvent(event: "SIGNAL", payload: .fields(.table(["signal": .string(name), "exit": .bool(exit)])))
      let final = self.dispatcher.dispatch(event, readBack: "exit") ?? exit
      self.logger.info("received \(name)\(final ? "; stopping" : sig == SIGHUP ? "; reloading apps" : "; an app chose to keep running")")
      if final {
        onExit(false)
      } else if sig == SIGHUP {
        onReload()
      }
    }
  }
}
