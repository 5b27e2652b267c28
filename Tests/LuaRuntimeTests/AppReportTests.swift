import Foundation
import HostCore
import Reactor
import TestSupport
import XCTest

@testable import LuaRuntime

/// The app report: who provides and consumes what, as text and JSON.
final class AppReportTests: XCTestCase {
  var dir: URL!

  override func tearDown() {
    if let dir { try? FileManager.default.removeItem(at: dir) }
  }

  func load(_ apps: [String: String], lib: [String: String] = [:]) throws -> LuaRuntime {
    dir = FileManager.default.temporaryDirectory.appendingPathComponent("zofreport-\(UUID().uuidString.prefix(8))")
    let libDir = dir.appendingPathComponent("library")
    try FileManager.default.createDirectory(at: libDir, withIntermediateDirectories: true)
    for (name, code) in apps { try code.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
    for (name, code) in lib { try code.write(to: libDir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
    var config = HostConfig()
    config.listen = []
    let log = CaptureLog()
    let host = Controller(loop: try EventLoop(), config: config, logger: log.logger)
    let gens = AppGenerations(host: host, logger: log.logger, options: RuntimeOptions(appsDir: dir.path, libDir: libDir.path))
    return try gens.load()
  }

  let apps = [
    "mapper.lua": """
      local app = zof.app("mapper", {requires = {"finder"}})
      local finder = zof.service("finder")
      app:event("LINK_ADD", function(ev) end)
      app:event("ROUTE_CHANGE", function(ev) end)
      app:message("PACKET_IN", function(ev) end)
      """,
    "watch.lua": """
      local app = zof.app("watch", {precedence = 50})
      app:event("LINK_ADD", function(ev) end)
      app:message("*", function(ev) end)
      app:event("START", function(ev) end)
      """,
  ]
  let lib = [
    "finder.lua": """
      local app = zof.app("finder", {precedence = 500, emits = {"LINK_ADD", "LINK_DELETE"}})
      app:provide("finder", {path = function() end})
      app:message("CHANNEL_UP", function(ev) end)
      app:message("PACKET_IN", {eth_type = 0x88cc}, function(ev) end)
      app:message("PACKET_IN", function(ev) end)
      """
  ]

  func testReportListsAppsInDispatchOrderWithWhatTheyProvideAndConsume() throws {
    let r = try load(apps, lib: lib).appReport()
    XCTAssertEqual(r.apps.map(\.name), ["finder", "mapper", "watch"])
    let finder = r.apps[0]
    XCTAssertEqual(finder.precedence, 500)
    XCTAssertTrue(finder.library)
    XCTAssertTrue(finder.file.hasSuffix("library/finder.lua"))
    XCTAssertEqual(finder.requiredBy, ["mapper"])
    XCTAssertEqual(finder.provides, [AppReport.Service(service: "finder", to: ["mapper"])])
    XCTAssertEqual(finder.emits, [
      AppReport.Emitted(event: "LINK_ADD", to: ["mapper", "watch"]),
      AppReport.Emitted(event: "LINK_DELETE", to: []),
    ])
    XCTAssertEqual(finder.messages, ["CHANNEL_UP", "PACKET_IN"])
    let mapper = r.apps[1]
    XCTAssertFalse(mapper.library)
    XCTAssertEqual(mapper.requires, ["finder"])
    XCTAssertEqual(mapper.uses, ["finder"])
    XCTAssertEqual(mapper.events, ["LINK_ADD", "ROUTE_CHANGE"])
    XCTAssertEqual(r.apps[2].messages, ["ANY"])
    XCTAssertEqual(r.apps[2].events, ["LINK_ADD", "START"])
    // START is zofhost's own; ROUTE_CHANGE is declared by nobody.
    XCTAssertEqual(r.unheard, [AppReport.Unheard(app: "mapper", event: "ROUTE_CHANGE")])
  }

  func testTextReport() throws {
    let text = try load(apps, lib: lib).appReport().text
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    XCTAssertTrue(lines[0].hasPrefix("APP finder  precedence 500  "))
    XCTAssertTrue(lines[0].hasSuffix("library/finder.lua  (library)"))
    XCTAssertEqual(Array(lines[1...5]), [
      "  REQUIRED BY       mapper",
      "  PROVIDES SERVICE  finder TO {mapper}",
      "  PROVIDES          LINK_ADD TO {mapper, watch}",
      "  PROVIDES          LINK_DELETE TO {}",
      "  CONSUMES MESSAGES CHANNEL_UP, PACKET_IN",
    ])
    XCTAssertTrue(lines.contains("APP watch  precedence 50  " + dir.path + "/watch.lua"))
    XCTAssertTrue(lines.contains("  REQUIRES          finder"))
    XCTAssertTrue(lines.contains("  USES SERVICE      finder"))
    XCTAssertTrue(lines.contains("  CONSUMES EVENTS   LINK_ADD, ROUTE_CHANGE"))
    XCTAssertEqual(lines.last, "NOTE: app mapper handles event ROUTE_CHANGE, which no app declares in `emits`")
  }

  func testStartWarnsOfHandlersForEventsNobodyDeclares() throws {
    dir = FileManager.default.temporaryDirectory.appendingPathComponent("zofreport-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    try "zof.app('a'):event('LINK_ADDED', function() end)\n".write(
      to: dir.appendingPathComponent("a.lua"), atomically: true, encoding: .utf8)
    var config = HostConfig()
    config.listen = []
    let log = CaptureLog()
    let host = Controller(loop: try EventLoop(), config: config, logger: log.logger)
    try AppGenerations(host: host, logger: log.logger, options: RuntimeOptions(appsDir: dir.path)).start()
    XCTAssertTrue(log.lines.contains { $0.hasPrefix("warning") && $0.contains("app a handles event LINK_ADDED, which no app declares") },
                  log.lines.joined(separator: "\n"))
  }

  func testJSONReportRoundTrips() throws {
    let r = try load(apps, lib: lib).appReport()
    let back = try JSONDecoder().decode(AppReport.self, from: Data(r.json.utf8))
    XCTAssertEqual(back, r)
    XCTAssertTrue(r.json.contains("\"required_by\""))
  }
}
