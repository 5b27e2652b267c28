import XCTest

@testable import OpenFlow

/// HELLO, ECHO, BARRIER, FEATURES_REQUEST, ERROR, type names and the raw fallback.
final class CodecBasicTests: XCTestCase {
  func testHello13WithBitmapExactBytes() throws {
    let m = OFMessage(version: 4, type: "HELLO", xid: 7, msg: .table(["versions": .list([.uint(1), .uint(4)])]))
    let b = try OFCodec.encode(m)
    XCTAssertEqual(hexText(b), "04000010000000070001000800000012")
    let back = try encodeDecode(m)
    XCTAssertEqual(back.msg["versions"], .list([.uint(1), .uint(4)]))
  }

  func testHelloFromOVSVersion6() throws {
    // OVS's first HELLO: version 6 with a bitmap of 1.0, 1.3, 1.4, 1.5.
    let m = try assertRoundTrip(hex("06000010 00000001 00010008 00000072"))
    XCTAssertEqual(m.type, "HELLO")
    XCTAssertEqual(m.msg["versions"], .list([1, 4, 5, 6].map { .uint($0) }))
  }

  func testHelloUnknownElementKept() throws {
    let m = try assertRoundTrip(hex("04000018 00000000 00010008 00000010 00090006 abcd0000"))
    XCTAssertEqual(m.msg["versions"], .list([.uint(4)]))
    XCTAssertEqual(m.msg["elements"], .list([.table([OFField("type", .uint(9)), OFField("data", .bytes([0xab, 0xcd]))])]))
  }

  func testHello10() throws {
    let m = try encodeDecode(OFMessage(version: 1, type: "HELLO", xid: 1))
    XCTAssertEqual(m.msg, .emptyTable)
    XCTAssertEqual(try OFCodec.encode(m), hex("01000008 00000001"))
    assertEncodeError(OFMessage(version: 1, type: "HELLO", msg: .table(["versions": .list([.uint(1)])])), reason: "OpenFlow 1.0")
  }

  func testEchoAndBarrierBothVersions() throws {
    for v: UInt8 in [1, 4] {
      let echo = try encodeDecode(OFMessage(version: v, type: "ECHO_REQUEST", xid: 9, msg: .table(["data": .bytes([1, 2, 3])])))
      XCTAssertEqual(echo.msg["data"], .bytes([1, 2, 3]))
      _ = try encodeDecode(OFMessage(version: v, type: "ECHO_REPLY", xid: 9))
      let barrier = try OFCodec.encode(OFMessage(version: v, type: "BARRIER_REQUEST", xid: 3))
      XCTAssertEqual(barrier[1], v == 1 ? 18 : 20)
      XCTAssertEqual(try OFCodec.decode(barrier).type, "BARRIER_REQUEST")
      let reply = try OFCodec.encode(OFMessage(version: v, type: "BARRIER_REPLY", xid: 3))
      XCTAssertEqual(reply[1], v == 1 ? 19 : 21)
      XCTAssertEqual(try OFCodec.encode(OFMessage(version: v, type: "FEATURES_REQUEST", xid: 2)), [v, 5, 0, 8, 0, 0, 0, 2])
    }
  }

  func testErrorNamesBothVersions() throws {
    let e10 = try encodeDecode(OFMessage(version: 1, type: "ERROR", msg: .table([
      "type": .string("FLOW_MOD_FAILED"), "code": .string("OVERLAP"), "data": .bytes([1, 2]),
    ])))
    XCTAssertEqual(try OFCodec.encode(e10), hex("0101000e 00000000 0003 0001 0102"))
    XCTAssertEqual(e10.msg["type"], .string("FLOW_MOD_FAILED"))
    XCTAssertEqual(e10.msg["code"], .string("OVERLAP"))

    let e13 = try encodeDecode(OFMessage(version: 4, type: "ERROR", msg: .table([
      "type": .string("BAD_MATCH"), "code": .string("BAD_PREREQ"),
    ])))
    XCTAssertEqual(try OFCodec.encode(e13), hex("0401000c 00000000 0004 0009"))

    // Unknown numbers stay numbers; numbers are accepted on encode.
    let unknown = try assertRoundTrip(hex("0401000c 00000000 0063 0007"))
    XCTAssertEqual(unknown.msg["type"], .uint(0x63))
    XCTAssertEqual(unknown.msg["code"], .uint(7))
    let byNumber = try OFCodec.encode(OFMessage(version: 4, type: "ERROR", msg: .table(["type": .uint(1), "code": .int(6)])))
    XCTAssertEqual(try OFCodec.decode(byNumber).msg["code"], .string("BAD_LEN"))

    assertEncodeError(OFMessage(version: 4, type: "ERROR", msg: .table(["type": .string("NOPE"), "code": .uint(0)])), reason: "unknown type 'NOPE'")
    assertEncodeError(OFMessage(version: 4, type: "ERROR", msg: .table(["type": .string("BAD_MATCH")])), reason: "missing field `code`")
  }

