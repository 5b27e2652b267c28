import CLua
import CShim
import XCTest

@testable import LuaRuntime
@testable import OpenFlow

/// core.decode_packet writes the packet's fields straight into a Lua table
/// (LuaStack+Packet). These tests hold it to what the OFValue path gives,
/// LuaStack.push(PacketDecoder.decode(frame)): the same table, down to Lua
/// types and pairs order, for frames of every protocol, each of their
/// prefixes, and seeded random damage; whole, and made in two parts
/// (Ethernet first, the rest on demand) as a PACKET_IN's `pkt` is.
final class DecodePacketTests: XCTestCase {
  var state: LuaState!
  var decodePacket: Int32 = 0
  var lazyFields: [Int32] = []

  override func setUp() {
    state = try! LuaState()
    decodePacket = state.decodeFunctionRefs(["decode_packet"])[0]
    lazyFields = state.lazyFunctionRefs()
  }

  override func tearDown() { state = nil }

  /// core.decode_packet(frame): exactly one table, the stack as it was.
  func fast(_ frame: [UInt8]) -> LV {
    let L = state.L
    let base = state.stack.top
    defer { lua_settop(L, base) }
    zs_getref(L, decodePacket)
    frame.withUnsafeBytes { state.stack.push($0) }
    if let err = state.stack.call(nargs: 1, nresults: LUA_MULTRET) { return .other("raised: \(err)") }
    guard state.stack.top == base + 1 else { return .other("\(state.stack.top - base) results") }
    return state.stack.readBack(-1)
  }

  /// What decode_packet gave before: the OFValue, then pushed.
  func generic(_ frame: [UInt8]) -> LV {
    let L = state.L
    let base = state.stack.top
    defer { lua_settop(L, base) }
    state.stack.push(frame.withUnsafeBytes { PacketDecoder.decode($0) })
    return state.stack.readBack(-1)
  }

  /// A PACKET_IN message's `pkt` read through its __index (core.lazy_fields'
  /// pkt_index), then, if that left the upper layers waiting (a metatable, and
  /// the frame in the partial-frames table), decode_packet(frame, 2, t) as
  /// the prelude's finish_packet does: what `pkt` becomes in two steps.
  func twoPart(_ frame: [UInt8]) -> LV {
    let L = state.L
    let base = state.stack.top
    defer { lua_settop(L, base) }
    zs_getref(L, lazyFields[2])
    lua_createtable(L, 0, 1)
    state.stack.push("data")
    frame.withUnsafeBytes { state.stack.push($0) }
    lua_rawset(L, -3)
    state.stack.push("pkt")
    if let err = state.stack.call(nargs: 2, nresults: 1) { return .other("raised: \(err)") }
    guard lua_type(L, -1) == LUA_TTABLE else { return .other("no pkt") }
    if lua_getmetatable(L, -1) != 0 {
      lua_settop(L, -2)
      lua_pushnil(L)
      lua_setmetatable(L, -2)
      zs_getref(L, decodePacket)
      frame.withUnsafeBytes { state.stack.push($0) }
      lua_pushinteger(L, 2)
      lua_pushvalue(L, -4)
      if let err = state.stack.call(nargs: 3, nresults: 0) { return .other("raised: \(err)") }
    }
    return state.stack.readBack(-1)
  }

  var compared = 0

  func assertSame(_ frame: [UInt8], _ what: @autoclosure () -> String, file: StaticString = #filePath, line: UInt = #line) {
    compared += 1
    let want = generic(frame)
    let got = fast(frame)
    if got != want {
      XCTFail("\(what()): differs\n got: \(got)\nwant: \(want)\nframe: \(hexText(frame))", file: file, line: line)
    }
    let parts = twoPart(frame)
    if parts != want {
      XCTFail("\(what()): in two parts differs\n got: \(parts)\nwant: \(want)\nframe: \(hexText(frame))", file: file, line: line)
    }
  }

  func hexText(_ b: [UInt8]) -> String { b.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined() }

