import XCTest

@testable import OpenFlow

/// The OXM-named match translated to and from OpenFlow 1.0's ofp_match.
final class CodecMatch10Tests: XCTestCase {
  func flowMod(_ match: [OFField]) -> OFMessage { OFMessage(version: 1, type: "FLOW_MOD", msg: .table(["match": .table(match)])) }

  /// The 40 ofp_match bytes of an encoded 1.0 FLOW_MOD.
  func matchBytes(_ match: [OFField]) throws -> [UInt8] { Array(try OFCodec.encode(flowMod(match))[8..<48]) }

  func decodedMatch(_ match: [OFField]) throws -> OFValue? { try encodeDecode(flowMod(match)).msg["match"] }

  func testIPv4TCPTranslation() throws {
    let match: [OFField] = [
      OFField("in_port", .uint(3)), OFField("eth_dst", .string("02:00:00:00:00:02")), OFField("eth_src", .string("02:00:00:00:00:01")),
      OFField("eth_type", .uint(0x800)), OFField("vlan_vid", .uint(0x1000 | 5)), OFField("vlan_pcp", .uint(2)),
      OFField("ip_dscp", .uint(10)), OFField("ip_proto", .uint(6)), OFField("ipv4_src", .string("10.0.0.0")),
      OFField("ipv4_src_mask", .string("255.255.0.0")), OFField("ipv4_dst", .string("10.0.0.2")),
      OFField("tcp_src", .uint(1234)), OFField("tcp_dst", .uint(80)),
    ]
    XCTAssertEqual(hexText(try matchBytes(match)),
      "00001000" + "0003" + "020000000001" + "020000000002" + "0005" + "02" + "00" + "0800" + "28" + "06" + "0000"
      + "0a000000" + "0a000002" + "04d2" + "0050")
    XCTAssertEqual(try decodedMatch(match), .table(match))
  }

  func testWildcardedFieldsAreAbsent() throws {
    XCTAssertEqual(try decodedMatch([]), .emptyTable)
    XCTAssertEqual(hexText(Array(try matchBytes([]).prefix(4))), "003820ff")
    XCTAssertEqual(try decodedMatch([OFField("eth_type", .uint(0x800))]), .table([OFField("eth_type", .uint(0x800))]))
  }

  func testARPUsesNetworkFields() throws {
    let match: [OFField] = [
      OFField("eth_type", .uint(0x806)), OFField("arp_op", .uint(1)), OFField("arp_spa", .string("10.0.0.1")),
      OFField("arp_tpa", .string("10.0.0.2")),
    ]
    let b = try matchBytes(match)
    XCTAssertEqual(b[25], 1)  // nw_proto holds the ARP opcode
    XCTAssertEqual(hexText(Array(b[28..<36])), "0a0000010a000002")
    XCTAssertEqual(try decodedMatch(match), .table(match))
  }

  func testUDPAndICMPPorts() throws {
    let udp: [OFField] = [OFField("eth_type", .uint(0x800)), OFField("ip_proto", .uint(17)), OFField("udp_src", .uint(68)), OFField("udp_dst", .uint(67))]
    XCTAssertEqual(try decodedMatch(udp), .table(udp))
    let icmp: [OFField] = [OFField("eth_type", .uint(0x800)), OFField("ip_proto", .uint(1)), OFField("icmpv4_type", .uint(8)), OFField("icmpv4_code", .uint(0))]
    XCTAssertEqual(try decodedMatch(icmp), .table(icmp))
  }

  func testUntaggedVlan() throws {
    let b = try matchBytes([OFField("vlan_vid", .uint(0))])
    XCTAssertEqual(hexText(Array(b[18..<20])), "ffff")
    XCTAssertEqual(try decodedMatch([OFField("vlan_vid", .uint(0))]), .table([OFField("vlan_vid", .uint(0))]))
  }

