/// What runs the apps: the dispatcher decides the order, the sink runs each
/// app's handlers. The app runtime is one; tests use others.
public protocol EventSink: AnyObject {
  /// Makes the app-visible event once; every app then sees (and may change) that one object.
  func begin(_ event: HostEvent)
  /// Offers the current event to one app. Returns true when a handler stopped propagation.
  func deliver(toApp index: Int) -> Bool
  /// Ends the current event. `readBack` names one of the event's fields, as
  /// its payload gave them (SIGNAL's `exit`), whose value after the apps the
  /// caller needs: the sink answers it from the event as it holds it.
  func end(readBack: String?) -> Bool?
  /// Resumes every task whose wait is over (after each event, and after timers).
  func resumeReady()
  /// One whole event: begin, each app in `apps` order until one stops it, end.
  /// A sink may do it in one step of its own; the result must be the same.
  func run(_ event: HostEvent, apps: [AppEntry], readBack: String?) -> Bool?
  /// Messages of one type from one switch, whole frames back to back: runs
  /// them, each as `run` would, from `offset` on. May stop after any whole
  /// event; returns the offset of the first frame not run (`frames.count`
  /// when all were). The dispatcher sees to tasks and queued events, then calls again.
  func runFrames(_ name: String, datapath: Datapath?, frames: UnsafeRawBufferPointer, from offset: Int, apps: [AppEntry]) -> Int
}

extension EventSink {
  public func run(_ event: HostEvent, apps: [AppEntry], readBack: String?) -> Bool? {
    runStepwise(event, apps: apps, readBack: readBack)
  }

  /// One frame at a time.
  public func runFrames(_ name: String, datapath: Datapath?, frames: UnsafeRawBufferPointer, from offset: Int, apps: [AppEntry]) -> Int {
    let frame = HostEvent.frame(in: frames, at: offset)
    _ = run(HostEvent(message: name, datapath: datapath, frame: frame), apps: apps, readBack: nil)
    return offset + frame.count
  }

  /// `run` as begin, deliver and end calls.
  public func runStepwise(_ event: HostEvent, apps: [AppEntry], readBack: String?) -> Bool? {
    begin(event)
    if let only = event.onlyApp {
      _ = deliver(toApp: only)
    } else {
      for app in apps where deliver(toApp: app.index) { break }
    }
    return end(readBack: readBack)
  }
}

/// An app as the dispatcher knows it.
public struct AppEntry: Equatable {
  public var name: String
  public var precedence: Int
  /// The sink's own index for the app (load order).
  public var index: Int

  public init(name: String, precedence: Int, index: Int) {
    self.name = name
    self.precedence = precedence
    self.index = index
  }
}
