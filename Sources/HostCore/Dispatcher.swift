/// Sends each event through the apps by precedence, one event at a time.
/// An event raised while another is being dispatched waits its turn, so apps
/// always see whole events in order.
public final class Dispatcher {
  public private(set) var apps: [AppEntry] = []
  /// Not weak: a weakly referenced object takes the slow path on every retain,
  /// and the sink is retained for every event. A sink clears itself here when
  /// it goes (from its deinit).
  public unowned(unsafe) var sink: EventSink?
  private var queue: [HostEvent] = []
  private var queueHead = 0
  private var busy = false

  public init() {}

  public func setApps(_ entries: [AppEntry]) {
    apps = Self.order(entries)
  }

  /// The dispatch order, decided here alone: highest precedence first; equal
  /// precedence keeps load order. The app runtime follows it for batches and
  /// for its report.
  public static func order(_ entries: [AppEntry]) -> [AppEntry] {
    entries.enumerated()
      .sorted { a, b in
        a.element.precedence != b.element.precedence
          ? a.element.precedence > b.element.precedence : a.offset < b.offset
      }
      .map(\.element)
  }

  /// Dispatches now, or queues when called from inside a dispatch.
  /// Returns the read-back field's final value when dispatched now.
  @discardableResult
  public func dispatch(_ event: HostEvent, readBack: String? = nil) -> Bool? {
    guard !busy else {
      queue.append(event.owned())
      return nil
    }
    busy = true
    let result = run(event, readBack: readBack)
    drain()
    busy = false
    return result
  }

  /// Messages of one type from one switch, whole frames back to back (one
  /// read's PACKET_INs): the sink may run several in one step. Between its
  /// steps come the tasks and events the last one made ready or queued, as
  /// after any event; `stillOpen` false (a handler closed the connection)
  /// ends the run early, as it ends a read.
  public func dispatchFrames(_ name: String, datapath: Datapath?, frames: UnsafeRawBufferPointer, stillOpen: () -> Bool) {
    guard !busy else {
      var off = 0
      while off < frames.count {
        let frame = HostEvent.frame(in: frames, at: off)
        queue.append(HostEvent(message: name, datapath: datapath, frame: frame).owned())
        off += frame.count
      }
      return
    }
    guard let sink else { return }
    busy = true
    var off = 0
    while off < frames.count {
      off = sink.runFrames(name, datapath: datapath, frames: frames, from: off, apps: apps)
      sink.resumeReady()
      drain()
      if !stillOpen() { break }
    }
    busy = false
  }

  /// Queues an event for after the current one (one an app posted).
  public func post(_ event: HostEvent) {
    queue.append(event.owned())
    if !busy {
      busy = true
      drain()
      busy = false
    }
  }

  /// Resumes tasks whose wait ended outside any event (timers).
  public func resumeReady() {
    guard !busy, let sink else { return }
    busy = true
    sink.resumeReady()
    drain()
    busy = false
  }

  private func run(_ event: HostEvent, readBack: String?) -> Bool? {
    guard let sink else { return nil }
    let result = sink.run(event, apps: apps, readBack: readBack)
    sink.resumeReady()
    return result
  }

  private func drain() {
    while queueHead < queue.count {
      let e = queue[queueHead]
      queueHead += 1
      _ = run(e, readBack: nil)
    }
    queue.removeAll(keepingCapacity: true)
    queueHead = 0
  }
}
