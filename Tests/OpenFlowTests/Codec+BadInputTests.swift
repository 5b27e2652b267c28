import XCTest

@testable import OpenFlow

/// Every malformed input is an OFCodecError with type, offset and reason; none traps.
final class CodecBadInputTests: XCTestCase {
  func testHeaderLengths() {
    assertDecodeError([], type: "UNKNOWN", reason: "shorter than the 8-byte header", offset: 0)
    assertDecodeError(hex("04000008 0000"), type: "HELLO", reason: "shorter than the 8-byte header")
    assertDecodeError(hex("04020004 00000000"), type: "ECHO_REQUEST", reason: "header length 4 is below 8", offset: 2)
    assertDecodeError(hex("04020010 00000000"), type: "ECHO_REQUEST", reason: "header length 16 but the message has 8 bytes", offset: 2)
    assertDecodeError(hex("04020008 00000000 00"), reason: "header length 8 but the message has 9 bytes")
  }

  func testTrailingBytesAfterFixedBody() {
    assertDecodeError(withLength(hex("04060000 00000000") + [UInt8](repeating: 0, count: 28)), type: "FEATURES_REPLY",
                      reason: "4 unexpected bytes after the message body", offset: 32)
  }

  func testTruncatedFixedBodies() {
    assertDecodeError(hex("040a0010 00000000 ffffffff 00000000"), type: "PACKET_IN", reason: "truncated cookie")
    assertDecodeError(hex("010e0010 00000000 00000000 00000000"), type: "FLOW_MOD", reason: "truncated ofp_match")
    assertDecodeError(hex("040c0010 00000000 00000000 00000000"), type: "PORT_STATUS", reason: "truncated port description")
    assertDecodeError(hex("0401000a 00000000 0001"), type: "ERROR", reason: "truncated error code")
    assertDecodeError(hex("0412000c 00000000 000d0000"), type: "REQUEST.PORT_DESC", reason: "truncated multipart header")
  }

  func testActionLengths() {
    // PACKET_OUT 1.3 whose action claims length 0: must not loop forever.
    let po = hex("040d0000 00000000 ffffffff fffffffd 0008 000000000000")
    assertDecodeError(withLength(po + hex("00000000 00000000")), type: "PACKET_OUT", reason: "action length 0 is not a positive multiple of 8", offset: 26)
    assertDecodeError(withLength(po + hex("0000000c 00000000")), reason: "action length 12 is not a positive multiple of 8")
    // Longer than the action list.
    assertDecodeError(withLength(po + hex("00000010 00000000")), reason: "action length 16 overruns its list")
    // actions_len longer than the message.
    assertDecodeError(withLength(hex("040d0000 00000000 ffffffff fffffffd 0100 000000000000")), reason: "actions_len 256 overruns the message", offset: 16)
    // 1.0 OUTPUT with a short body / 1.3 action header cut in the middle.
    assertDecodeError(withLength(hex("010d0000 00000000 ffffffff fffd 0004 00000004")), reason: "action length 4 is not a positive multiple of 8")
    assertDecodeError(withLength(hex("040d0000 00000000 ffffffff fffffffd 0002 000000000000 0000")), reason: "truncated action length")
    // A header-only action whose length claims 16: extra bytes in the action.
    let po16 = hex("040d0000 00000000 ffffffff fffffffd 0010 000000000000")
    assertDecodeError(withLength(po16 + hex("00120010 00000000 00000000 00000000")), reason: "unexpected bytes after action POP_VLAN")
  }

  func testInstructionLengths() {
    let fixed = hex("040e0000 00000000") + [UInt8](repeating: 0, count: 40) + hex("00010004 00000000")
    assertDecodeError(withLength(fixed + hex("00040000 00000000")), type: "FLOW_MOD", reason: "instruction length 0")
    assertDecodeError(withLength(fixed + hex("00040018 00000000")), reason: "instruction length 24 overruns its list")
    // An APPLY_ACTIONS whose action overruns the instruction.
    assertDecodeError(withLength(fixed + hex("00040010 00000000 00000010 00000000")), reason: "action length 16 overruns its list")
  }

