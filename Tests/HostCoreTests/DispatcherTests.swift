import OpenFlow
import XCTest

@testable import HostCore

/// A sink that records what each app saw, with scripted answers.
final class RecordingSink: EventSink {
  var seen: [String] = []
  var stopAt: Set<Int> = []
  var current: String = ""
  var onDeliver: ((Int) -> Void)?
  var readBackValue: Bool? = nil
  var resumes = 0

  /// The frames of the message events begun, copied as they were then.
  var frames: [[UInt8]] = []

  func begin(_ event: HostEvent) {
    current = event.name
    switch event.payload {
    case .frame(let b): frames.append(Array(b))
    case .ownedFrame(let b): frames.append(b)
    default: break
    }
  }
  func deliver(toApp index: Int) -> Bool {
    seen.append("\(current)@\(index)")
    onDeliver?(index)
    return stopAt.contains(index)
  }
  func end(readBack: String?) -> Bool? {
    seen.append("end \(current)")
    return readBack == nil ? nil : readBackValue
  }
  func resumeReady() {
    resumes += 1
    seen.append("resume")
  }
}

final class DispatcherTests: XCTestCase {
  func make(_ precedences: [Int]) -> (Dispatcher, RecordingSink) {
    let d = Dispatcher()
    let s = RecordingSink()
    d.sink = s
    d.setApps(precedences.enumerated().map { AppEntry(name: "a\($0.offset + 1)", precedence: $0.element, index: $0.offset + 1) })
    return (d, s)
  }

  func testHighestPrecedenceFirstAndTiesKeepLoadOrder() {
    let (d, s) = make([100, 200, 100, 50, 200])
    XCTAssertEqual(d.apps.map(\.index), [2, 5, 1, 3, 4])
    d.dispatch(HostEvent(event: "START"))
    XCTAssertEqual(s.seen, ["START@2", "START@5", "START@1", "START@3", "START@4", "end START", "resume"])
  }

  func testStopEndsPropagation() {
    let (d, s) = make([300, 200, 100])
    s.stopAt = [2]
    d.dispatch(HostEvent(event: "X"))
    XCTAssertEqual(s.seen, ["X@1", "X@2", "end X", "resume"])
  }

  func testEventRaisedDuringDispatchWaitsForTheCurrentOne() {
    let (d, s) = make([100, 100])
    var posted = false
    s.onDeliver = { i in
      if i == 1 && !posted {
        posted = true
        d.dispatch(HostEvent(event: "INNER"))
      }
    }
    d.dispatch(HostEvent(event: "OUTER"))
    XCTAssertEqual(
      s.seen,
      ["OUTER@1", "OUTER@2", "end OUTER", "resume", "INNER@1", "INNER@2", "end INNER", "resume"])
  }

  /// Frames handed over while an event runs (a nested read) queue behind it,
  /// each its own event, copied: the read buffer is reused meanwhile.
  func testFramesArrivingDuringDispatchWaitAndAreCopied() throws {
    let (d, s) = make([100])
    let one = try OFCodec.encode(OFMessage(version: 4, type: "ECHO_REQUEST", xid: 7))
    let two = try OFCodec.encode(OFMessage(version: 4, type: "ECHO_REQUEST", xid: 8, msg: .table(["data": .bytes([1, 2])])))
    var buffer = one + two
    s.onDeliver = { _ in
      guard s.current == "OUTER" else { return }
      buffer.withUnsafeBytes { d.dispatchFrames("ECHO_REQUEST", datapath: nil, frames: $0, stillOpen: { true }) }
      for i in buffer.indices { buffer[i] = 0 }
    }
    d.dispatch(HostEvent(event: "OUTER"))
    XCTAssertEqual(s.seen, ["OUTER@1", "end OUTER", "resume", "ECHO_REQUEST@1", "end ECHO_REQUEST", "resume",
                            "ECHO_REQUEST@1", "end ECHO_REQUEST", "resume"])
    XCTAssertEqual(s.frames, [one, two])
  }

  func testPostOutsideDispatchRunsAtOnce() {
    let (d, s) = make([100])
    d.post(HostEvent(event: "P"))
    XCTAssertEqual(s.seen, ["P@1", "end P", "resume"])
  }

  func testReadBackReturnsTheFinalValue() {
    let (d, s) = make([100])
    s.readBackValue = false
    XCTAssertEqual(d.dispatch(HostEvent(event: "SIGNAL"), readBack: "exit"), false)
    XCTAssertNil(d.dispatch(HostEvent(event: "SIGNAL")))
  }

  func testDeferredFramesAreCopied() {
    let (d, s) = make([100])
    var kept: [UInt8] = []
    final class Grab: EventSink {
      var grab: (HostEvent) -> Void = { _ in }
      func begin(_ event: HostEvent) { grab(event) }
      func deliver(toApp index: Int) -> Bool { false }
      func end(readBack: String?) -> Bool? { nil }
      func resumeReady() {}
    }
    _ = s
    let g = Grab()
    d.sink = g
    var nested = true
    g.grab = { e in
      if nested {
        nested = false
        var bytes: [UInt8] = [1, 2, 3]
        bytes.withUnsafeBytes { d.dispatch(HostEvent(message: "PACKET_IN", datapath: nil, payload: .frame($0))) }
        bytes[0] = 9  // the queued event must not see this
      } else if case .ownedFrame(let b) = e.payload {
        kept = b
      }
    }
    d.dispatch(HostEvent(event: "OUTER"))
    XCTAssertEqual(kept, [1, 2, 3])
  }
}