  static func hex(_ s: String) -> [UInt8] { AddressText.parseHex(s)! }
  func hex(_ s: String) -> [UInt8] { Self.hex(s) }

  /// The frames of the packet library's examples (Tests/OpenFlowTests/PacketExamples.swift).
  static let examples: [(String, String)] = [
    ("ARP request",
     "ffffffffffff020000000001080600010800060400010200000000010a0000010000000000000a000002000000000000"
     + "000000000000000000000000"),
    ("ARP reply in VLAN 10",
     "0200000000010200000000028100600a080600010800060400020200000000020a0000020200000000010a0000010000"
     + "000000000000000000000000"),
    ("ICMPv4 echo request",
     "0200000000020200000000010800450000361c46400040010a7f0a0000010a0000020800695c00010007616263646566"
     + "6768696a6b6c6d6e6f707172737475767778797a"),
    ("TCP SYN with MSS, SACK-permitted and window scale",
     "0200000000020200000000010800452800344a2b40008006b8e3c0a8010a5db8d822c00001bb12345678000000008002"
     + "faf0522a0000020405b40103030801010402"),
    ("TCP data in IPv4 with a router alert option",
     "02000000000202000000000108004600003f000000004006d1b20a0000010a000002940400000050c738000003e80000"
     + "07d0501801f6fcad0000485454502f312e3120323030204f4b0d0a0d0a"),
    ("UDP DNS query",
     "02000000000202000000000108004500003900000000401160a40a00000108080808cf08003500259b1aabcd01000001"
     + "000000000000076578616d706c6503636f6d0000010001"),
    ("SCTP INIT",
     "02000000000202000000000108004500003400000000408466440a0000010a00000213888e3c000000007cbb2d750100"
     + "0014112233440001a000000a000a00000001"),
    ("IPv4 later fragment",
     "02000000000202000000000108004500003c004d00b9401165a90a0000010a0000025a5a5a5a5a5a5a5a5a5a5a5a5a5a"
     + "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a"),
    ("Experimental IP protocol: payload after IPv4",
     "02000000000202000000000108004501001f00000000fffda6de0a0000010a0000026e6f74206465636f646564000000"
     + "000000000000000000000000"),
    ("IPv6 UDP (DHCPv6 solicit)",
     "33330001000202000000000186dd6b81234500121101fe800000000000000000000000000001ff020000000000000000"
     + "0000000100020222022300122e5901abcdef000800020000"),
    ("IPv6 TCP",
     "02000000000202000000000186dd60000000001f064020010db800000000000000000000000120010db8000000000000"
     + "00000000000200169c40000000010000000150100400341300005353482d322e302d780d0a"),
    ("ICMPv6 echo request",
     "02000000000202000000000186dd60000000000a3a4020010db800000000000000000000000120010db8000000000000"
     + "0000000000028000a9a7123400016869"),
    ("Neighbour solicitation with source link-layer address",
     "3333ff00000202000000000186dd6000000000203afffe800000000000000000000000000001ff020000000000000000"
     + "0001ff00000287007a9700000000fe8000000000000000000000000000020101020000000001"),
    ("Neighbour advertisement, solicited and override, with target link-layer address",
     "02000000000102000000000286dd6000000000203afffe800000000000000000000000000002fe800000000000000000"
     + "0000000000018800181a60000000fe8000000000000000000000000000020201020000000002"),
    ("Hop-by-hop router alert, then an MLDv2 report",
     "33330000001602000000000186dd6000000000240001fe800000000000000000000000000001ff020000000000000000"
     + "0000000000163a000502000001008f006ee70000000104000000ff020000000000000000000000000123"),
    ("IPv6 first fragment of a UDP datagram",
     "02000000000202000000000186dd6000000000202c4020010db800000000000000000000000120010db8000000000000"
     + "00000000000211000001deadbeef0fa00fa100184cd007070707070707070707070707070707"),
    ("IPv6 segment routing header, then UDP to the final segment",
     "02000000000202000000000186dd6000000000342b4020010db800000000000000000000000120010db8000200000000"
     + "000000000001110404010100000020010db800010000000000000000000120010db800020000000000000000000103e8"
     + "07d0000caf0073727636"),
    ("IPv6 destination options and AH, then TCP",
     "02000000000202000000000186dd6000000000343c4020010db800000000000000000000000120010db8000000000000"
     + "0000000000023300010400000000060400000000010000000001a5a5a5a5a5a5a5a5a5a5a5a500b3c350000000000000"
     + "000050104000505c0000"),
    ("QinQ: 802.1ad outer tag, 802.1Q inner tag, UDP",
     "02000000000202000000000188a80064810060c808004500002000000000401166cb0a0000010a00000200070007000c"
     + "1df36563686f000000000000"),
    ("One tag with DEI set",
     "0200000000020200000000018100bffe88b56c6f63616c206578706572696d656e74616c206574686572747970650000"
     + "000000000000000000000000"),
    ("MPLS label, then IPv4 UDP",
     "02000000000202000000000188470001013f4500002000000000401166cb0a0000010a00000200090009000cc8692040"
     + "031800000000000000000000"),
    ("Two MPLS labels, then IPv6 ICMPv6",
     "0200000000020200000000018847003e8a40007d01406000000000083a4020010db80000000000000000000000012001"
     + "0db80000000000000000000000028100234500010002"),
    ("MPLS with a pseudowire control word: payload",
     "0200000000020200000000018848493001ff0000000002000000000902000000000a0800000000000000000000000000"
     + "000000000000000000000000"),
    ("LLDP as a topology app sends it",
     "0180c200000e02000000010388cc021607647069643a3030303030303030303030303030303104020733060200780000"
     + "000000000000000000000000"),
    ("LLDP with every TLV",
     "0180c200000e001b213c9df888cc020704001b213c9df70405056574683006020e10080e75706c696e6b20746f20636f"
     + "72650a0f7377312e6578616d706c652e6e65740c0f7a6f662074657374207377697463680e0400140004100c0501c000"
     + "020102000003e900101e110220010db80000000000000000000000010300000007062b0601020101fe060080c201000a"
     + "fe0900120f01036c000010c802cafe0000"),
    ("Unknown ethertype: payload after Ethernet",
     "02000000000202000000000188b601010101010101010101010101010101010101010101010101010101010101010101"
     + "01010101010101010101010101010101"),
  ]

