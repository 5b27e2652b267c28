import Foundation
import CLua
import CShim
import XCTest

@testable import LuaRuntime
@testable import OpenFlow

#if canImport(Glibc)
  import Glibc
#endif

/// core.decode_into and core.decode_msg read PACKET_IN straight from the
/// wire (LuaStack+PacketIn). These tests hold them to the generic path,
/// OFCodec.decode + setFields: the same table (keys, values, Lua types, even
/// pairs order) or the same error, for the corpus, hand-built messages of
/// every version, and broken variants.
final class DecodeIntoTests: XCTestCase {
  enum Outcome: Equatable {
    case ok(LV)
    case failed(String)
  }

  var state: LuaState!
  var decodeInto: Int32 = 0
  var decodeMsg: Int32 = 0
  /// Frames the fast path took (OFPacketInView accepted them).
  var fastCount = 0

  override func setUp() {
    state = try! LuaState()
    let refs = state.decodeFunctionRefs(["decode_into", "decode_msg"])
    decodeInto = refs[0]
    decodeMsg = refs[1]
    fastCount = 0
  }

  override func tearDown() { state = nil }

  // MARK: the two paths

  /// core.decode_into(t, frame) as the prelude calls it. With `guarded`, t
  /// has a metatable whose __index/__newindex raise, as LAZY's would run code.
  func fast(_ bytes: [UInt8], guarded: Bool = false) -> Outcome {
    let L = state.L
    let base = state.stack.top
    defer { lua_settop(L, base) }
    if takesFastPath(bytes) { fastCount += 1 }
    if guarded {
      let code = "return setmetatable({}, {__index = function() error('__index ran') end, __newindex = function() error('__newindex ran') end})"
      XCTAssertEqual(zs_loadbuffer(L, code, code.utf8.count, "=guard"), LUA_OK)
      XCTAssertNil(state.stack.call(nargs: 0, nresults: 1))
    } else {
      lua_createtable(L, 0, 0)
    }
    zs_getref(L, decodeInto)
    lua_pushvalue(L, -2)
    bytes.withUnsafeBytes { state.stack.push($0) }
    if let err = state.stack.call(nargs: 2, nresults: 2) { return .failed("raised: \(err)") }
    if lua_toboolean(L, -2) != 0 {
      XCTAssertEqual(lua_type(L, -1), LUA_TNIL)
      lua_settop(L, -3)
      if guarded {
        // Drop the guard: the fields are what is compared.
        lua_pushnil(L)
        lua_setmetatable(L, -2)
      }
      return .ok(state.stack.readBack(-1))
    }
    XCTAssertEqual(lua_type(L, -2), LUA_TNIL, "decode_into returns true or nil, message")
    // A failed decode leaves the table as it was.
    XCTAssertEqual(state.stack.readBack(-3), .table(guarded ? [LV.Entry(key: .other("metatable"), value: .other("set"))] : []))
    return .failed(state.stack.string(at: -1) ?? "(no message)")
  }

  /// core.decode_msg(frame): a new table.
  func fastNew(_ bytes: [UInt8]) -> Outcome {
    let L = state.L
    let base = state.stack.top
    defer { lua_settop(L, base) }
    zs_getref(L, decodeMsg)
    bytes.withUnsafeBytes { state.stack.push($0) }
    if let err = state.stack.call(nargs: 1, nresults: 2) { return .failed("raised: \(err)") }
    if lua_type(L, -2) == LUA_TTABLE {
      XCTAssertEqual(lua_type(L, -1), LUA_TNIL)
      return .ok(state.stack.readBack(-2))
    }
    XCTAssertEqual(lua_type(L, -2), LUA_TNIL, "decode_msg returns a table or nil, message")
    return .failed(state.stack.string(at: -1) ?? "(no message)")
  }

  /// OFCodec.decode then setFields into a fresh table: what decode_into did
  /// before (`presized`: a table made for the fields and room, as decode_msg's).
  func generic(_ bytes: [UInt8], presized: Bool = false) -> Outcome {
    let L = state.L
    let base = state.stack.top
    defer { lua_settop(L, base) }
    do {
      let m = try OFCodec.decode(bytes)
      lua_createtable(L, 0, presized ? Int32((m.msg.fields?.count ?? 0) + LuaRuntime.roomFor(m.type)) : 0)
      state.stack.setFields(m.msg, into: -1)
      return .ok(state.stack.readBack(-1))
    } catch {
      return .failed("malformed message from the switch: \(error)")
    }
  }

