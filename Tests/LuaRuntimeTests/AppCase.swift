import CLua
import CShim
import Foundation
import OpenFlow

@testable import LuaRuntime

/// One data-driven case: app scripts, what a switch sends, and what must come
/// out (messages to the switch, log lines). Files under cases/ hold blocks:
///
///     === name
///     --- app a.lua          (one or more; loaded in name order)
///     --- bundled l2_switch.lua  (an app of apps-lua/)
///     --- lib c.lua          (an app in the library folder, found by `requires`)
///     --- library            (the library is zofhost's own bundled one instead)
///     --- switch 1.3         (optional: an in-memory switch of that version)
///     --- input              (Lua table constructors of messages the switch sends)
///     --- close              (optional: the switch hangs up after the input)
///     --- output             (messages the switch must receive, in order; fields compared as a subset)
///     --- log                (substrings that must appear in the log, in order)
///     --- no_log             (substrings that must not appear)
///     --- load_error         (substring of the error loading must fail with)
///     --- run [seconds]      (after START, run the loop on the real clock until the
///                             log has every `--- log` line, at most this long (5 s))
///     --- SKIP reason        (not run: a warning names it and the reason, if any)
///     --- ONLY               (while debugging: only the cases so marked run, in
///                             all files, and a test fails until the mark goes)
///
/// Text before a file's first case is a comment. Any other `--- ` line is an
/// error (a misspelt expectation would otherwise check nothing), as are a
/// section before the first case, a missing file name, a version that is no
/// OpenFlow version, and text outside a section or under one that takes none.
struct AppCase: Sendable {
  var name: String
  var file: String
  var line: Int
  var apps: [(String, String)] = []
  var lib: [(String, String)] = []
  var bundledLibrary = false
  var switchVersion: UInt8?
  var input = ""
  var close = false
  var output: String?
  var log: [String] = []
  var noLog: [String] = []
  var loadError: String?
  /// `--- run [seconds]`: how long the loop may run for the log to be complete.
  var run: Double?
  /// `--- ONLY`: run this case and the other marked ones, no others.
  var only = false
  /// `--- SKIP [reason]`: the reason given, empty if none; nil: the case runs.
  var skip: String?
  /// What is wrong with this case's text; a case with errors is not run.
  var errors: [AppCaseError] = []

  /// "file: name", the case's name in test reports.
  var title: String { "\(file): \(name)" }

  /// Section names, and whether each takes text under its header.
  static let sections: [String: Bool] = [
    "app": true, "bundled": false, "lib": true, "library": false, "switch": false, "input": true,
    "close": false, "output": true, "log": true, "no_log": true, "load_error": true,
    "SKIP": false, "ONLY": false, "run": false,
  ]
  /// Sections whose argument (the rest of the header line) is required.
  static let named: Set<String> = ["app", "bundled", "lib", "switch"]

  static func parse(file: String, text: String) -> (cases: [AppCase], errors: [AppCaseError]) {
    var cases: [AppCase] = []
    var errors: [AppCaseError] = []
    var cur: AppCase?
    var section = ""  // empty: none yet in this case, or a bad header
    var badHeader = false
    var sectionLine = 0
    var arg = ""
    var body: [String] = []
    var bodyLine = 0  // line number of body[0]

    func fail(_ line: Int, _ message: String) {
      let e = AppCaseError(file: file, line: line, message: message)
      errors.append(e)
      cur?.errors.append(e)
    }

    func flush() {
      defer {
        body = []
        section = ""
        badHeader = false
      }
      // Text before the first case is a comment.
      guard cur != nil else { return }
      let text = body.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
      if !text.isEmpty, section.isEmpty || Self.sections[section] == false, !badHeader {
        let at = bodyLine + (body.firstIndex { !$0.trimmingCharacters(in: .whitespaces).isEmpty } ?? 0)
        let what = section.isEmpty ? "text outside any section" : "text under '--- \(section)', which takes none"
        fail(at, "\(what): '\(text.prefix(40))'")
      }
      if section.isEmpty { return }
      switch section {
      case "app": cur!.apps.append((arg, text))
      case "lib": cur!.lib.append((arg, text))
      case "library": cur!.bundledLibrary = true
      case "bundled":
        let code = (try? String(contentsOf: packageRoot.appendingPathComponent("apps-lua/\(arg)"), encoding: .utf8)) ?? "error('no bundled app \(arg)')"
        cur!.apps.append((arg, code))
      case "switch":
        cur!.switchVersion = OFVersion.parse(arg)
        if cur!.switchVersion == nil { fail(sectionLine, "'--- switch \(arg)': no such OpenFlow version") }
      case "input": cur!.input = text
      case "close": cur!.close = true
      case "output": cur!.output = text
      case "log": cur!.log = text.split(separator: "\n").map(String.init)
      case "no_log": cur!.noLog = text.split(separator: "\n").map(String.init)
      case "load_error": cur!.loadError = text
      case "SKIP": cur!.skip = arg
      case "ONLY": cur!.only = true
      case "run":
        cur!.run = arg.isEmpty ? 5 : Double(arg)
        if cur!.run == nil { fail(sectionLine, "'--- run \(arg)': not a number of seconds") }
      default: break
      }
    }

    for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let line = String(raw)
      if line.hasPrefix("=== ") {
        flush()
        if let c = cur { cases.append(c) }
        cur = AppCase(name: String(line.dropFirst(4)), file: file, line: i + 1)
      } else if line.hasPrefix("--- ") {
        flush()
        let words = line.dropFirst(4).split(separator: " ", maxSplits: 1)
        let name = words.first.map(String.init) ?? ""
        arg = words.count > 1 ? String(words[1]).trimmingCharacters(in: .whitespaces) : ""
        if cur == nil {
          fail(i + 1, "section '\(line)' comes before the first case ('=== name')")
        } else if Self.sections[name] == nil {
          let known = Self.sections.keys.sorted().joined(separator: ", ")
          fail(i + 1, "unknown section '\(line)' in case '\(cur!.name)' (known: \(known))")
          badHeader = true
        } else if Self.named.contains(name), arg.isEmpty {
          fail(i + 1, "section '--- \(name)' needs an argument")
          badHeader = true
        } else {
          section = name
          sectionLine = i + 1
        }
      } else {
        if body.isEmpty { bodyLine = i + 1 }
        body.append(line)
      }
    }
    flush()
    if let c = cur { cases.append(c) }
    return (cases, errors)
  }
}

