import Foundation
import XCTest

/// `zofhost apps`: the report of a folder of apps, with the bundled library beside the binary.
final class AppsCommandTests: XCTestCase, ZofhostRunner {
  var dir: URL!

  override func setUpWithError() throws {
    guard FileManager.default.isExecutableFile(atPath: zofhost.path) else { throw XCTSkip("zofhost binary not built") }
    dir = FileManager.default.temporaryDirectory.appendingPathComponent("zofapps-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
  }

  override func tearDown() {
    if let dir { try? FileManager.default.removeItem(at: dir) }
  }

  func write(_ name: String, _ code: String) throws {
    try code.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
  }

  func testReportFindsRequiredAppsInTheBundledLibrary() throws {
    try write("multi.lua", "zof.app('multi', {requires = {'l2_multi'}}):event('HOST_ADD', function() end)\n")
    let r = try run(["apps", "--apps", dir.path])
    XCTAssertEqual(r.status, 0, r.err)
    let text = String(decoding: r.out, as: UTF8.self)
    let apps = text.split(separator: "\n").filter { $0.hasPrefix("APP ") }.map { $0.split(separator: " ")[1] }
    XCTAssertEqual(apps, ["topology", "l2_multi", "multi"])
    XCTAssertTrue(text.contains("lib-lua/topology.lua  (library)"), text)
    XCTAssertTrue(text.contains("  PROVIDES SERVICE  topology TO {l2_multi}"), text)
    XCTAssertTrue(text.contains("HOST_ADD TO {multi}"), text)
    XCTAssertTrue(text.contains("LINK_ADD, LINK_DELETE, HOST_MOVE TO {l2_multi}"), text)

    let json = try run(["apps", "--apps", dir.path, "--json"])
    XCTAssertEqual(json.status, 0, json.err)
    let parsed = try JSONSerialization.jsonObject(with: json.out) as? [String: Any]
    let names = (parsed?["apps"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
    XCTAssertEqual(names, ["topology", "l2_multi", "multi"])
  }

  func testLibOptionReplacesTheBundledLibrary() throws {
    let lib = dir.appendingPathComponent("mylib")
    try FileManager.default.createDirectory(at: lib, withIntermediateDirectories: true)
    try "zof.app('topology', {precedence = 7})\n".write(to: lib.appendingPathComponent("topology.lua"), atomically: true, encoding: .utf8)
    try write("a.lua", "zof.app('a', {requires = {'topology'}})\n")
    // A trailing slash names the same folder.
    let r = try run(["apps", "--apps", dir.path, "--lib", lib.path + "/"])
    XCTAssertEqual(r.status, 0, r.err)
    XCTAssertTrue(String(decoding: r.out, as: UTF8.self).contains("APP topology  precedence 7  \(lib.path)/topology.lua  (library)"))
  }

  func testLoadErrorsAndBadUsage() throws {
    try write("a.lua", "zof.app('a', {requires = {'nowhere'}})\n")
    let r = try run(["apps", "--apps", dir.path])
    XCTAssertEqual(r.status, 1)
    XCTAssertTrue(r.err.contains("a.lua:1: zof.app: app \"a\" requires \"nowhere\", which is neither"), r.err)
    XCTAssertTrue(r.out.isEmpty)

    let missing = try run(["apps", "--apps", dir.path + "/none"])
    XCTAssertEqual(missing.status, 2)
    XCTAssertTrue(missing.err.contains("--apps: folder"), missing.err)
    let badLib = try run(["apps", "--apps", dir.path, "--lib", dir.path + "/none"])
    XCTAssertEqual(badLib.status, 2)
    XCTAssertTrue(badLib.err.contains("--lib: folder"), badLib.err)
  }
}
