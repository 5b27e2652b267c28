import XCTest

@testable import OpenFlow

/// Bad input in the structures added for 1.1-1.5: every error names the
/// message type, the offset and the reason; nothing loops or traps.
final class CodecBadInput14Tests: XCTestCase {
  func testPropertyLengthsBelowHeader() {
    // 1.4 TABLE_MOD with a property of length 0 (would loop) and of length 2.
    assertDecodeError(withLength(hex("05110000 00000001 01000000 00000000 00020000")), type: "TABLE_MOD",
                      reason: "property length 0 is too short", offset: 18)
    assertDecodeError(withLength(hex("05110000 00000001 01000000 00000000 00030002")), type: "TABLE_MOD",
                      reason: "property length 2 is too short", offset: 18)
  }

  func testPropertyOverrunsAndMissingPadding() {
    // VACANCY property says 16 bytes, 8 are there.
    assertDecodeError(withLength(hex("05110000 00000001 01000000 00000000 00030010 01020300")), type: "TABLE_MOD",
                      reason: "truncated property")
    // EVICTION property of length 8 has no padding to lose; one of length 6 lacks its 2 padding bytes.
    assertDecodeError(withLength(hex("05110000 00000001 01000000 00000000 00020006 0001")), type: "TABLE_MOD",
                      reason: "truncated")
  }

  /// Table features: the last property of the message may lack its padding
  /// (the table's length and the message's then end with the property);
  /// anywhere else padding is still required.
  func testTableFeaturesLastPaddingMayBeMissing() throws {
    let table: OFValue = .table([
      OFField("table_id", .uint(1)), OFField("name", .string("t1")), OFField("max_entries", .uint(10)),
      OFField("properties", .list([.table([OFField("property", .string("NEXT_TABLES")), OFField("table_ids", .list([.uint(2), .uint(3), .uint(4)]))])])),
    ])
    for v in [OFVersion.v1_3, OFVersion.v1_4, OFVersion.v1_5] {
      let whole = try OFCodec.encode(OFMessage(version: v, type: "REPLY.TABLE_FEATURES", msg: .table([OFField("tables", .list([table]))])))
      XCTAssertEqual(whole.count, 16 + 64 + 8, "NEXT_TABLES of 3 ids is 7 bytes + 1 of padding")
      // Cut the padding byte; the table's length (at 16) and the header's follow.
      var cut = withLength(Array(whole.dropLast()))
      cut[17] -= 1
      let m = try OFCodec.decode(cut)
      XCTAssertEqual(m.msg["tables"]?.list?.first?["properties"]?.list?.first?["table_ids"], .list([.uint(2), .uint(3), .uint(4)]))
      // Re-encoding writes the padding back.
      XCTAssertEqual(try OFCodec.encode(m), whole)
      // Not at the end of the message: a second table follows, padding required.
      let two = try OFCodec.encode(OFMessage(version: v, type: "REPLY.TABLE_FEATURES", msg: .table([OFField("tables", .list([table, table]))])))
      var mid = withLength(Array(two[0..<(16 + 64 + 7)]) + Array(two[(16 + 64 + 8)...]))
      mid[17] -= 1
      assertDecodeError(mid, type: "REPLY.TABLE_FEATURES", reason: "truncated property padding")
    }
  }

  func testNestedStructureLengths() {
    // A group bucket (1.3) of length 0 and one longer than the message.
    assertDecodeError(withLength(hex("040f0000 00000001 0000 00 00 00000001 0000 0000 00000000 00000000 00000000")), type: "GROUP_MOD",
                      reason: "length 0 is shorter than the structure's header", offset: 16)
    assertDecodeError(withLength(hex("040f0000 00000001 0000 00 00 00000001 0100 0000 00000000 00000000 00000000")), type: "GROUP_MOD",
                      reason: "length 256 overruns its container", offset: 16)
    // A flow stats entry whose length stops inside its fixed part.
    assertDecodeError(withLength(hex("04130000 00000001 0001 0000 00000000 0008 00 00 00000000")), type: "REPLY.FLOW",
                      reason: "truncated")
  }

  func testLengthOfFieldsAndEmbeddedMessages() {
    // 1.5 PACKET_OUT whose actions_len overruns the message.
    assertDecodeError(withLength(hex("060d0000 00000001 ffffffff 0100 0000 00010004 00000000")), type: "PACKET_OUT",
                      reason: "truncated actions")
    // REQUESTFORWARD whose inner header claims more than is there, and one below 8.
    assertDecodeError(withLength(hex("05200000 00000001 05140040 00000002")), type: "REQUESTFORWARD", reason: "truncated embedded message")
    assertDecodeError(withLength(hex("05200000 00000001 05140004 00000002")), type: "REQUESTFORWARD", reason: "embedded message length 4 is below 8")
    // An embedded message that is itself bad names both.
    assertDecodeError(withLength(hex("05200000 00000001 050c0010 00000002 00000000 00000000")), type: "REQUESTFORWARD",
                      reason: "embedded PORT_STATUS")
  }

  func testOXSAndOXMIdLengths() {
    // 1.5 FLOW_REMOVED with stats length 2 (below its header).
    assertDecodeError(withLength(hex("060b0000 00000001 00 00 0000 0000 0000 0000000000000000 00010004 00000000 0000 0002")),
                      type: "FLOW_REMOVED", reason: "stats length 2 is below 4")
    // An OXS TLV claiming 8 bytes where 4 are left.
    assertDecodeError(withLength(hex("060b0000 00000001 00 00 0000 0000 0000 0000000000000000 00010004 00000000 0000 000c 80020808 00000001")),
                      type: "FLOW_REMOVED", reason: "truncated OXS payload")
    // A table features MATCH property with 2 bytes of OXM ids.
    assertDecodeError(withLength(hex("0412 0000 00000001 000c 0000 00000000 0046 00 0000000000"
      + String(repeating: "00", count: 32) + "ffffffffffffffff ffffffffffffffff 00000000 000000ff 0008 0006 8000 0000")),
      type: "REQUEST.TABLE_FEATURES", reason: "truncated OXM id")
  }

  func testHugeCountsAllocateNothing() {
    // A meter band list and port list that claim nothing beyond the message:
    // lengths come from the message itself, so a hostile field cannot size an allocation.
    var b = hex("04130000 00000001 000d 0000 00000000")
    b += [UInt8](repeating: 0xff, count: 20)
    assertDecodeError(withLength(b), type: "REPLY.PORT_DESC", reason: "truncated")
  }
}
