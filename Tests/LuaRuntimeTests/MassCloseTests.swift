import Foundation
import Glibc
import HostCore
import OpenFlow
import Reactor
import TestSupport
import XCTest

@testable import LuaRuntime

/// Many switches gone in the same moment (a top-of-rack reboot, a network
/// partition): the loop must see them all off in time proportional to their
/// number. The bundled apps run, as in a real deployment.
final class MassCloseTests: XCTestCase {
  /// An app with a task per switch (a poller), as many apps have.
  static let poller = """
    local app = zof.app("poller")
    app:message("CHANNEL_UP", function(ev)
      zof.spawn(function() while true do zof.sleep(30) end end)
    end)
    """

  /// Milliseconds of this thread's CPU time (the machine may be busy with
  /// other work) from the moment `n` up switches all hang up to the last
  /// CHANNEL_DOWN handled.
  func closeAll(_ n: Int) throws -> Double {
    let apps = packageRoot.appendingPathComponent("apps-lua")
    var code = ["poller.lua": Self.poller]
    for name in ["l2_switch.lua", "netlog.lua"] {
      code[name] = try String(contentsOf: apps.appendingPathComponent(name), encoding: .utf8)
    }
    let h = try TaskHarness(code, libDir: bundledLibraryDir)
    var switches: [FakeSwitch] = []
    switches.reserveCapacity(n)
    for i in 1...n {
      let sw = h.connect(dpid: UInt64(i))
      // Topology waits on a barrier: answer it, as a switch would.
      if let b = sw.received.first(where: { $0.type == "BARRIER_REQUEST" }) {
        sw.send(OFMessage(version: 4, type: "BARRIER_REPLY", xid: b.xid, msg: .emptyTable))
      }
      switches.append(sw)
    }
    h.settle()
    XCTAssertEqual(h.host.datapaths.count, n)
    for sw in switches { sw.shutdownWrite() }
    let start = cpuSeconds()
    var rounds = 0
    while h.loop.connectionCount > 0 && rounds < 100_000 {
      h.loop.runOnce(timeout: 0)
      rounds += 1
    }
    let ms = (cpuSeconds() - start) * 1000
    XCTAssertEqual(h.loop.connectionCount, 0)
    XCTAssertEqual(h.host.datapaths.count, 0)
    XCTAssertEqual(h.log.lines.filter { $0.contains(" left") }.count, n, "netlog saw every SWITCH_LEAVE")
    return ms
  }

  /// 4x the switches may take at most 6x the time (quadratic would be 16x).
  func testMassCloseIsLinear() throws {
    let small = try closeAll(2000)
    let large = try closeAll(8000)
    print("mass close: 2000 in \(Int(small)) ms, 8000 in \(Int(large)) ms, ratio \(large / small)")
    XCTAssertLessThan(large / small, 6, "closing 8000 took \(large) ms, 2000 took \(small) ms")
  }

  /// ZOF_MASS_CLOSE=2500,5000,10000 swift test --filter MassCloseTests/testMassCloseFigures
  func testMassCloseFigures() throws {
    guard let sizes = ProcessInfo.processInfo.environment["ZOF_MASS_CLOSE"] else {
      throw XCTSkip("set ZOF_MASS_CLOSE to a list of switch counts")
    }
    for n in sizes.split(separator: ",").compactMap({ Int($0) }) {
      print("mass close: \(n) switches in \(String(format: "%.1f", try closeAll(n))) ms")
    }
  }
}

private func cpuSeconds() -> Double {
  var ts = timespec()
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
  return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
