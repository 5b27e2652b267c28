import CEpoll
#if canImport(Glibc)
import Glibc
#endif

/// A single-threaded epoll event loop (in the manner of Redis's ae).
///
/// One round: wait for readiness (no longer than the next timer) → read each
/// ready connection once and tell its delegate → accept on ready listeners →
/// handle signals → fire due timers → run `beforeSleep` hooks → flush: one
/// write per connection with pending output.
///
/// Nothing here is thread-safe: use a loop only from the thread that runs it.
/// Deallocating the loop closes its sockets without calling delegates.
public final class EventLoop {
  /// An output backlog above this stops reading the connection until the
  /// backlog drains below a quarter of it.
  public var outputHighWater = 4 * 1024 * 1024
  /// A limited write (an app's send) that would take a connection's output
  /// backlog past this is refused; other writes (the runtime's own answers)
  /// are not, and reading has stopped at `outputHighWater` by then.
  public var outputLimit = 16 * 1024 * 1024
  /// A connection refused a limited write whose peer has then taken no byte
  /// for this many seconds is closed as stuck (at the next refused write).
  public var stuckTimeout: Double = 10
  /// Unconsumed input at or above this stops reading the connection until the
  /// delegate consumes some of it.
  public var inputLimit = 1024 * 1024
  /// Most bytes taken from one socket in one round; one read per round keeps
  /// a busy peer from starving the others.
  public var readChunk = 64 * 1024

  /// Hooks run each round after the timers, just before output is flushed.
  public var beforeSleep: [() -> Void] = []

  /// CLOCK_MONOTONIC seconds, refreshed when a round wakes up.
  public private(set) var now: Double

  public var connectionCount: Int { connections.count }

  let epollFD: Int32
  var events: UnsafeMutablePointer<zr_event>
  let eventCapacity = 128
  var stopped = false

  var connections: [Int: Connection] = [:]
  var nextConnectionID = 1
  var listeners: [UInt64: Listener] = [:]
  var nextListenerToken = Token.listenerBase

  /// Connections with output to write in this round's flush.
  var flushQueue: [Connection] = []
  /// The queue being flushed; swapped with flushQueue so neither reallocates.
  var flushing: [Connection] = []

  var timers = TimerHeap()

  /// How long rounds took past the grace, and who hears of it (EventLoop+Stall.swift).
  var stall = StallState()

  var signalFD: Int32 = -1
  var signalHandlers: [Int32: [(Int32) -> Void]] = [:]

  /// Foreign descriptors (EventLoop+Targets.swift), by token.
  var targets: [UInt64: Target] = [:]
  var nextTargetToken = Token.targetBase
  /// Where the loop reports what it cannot hand anyone (a target's handler
  /// that threw); standard error unless the host sets its logger here.
  public var log: (String) -> Void = { fputs("zofhost: \($0)\n", stderr) }

  /// epoll data values: connections use their id; targets, listeners and the
  /// signalfd live in ranges ids never reach.
  enum Token {
    static let targetBase: UInt64 = 1 << 61
    static let listenerBase: UInt64 = 1 << 62
    static let signal: UInt64 = 1 << 63
  }

  /// When set, time stands still except through `advanceClock(by:)`, and
  /// waits never block on timers: tests drive time by hand.
  public private(set) var manualTime: Double?

  public func useManualClock() {
    manualTime = now
  }

  /// Moves a manual clock forward; due timers fire in the next round.
  public func advanceClock(by seconds: Double) {
    if let t = manualTime { manualTime = t + Swift.max(0, seconds) }
  }

  func clockNow() -> Double { manualTime ?? monotonicNow() }

  public init() throws {
    let fd = zr_epoll_create()
    guard fd >= 0 else { throw ReactorError.system("epoll_create1") }
    epollFD = fd
    events = .allocate(capacity: eventCapacity)
    now = monotonicNow()
  }

  deinit {
    for connection in Array(connections.values) { connection.closeQuietly() }
    for listener in Array(listeners.values) { listener.close() }
    for target in Array(targets.values) { target.closeQuietly() }
    if signalFD >= 0 { Glibc.close(signalFD) }
    Glibc.close(epollFD)
    events.deallocate()
  }

  /// Runs rounds until `stop()` is called.
  public func run() {
    stopped = false
    while !stopped { runOnce(timeout: nil) }
  }

  /// Makes `run()` return after the current round.
  public func stop() { stopped = true }

  /// One round. `timeout` caps the wait in seconds; nil waits until an event
  /// or the next timer. Output queued outside a round makes the wait zero so
  /// it is flushed without delay.
  public func runOnce(timeout: Double?) {
    markTurn()
    let ready = waitForEvents(timeoutMS: waitTimeoutMS(cap: timeout))
    markTurn()
    now = clockNow()
    dispatchConnections(ready)
    dispatchListenersAndSignals(ready)
    fireDueTimers()
    for hook in beforeSleep { hook() }
    flush()
    endRound()
  }

  func waitTimeoutMS(cap: Double?) -> Int32 {
    if !flushQueue.isEmpty { return 0 }
    var seconds = cap
    if let due = timers.nextDue {
      let untilDue = manualTime.map { due <= $0 ? 0 : (cap ?? 0) } ?? Swift.max(0, due - monotonicNow())
      seconds = Swift.min(seconds ?? untilDue, untilDue)
    }
    guard let seconds else { return -1 }
    // Round up so a timer is never woken for just before it is due.
    let ms = (Swift.max(0, seconds) * 1000).rounded(.up)
    return ms >= Double(Int32.max) ? Int32.max : Int32(ms)
  }

  /// One write for each connection that has output; what cannot be written
  /// waits until the socket is writable.
  func flush() {
    guard !flushQueue.isEmpty else { return }
    swap(&flushQueue, &flushing)
    for connection in flushing {
      connection.queuedForFlush = false
      connection.flushOnce()
    }
    flushing.removeAll(keepingCapacity: true)
  }

  func enqueueFlush(_ connection: Connection) {
    guard !connection.queuedForFlush else { return }
    connection.queuedForFlush = true
    flushQueue.append(connection)
  }
}

func monotonicNow() -> Double {
  var ts = timespec()
  clock_gettime(CLOCK_MONOTONIC, &ts)
  return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
