/// A round that runs long (handlers at their budget one after another, a
/// handler stuck in C) is a stall: while it lasts no socket is read, so the
/// time must not count as any peer's silence. `liveNow` is `now` with every
/// stalled round's time taken out; a keepalive measures silence on it.
struct StallState {
  /// A round longer than this is a stall, excluded whole from `liveNow`.
  var grace: Double = 0.5
  /// Seconds of stalled rounds so far.
  var excluded: Double = 0
  var onStall: ((Double) -> Void)?
}

extension EventLoop {
  /// `now` less the time the loop spent in stalled rounds: a clock on which
  /// a peer is silent only while the loop could have heard it.
  public var liveNow: Double { now - stall.excluded }

  /// Rounds longer than this many seconds count as stalls (default 0.5).
  public var stallGrace: Double {
    get { stall.grace }
    set { stall.grace = Swift.max(0, newValue) }
  }

  /// Seconds of stalled rounds so far.
  public var stalledSeconds: Double { stall.excluded }

  /// Called on the loop's thread at the end of a stalled round, with how
  /// long the round took.
  public var onStall: ((Double) -> Void)? {
    get { stall.onStall }
    set { stall.onStall = newValue }
  }

  /// The round's end: one clock read per round, not per event.
  func endRound() {
    let took = clockNow() - now
    guard took > stall.grace else { return }
    stall.excluded += took
    stall.onStall?(took)
  }
}
