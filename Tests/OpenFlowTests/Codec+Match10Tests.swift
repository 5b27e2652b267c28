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
    let m = try OFCodec.decode(b)
    XCTAssertEqual(m.msg["match"], .table([OFField("ipv4_src", .string("10.0.0.0")), OFField("ipv4_src_mask", .string("255.255.255.0"))]))
  }
}