  /// A TLV: 7 bits of type, 9 of length.
  static func tlv(_ type: Int, _ value: [UInt8]) -> [UInt8] { [UInt8(type << 1 | value.count >> 8), UInt8(value.count & 0xff)] + value }

  static let eth = hex("020000000002 020000000001")

  /// Frames for what the examples lack: LLDP TLVs that repeat, have the
  /// wrong layout or are not text; ND options; deep VLAN and MPLS stacks;
  /// chains of IPv6 extension headers.
  static let oddities: [(String, [UInt8])] = {
    var out: [(String, [UInt8])] = []
    let lldp = hex("0180c200000e 020000000001 88cc")
    let mac = hex("020000000009")
    let odd = tlv(1, [4]) + tlv(1, [4] + mac) + tlv(1, [7] + Array("again".utf8)) + tlv(2, [3] + mac) + tlv(3, [0, 1, 2])
      + tlv(3, [0, 120]) + tlv(3, [0, 60]) + tlv(5, [0xff, 0xfe, 0x41]) + tlv(5, Array("second".utf8)) + tlv(7, [0, 4, 0])
      + tlv(7, [0, 4, 0, 4]) + tlv(8, [0]) + tlv(8, [7, 6] + mac + [2, 0, 0, 0, 9, 0]) + tlv(8, [5, 1, 10, 0, 0, 1, 1, 0, 0, 0, 2, 1, 42])
      + tlv(8, [17, 2] + hex("fe800000000000000000000000000001") + [3, 0, 0, 1, 0, 0]) + tlv(127, [0, 0x12]) + tlv(127, hex("0080c201 000a"))
      + tlv(9, [1, 2, 3]) + tlv(126, []) + tlv(4, [0xc3, 0x28]) + tlv(6, []) + tlv(0, [])
    out.append(("LLDP with repeats and odd layouts", lldp + odd + [0xee]))
    out.append(("LLDP with no End", lldp + tlv(1, [7, 0x61]) + tlv(2, [3] + mac)))
    out.append(("LLDP with End holding a value", lldp + tlv(1, [4] + mac) + tlv(0, [1])))
    out.append(("LLDP that is only End", lldp + tlv(0, []) + [1, 2]))
    out.append(("LLDP with a port id MAC subtype of 5 bytes", lldp + tlv(1, [4] + mac) + tlv(2, [3, 1, 2, 3, 4, 5]) + tlv(0, [])))
    let v6 = hex("86dd 60000000 0000 3aff") + hex("fe800000000000000000000000000001 ff020000000000000000000000000001")
    let na = hex("8800 0000 e0000000 fe800000000000000000000000000002")
    out.append(("NA with SLL then TLL", eth + v6 + na + hex("0101 020000000001 0201 020000000002 0101 020000000003")))
    out.append(("NA with TLL then SLL", eth + v6 + na + hex("0201 020000000002 0101 020000000001")))
    out.append(("NA with a long option", eth + v6 + na + hex("0102 0200000000010000000000000000")))
    let v4tcp = hex("0800 46000038 00000000 4006 0000 0a000001 0a000002 01020304")
      + hex("0050 1f90 00000001 00000002 7012 ffff 0000 0000 020405b4 01010402 01030307") + [9, 9]
    out.append(("three VLAN tags, IPv4 and TCP with options", eth + hex("88a8 2001 9100 4002 8100 1003") + v4tcp))
    out.append(("VLAN tag with a tag cut short after it", eth + hex("8100 0005 8100 00")))
    out.append(("three MPLS labels with no bottom", eth + hex("8847 00010040 00020040 00030040")))
    out.append(("MPLS bottom label, then nothing IP", eth + hex("8847 00010140 12345678")))
    let chain = hex("2b00 00000000 0000") + hex("2c01 0200 00000000 00000000 00000000") + hex("3300 0001 00000000")
      + hex("0601 0000 00000000 00000000") + hex("1234 0050 00000001 00000000 5002 2000 0000 0000")
    out.append(("IPv6 hop-by-hop, routing, fragment, AH, then TCP", eth + hex("86dd 60000000 0040 00ff") + [UInt8](repeating: 1, count: 32) + chain))
    out.append(("IPv6 later fragment", eth + hex("86dd 60000000 0010 2cff") + [UInt8](repeating: 2, count: 32) + hex("1100 0010 00000001 abcdef")))
    out.append(("IPv6 payload length past the frame", eth + hex("86dd 60000000 ffff 11ff") + [UInt8](repeating: 3, count: 32) + hex("0001 0002 0008 0000")))
    out.append(("IPv4 total length short of the frame", eth + hex("0800 45000020 00000000 4011 0000 0a000001 0a000002 0001 0002 000c 0000 aabbccdd") + [0, 0, 0]))
    return out
  }()

