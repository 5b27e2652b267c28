import Reactor

extension Controller {
  /// Reports loop stalls. With `thread`, the process's watchdog thread
  /// watches this loop: it says on stderr, while the stall lasts, what is
  /// running once the loop has not turned for `stallWarningSeconds`, and ends
  /// the process when a SIGTERM or SIGINT cannot be read (stall_watch.c).
  /// Either way the loop logs each round that ran that long when it comes
  /// back, through the logger, with what the watchdog saw running.
  public func watchStalls(thread: Bool = true) {
    let bound = config.stallWarningSeconds
    if thread { loop.watchStalls(warnAfter: bound) }
    loop.onStall = { [unowned self] took in
      let note = self.loop.takeStallNote()
      guard took >= bound else { return }
      let what = note.map { "; it was running \($0)" } ?? ""
      self.logger.warning(
        "the loop was stalled \(String(format1: took)) s in one round\(what); switches' silence leaves the stall out")
    }
  }
}

extension String {
  /// `x` with one decimal.
  init(format1 x: Double) {
    let tenths = Int((x * 10).rounded())
    self = "\(tenths / 10).\(tenths % 10)"
  }
}