  func assertSame(_ bytes: [UInt8], _ what: @autoclosure () -> String, file: StaticString = #filePath, line: UInt = #line) {
    let want = generic(bytes)
    let got = fast(bytes)
    if got != want {
      XCTFail("\(what()): fast path differs\n got: \(got)\nwant: \(want)\nbytes: \(hex(bytes))", file: file, line: line)
    }
    let wantNew = generic(bytes, presized: true)
    let gotNew = fastNew(bytes)
    if gotNew != wantNew {
      XCTFail("\(what()): decode_msg differs\n got: \(gotNew)\nwant: \(wantNew)\nbytes: \(hex(bytes))", file: file, line: line)
    }
  }

  func takesFastPath(_ bytes: [UInt8]) -> Bool { bytes.withUnsafeBytes { OFPacketInView($0) != nil } }

  func hex(_ b: [UInt8]) -> String { b.map { String($0, radix: 16) }.joined(separator: " ") }

  /// The frame as is, cut short (with and without the header length fixed),
  /// and with each byte changed a few ways.
  func assertSameWhenBroken(_ bytes: [UInt8], _ what: String) {
    assertSame(bytes, what)
    for n in 0..<bytes.count {
      var cut = Array(bytes[..<n])
      assertSame(cut, "\(what) cut to \(n)")
      if n >= 4 {
        cut[2] = UInt8(n >> 8)
        cut[3] = UInt8(n & 0xff)
        assertSame(cut, "\(what) cut to \(n), length fixed")
      }
    }
    for i in 0..<bytes.count {
      for change in [{ (_: UInt8) -> UInt8 in 0 }, { _ in 0xff }, { $0 ^ 1 }, { $0 ^ 0x80 }, { $0 &+ 8 }] {
        var b = bytes
        b[i] = change(b[i])
        assertSame(b, "\(what) with byte \(i) \(bytes[i]) -> \(b[i])")
      }
    }
  }

  // MARK: building PACKET_INs

  static func be(_ v: UInt64, _ size: Int) -> [UInt8] { (0..<size).map { UInt8(truncatingIfNeeded: v >> UInt64(8 * (size - 1 - $0))) } }

  static func tlv(_ cls: UInt16, _ number: UInt8, masked: Bool = false, _ payload: [UInt8]) -> [UInt8] {
    be(UInt64(cls), 2) + [number << 1 | (masked ? 1 : 0), UInt8(payload.count)] + payload
  }

  struct PI {
    var version: UInt8
    var buffer: UInt32 = 0xffff_ffff
    var totalLen: UInt16 = 64
    var inPort: UInt32 = 1
    var inPhyPort: UInt32 = 1
    var reason: UInt8 = 0
    var table: UInt8 = 0
    var cookie: UInt64 = 0
    var tlvs: [UInt8]? = nil  // nil: just in_port (1.2+)
    var data: [UInt8] = Array(0..<60)

    var bytes: [UInt8] {
      var body = be(UInt64(buffer), 4)
      switch version {
      case 1: body += be(UInt64(totalLen), 2) + be(UInt64(inPort), 2) + [reason, 0]
      case 2: body += be(UInt64(inPort), 4) + be(UInt64(inPhyPort), 4) + be(UInt64(totalLen), 2) + [reason, table]
      default:
        body += be(UInt64(totalLen), 2) + [reason, table]
        if version >= 4 { body += be(cookie, 8) }
        let t = tlvs ?? DecodeIntoTests.tlv(0x8000, 0, be(UInt64(inPort), 4))
        let len = 4 + t.count
        body += be(1, 2) + be(UInt64(len), 2) + t + [UInt8](repeating: 0, count: (8 - len % 8) % 8) + [0, 0]
      }
      body += data
      let n = 8 + body.count
      return [version, 10] + be(UInt64(n), 2) + [0, 0, 0, 42] + body
    }
  }

