import OpenFlow
import XCTest

@testable import LuaRuntime

final class TemplateTests: XCTestCase {
  func flowMod(outPort: OFValue, ethDst: OFValue? = nil) -> OFMessage {
    var match: [OFField] = [OFField("in_port", .string("$in"))]
    if let ethDst { match.append(OFField("eth_dst", ethDst)) }
    return OFMessage(version: 0, type: "FLOW_MOD", msg: .table([
      "priority": .string("$prio"), "buffer_id": .string("$buf"), "match": .table(match),
      "instructions": .list([.table([
        "instruction": .string("APPLY_ACTIONS"),
        "actions": .list([.table(["action": .string("OUTPUT"), "port_no": outPort])]),
      ])]),
    ]))
  }

  func testNumericSlotsCompileToPatchesThatMatchARealEncoding() throws {
    for version in [OFVersion.v1_0, OFVersion.v1_3] {
      let t = Template(message: flowMod(outPort: .string("$out")))
      XCTAssertEqual(Set(t.slots), ["prio", "buf", "in", "out"])
      guard case .bytes(var bytes, let patches, _) = try t.compile(version: version) else {
        return XCTFail("not patchable on \(version)")
      }
      let widths = Dictionary(uniqueKeysWithValues: patches.map { ($0.slot, $0.width) })
      XCTAssertEqual(widths, ["prio": 2, "buf": 4, "in": version == 1 ? 2 : 4, "out": version == 1 ? 2 : 4])
      let values: [String: UInt64] = ["prio": 0x1234, "buf": 0xdead_beef, "in": 7, "out": 9]
      for p in patches { Template.patch(&bytes, p, values[p.slot]!) }
      XCTAssertEqual(bytes, try OFCodec.encode(t.filled(values, version: version)))
    }
  }

  func testMacSlotsArePatchedToo() throws {
    for version in [OFVersion.v1_0, OFVersion.v1_3] {
      let t = Template(message: flowMod(outPort: .uint(1), ethDst: .string("$dst")))
      XCTAssertEqual(t.macSlots, ["dst"])
      guard case .bytes(var bytes, let patches, _) = try t.compile(version: version) else { return XCTFail("not patchable") }
      let mac = "02:0a:bb:cc:dd:0f"
      let value = mac.utf8.withContiguousStorageIfAvailable { Template.macValue(UnsafeRawBufferPointer($0)) }!!
      let values: [String: UInt64] = ["prio": 5, "buf": 6, "in": 7, "dst": value]
      for p in patches { Template.patch(&bytes, p, values[p.slot]!) }
      let decoded = try OFCodec.decode(bytes)
      XCTAssertEqual(decoded.msg["match"]?["eth_dst"]?.string, mac)
      XCTAssertEqual(bytes, try OFCodec.encode(t.filled(values, version: version)))
    }
    XCTAssertNil("02:0a:bb:cc:dd".utf8.withContiguousStorageIfAvailable { Template.macValue(UnsafeRawBufferPointer($0)) }!)
  }

  /// A patch writes the value big-endian over exactly its width, whatever the
  /// width and offset, and leaves every other byte alone.
  func testPatchWritesEveryWidthBigEndian() {
    let value: UInt64 = 0x0102_0304_0506_0708
    for width in 1...8 {
      for offset in 0..<4 {
        var bytes = [UInt8](repeating: 0xee, count: 16)
        Template.patch(&bytes, Template.Spot(offset: offset, width: width, mac: false), value)
        var want = [UInt8](repeating: 0xee, count: 16)
        for i in 0..<width { want[offset + i] = UInt8(truncatingIfNeeded: value >> UInt64(8 * (width - 1 - i))) }
        XCTAssertEqual(bytes, want, "width \(width) at \(offset)")
      }
    }
  }

