import Foundation
import HostCore
import OpenFlow
import Reactor
import TestSupport
import XCTest

@testable import LuaRuntime

/// Runs every case in cases/*.t (see AppCase for the format).
final class AppCaseTests: XCTestCase {
  static let casesDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("cases")

  func testAllCases() throws {
    let files = try FileManager.default.contentsOfDirectory(atPath: Self.casesDir.path)
      .filter { $0.hasSuffix(".t") }.sorted()
    XCTAssertFalse(files.isEmpty)
    var count = 0
    for f in files {
      let text = try String(contentsOf: Self.casesDir.appendingPathComponent(f), encoding: .utf8)
      for c in AppCase.parse(file: f, text: text) {
        count += 1
        run(c)
      }
    }
    print("ran \(count) app cases")
  }

  func run(_ c: AppCase) {
    let label = "\(c.file):\(c.line) \(c.name)"
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zofcase-\(getpid())-\(c.line)")
    try? FileManager.default.removeItem(at: dir)
    try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    var paths: [String] = []
    for (name, code) in c.apps {
      let p = dir.appendingPathComponent(name).path
      FileManager.default.createFile(atPath: p, contents: Data(code.utf8))
      paths.append(p)
    }
    paths.sort()
    var libDir: String? = c.bundledLibrary ? bundledLibraryDir : nil
    if !c.lib.isEmpty {
      let lib = dir.appendingPathComponent("library")
      try! FileManager.default.createDirectory(at: lib, withIntermediateDirectories: true)
      for (name, code) in c.lib {
        FileManager.default.createFile(atPath: lib.appendingPathComponent(name).path, contents: Data(code.utf8))
      }
      libDir = lib.path
    }

    let log = CaptureLog()
    let loop = try! EventLoop()
    var config = HostConfig()
    config.listen = []
    let host = Controller(loop: loop, config: config, logger: log.logger)
    let rt = try! LuaRuntime(host: host, logger: log.logger, options: RuntimeOptions(appsDir: dir.path, libDir: libDir))
    do {
      try rt.loadApps(paths: paths)
      rt.activate()
      if let want = c.loadError {
        XCTFail("\(label): loading should fail with '\(want)'")
        return
      }
    } catch {
      if let want = c.loadError {
        XCTAssertTrue("\(error)".contains(want), "\(label): load error '\(error)' lacks '\(want)'")
      } else {
        XCTFail("\(label): load failed: \(error)")
      }
      return
    }
    rt.start()
    loop.runOnce(timeout: 0)

    if let v = c.switchVersion {
      let sw = FakeSwitch(host: host, version: v)
      sw.pump(loop)
      do {
        for m in try luaMessages(c.input) { sw.send(m) }
      } catch {
        XCTFail("\(label): bad input: \(error)")
        return
      }
      if c.close { sw.shutdownWrite() }
      sw.pump(loop)
      if let out = c.output {
        do {
          let want = try luaMessages(out)
          let got = sw.received
          if got.count != want.count {
            XCTFail("\(label): expected \(want.count) messages, got \(got.count): \(got.map(\.type))")
          }
          for (i, w) in want.enumerated() where i < got.count {
            XCTAssertEqual(got[i].type, w.type, "\(label): message \(i + 1) type")
            if let m = subsetMismatch(w.msg, got[i].msg) { XCTFail("\(label): message \(i + 1) \(w.type): \(m)") }
          }
        } catch {
          XCTFail("\(label): bad output spec: \(error)")
        }
      }
    }
    // Expected pieces appear in this order in the whole log (a line may hold several).
    let text = log.lines.joined(separator: "\n")
    var from = text.startIndex
    for want in c.log {
      if let r = text.range(of: want, range: from..<text.endIndex) {
        from = r.upperBound
      } else {
        XCTFail("\(label): log lacks (in order) '\(want)'; log:\n" + text)
        break
      }
    }
    for bad in c.noLog where log.lines.contains(where: { $0.contains(bad) }) {
      XCTFail("\(label): log has '\(bad)'")
    }
  }
}