  /// Values for a basic OXM field of `size` bytes, some of each interesting kind.
  static func values(_ f: OXMField) -> [[UInt8]] {
    let n = f.size
    var out: [[UInt8]] = [[UInt8](repeating: 0, count: n), [UInt8](repeating: 0xff, count: n), (0..<n).map { UInt8(truncatingIfNeeded: 0x1f * ($0 + 1)) }]
    if f.kind == .port { out += [be(0xffff_fff8, 4), be(0xffff_fffd, 4), be(0xffff_fff7, 4), be(65535, 4)] }
    if f.kind == .ipv4 { out += [[10, 0, 0, 1], [192, 168, 100, 200], [1, 22, 255, 9]] }
    if f.kind == .ipv6 {
      let groups: [[UInt16]] = [
        [0, 0, 0, 0, 0, 0, 0, 1], [1, 0, 0, 0, 0, 0, 0, 0], [0x2001, 0xdb8, 0, 0, 1, 0, 0, 1], [0x2001, 0xdb8, 0, 0, 1, 0, 0, 0],
        [1, 0, 2, 0, 3, 0, 4, 0], [0xfe80, 0, 0, 0, 0x200, 0x5eff, 0xfe00, 0x5301], [0, 0, 1, 0, 0, 0, 2, 0], [0xabc, 0x12, 0xf, 0x100, 0, 0xffff, 0x1000, 0],
      ]
      out += groups.map { $0.flatMap { g in be(UInt64(g), 2) } }
    }
    return out
  }

  /// Hand-built PACKET_INs of every version, over the values each field can take.
  static func handBuilt() -> [(String, [UInt8])] {
    var out: [(String, [UInt8])] = []
    for v: UInt8 in 1...6 {
      for buffer: UInt32 in [0xffff_ffff, 0, 7, 0x8000_0000, 0xffff_fffe] {
        out.append(("v\(v) buffer \(buffer)", PI(version: v, buffer: buffer).bytes))
      }
      for reason: UInt8 in [0, 1, 2, 3, 4, 5, 6, 7, 255] {
        out.append(("v\(v) reason \(reason)", PI(version: v, reason: reason, table: reason).bytes))
      }
      let ports: [UInt32] = v == 1 ? [0, 1, 0xfff7, 0xfff8, 0xfffd, 0xfffe, 0xffff] : [0, 1, 0xfff8, 0xffff, 0xffff_fff7, 0xffff_fff8, 0xffff_fffd, 0xffff_ffff]
      for p in ports {
        out.append(("v\(v) in_port \(p)", PI(version: v, inPort: p, inPhyPort: p ^ 7).bytes))
      }
      for data in [[], [0], Array("hi".utf8), [UInt8](repeating: 0, count: 40), [UInt8](repeating: 0xaa, count: 41), Array(repeating: 0x55, count: 1500)] {
        out.append(("v\(v) data of \(data.count)", PI(version: v, totalLen: UInt16(data.count), data: data).bytes))
      }
      out.append(("v\(v) cookie and table", PI(version: v, table: 254, cookie: 0xffff_ffff_ffff_ffff).bytes))
      out.append(("v\(v) cookie", PI(version: v, cookie: 0x0123_4567_89ab_cdef).bytes))
      guard v >= 3 else { continue }
      // Every basic OXM field, with and without a mask, alone and after in_port.
      for f in OXMField.all {
        for value in values(f) {
          let plain = tlv(0x8000, f.number, value)
          out.append(("v\(v) match \(f.name)", PI(version: v, tlvs: plain).bytes))
          let masked = tlv(0x8000, f.number, masked: true, value + values(f)[2])
          out.append(("v\(v) match \(f.name) masked", PI(version: v, tlvs: tlv(0x8000, 0, be(3, 4)) + masked).bytes))
        }
      }
      let all = OXMField.all.map { tlv(0x8000, $0.number, values($0)[2]) }
      out.append(("v\(v) match of every field", PI(version: v, tlvs: all.joined().map { $0 }).bytes))
      out.append(("v\(v) empty match", PI(version: v, tlvs: []).bytes))
      // Other classes: raw names and bytes.
      let raw = tlv(0x0001, 31, [1, 2, 3, 4]) + tlv(0x0001, 3, masked: true, [1, 2, 0xff, 0]) + tlv(0xffff, 5, masked: true, [0, 0, 0x23, 0x20, 9, 8])
        + tlv(0x8000, 40, [7]) + tlv(0x8000, 127, masked: true, []) + tlv(0x1234, 0, []) + tlv(0xabcd, 100, [0])
      out.append(("v\(v) match with other classes", PI(version: v, tlvs: tlv(0x8000, 0, be(9, 4)) + raw).bytes))
      // Tunnel fields as Open vSwitch sends them (NXM class 1).
      let tunnel = tlv(0x8000, 0, be(43981, 4)) + tlv(0x8000, 38, be(50000, 8)) + tlv(0x0001, 31, [192, 168, 2, 3]) + tlv(0x0001, 32, [192, 168, 2, 4])
      out.append(("v\(v) tunnel match", PI(version: v, tlvs: tunnel).bytes))
      // Errors the codec words: duplicates, bad lengths, odd masks, other match types.
      out.append(("v\(v) in_port twice", PI(version: v, tlvs: tlv(0x8000, 0, be(1, 4)) + tlv(0x8000, 0, be(2, 4))).bytes))
      out.append(("v\(v) raw field twice", PI(version: v, tlvs: tlv(0x0001, 3, [1]) + tlv(0x0001, 3, masked: true, [1, 2])).bytes))
      out.append(("v\(v) in_port short", PI(version: v, tlvs: tlv(0x8000, 0, be(1, 2))).bytes))
      out.append(("v\(v) odd experimenter mask", PI(version: v, tlvs: tlv(0xffff, 1, masked: true, [0, 0, 0x23, 0x20, 1])).bytes))
      out.append(("v\(v) short experimenter mask", PI(version: v, tlvs: tlv(0xffff, 1, masked: true, [0, 0])).bytes))
    }
    return out
  }