  func testReservedInPort() throws {
    XCTAssertEqual(try decodedMatch([OFField("in_port", .string("LOCAL"))]), .table([OFField("in_port", .string("LOCAL"))]))
    XCTAssertEqual(hexText(Array(try matchBytes([OFField("in_port", .string("CONTROLLER"))])[4..<6])), "fffd")
  }

  func testFullMasksAreExact() throws {
    let m = try decodedMatch([OFField("eth_dst", .string("02:00:00:00:00:02")), OFField("eth_dst_mask", .string("ff:ff:ff:ff:ff:ff"))])
    XCTAssertEqual(m, .table([OFField("eth_dst", .string("02:00:00:00:00:02"))]))
  }

  func testFieldsOpenFlow10CannotExpress() {
    for (name, value) in [("ipv6_src", OFValue.string("::1")), ("ip_ecn", .uint(1)), ("mpls_label", .uint(1)),
                          ("metadata", .uint(1)), ("arp_sha", .string("00:00:00:00:00:01")),
                          ("tunnel_id", .uint(1)), ("in_phy_port", .uint(1))] {
      assertEncodeError(flowMod([OFField(name, value)]), reason: "match field `\(name)` cannot be expressed in OpenFlow 1.0")
    }
    assertEncodeError(flowMod([OFField("eth_dst", .string("01:00:00:00:00:00")), OFField("eth_dst_mask", .string("01:00:00:00:00:00"))]),
                      reason: "`eth_dst_mask` cannot be expressed in OpenFlow 1.0")
    assertEncodeError(flowMod([OFField("ipv4_src", .string("10.0.0.0")), OFField("ipv4_src_mask", .string("255.0.255.0"))]),
                      reason: "`ipv4_src_mask` 255.0.255.0 (not a prefix) cannot be expressed in OpenFlow 1.0")
    assertEncodeError(flowMod([OFField("vlan_vid", .uint(0x1000)), OFField("vlan_vid_mask", .uint(0x1000))]),
                      reason: "`vlan_vid_mask` cannot be expressed in OpenFlow 1.0")
    assertEncodeError(flowMod([OFField("tcp_src", .uint(1)), OFField("udp_src", .uint(2))]),
                      reason: "share one OpenFlow 1.0 field (tp_src)")
    assertEncodeError(flowMod([OFField("ipv4_src", .string("1.1.1.1")), OFField("arp_spa", .string("2.2.2.2"))]),
                      reason: "share one OpenFlow 1.0 field (nw_src)")
    assertEncodeError(flowMod([OFField("arp_op", .uint(300))]), reason: "arp_op 300 does not fit in 8 bits")
  }

  func testDecodeNonPrefixWildcardBits() throws {
    // nw_src with 8 wildcard bits -> /24 mask; nw_dst with 40 -> absent.
    var b = try OFCodec.encode(flowMod([OFField("ipv4_src", .string("10.0.0.0")), OFField("ipv4_src_mask", .string("255.255.255.0"))]))
    XCTAssertEqual(hexText(Array(b[8..<12])), "003808ff")
    b[9] = 0x3a  // nw_dst wildcard count 40: still all
    let m = try assertRoundTrip(b)
    XCTAssertEqual(m.msg["match"], .table([
      OFField("ipv4_src", .string("10.0.0.0")), OFField("ipv4_src_mask", .string("255.255.255.0")),
      OFField("_wildcarded", .bytes(Array(b[8..<48]))),
    ]))
  }

