import Reactor

/// A timer the host's loop runs, as `addTimer` gives it and `cancelTimer`
/// takes it back.
public struct HostTimer: Hashable {
  let handle: TimerHandle
}

extension Controller {
  /// The loop's clock, in seconds, read when the round woke up (what events
  /// are stamped with). Inlinable: read once per batch of events.
  @inlinable public var now: Double { loop.now }

  /// Calls `fn` once, in the first round at least `seconds` from now.
  @discardableResult
  public func addTimer(after seconds: Double, _ fn: @escaping () -> Void) -> HostTimer {
    HostTimer(handle: loop.addTimer(after: seconds, fn))
  }

  /// Cancelling a timer that already fired or was cancelled does nothing.
  public func cancelTimer(_ timer: HostTimer) {
    loop.cancelTimer(timer.handle)
  }
}