  // MARK: tests

  func testStringsFollowTheCodecsOXMTable() {
    // The OXM names are made from the codec's table itself: field n's at oxm + 2n, its mask's after it.
    for f in OXMField.all {
      let at = PacketInStrings.oxm + 2 * Int(f.number)
      XCTAssertEqual(PacketInStrings.all[at], f.name)
      XCTAssertEqual(PacketInStrings.all[at + 1], f.name + "_mask", f.name)
    }
    let known = Set(OXMField.all.map { Int($0.number) })
    XCTAssertEqual(known.max()! + 1, OXMField.numberLimit, "numberLimit follows the table")
    for n in 0..<OXMField.numberLimit where !known.contains(n) { XCTAssertEqual(PacketInStrings.all[PacketInStrings.oxm + 2 * n], "") }
    XCTAssertEqual(PacketInStrings.reasonNames.indices.map { OFPacketInNames.reason.name(UInt64($0)) ?? "" }, PacketInStrings.reasonNames)
    for (i, name) in PacketInStrings.portNames.enumerated() {
      XCTAssertEqual(OFCodec.portValue(0xffff_fff8 + UInt64(i), OFVersion.v1_3), .string(name))
      XCTAssertEqual(OFCodec.portValue(0xfff8 + UInt64(i), OFVersion.v1_0), .string(name))
    }
    XCTAssertLessThanOrEqual(PacketInStrings.all.count, 254, "a C closure holds at most 255 upvalues")
  }