  func testErrorExperimenter() throws {
    let m = try encodeDecode(OFMessage(version: 4, type: "ERROR", msg: .table([
      "type": .string("EXPERIMENTER"), "exp_type": .uint(5), "experimenter": .uint(0x2320), "data": .bytes([9]),
    ])))
    XCTAssertEqual(try OFCodec.encode(m), hex("04010011 00000000 ffff 0005 00002320 09"))
  }

  func testTypeNamesOfEveryMessage() {
    func name(_ v: UInt8, _ t: UInt8, mp: UInt16? = nil) -> String {
      var b: [UInt8] = [v, t, 0, 16, 0, 0, 0, 0]
      if let mp { b += [UInt8(mp >> 8), UInt8(mp & 255), 0, 0, 0, 0, 0, 0] }
      return b.withUnsafeBytes { OFCodec.typeName($0) }
    }
    let v10 = ["HELLO", "ERROR", "ECHO_REQUEST", "ECHO_REPLY", "EXPERIMENTER", "FEATURES_REQUEST", "FEATURES_REPLY",
               "GET_CONFIG_REQUEST", "GET_CONFIG_REPLY", "SET_CONFIG", "PACKET_IN", "FLOW_REMOVED", "PORT_STATUS",
               "PACKET_OUT", "FLOW_MOD", "PORT_MOD", "REQUEST.DESC", "REPLY.DESC", "BARRIER_REQUEST", "BARRIER_REPLY",
               "QUEUE_GET_CONFIG_REQUEST", "QUEUE_GET_CONFIG_REPLY"]
    for (t, n) in v10.enumerated() { XCTAssertEqual(name(1, UInt8(t), mp: n.hasPrefix("RE") && n.contains(".") ? 0 : nil), n) }
    XCTAssertEqual(name(1, 22), "UNKNOWN")
    let v13 = ["HELLO", "ERROR", "ECHO_REQUEST", "ECHO_REPLY", "EXPERIMENTER", "FEATURES_REQUEST", "FEATURES_REPLY",
               "GET_CONFIG_REQUEST", "GET_CONFIG_REPLY", "SET_CONFIG", "PACKET_IN", "FLOW_REMOVED", "PORT_STATUS",
               "PACKET_OUT", "FLOW_MOD", "GROUP_MOD", "PORT_MOD", "TABLE_MOD", "REQUEST.DESC", "REPLY.DESC",
               "BARRIER_REQUEST", "BARRIER_REPLY", "QUEUE_GET_CONFIG_REQUEST", "QUEUE_GET_CONFIG_REPLY",
               "ROLE_REQUEST", "ROLE_REPLY", "GET_ASYNC_REQUEST", "GET_ASYNC_REPLY", "SET_ASYNC", "METER_MOD"]
    for (t, n) in v13.enumerated() { XCTAssertEqual(name(4, UInt8(t), mp: n.contains(".") ? 0 : nil), n) }
    XCTAssertEqual(name(4, 30), "UNKNOWN")
    let mp13 = ["DESC", "FLOW", "AGGREGATE", "TABLE", "PORT_STATS", "QUEUE", "GROUP", "GROUP_DESC", "GROUP_FEATURES",
                "METER", "METER_CONFIG", "METER_FEATURES", "TABLE_FEATURES", "PORT_DESC"]
    for (t, n) in mp13.enumerated() {
      XCTAssertEqual(name(4, 18, mp: UInt16(t)), "REQUEST." + n)
      XCTAssertEqual(name(4, 19, mp: UInt16(t)), "REPLY." + n)
    }
    XCTAssertEqual(name(4, 19, mp: 0xffff), "REPLY.EXPERIMENTER")
    XCTAssertEqual(name(1, 17, mp: 4), "REPLY.PORT_STATS")
    XCTAssertEqual(name(1, 17, mp: 13), "UNKNOWN")
    XCTAssertEqual(name(9, 0), "UNKNOWN")
    XCTAssertEqual([UInt8]().withUnsafeBytes { OFCodec.typeName($0) }, "UNKNOWN")
  }