  /// Wildcarded fields are not part of the match, whatever they hold (a PCP
  /// of 52, addresses, ports): the table leaves them out, `_wildcarded` keeps
  /// the bytes, and the message re-encodes byte for byte.
  func testWildcardedFieldsKeepTheirBytes() throws {
    var b = try OFCodec.encode(flowMod([OFField("eth_type", .uint(0x800))]))
    let garbage = hex("0123 a1a2a3a4a5a6 b1b2b3b4b5b6 fabc 34 ee 0800 ff 99 7777 c0a80001 c0a80002 1234 5678")
    b.replaceSubrange(12..<48, with: garbage)
    b[8] = 0xf0  // wildcard bits past the 22 defined
    let m = try assertRoundTrip(b)
    XCTAssertEqual(b[28], 0x34, "dl_vlan_pcp 52, wildcarded")
    XCTAssertEqual(m.msg["match"]?.fields?.map(\.name), ["eth_type", "_wildcarded"])
    XCTAssertEqual(m.msg["match"]?["_wildcarded"], .bytes(Array(b[8..<48])))
    // Without the private field the same match encodes the plain way.
    let plain = try OFCodec.encode(flowMod([OFField("eth_type", .uint(0x800))]))
    var stripped = m
    stripped.msg = .table([OFField("match", .table([OFField("eth_type", .uint(0x800))]))])
    XCTAssertEqual(try OFCodec.encode(stripped), plain)
    // The field means nothing to other versions' encoders.
    var m13 = m
    m13.version = OFVersion.v1_3
    XCTAssertEqual(try encodeDecode(m13).msg["match"], .table([OFField("eth_type", .uint(0x800))]))
    m13.version = OFVersion.v1_1
    XCTAssertEqual(try encodeDecode(m13).msg["match"], .table([OFField("eth_type", .uint(0x800))]))
    // A plain match carries no `_wildcarded`.
    XCTAssertNil(try OFCodec.decode(plain).msg["match"]?["_wildcarded"])
  }

  /// An app may edit a decoded match: edited fields win over `_wildcarded`,
  /// and bits kept from it never change what is matched.
  func testEditedMatchOverridesWildcardedBytes() throws {
    var b = try OFCodec.encode(flowMod([OFField("vlan_vid", .uint(0x1000 | 0x64))]))
    b[26] = 0xf0  // dl_vlan 0xf064: the high nibble is not part of the VID
    let m = try assertRoundTrip(b)
    XCTAssertEqual(m.msg["match"]?["vlan_vid"], .uint(0x1064))
    XCTAssertNotNil(m.msg["match"]?["_wildcarded"])
    // VID 0xfff under the kept 0xf nibble would read 0xffff, "no VLAN": the encoder writes it plainly.
    var edited = m
    edited.msg = .table([OFField("match", .table([OFField("vlan_vid", .uint(0x1fff)), m.msg["match"]!.fields![1]]))])
    let again = try OFCodec.encode(edited)
    XCTAssertEqual(hexText(Array(again[26..<28])), "0fff")
    XCTAssertEqual(try OFCodec.decode(again).msg["match"]?["vlan_vid"], .uint(0x1fff))
    // Matching a field that was wildcarded: the edit's value, not the kept bytes.
    edited.msg = .table([OFField("match", .table([OFField("vlan_vid", .uint(0x1064)), OFField("tcp_dst", .uint(80)), m.msg["match"]!.fields![1]]))])
    XCTAssertEqual(try OFCodec.decode(try OFCodec.encode(edited)).msg["match"]?["tcp_dst"], .uint(80))
  }

  /// Any 40 bytes that decode re-encode to themselves (seeded, 2,000 matches).
  func testRandomMatchesRoundTrip() throws {
    var state: UInt64 = 0x10f0_4a7c
    func next() -> UInt8 {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return UInt8(truncatingIfNeeded: state >> 33)
    }
    var decoded = 0
    for _ in 0..<2000 {
      var b = try OFCodec.encode(flowMod([]))
      for i in 8..<48 { b[i] = next() }
      b[28] &= next() < 200 ? 0x07 : 0xff  // a matched PCP over 7 is refused: mostly keep it valid
      guard let m = try? OFCodec.decode(b) else { continue }
      decoded += 1
      XCTAssertEqual(hexText(try OFCodec.encode(m)), hexText(b))
    }
    XCTAssertGreaterThan(decoded, 1000)
  }
}