  /// IPv6 addresses with every pattern of zero groups, so "::" lands
  /// everywhere; the groups that are not zero have 1 to 4 digits.
  static let ipv6Addresses: [[UInt8]] = (0..<256).map { zeros in
    (0..<8).flatMap { i -> [UInt8] in
      guard zeros >> i & 1 == 0 else { return [0, 0] }
      let g = [0x1, 0x2b, 0x3cd, 0xef01, 0x10, 0xa, 0xfff, 0x8000][(i + zeros) % 8]
      return [UInt8(g >> 8), UInt8(g & 0xff)]
    }
  }

  static var frames: [(String, [UInt8])] { examples.map { ($0.0, hex($0.1)) } + oddities }

  // MARK: tests

  func testKeysAreTheirCaseNames() {
    XCTAssertEqual(PacketKey.names.count, PacketKey.allCases.count)
    for k in PacketKey.allCases {
      XCTAssertEqual(k.name, String(describing: k))
      XCTAssertEqual(PacketKey(rawValue: k.rawValue), k)
    }
    XCTAssertEqual(Set(PacketKey.names).count, PacketKey.names.count)
    // decode_packet holds them as upvalues after its function pointer: 255 at
    // most. (The lazy-field functions, holding them and more, are made here.)
    XCTAssertLessThanOrEqual(PacketKey.allCases.count, 254)
    XCTAssertEqual(lazyFields.count, 6)
  }