  /// A HELLO is never refused for its elements: what is whole decodes, a
  /// broken last element is kept as `rest` (no `versions` then: the header's
  /// version negotiates), and the bytes round-trip.
  func testHelloElements() throws {
    // Length 2 (below the element header), 16 (past the message), cut headers.
    for text in ["04000010 00000000 00010002 00000000", "04000010 00000000 00010010 00000000",
                 "0400000c 00000000 00010008", "0400000a 00000000 0001", "04000009 00000000 00"] {
      let b = hex(text)
      let m = try assertRoundTrip(b)
      XCTAssertEqual(m.msg, .table([OFField("rest", .bytes(Array(b[8...])))]), text)
    }
    // A whole bitmap, then a cut element: versions stay.
    let m = try assertRoundTrip(hex("04000016 00000000 00010008 00000012 00020010 0000"))
    XCTAssertEqual(m.msg["versions"], .list([.uint(1), .uint(4)]))
    XCTAssertEqual(m.msg["rest"], .bytes(hex("00020010 0000")))
    // A bitmap of 3 bytes cannot be read: it stays an element, no versions.
    let odd = try assertRoundTrip(hex("04000010 00000000 00010007 00000000"))
    XCTAssertNil(odd.msg["versions"])
    XCTAssertEqual(odd.msg["elements"], .list([.table([OFField("type", .uint(1)), OFField("data", .bytes([0, 0, 0]))])]))
  }

  func testPortListNotAMultiple() {
    assertDecodeError(withLength(hex("04130000 00000000 000d0000 00000000") + [UInt8](repeating: 0, count: 70)),
                      type: "REPLY.PORT_DESC", reason: "truncated port description: needs 64 bytes, 6 left")
  }

  /// Every prefix and many byte flips of valid messages: decode returns or throws, never traps.
  func testMutationsNeverTrap() throws {
    var seeds: [[UInt8]] = []
    let msgs: [OFMessage] = [
      OFMessage(version: 4, type: "HELLO", msg: .table(["versions": .list([.uint(1), .uint(4)])])),
      OFMessage(version: 4, type: "FLOW_MOD", msg: .table([
        "match": .table([OFField("in_port", .uint(1)), OFField("eth_dst", .string("02:00:00:00:00:01")), OFField("oxm_0001_1", .bytes([1, 2]))]),
        "instructions": .list([
          .table(["instruction": .string("APPLY_ACTIONS"), "actions": .list([
            .table(["action": .string("SET_FIELD"), "field": .string("ipv4_src"), "value": .string("1.2.3.4")]),
            .table(["action": .string("OUTPUT"), "port_no": .uint(2)]),
          ])]),
          .table(["instruction": .string("WRITE_METADATA"), "metadata": .uint(1)]),
        ]),
      ])),
      OFMessage(version: 1, type: "FLOW_MOD", msg: .table([
        "match": .table(["eth_type": .uint(0x800), "ipv4_src": .string("10.0.0.1")]),
        "actions": .list([.table(["action": .string("SET_FIELD"), "field": .string("eth_dst"), "value": .string("02:00:00:00:00:02")])]),
      ])),
      OFMessage(version: 4, type: "PACKET_IN", msg: .table(["in_port": .uint(1), "data": .bytes([1, 2, 3])])),
      OFMessage(version: 1, type: "PACKET_OUT", msg: .table(["actions": .list([.table(["action": .string("OUTPUT"), "port_no": .uint(1)])])])),
      OFMessage(version: 4, type: "REPLY.PORT_DESC", msg: .table(["ports": .list([.table(["port_no": .uint(1)])])])),
      OFMessage(version: 1, type: "FEATURES_REPLY", msg: .table(["datapath_id": .uint(1), "ports": .list([.table(["port_no": .uint(1)])])])),
      OFMessage(version: 4, type: "FLOW_REMOVED", msg: .table(["reason": .uint(0), "match": .table(["in_port": .uint(1)])])),
      OFMessage(version: 4, type: "ERROR", msg: .table(["type": .string("EXPERIMENTER"), "experimenter": .uint(1)])),
    ]
    for m in msgs { seeds.append(try OFCodec.encode(m)) }
    var rng = SplitMix(seed: 42)
    var decoded = 0, rejected = 0
    for seed in seeds {
      for n in 0...seed.count {
        // Every prefix, with the header length fixed up so the body parser sees it.
        var p = Array(seed.prefix(n))
        if p.count >= 4 { p = withLength(p) }
        if (try? OFCodec.decode(p)) != nil { decoded += 1 } else { rejected += 1 }
      }
      for _ in 0..<400 {
        var p = seed
        for _ in 0..<(1 + Int(rng.next() % 3)) {
          let i = 8 + Int(rng.next() % UInt64(max(1, p.count - 8)))
          if i < p.count { p[i] = UInt8(truncatingIfNeeded: rng.next()) }
        }
        if let m = try? OFCodec.decode(p) {
          decoded += 1
          _ = try? OFCodec.encode(m)  // whatever decodes must also encode without trapping
        } else {
          rejected += 1
        }
      }
    }
    XCTAssertGreaterThan(decoded, 0)
    XCTAssertGreaterThan(rejected, 0)
  }
}

/// Small deterministic PRNG for the mutation test.
struct SplitMix {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9e37_79b9_7f4a_7c15
    var z = state
    z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
    z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
    return z ^ (z >> 31)
  }
}
