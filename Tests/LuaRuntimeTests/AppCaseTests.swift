import Foundation
import HostCore
import OpenFlow
import Reactor
import TestSupport
import Testing

@testable import LuaRuntime

/// The cases of cases/*.t (see AppCase for the format), read once.
enum AppCases {
  static let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("cases")

  /// One case file: its name, its cases, and what in it does not parse.
  struct File: Sendable, CustomTestStringConvertible {
    var name: String
    var cases: [AppCase] = []
    var errors: [AppCaseError] = []
    var testDescription: String { name }
  }

  static let files: [File] = {
    let names: [String]
    do {
      names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".t") }.sorted()
    } catch {
      return [File(name: "cases/", errors: [AppCaseError(file: "cases/", line: 0, message: "cannot list: \(error)")])]
    }
    return names.map { name in
      do {
        let text = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
        let (cases, errors) = AppCase.parse(file: name, text: text)
        return File(name: name, cases: cases, errors: errors)
      } catch {
        return File(name: name, errors: [AppCaseError(file: name, line: 0, message: "cannot read: \(error)")])
      }
    }
  }()

  static let all: [AppCase] = files.flatMap(\.cases)
  static let marked: [AppCase] = all.filter(\.only)
  /// The cases the run takes: those marked ONLY if any are, else all.
  static let selected: [AppCase] = marked.isEmpty ? all : marked
}

/// A line of a case file, as a place to report an issue at.
func caseFileLocation(_ file: String, line: Int) -> SourceLocation {
  SourceLocation(
    fileID: "LuaRuntimeTests/\(file)", filePath: AppCases.dir.appendingPathComponent(file).path, line: max(line, 1),
    column: 1)
}

extension AppCase: CustomTestStringConvertible {
  var testDescription: String { title }

  /// The case's header line, where its failures are reported.
  var location: SourceLocation { caseFileLocation(file, line: line) }
}

/// Each case of cases/*.t is a test case of `appCase`, reported under its
/// title ("file: name"); the suite runs them one at a time, in file order.
@Suite(.serialized)
struct AppCaseTests {
  @Test("app case", arguments: AppCases.selected)
  func appCase(_ appCase: AppCase) throws {
    let c = appCase
    if !c.errors.isEmpty {
      for e in c.errors { Issue.record(Comment(rawValue: "\(c.title) does not parse: \(e)"), sourceLocation: c.location) }
      return
    }
    if let reason = c.skip {
      // The console shows a cancelled test case as passed: the warning is what
      // makes the skip visible there (and in the summary's warning count).
      let why = Comment(rawValue: "SKIP \(c.title)" + (reason.isEmpty ? "" : ": \(reason)"))
      Issue.record(why, severity: .warning, sourceLocation: c.location)
      try Test.cancel(why, sourceLocation: c.location)
    }
    try run(c)
  }

  /// Every line of every case file parses, whatever ONLY and SKIP leave out.
  @Test("case file parses", arguments: AppCases.files)
  func caseFileParses(_ file: AppCases.File) {
    for e in file.errors {
      Issue.record(Comment(rawValue: "\(e)"), sourceLocation: caseFileLocation(e.file, line: e.line))
    }
    #expect(!file.cases.isEmpty, "\(file.name) holds no case")
  }

  @Test("there are case files")
  func thereAreCaseFiles() {
    #expect(!AppCases.files.isEmpty, "no case files in \(AppCases.dir.path)")
  }

  /// `--- ONLY` is for a debugging session: while any case has it, this
  /// fails, so that a run that left the other cases out does not pass.
  @Test("no app case is marked ONLY")
  func noCaseMarkedOnly() {
    for c in AppCases.marked {
      Issue.record(
        Comment(
          rawValue: "\(c.title) is marked --- ONLY: the run took only the marked cases "
            + "(\(AppCases.marked.count) of \(AppCases.all.count)); remove the mark before committing"),
        sourceLocation: c.location)
    }
  }

  func run(_ c: AppCase) throws {
    let label = "\(c.file):\(c.line) \(c.name)"
    func fail(_ message: String) { Issue.record(Comment(rawValue: "\(label): \(message)"), sourceLocation: c.location) }

    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zofcase-\(getpid())-\(c.file)-\(c.line)")
    try? FileManager.default.removeItem(at: dir)
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
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
      try FileManager.default.createDirectory(at: lib, withIntermediateDirectories: true)
      for (name, code) in c.lib {
        FileManager.default.createFile(atPath: lib.appendingPathComponent(name).path, contents: Data(code.utf8))
      }
      libDir = lib.path
    }

    let log = CaptureLog()
    let loop = try EventLoop()
    var config = HostConfig()
    config.listen = []
    let host = Controller(loop: loop, config: config, logger: log.logger)
    let rt = try LuaRuntime(host: host, logger: log.logger, options: RuntimeOptions(appsDir: dir.path, libDir: libDir))
    do {
      try rt.loadApps(paths: paths)
      rt.activate()
      if let want = c.loadError {
        fail("loading should fail with '\(want)'")
        return
      }
    } catch {
      if let want = c.loadError {
        if !"\(error)".contains(want) { fail("load error '\(error)' lacks '\(want)'") }
      } else {
        fail("load failed: \(error)")
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
        fail("bad input: \(error)")
        return
      }
      if c.close { sw.shutdownWrite() }
      sw.pump(loop)
      if let out = c.output {
        do {
          let want = try luaMessages(out)
          let got = sw.received
          if got.count != want.count {
            fail("expected \(want.count) messages, got \(got.count): \(got.map(\.type))")
          }
          for (i, w) in want.enumerated() where i < got.count {
            if got[i].type != w.type { fail("message \(i + 1) type: expected \(w.type), got \(got[i].type)") }
            if let m = subsetMismatch(w.msg, got[i].msg) { fail("message \(i + 1) \(w.type): \(m)") }
          }
        } catch {
          fail("bad output spec: \(error)")
        }
      }
    }
    if let seconds = c.run {
      // Until the expected lines are all there, in order (sockets talk on their own time).
      let deadline = Date().addingTimeInterval(seconds)
      func complete() -> Bool {
        let text = log.lines.joined(separator: "\n")
        var from = text.startIndex
        for want in c.log {
          guard let r = text.range(of: want, range: from..<text.endIndex) else { return false }
          from = r.upperBound
        }
        return true
      }
      while !complete() && Date() < deadline { loop.runOnce(timeout: 0.01) }
      rt.stop()
      for _ in 0..<3 { loop.runOnce(timeout: 0) }
    }
    // Expected pieces appear in this order in the whole log (a line may hold several).
    let text = log.lines.joined(separator: "\n")
    var from = text.startIndex
    for want in c.log {
      if let r = text.range(of: want, range: from..<text.endIndex) {
        from = r.upperBound
      } else {
        fail("log lacks (in order) '\(want)'; log:\n" + text)
        break
      }
    }
    for bad in c.noLog where log.lines.contains(where: { $0.contains(bad) }) {
      fail("log has '\(bad)'")
    }
  }
}