  func testExamplesAndEveryPrefix() {
    for (what, frame) in Self.frames {
      assertSame(frame, what)
      guard case .table(let entries) = fast(frame), entries.count > 3 else { XCTFail("\(what): decoded to nothing"); continue }
      for n in 0..<frame.count { assertSame(Array(frame[..<n]), "\(what) cut to \(n)") }
    }
    print("examples and their prefixes: \(compared) frames compared")
  }

  func testAddressText() {
    let udp = hex("0001 0002 0008 0000")
    for (i, a) in Self.ipv6Addresses.enumerated() {
      let b = Self.ipv6Addresses[255 - i]
      assertSame(Self.eth + hex("86dd 60000000 0008 11ff") + a + b + udp, "IPv6 zero groups \(i)")
      let nd = hex("86dd 60000000 0020 3aff") + a + b + hex("8700 0000 00000000") + a + hex("0101") + a.prefix(6)
      assertSame(Self.eth + nd, "ND target zero groups \(i)")
    }
    for x: UInt8 in [0, 1, 9, 10, 99, 100, 199, 200, 255] {
      let ip = hex("45000014 00000000 40ff 0000") + [x, 10 &* x, x, 0] + [255 - x, x / 10, x % 10, x]
      assertSame(Self.eth + hex("0800") + ip, "IPv4 \(x)")
      let arp = hex("0806 0001 0800 0604 0001") + [x, 0xff - x, x, 0xa0 ^ x, 0, 1] + [x, x, x, x] + [0, 0, 0, 0, 0, x] + [1, 2, x, 4]
      assertSame(Self.eth + arp, "ARP \(x)")
    }
  }

  /// Seeded damage: bytes changed, frames cut, and the type fields that pick
  /// the next header swapped for others.
  func testRandomlyDamagedFrames() {
    var seed: UInt64 = 0x2545_f491_4f6c_dd1d
    func next(_ n: Int) -> Int {
      seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Int((seed >> 33) % UInt64(max(n, 1)))
    }
    let frames = Self.frames.map(\.1)
    let types: [UInt16] = [0x8100, 0x88a8, 0x9100, 0x8847, 0x8848, 0x86dd, 0x0800, 0x0806, 0x88cc]
    for i in 0..<30_000 {
      var m = frames[next(frames.count)]
      switch next(3) {
      case 0:
        let at = 12 + 4 * next(4)
        if at + 2 <= m.count {
          let t = types[next(types.count)]
          m[at] = UInt8(t >> 8)
          m[at + 1] = UInt8(t & 0xff)
        }
        for _ in 0..<next(3) { m[next(m.count)] = UInt8(next(256)) }
      default:
        for _ in 0...next(6) { m[next(m.count)] = UInt8(next(256)) }
      }
      if next(4) == 0 { m = Array(m.prefix(next(m.count + 1))) }
      assertSame(m, "random case \(i)")
    }
  }

  func testNoFrameGivesNothing() {
    let L = state.L
    let base = state.stack.top
    defer { lua_settop(L, base) }
    zs_getref(L, decodePacket)
    lua_pushinteger(L, 5)
    XCTAssertNil(state.stack.call(nargs: 1, nresults: LUA_MULTRET))
    XCTAssertEqual(state.stack.top, base)
    XCTAssertEqual(fast([]), .table([LV.Entry(key: .string(Array("payload".utf8)), value: .string([]))]))
  }
}
