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
      guard case .bytes(var bytes, let patches) = try t.compile(version: version) else {
        return XCTFail("not patchable on \(version)")
      }
      let widths = Dictionary(uniqueKeysWithValues: patches.map { ($0.slot, $0.width) })
      XCTAssertEqual(widths, ["prio": 2, "buf": 4, "in": version == 1 ? 2 : 4, "out": version == 1 ? 2 : 4])
      let values: [String: UInt64] = ["prio": 0x1234, "buf": 0xdead_beef, "in": 7, "out": 9]
      for p in patches { Template.patch(&bytes, p, values[p.slot]!) }
      XCTAssertEqual(bytes, try OFCodec.encode(t.filled(values, version: version)))
    }
  }

  func testSlotsThatAreNotFixedWidthNumbersTakeTheSlowPath() throws {
    let t = Template(message: flowMod(outPort: .uint(1), ethDst: .string("$dst")))
    guard case .slow = try t.compile(version: OFVersion.v1_3) else { return XCTFail("a MAC slot cannot be patched") }
    let noSlots = Template(message: flowMod(outPort: .uint(1)).withoutSlots())
    guard case .bytes(_, let patches) = try noSlots.compile(version: OFVersion.v1_3) else { return XCTFail() }
    XCTAssertTrue(patches.isEmpty)
  }
}

extension OFMessage {
  /// The same message with every slot replaced by 1.
  func withoutSlots() -> OFMessage {
    Template(message: self).filled([:], version: version)
  }
}
