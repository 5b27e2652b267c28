import Foundation
import HostCore
import OpenFlow
import Reactor
import TestSupport
import XCTest

@testable import LuaRuntime

/// A runtime with apps from strings, a manual clock and in-memory switches.
final class TaskHarness {
  let loop: EventLoop
  let host: Controller
  let rt: LuaRuntime
  let log = CaptureLog()
  let dir: URL

  init(_ apps: [String: String], libDir: String? = nil, memoryLimit: Int = 0,
       config configure: (inout HostConfig) -> Void = { _ in }, file: StaticString = #filePath,
       line: UInt = #line) throws {
    dir = FileManager.default.temporaryDirectory.appendingPathComponent("zoftask-\(getpid())-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    var paths: [String] = []
    for (name, code) in apps {
      let p = dir.appendingPathComponent(name).path
      FileManager.default.createFile(atPath: p, contents: Data(code.utf8))
      paths.append(p)
    }
    loop = try EventLoop()
    loop.useManualClock()
    var config = HostConfig()
    config.listen = []
    configure(&config)
    host = Controller(loop: loop, config: config, logger: log.logger)
    rt = try LuaRuntime(host: host, logger: log.logger, options: RuntimeOptions(appsDir: dir.path, libDir: libDir, memoryLimit: memoryLimit))
    try rt.loadApps(paths: paths.sorted())
    rt.activate()
    rt.start()
    settle()
  }

  deinit { try? FileManager.default.removeItem(at: dir) }

  func connect(_ version: UInt8 = OFVersion.v1_3, dpid: UInt64 = 1) -> FakeSwitch {
    let sw = FakeSwitch(host: host, version: version, dpid: dpid)
    sw.pump(loop, quietRounds: 2, timeout: 0)
    return sw
  }

  /// Switches with datapath ids 1 and 2, what they received so far cleared.
  func connectTwo() -> (FakeSwitch, FakeSwitch) {
    let sw = connect(), sw2 = connect(dpid: 2)
    sw.received.removeAll()
    sw2.received.removeAll()
    return (sw, sw2)
  }

  func settle(_ sw: FakeSwitch? = nil) {
    if let sw { sw.pump(loop, quietRounds: 2, timeout: 0) } else {
      for _ in 0..<3 { loop.runOnce(timeout: 0) }
    }
  }

  func advance(_ seconds: Double, _ sw: FakeSwitch? = nil) {
    loop.advanceClock(by: seconds)
    settle(sw)
  }

  /// The apps' own log lines ("[app] text"), in order.
  var printed: [String] {
    log.lines.compactMap { l in
      guard let r = l.range(of: "] ") , l.hasPrefix("info [") else { return nil }
      return String(l[r.upperBound...])
    }
  }

  var errors: [String] { log.lines.filter { $0.hasPrefix("error") } }
}