  /// macValue against a plain reading of the text: every byte value in
  /// every place of a few MACs, upper and lower case.
  func testMacValueReadsExactlyTheMACs() {
    func reference(_ b: [UInt8]) -> UInt64? {
      let text = String(decoding: b, as: UTF8.self)
      let parts = text.split(separator: ":", omittingEmptySubsequences: false)
      guard b.count == 17, parts.count == 6 else { return nil }
      var v: UInt64 = 0
      for part in parts {
        guard part.count == 2, part.allSatisfy(\.isHexDigit), let x = UInt8(part, radix: 16) else { return nil }
        v = v << 8 | UInt64(x)
      }
      return v
    }
    var checked = 0
    for mac in ["02:0a:bb:cc:dd:0f", "FF:FF:FF:FF:FF:FF", "00:00:00:00:00:00", "9f:A0:e1:Fa:09:af"] {
      let good = Array(mac.utf8)
      XCTAssertEqual(good.withUnsafeBytes(Template.macValue), reference(good), mac)
      for i in good.indices {
        for c in 0...255 {
          var b = good
          b[i] = UInt8(c)
          XCTAssertEqual(b.withUnsafeBytes(Template.macValue), reference(b), "\(mac) with byte \(c) at \(i)")
          checked += 1
        }
      }
    }
    XCTAssertEqual(checked, 4 * 17 * 256)
  }

  func testTrailingDataSlotIsAppended() throws {
    for version in [OFVersion.v1_0, OFVersion.v1_3] {
      let t = Template(message: OFMessage(version: 0, type: "PACKET_OUT", msg: .table([
        "in_port": .string("$in"), "data": .string("$data"),
        "actions": .list([.table(["action": .string("OUTPUT"), "port_no": .string("FLOOD")])]),
      ])))
      guard case .bytes(var bytes, let patches, let tail) = try t.compile(version: version) else {
        return XCTFail("not patchable")
      }
      XCTAssertEqual(tail, "data")
      XCTAssertEqual(patches.map(\.slot), ["in"])
      for p in patches { Template.patch(&bytes, p, 3) }
      bytes += [1, 2, 3, 4, 5]
      bytes[2] = UInt8(bytes.count >> 8)
      bytes[3] = UInt8(bytes.count & 0xff)
      XCTAssertEqual(bytes, try OFCodec.encode(t.filled(["in": 3], version: version, blobs: ["data": [1, 2, 3, 4, 5]])))
    }
  }

  func testSlotsThatAreNotFixedWidthTakeTheSlowPath() throws {
    let two = Template(message: OFMessage(version: 0, type: "FLOW_MOD", msg: .table([
      "match": .table(["in_port": .string("$same")]), "priority": .string("$same"),
    ])))
    guard case .slow = try two.compile(version: OFVersion.v1_3) else { return XCTFail("a slot used twice cannot be patched") }
    let noSlots = Template(message: flowMod(outPort: .uint(1)).withoutSlots())
    guard case .bytes(_, let patches, _) = try noSlots.compile(version: OFVersion.v1_3) else { return XCTFail() }
    XCTAssertTrue(patches.isEmpty)
  }
}

extension OFMessage {
  /// The same message with every slot replaced by 1.
  func withoutSlots() -> OFMessage {
    Template(message: self).filled([:], version: version)
  }
}

final class TemplateNameTests: XCTestCase {
  func testNamesEncodeOnceToTheirNumbers() throws {
    var t = Template(message: OFMessage(version: 0, type: "PACKET_OUT", msg: .table([
      "buffer_id": .string("$buf"), "in_port": .string("$in"), "data": .string("$data"),
      "actions": .list([.table(["action": .string("OUTPUT"), "port_no": .string("$out")])]),
    ])))
    for (version, flood, controller) in [(OFVersion.v1_0, UInt64(0xfffb), UInt64(0xfffd)), (OFVersion.v1_3, 0xffff_fffb, 0xffff_fffd)] {
      guard case .bytes(_, let patches, let tail) = try t.compile(version: version) else { return XCTFail() }
      let out = try XCTUnwrap(patches.first { $0.slot == "out" })
      let buf = try XCTUnwrap(patches.first { $0.slot == "buf" })
      XCTAssertEqual(t.value(ofName: "FLOOD", for: out, version: version, tail: tail), flood)
      XCTAssertEqual(t.value(ofName: "CONTROLLER", for: out, version: version, tail: tail), controller)
      XCTAssertEqual(t.value(ofName: "NO_BUFFER", for: buf, version: version, tail: tail), 0xffff_ffff)
      XCTAssertNil(t.value(ofName: "NOT_A_PORT", for: out, version: version, tail: tail))
      XCTAssertEqual(t.named.count, version == OFVersion.v1_0 ? 3 : 6)
    }
  }
}
