import HostCore
import OpenFlow
import TestSupport
import XCTest

@testable import LuaRuntime

/// zof.app's `versions`: HELLO offers what --versions and the apps all take.
final class AppVersionsTests: XCTestCase {
  func testHelloOffersTheAppsIntersection() throws {
    let h = try TaskHarness([
      "a.lua": "zof.app('a', {versions = {'1.3', '1.4'}})",
      "b.lua": "zof.app('b', {versions = {'1.0', 1.3, '1.4'}})",
      "c.lua": "zof.app('c')",
    ])
    XCTAssertEqual(h.host.appVersions, [OFVersion.v1_3, OFVersion.v1_4])
    let sw = FakeSwitch(host: h.host, version: OFVersion.v1_3, helloVersions: [1, 4])
    sw.pump(h.loop, quietRounds: 2, timeout: 0)
    // --versions is 1.0, 1.3, 1.4, 1.5 by default; the apps narrow it to 1.3 and 1.4.
    XCTAssertEqual(sw.all.first?.type, "HELLO")
    XCTAssertEqual(sw.all.first?.version, OFVersion.v1_4)
    XCTAssertEqual(sw.all.first?.msg["versions"]?.list, [.uint(4), .uint(5)])
    XCTAssertEqual(h.host.datapaths.first?.version, OFVersion.v1_3)
    let report = h.rt.appReport()
    XCTAssertEqual(report.apps.first { $0.name == "a" }?.versions, ["1.3", "1.4"])
    XCTAssertNil(report.apps.first { $0.name == "c" }?.versions)
    XCTAssertTrue(report.text.contains("OPENFLOW          1.3, 1.4"), report.text)
  }

  func testNoCommonVersionIsALoadErrorNamingTheApps() {
    XCTAssertThrowsError(try TaskHarness([
      "a.lua": "zof.app('a', {versions = {'1.0'}})",
      "b.lua": "zof.app('b', {versions = {'1.3', '1.5'}})",
    ])) { e in
      XCTAssertTrue("\(e)".contains("no OpenFlow version every app takes"), "\(e)")
      XCTAssertTrue("\(e)".contains("a takes 1.0; b takes 1.3, 1.5"), "\(e)")
    }
    XCTAssertThrowsError(try TaskHarness(["a.lua": "zof.app('a', {versions = {'1.3'}})"]) { $0.versions = [OFVersion.v1_0] }) { e in
      XCTAssertTrue("\(e)".contains("within --versions 1.0: a takes 1.3"), "\(e)")
    }
    XCTAssertThrowsError(try TaskHarness(["a.lua": "zof.app('a', {versions = {'2.0'}})"])) { e in
      XCTAssertTrue("\(e)".contains("2.0 is not an OpenFlow version"), "\(e)")
    }
  }
}
