import Glibc
import OpenFlow

extension Controller {
  /// SIGTERM and SIGINT become a SIGNAL event with `exit = true`; an app may
  /// clear it. SIGHUP becomes SIGNAL with `exit = false` (reload comes later).
  /// `onExit` runs when the apps let the signal end the process.
  public func handleSignals(onExit: @escaping (String) -> Void) throws {
    try loop.onSignals([SIGTERM, SIGINT, SIGHUP]) { [unowned self] sig in
      let name = sig == SIGTERM ? "SIGTERM" : sig == SIGINT ? "SIGINT" : "SIGHUP"
      let exit = sig != SIGHUP
      let event = HostEvent(event: "SIGNAL", payload: .fields(.table(["signal": .string(name), "exit": .bool(exit)])))
      let final = self.dispatcher.dispatch(event, readBack: "exit") ?? exit
      self.logger.info("received \(name)\(final ? "; stopping" : "")")
      if final { onExit(name) }
    }
  }
}