  func testRawFallbackRoundTrips() throws {
    // GET_CONFIG_REPLY decodes field by field.
    let m = try assertRoundTrip(hex("0408000c 00000005 0000 ffff"))
    XCTAssertEqual(m.type, "GET_CONFIG_REPLY")
    XCTAssertEqual(m.msg, .table([OFField("flags", .list([])), OFField("miss_send_len", .string("NO_BUFFER"))]))
    // Multipart keeps its flags; an experimenter body stays bytes.
    let exp = try assertRoundTrip(hex("0412001c 00000001 ffff 0001 00000000 00002320 00000007 01020304"))
    XCTAssertEqual(exp.type, "REQUEST.EXPERIMENTER")
    XCTAssertEqual(exp.msg["flags"], .list([.string("REQ_MORE")]))
    XCTAssertEqual(exp.msg["experimenter"], .uint(0x2320))
    XCTAssertEqual(exp.msg["exp_type"], .uint(7))
    XCTAssertEqual(exp.msg["data"], .bytes([1, 2, 3, 4]))
    // Bytes after a body that has none are an error, not ignored.
    assertDecodeError(hex("04120014 00000001 0000 0001 00000000 01020304"), type: "REQUEST.DESC", reason: "4 unexpected bytes")
    // The raw form of a body is still accepted on encode.
    let raw = OFMessage(version: 4, type: "ROLE_REQUEST", msg: .table(["data": .bytes(hex("00000002 00000000 0000000000000007"))]))
    XCTAssertEqual(try OFCodec.decode(try OFCodec.encode(raw)).msg["role"], .string("MASTER"))
    // A field the body does not have is refused, not dropped.
    assertEncodeError(OFMessage(version: 4, type: "GROUP_MOD", msg: .table(["group_id": .uint(1), "bucket": .list([])])),
                      reason: "GROUP_MOD has no field `bucket` in OpenFlow 1.3")
  }

  func testUnknownTypesKeptWhole() throws {
    let m = try assertRoundTrip(hex("04630010 00000002 0102030405060708"))
    XCTAssertEqual(m.type, "UNKNOWN")
    XCTAssertEqual(m.msg["ofp_type"], .uint(0x63))
    let mp = try assertRoundTrip(hex("04130010 00000002 0077 0000 00000000"))
    XCTAssertEqual(mp.type, "UNKNOWN")
    XCTAssertEqual(mp.msg["data"], .bytes(hex("0077000000000000")))
  }

  func testTypeNotInVersion() {
    assertEncodeError(OFMessage(version: 1, type: "REQUEST.PORT_DESC"), reason: "does not exist in OpenFlow 1.0")
    assertEncodeError(OFMessage(version: 1, type: "METER_MOD"), reason: "does not exist in OpenFlow 1.0")
    assertEncodeError(OFMessage(version: 4, type: "NOT_A_TYPE"), reason: "does not exist")
  }

  func testLowerCaseTypeAndXid() throws {
    let b = try OFCodec.encode(OFMessage(version: 4, type: "barrier_request", xid: 0x01020304))
    XCTAssertEqual(b, hex("04140008 01020304"))
  }
}

final class CodecConfigTests: XCTestCase {
  func testSetConfigRoundTripsOnEveryVersion() throws {
    for v: UInt8 in 1...6 {
      let m = OFMessage(version: v, type: "SET_CONFIG", xid: 3, msg: .table([
        "flags": .list([.string("FRAG_DROP")]), "miss_send_len": .string("NO_BUFFER"),
      ]))
      let bytes = try OFCodec.encode(m)
      XCTAssertEqual(bytes, [v, 9, 0, 12, 0, 0, 0, 3, 0, 1, 0xff, 0xff])
      XCTAssertEqual(try OFCodec.decode(bytes), m)
    }
  }

  func testGetConfigReplyDefaultsAndNumbers() throws {
    let bytes = try OFCodec.encode(OFMessage(version: 4, type: "GET_CONFIG_REPLY", msg: .emptyTable))
    XCTAssertEqual(Array(bytes[8...]), [0, 0, 0, 128])
    let d = try OFCodec.decode(bytes)
    XCTAssertEqual(d.msg["miss_send_len"], .uint(128))
    XCTAssertEqual(d.msg["flags"], .list([]))
  }
}
