/// Names a timer for `cancelTimer`. Ids increase, so they also break ties
/// between timers due at the same time (first added fires first).
public struct TimerHandle: Hashable {
  let id: UInt64
}

/// A binary min-heap ordered by (due, id). Cancelling is lazy: the callback is
/// dropped from `live` and its heap entry skipped when it surfaces; the heap is
/// rebuilt when dead entries outnumber live ones, so it stays O(live).
struct TimerHeap {
  struct Entry {
    var due: Double
    var id: UInt64
    func before(_ other: Entry) -> Bool {
      due < other.due || (due == other.due && id < other.id)
    }
  }

  private(set) var entries: [Entry] = []
  private(set) var live: [UInt64: () -> Void] = [:]
  private(set) var nextID: UInt64 = 1

  var count: Int { live.count }

  mutating func add(due: Double, _ fn: @escaping () -> Void) -> TimerHandle {
    let id = nextID
    nextID += 1
    live[id] = fn
    entries.append(Entry(due: due, id: id))
    siftUp(entries.count - 1)
    return TimerHandle(id: id)
  }

  mutating func cancel(_ handle: TimerHandle) {
    guard live.removeValue(forKey: handle.id) != nil else { return }
    if entries.count > 64 && entries.count > 2 * live.count { rebuild() }
  }

  /// Due time of the earliest live timer.
  var nextDue: Double? {
    mutating get {
      dropDeadTop()
      return entries.first?.due
    }
  }

  /// Removes and returns the earliest live timer if it is due by `now` and was
  /// added before `id` `limit`.
  mutating func popDue(now: Double, addedBefore limit: UInt64) -> (() -> Void)? {
    dropDeadTop()
    guard let top = entries.first, top.due <= now, top.id < limit else { return nil }
    removeTop()
    return live.removeValue(forKey: top.id)
  }

  private mutating func dropDeadTop() {
    while let top = entries.first, live[top.id] == nil { removeTop() }
  }

  private mutating func removeTop() {
    let last = entries.removeLast()
    guard !entries.isEmpty else { return }
    entries[0] = last
    siftDown(0)
  }

  private mutating func rebuild() {
    entries.removeAll { live[$0.id] == nil }
    var i = entries.count / 2
    while i > 0 {
      i -= 1
      siftDown(i)
    }
  }

  private mutating func siftUp(_ start: Int) {
    var child = start
    let item = entries[child]
    while child > 0 {
      let parent = (child - 1) / 2
      guard item.before(entries[parent]) else { break }
      entries[child] = entries[parent]
      child = parent
    }
    entries[child] = item
  }

  private mutating func siftDown(_ start: Int) {
    var parent = start
    let item = entries[parent]
    let n = entries.count
    while true {
      var child = 2 * parent + 1
      guard child < n else { break }
      if child + 1 < n && entries[child + 1].before(entries[child]) { child += 1 }
      guard entries[child].before(item) else { break }
      entries[parent] = entries[child]
      parent = child
    }
    entries[parent] = item
  }
}

extension EventLoop {
  /// Calls `fn` once, in the timer step of the first round at least `seconds`
  /// from now. Timers due together fire in the order they were added.
  @discardableResult
  public func addTimer(after seconds: Double, _ fn: @escaping () -> Void) -> TimerHandle {
    // Read the clock afresh: `now` may be a whole round old by this point.
    timers.add(due: clockNow() + Swift.max(0, seconds), fn)
  }

  /// Cancelling a timer that already fired or was cancelled does nothing.
  public func cancelTimer(_ t: TimerHandle) {
    timers.cancel(t)
  }

  public var timerCount: Int { timers.count }

  /// Timers added while firing wait for the next round, so a timer that
  /// re-arms itself with 0 seconds cannot hold the loop in this step.
  func fireDueTimers() {
    let limit = timers.nextID
    while let fn = timers.popDue(now: now, addedBefore: limit) { fn() }
  }
}