  /// decode_msg(frame, 1, true) leaves the match out; a PACKET_IN event's
  /// message (core.lazy_fields' `message`, which starts with the head only)
  /// gives the rest and the match on first read (its pkt_index): together,
  /// every field the whole decode gives.
  func testMatchDecodedLaterIsTheSameMatch() {
    let refs = state.lazyFunctionRefs()
    let L = state.L
    var later = 0
    for (what, bytes) in Self.handBuilt() {
      guard case .ok(.table(let whole)) = generic(bytes) else { continue }
      let base = state.stack.top
      defer { lua_settop(L, base) }
      zs_getref(L, decodeMsg)
      bytes.withUnsafeBytes { state.stack.push($0) }
      lua_pushinteger(L, 1)
      lua_pushboolean(L, 1)
      XCTAssertNil(state.stack.call(nargs: 3, nresults: 2), what)
      guard case .table(let without) = state.stack.readBack(-2) else { XCTFail("\(what): no table"); continue }
      let left = lua_toboolean(L, -1) != 0
      let matchKey = LV.string(Array("match".utf8))
      let wholeMatch = whole.first { $0.key == matchKey }?.value
      XCTAssertEqual(left, wholeMatch != nil, "\(what): says its match was left out exactly when it has one")
      XCTAssertEqual(Set(without.map { "\($0.key)=\($0.value)" }),
        Set(whole.filter { $0.key != matchKey }.map { "\($0.key)=\($0.value)" }), what)
      if left { later += 1 }
      // The event comes with its message's head (made in C); the message
      // made again from the event (in Swift, for a filter) is the same.
      // Then its match read through the metatable's __index, which brings
      // the rest first: every version, with a match or without.
      zs_getref(L, refs[5])
      lua_createtable(L, 4, 0)
      bytes.withUnsafeBytes { state.stack.push($0) }
      lua_rawseti(L, -2, lua_Integer(ZS_REC_FRAMES))
      lua_pushinteger(L, 7)
      lua_rawseti(L, -2, lua_Integer(ZS_REC_CONN))
      lua_pushnumber(L, 0)
      lua_rawseti(L, -2, lua_Integer(ZS_REC_TIME))
      state.stack.push("PACKET_IN")
      lua_rawseti(L, -2, lua_Integer(ZS_REC_TYPE))
      bytes.withUnsafeBytes { state.stack.push($0) }
      lua_pushboolean(L, 1)
      lua_pushinteger(L, 1)
      XCTAssertNil(state.stack.call(nargs: 4, nresults: 1), what)
      let ev = state.stack.top
      zs_getref(L, refs[1])
      lua_pushvalue(L, ev)
      XCTAssertNil(state.stack.call(nargs: 1, nresults: 1), what)
      state.stack.push("msg")
      lua_rawget(L, ev)
      let msg = state.stack.top
      XCTAssertEqual(lua_type(L, msg), LUA_TTABLE, "\(what): the event's message")
      XCTAssertEqual(lua_rawequal(L, msg, msg - 1), 0, "\(what): made anew")
      XCTAssertEqual(state.stack.readBack(msg), state.stack.readBack(msg - 1), "\(what): the same head")
      zs_getref(L, refs[2])
      lua_pushvalue(L, msg)
      state.stack.push("match")
      XCTAssertNil(state.stack.call(nargs: 2, nresults: 1), what)
      XCTAssertEqual(state.stack.readBack(-1), wholeMatch ?? .other("nil"), "\(what): the match read later")
      // Read once, the match is the message's own and its frame is let go:
      // the message holds what the whole decode gives (and its metatable).
      lua_settop(L, msg)
      guard case .table(let after) = state.stack.readBack(msg) else { XCTFail("\(what): no message"); continue }
      XCTAssertEqual(Set(after.map { "\($0.key)=\($0.value)" }),
        Set((whole + [LV.Entry(key: .other("metatable"), value: .other("set"))]).map { "\($0.key)=\($0.value)" }), what)
    }
    XCTAssertGreaterThan(later, 50, "matches read later: \(later)")
  }

  func testHandBuiltPacketInsOfEveryVersion() {
    let cases = Self.handBuilt()
    var good = 0
    for (what, bytes) in cases {
      assertSame(bytes, what)
      if case .ok = generic(bytes) { good += 1 }
      if let m = try? OFCodec.decode(bytes), let n = bytes.withUnsafeBytes({ OFPacketInView($0)?.fieldCount }) {
        XCTAssertEqual(Int(n), m.msg.fields?.count, "\(what): decode_msg sizes its table for every field")
      }
    }
    // Every one the codec accepts takes the fast path.
    XCTAssertEqual(fastCount, good, "fast path taken for \(fastCount) of \(cases.count)")
    print("hand-built: \(cases.count) PACKET_INs, \(good) good ones")
    for v: UInt8 in 1...6 {
      let b = PI(version: v).bytes
      XCTAssertTrue(takesFastPath(b), "v\(v)")
      guard case .ok(.table(let e)) = fast(b) else { return XCTFail("v\(v) did not decode") }
      let keys = e.map { entry -> String in
        if case .string(let s) = entry.key { return String(decoding: s, as: UTF8.self) }
        return "?"
      }
      print("v\(v) PACKET_IN keys in pairs order: \(keys)")
    }
  }