/// A mistake in a case file, with where it is.
struct AppCaseError: Error, Equatable, Sendable, CustomStringConvertible {
  var file: String
  var line: Int
  var message: String
  var description: String { "\(file):\(line): \(message)" }
}

/// The package's root folder.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// zofhost's bundled app library, in the sources.
let bundledLibraryDir = packageRoot.appendingPathComponent("Sources/zofhost/lib-lua").path

/// Reads Lua table constructors into messages, with a plain Lua state.
func luaMessages(_ text: String) throws -> [OFMessage] {
  let owner = try LuaState()
  let lua = owner.stack
  let code = Array((frameHelpers + "return {\n\(text)\n}").utf8)
  let status = code.withUnsafeBufferPointer { b in
    b.withMemoryRebound(to: CChar.self) { zs_loadbuffer(lua.L, $0.baseAddress, $0.count, "=case") }
  }
  guard status == LUA_OK else { throw LuaError(lua.string(at: -1) ?? "?") }
  if let err = lua.call(nargs: 0, nresults: 1) { throw LuaError(err) }
  var out: [OFMessage] = []
  let n = Int(lua_rawlen(lua.L, -1))
  for i in 0..<n {
    lua_rawgeti(lua.L, -1, lua_Integer(i + 1))
    out.append(try lua.message(at: -1))
    lua.pop()
  }
  return out
}

/// Expected fields must be present and equal; extra fields in `actual` are fine.
func subsetMismatch(_ expected: OFValue, _ actual: OFValue, path: String = "msg") -> String? {
  switch expected {
  case .table(let fields):
    if fields.isEmpty { return nil }
    for f in fields {
      guard let a = actual[f.name] else { return "\(path).\(f.name) missing" }
      if let m = subsetMismatch(f.value, a, path: "\(path).\(f.name)") { return m }
    }
    return nil
  case .list(let items):
    guard let a = actual.list, a.count == items.count else { return "\(path): expected \(items.count) items, got \(actual)" }
    for (i, x) in items.enumerated() {
      if let m = subsetMismatch(x, a[i], path: "\(path)[\(i + 1)]") { return m }
    }
    return nil
  case .uint, .int, .bool:
    return expected.uint == actual.uint ? nil : "\(path): expected \(expected), got \(actual)"
  case .string, .bytes:
    return expected.bytes == actual.bytes ? nil : "\(path): expected \(expected), got \(actual)"
  }
}

/// Frame builders for case inputs: eth(dst, src, type, payload), arp(op, sha, spa, tha, tpa),
/// ipv4(src, dst, proto, payload), icmp_echo(id, seq); packet_in(in_port [, data]) is a
/// NO_MATCH PACKET_IN of `data`, by default an empty IPv4 frame from 02:..:01 to 02:..:02.
let frameHelpers = #"""
local function mac(s) return (s:gsub("(%x%x):?", function(h) return string.char(tonumber(h, 16)) end)) end
local function ip(s) local a, b, c, d = s:match("(%d+)%.(%d+)%.(%d+)%.(%d+)"); return string.char(a, b, c, d) end
function eth(dst, src, etype, payload) return mac(dst) .. mac(src) .. string.pack(">I2", etype) .. (payload or "") end
function arp(op, sha, spa, tha, tpa)
  return string.pack(">I2I2I1I1I2", 1, 0x0800, 6, 4, op) .. mac(sha) .. ip(spa) .. mac(tha) .. ip(tpa)
end
function ipv4(src, dst, proto, payload)
  payload = payload or ""
  return string.pack(">I1I1I2I2I2I1I1I2", 0x45, 0, 20 + #payload, 1, 0, 64, proto, 0) .. ip(src) .. ip(dst) .. payload
end
function icmp_echo(id, seq) return string.pack(">I1I1I2I2I2", 8, 0, 0, id, seq) .. "pingdata" end
function packet_in(in_port, data)
  return {type = "PACKET_IN", msg = {in_port = in_port, reason = "NO_MATCH",
    data = data or eth("02:00:00:00:00:02", "02:00:00:00:00:01", 0x0800, "")}}
end

"""#
