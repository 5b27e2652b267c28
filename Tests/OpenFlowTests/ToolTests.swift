import XCTest

@testable import OpenFlow

/// The paths behind `zofhost decode` / `zofhost encode`: the framing walk,
/// hex input, JSON out and back, and multipart split/join.
final class ToolTests: XCTestCase {
  /// decode -> JSON text -> parse -> encode gives the file's bytes back, for every corpus file.
  func testCorpusThroughJSONIsLossless() throws {
    let root = CorpusTests.corpusRoot
    guard !CorpusTests.list(root).isEmpty else { throw XCTSkip("corpus not found at \(root)") }
    var checked = 0
    for folder in ["of10", "of12", "of13", "of14", "of15"] {
      for name in CorpusTests.list(root + "/" + folder) where name.hasSuffix(".packet") {
        let key = folder + "/" + name
        if CorpusTests.lengthMismatch[key] != nil || CorpusTests.malformed[key] != nil { continue }
        let bytes = try XCTUnwrap(CorpusTests.read(root + "/" + key))
        let items = OFStream.decodeAll(bytes, roundtrip: true)
        XCTAssertEqual(items.count, 1, key)
        guard case .success(let m)? = items.first?.result else { XCTFail("\(key): \(String(describing: items.first?.result))"); continue }
        if CorpusTests.exceptions[key] == nil { XCTAssertNil(items.first?.mismatch, key) }
        let json = m.jsonText
        let parsed = try OFMessage.parseJSON(Array(json.utf8))
        XCTAssertEqual(parsed, [m], "\(key): JSON does not parse back to the same message\n\(json)")
        if CorpusTests.exceptions[key] == nil {
          XCTAssertEqual(hexText(try OFCodec.encode(parsed[0])), hexText(bytes), key)
        }
        checked += 1
      }
    }
    XCTAssertEqual(checked, 312)
  }

  func testFramingWalkAndErrors() throws {
    let two = hex("04020008 00000001") + hex("0414000c 00000002 00000000")
    let items = OFStream.decodeAll(two, roundtrip: true)
    XCTAssertEqual(items.map(\.offset), [0, 8])
    XCTAssertEqual(try items[1].result.get().type, "BARRIER_REQUEST")
    XCTAssertEqual(try items[1].result.get().msg["data"], .bytes([0, 0, 0, 0]))

    // A header claiming more than is there ends the walk with an error at its offset.
    let cut = OFStream.decodeAll(hex("04020008 00000001 040e0050 00000002 0000"))
    XCTAssertEqual(cut.count, 2)
    guard case .failure(let e) = cut[1].result else { return XCTFail("expected a framing error") }
    XCTAssertEqual(cut[1].offset, 8)
    XCTAssertEqual(e.messageType, "FLOW_MOD")
    XCTAssertTrue(e.reason.contains("header length 80 but only 10 bytes left"), e.reason)

    XCTAssertEqual(OFStream.hexBytes(Array("04 02\n0008".utf8)), [4, 2, 0, 8])
    XCTAssertNil(OFStream.hexBytes(Array("0x02".utf8)))
  }

  func testJSONInputForms() throws {
    let text = """
      [{"type":"BARRIER_REQUEST","version":"1.0","xid":5},
       {"type":"ECHO_REQUEST","version":4,"msg":{"data":"0a0b"}}]
      {"type":"FLOW_MOD","version":4,"msg":{"match":{"oxm_0001_3":"0102"},
        "instructions":[{"instruction":"APPLY_ACTIONS","actions":[{"action":"SET_FIELD","field":"oxm_0001_9","value":"ff"}]}]}}
      """
    let ms = try OFMessage.parseJSON(Array(text.utf8))
    XCTAssertEqual(ms.count, 3)
    XCTAssertEqual(ms[0].version, 1)
    XCTAssertEqual(ms[0].xid, 5)
    XCTAssertEqual(ms[1].msg["data"], .bytes([10, 11]))
    XCTAssertEqual(ms[2].msg["match"]?["oxm_0001_3"], .bytes([1, 2]))
    let action = ms[2].msg["instructions"]?.list?.first?["actions"]?.list?.first
    XCTAssertEqual(action?["value"], .bytes([0xff]))
    XCTAssertNoThrow(try OFCodec.encode(ms[2]))

    XCTAssertThrowsError(try OFMessage.parseJSON(Array("{\"type\":\"HELLO\",".utf8)))
    XCTAssertThrowsError(try OFMessage.parseJSON(Array("{\"msg\":{}}".utf8))) { e in
      XCTAssertTrue("\(e)".contains("missing \"type\""), "\(e)")
    }
    XCTAssertThrowsError(try OFMessage.parseJSON(Array("{\"type\":\"ECHO_REQUEST\",\"msg\":{\"data\":\"xyz\"}}".utf8))) { e in
      XCTAssertTrue("\(e)".contains("must be hex"), "\(e)")
    }
  }

  func testSplitAndJoinMultipart() throws {
    var flows: [OFValue] = []
    for i in 0..<2000 {
      flows.append(.table([
        OFField("table_id", .uint(0)), OFField("priority", .uint(UInt64(i))), OFField("match", .table(["in_port": .uint(UInt64(i))])),
        OFField("instructions", .list([.table([OFField("instruction", .string("APPLY_ACTIONS")), OFField("actions", .list([
          .table([OFField("action", .string("OUTPUT")), OFField("port_no", .uint(2))]),
        ]))])])),
      ]))
    }
    let big = OFMessage(version: 4, type: "REPLY.FLOW", xid: 9, msg: .table([OFField("flags", .list([])), OFField("flows", .list(flows))]))
    XCTAssertThrowsError(try OFCodec.encode(big)) { e in XCTAssertTrue("\(e)".contains("over the 65535 limit"), "\(e)") }
    let parts = try OFCodec.splitMultipart(big)
    XCTAssertGreaterThan(parts.count, 1)
    for (i, p) in parts.enumerated() {
      let b = try OFCodec.encode(p)
      XCTAssertLessThanOrEqual(b.count, 65535)
      XCTAssertEqual(try OFCodec.decode(b).msg["flags"], .list(i < parts.count - 1 ? [.string("REPLY_MORE")] : []))
    }
    let decoded = try parts.map { p throws in try OFCodec.decode(try OFCodec.encode(p)) }
    let joined = try OFCodec.joinMultipart(decoded)
    XCTAssertEqual(joined.msg["flows"]?.list?.count, 2000)
    XCTAssertEqual(joined.msg["flags"], .list([]))
    XCTAssertEqual(joined.xid, 9)
    XCTAssertEqual(joined.msg["flows"]?.list?.last?["priority"], .uint(1999))

    // Small messages pass through; requests get REQ_MORE; non-multipart cannot split.
    XCTAssertEqual(try OFCodec.splitMultipart(OFMessage(version: 4, type: "REQUEST.DESC")).count, 1)
    let smallParts = try OFCodec.splitMultipart(OFMessage(version: 4, type: "REQUEST.TABLE_FEATURES", msg: .table([
      "tables": .list((0..<4).map { OFValue.table(["table_id": .uint(UInt64($0)), "name": .string("t\($0)")]) }),
    ])), maxBytes: 100)  // 16-byte header + one 64-byte entry per part
    XCTAssertEqual(smallParts.count, 4)
    XCTAssertEqual(smallParts[0].msg["flags"], .list([.string("REQ_MORE")]))
    XCTAssertThrowsError(try OFCodec.splitMultipart(OFMessage(version: 4, type: "ECHO_REQUEST", msg: .table(["data": .bytes([UInt8](repeating: 0, count: 100))])), maxBytes: 50))
  }
}
