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

  /// "file: name", the case's name in test reports.
  var title: String { "\(file): \(name)" }

  static func parse(file: String, text: String) -> [AppCase] {
    var cases: [AppCase] = []
    var cur: AppCase?
    var section = ""
    var arg = ""
    var body: [String] = []

    func flush() {
      guard cur != nil else { return }
      let text = body.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
      switch section {
      case "app": cur!.apps.append((arg, text))
      case "lib": cur!.lib.append((arg, text))
      case "library": cur!.bundledLibrary = true
      case "bundled":
        let code = (try? String(contentsOf: packageRoot.appendingPathComponent("apps-lua/\(arg)"), encoding: .utf8)) ?? "error('no bundled app \(arg)')"
        cur!.apps.append((arg, code))
      case "switch": cur!.switchVersion = OFVersion.parse(arg)
      case "input": cur!.input = text
      case "close": cur!.close = true
      case "output": cur!.output = text
      case "log": cur!.log = text.split(separator: "\n").map(String.init)
      case "no_log": cur!.noLog = text.split(separator: "\n").map(String.init)
      case "load_error": cur!.loadError = text
      default: break
      }
      body = []
      section = ""
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
        section = words.first.map(String.init) ?? ""
        arg = words.count > 1 ? String(words[1]) : ""
      } else {
        body.append(line)
      }
    }
    flush()
    if let c = cur { cases.append(c) }
    return cases
  }
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
