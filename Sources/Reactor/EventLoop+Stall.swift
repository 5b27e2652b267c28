import CEpoll

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
  /// The process's stall watchdog samples this loop's turns (stall_watch.c).
  var watched = false
}

/// What the watchdog thread calls to name what the loop is running:
/// (buffer, capacity, final) -> length (see stall_watch.h).
public typealias StallDescriber = @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int32) -> Int

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

  /// Starts the process's watchdog thread on this loop (one loop per
  /// process): a loop that has not turned for `seconds` is reported on
  /// stderr from that thread, and a SIGTERM or SIGINT the stuck loop cannot
  /// read ends the process (stall_watch.c). Call it once signals are blocked.
  public func watchStalls(warnAfter seconds: Double) {
    stall.watched = true
    stall.grace = Swift.min(stall.grace, seconds)
    zr_stall_start(seconds)
  }

  /// Who names what is running for the watchdog (the Lua runtime).
  public static func describeStalls(with fn: StallDescriber) {
    zr_stall_set_describer(fn)
  }

  /// What the watchdog thread saw running in the last stall, once.
  public func takeStallNote() -> String? {
    var buf = [CChar](repeating: 0, count: 512)
    guard zr_stall_take_note(&buf, buf.count) != 0 else { return nil }
    return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// Tells the watchdog the loop turned: before and after each wait.
  @inline(__always) func markTurn() {
    if stall.watched { zr_stall_turn() }
  }

  /// The round's end: one clock read per round, not per event.
  func endRound() {
    let took = clockNow() - now
    guard took > stall.grace else { return }
    stall.excluded += took
    stall.onStall?(took)
  }
}
