import XCTest

@testable import OpenFlow

/// OFPacketInView reads what OFCodec.decode gives, for every version. (The
/// app runtime's tests hold the tables it builds from the view to the codec
/// byte by byte, broken frames included.)
final class PacketInViewTests: XCTestCase {
  let data: [UInt8] = hex("ffffffffffff 020000000001 0806") + [UInt8](repeating: 0xaa, count: 28)

  func packetIn(_ v: UInt8, _ match: OFValue = .emptyTable) throws -> [UInt8] {
    var fields: [OFField] = [OFField("buffer_id", .uint(0x1234)), OFField("reason", .string("ACTION")), OFField("data", .bytes(data))]
    // 1.2's in_port is in its match only.
    if v != OFVersion.v1_2 { fields.append(OFField("in_port", .string("LOCAL"))) }
    if v >= OFVersion.v1_2 { fields += [OFField("table_id", .uint(3)), OFField("match", match)] }
    if v >= OFVersion.v1_3 { fields.append(OFField("cookie", .uint(0xc00c1e))) }
    if v == OFVersion.v1_1 { fields.append(OFField("in_phy_port", .uint(9))) }
    return try OFCodec.encode(OFMessage(version: v, type: "PACKET_IN", xid: 1, msg: .table(fields)))
  }

  func port(_ p: OFWirePort?) -> OFValue? {
    switch p {
    case .number(let n)?: return .uint(n)
    case .reserved(let k)?: return .string(OFNames.portNames[k])
    case nil: return nil
    }
  }

  func testFieldsAsTheCodecGivesThem() throws {
    for v in OFVersion.v1_0...OFVersion.v1_5 {
      let b = try packetIn(v, .table([OFField("in_port", .string("LOCAL")), OFField("eth_type", .uint(0x806))]))
      let m = try OFCodec.decode(b).msg
      try b.withUnsafeBytes { raw in
        let w = try XCTUnwrap(OFPacketInView(raw), "v\(v)")
        XCTAssertEqual(w.version, v)
        XCTAssertEqual(w.fieldCount, m.fields?.count, "v\(v)")
        XCTAssertEqual(m["buffer_id"], .uint(UInt64(w.bufferId)), "v\(v)")
        XCTAssertEqual(m["total_len"], .uint(UInt64(w.totalLen)), "v\(v)")
        XCTAssertEqual(m["in_port"], port(w.inPort), "v\(v)")
        XCTAssertEqual(m["in_phy_port"], port(w.inPhyPort), "v\(v)")
        XCTAssertEqual(m["reason"], OFPacketInNames.reason.decode(UInt64(w.reason)), "v\(v)")
        XCTAssertEqual(m["table_id"], w.tableId.map { .uint(UInt64($0)) }, "v\(v)")
        XCTAssertEqual(m["cookie"], w.cookie.map { .uint($0) }, "v\(v)")
        XCTAssertEqual(m["data"], .bytes(Array(w.data)), "v\(v)")
        XCTAssertEqual(OFPacketInView.dataStart(in: raw), w.dataStart, "v\(v)")
        XCTAssertEqual(w.matchFieldCount, v >= OFVersion.v1_2 ? m["match"]?.fields?.count ?? -1 : 0, "v\(v)")
      }
    }
  }

  func testMatchFieldsInWireOrder() throws {
    let match = OFValue.table([
      OFField("in_port", .uint(7)), OFField("eth_dst", .string("00:00:00:00:00:01")),
      OFField("eth_dst_mask", .string("ff:ff:ff:00:00:00")), OFField("oxm_0001_3", .bytes([1, 2])),
      OFField("oxm_0001_4", .bytes([1])), OFField("oxm_0001_4_mask", .bytes([0xf0])),
    ])
    let b = try packetIn(OFVersion.v1_3, match)
    let want = try OFCodec.decode(b).msg["match"]?.fields?.map(\.name)
    b.withUnsafeBytes { raw in
      guard let w = OFPacketInView(raw) else { return XCTFail("not taken") }
      var names: [String] = []
      var q = w.matchStart
      while q < w.matchEnd {
        let f = w.matchField(at: q)
        var name = f.basic != nil ? OXMField.field(f.number)!.name : OXMField.rawName(f.oxmClass, f.number)
        names.append(name)
        if f.masked {
          name += "_mask"
          names.append(name)
          XCTAssertEqual(f.length, 2 * f.valueLength, name)
        }
        q = f.end
      }
      XCTAssertEqual(q, w.matchEnd)
      XCTAssertEqual(names, want)
    }
  }

  func testRejectsWhatTheCodecRejects() throws {
    var b = try packetIn(OFVersion.v1_3, .table([OFField("in_port", .uint(1))]))
    // in_port's TLV says 2 bytes, not 4.
    b[31] = 2
    XCTAssertThrowsError(try OFCodec.decode(b))
    XCTAssertNil(b.withUnsafeBytes { OFPacketInView($0) })
    var flowMod = try packetIn(OFVersion.v1_0)
    flowMod[1] = 14
    XCTAssertNil(flowMod.withUnsafeBytes { OFPacketInView($0) })
    XCTAssertNil(flowMod.withUnsafeBytes { OFPacketInView.dataStart(in: $0) })
  }

  func testOXMTableAndRawNames() {
    XCTAssertEqual(Int(OXMField.all.map(\.number).max()!) + 1, OXMField.numberLimit)
    for (cls, field): (UInt16, UInt8) in [(0x0001, 3), (0xffff, 127), (0x8000, 40), (0xabcd, 10)] {
      var out = [UInt8](repeating: 0, count: OXMField.rawNameCapacity)
      for mask in [false, true] {
        let n = out.withUnsafeMutableBufferPointer { OXMField.writeRawName(cls, field, mask: mask, into: $0.baseAddress!) }
        XCTAssertEqual(String(decoding: out[..<n], as: UTF8.self), OXMField.rawName(cls, field) + (mask ? "_mask" : ""))
      }
    }
    XCTAssertEqual(OXMField.rawName(0x0001, 31), "oxm_0001_31")
  }
}