  func testBrokenPacketInsFailAsBefore() {
    var picks: [(String, [UInt8])] = []
    for v: UInt8 in 1...6 {
      picks.append(("v\(v)", PI(version: v, data: [1, 2, 3]).bytes))
      if v >= 3 {
        let t = Self.tlv(0x8000, 0, Self.be(5, 4)) + Self.tlv(0x8000, 3, masked: true, [1, 2, 3, 4, 5, 6, 0xff, 0xff, 0xff, 0, 0, 0])
          + Self.tlv(0x0001, 3, masked: true, [1, 0xf0]) + Self.tlv(0x8000, 11, [10, 0, 0, 1])
        picks.append(("v\(v) with a match", PI(version: v, tlvs: t, data: [9]).bytes))
      }
    }
    for (what, bytes) in picks { assertSameWhenBroken(bytes, what) }
  }

  func testRandomlyDamagedPacketIns() {
    var seed: UInt64 = 0x9e37_79b9_7f4a_7c15
    func next(_ n: Int) -> Int {
      seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Int((seed >> 33) % UInt64(n))
    }
    let bases = Self.handBuilt().map(\.1).filter { $0.count < 200 }
    for i in 0..<20_000 {
      var b = bases[next(bases.count)]
      for _ in 0..<(1 + next(4)) { b[8 + next(b.count - 8)] = UInt8(next(256)) }
      if next(3) == 0 {
        let n = 8 + next(b.count - 8)
        b = Array(b[..<n])
        b[2] = UInt8(n >> 8)
        b[3] = UInt8(n & 0xff)
      }
      assertSame(b, "random case \(i)")
    }
  }

  func testEveryCorpusMessage() throws {
    var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)
    let root = parts.joined(separator: "/") + "/../shared/corpus/ryu"
    guard !Self.list(root).isEmpty else {
      print("SKIP: corpus not found at \(root)")
      throw XCTSkip("corpus not found at \(root)")
    }
    var files = 0, packetIns = 0
    for folder in Self.list(root) {
      for name in Self.list(root + "/" + folder) where name.hasSuffix(".packet") {
        guard let bytes = Self.read(root + "/" + folder + "/" + name) else { XCTFail("cannot read \(name)"); continue }
        files += 1
        let before = fastCount
        assertSame(bytes, "\(folder)/\(name)")
        if bytes.count > 1 && bytes[1] == 10 {
          packetIns += 1
          XCTAssertEqual(fastCount, before + 1, "\(folder)/\(name) should take the fast path")
          assertSameWhenBroken(bytes, "\(folder)/\(name)")
        }
      }
    }
    XCTAssertGreaterThan(files, 300)
    XCTAssertGreaterThanOrEqual(packetIns, 8)
    print("corpus: \(files) messages, \(packetIns) PACKET_INs compared")
  }

  func testMetamethodsNeverRun() {
    for v: UInt8 in 1...6 {
      let b = PI(version: v).bytes
      let plain = fast(b)
      XCTAssertEqual(fast(b, guarded: true), plain, "v\(v)")
      guard case .ok = plain else { return XCTFail("v\(v) did not decode") }
    }
    // The generic path too (FLOW_REMOVED is not special-cased).
    let fr = try! OFCodec.encode(OFMessage(version: 4, type: "FLOW_REMOVED", xid: 1, msg: .table([
      "cookie": .uint(1), "reason": .string("DELETE"), "match": .table([OFField("in_port", .uint(1))]),
    ])))
    XCTAssertEqual(fast(fr, guarded: true), generic(fr))
  }

  func testNoFrameIsAnError() {
    let L = state.L
    let base = state.stack.top
    defer { lua_settop(L, base) }
    zs_getref(L, decodeInto)
    lua_createtable(L, 0, 0)
    lua_pushinteger(L, 5)
    XCTAssertNil(state.stack.call(nargs: 2, nresults: 2))
    XCTAssertEqual(lua_type(L, -2), LUA_TNIL)
    XCTAssertEqual(state.stack.string(at: -1), "no frame to decode")
    lua_settop(L, base)
    zs_getref(L, decodeMsg)
    XCTAssertNil(state.stack.call(nargs: 0, nresults: 2))
    XCTAssertEqual(lua_type(L, -2), LUA_TNIL)
    XCTAssertEqual(state.stack.string(at: -1), "no frame to decode")
  }

  // MARK: files

  static func list(_ dir: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
  }

  static func read(_ path: String) -> [UInt8]? {
    FileManager.default.contents(atPath: path).map { [UInt8]($0) }
  }
}
