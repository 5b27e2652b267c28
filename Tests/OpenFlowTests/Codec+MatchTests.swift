import XCTest

@testable import OpenFlow

/// OXM matches (1.3).
final class CodecMatchTests: XCTestCase {
  func flowMod(_ match: [OFField]) -> OFMessage { OFMessage(version: 4, type: "FLOW_MOD", msg: .table(["match": .table(match)])) }

  func testEveryOXMFieldRoundTrips() throws {
    let match: [OFField] = [
      OFField("in_port", .string("LOCAL")), OFField("in_phy_port", .uint(2)), OFField("metadata", .uint(0x0102030405060708)),
      OFField("metadata_mask", .uint(0xff00)), OFField("eth_dst", .string("01:02:03:04:05:06")),
      OFField("eth_dst_mask", .string("ff:ff:ff:00:00:00")), OFField("eth_src", .string("0a:0b:0c:0d:0e:0f")),
      OFField("eth_type", .uint(0x86dd)), OFField("vlan_vid", .uint(0x1000 | 10)), OFField("vlan_pcp", .uint(3)),
      OFField("ip_dscp", .uint(46)), OFField("ip_ecn", .uint(1)), OFField("ip_proto", .uint(17)),
      OFField("ipv4_src", .string("10.0.0.1")), OFField("ipv4_dst", .string("10.0.0.0")), OFField("ipv4_dst_mask", .string("255.255.255.0")),
      OFField("tcp_src", .uint(1)), OFField("tcp_dst", .uint(2)), OFField("udp_src", .uint(3)), OFField("udp_dst", .uint(4)),
      OFField("sctp_src", .uint(5)), OFField("sctp_dst", .uint(6)), OFField("icmpv4_type", .uint(8)), OFField("icmpv4_code", .uint(0)),
      OFField("arp_op", .uint(2)), OFField("arp_spa", .string("1.2.3.4")), OFField("arp_tpa", .string("5.6.7.8")),
      OFField("arp_sha", .string("00:00:00:00:00:01")), OFField("arp_tha", .string("00:00:00:00:00:02")),
      OFField("ipv6_src", .string("2001:db8::1")), OFField("ipv6_src_mask", .string("ffff:ffff::")),
      OFField("ipv6_dst", .string("fe80::1:2")), OFField("ipv6_flabel", .uint(0x12345)),
      OFField("icmpv6_type", .uint(135)), OFField("icmpv6_code", .uint(0)), OFField("ipv6_nd_target", .string("::1")),
      OFField("ipv6_nd_sll", .string("00:00:00:00:00:03")), OFField("ipv6_nd_tll", .string("00:00:00:00:00:04")),
      OFField("mpls_label", .uint(0xfffff)), OFField("mpls_tc", .uint(7)), OFField("mpls_bos", .uint(1)),
      OFField("pbb_isid", .uint(0xabcdef)), OFField("pbb_isid_mask", .uint(0xffff00)), OFField("tunnel_id", .uint(99)),
      OFField("ipv6_exthdr", .uint(0x1ff)), OFField("ipv6_exthdr_mask", .uint(0x100)),
    ]
    let m = try encodeDecode(flowMod(match))
    XCTAssertEqual(m.msg["match"], .table(match))
  }

  func testWireOrderKeptAndCanonicalOrderByRank() throws {
    // Decoding keeps the wire order even when it is not canonical.
    let m = try encodeDecode(flowMod([OFField("eth_type", .uint(0x800)), OFField("in_port", .uint(1))]))
    XCTAssertEqual(m.msg["match"]?.fields?.map(\.name), ["eth_type", "in_port"])
    // A Lua table sorted by fieldRank puts prerequisites first and masks after their fields.
    let names = ["tcp_dst", "zzz", "ip_proto", "eth_type", "ipv4_src_mask", "ipv4_src", "in_port", "oxm_0001_3"]
    let sorted = names.sorted { (OFCodec.fieldRank($0), $0) < (OFCodec.fieldRank($1), $1) }
    XCTAssertEqual(sorted, ["in_port", "eth_type", "ip_proto", "ipv4_src", "ipv4_src_mask", "tcp_dst", "oxm_0001_3", "zzz"])
    XCTAssertLessThan(OFCodec.fieldRank("eth_dst"), OFCodec.fieldRank("eth_dst_mask"))
    XCTAssertLessThan(OFCodec.fieldRank("eth_dst_mask"), OFCodec.fieldRank("eth_src"))
  }

  func testOtherClassOXMKeptAsBytes() throws {
    // Nicira reg0 (class 0x0001, field 0) and an experimenter OXM with a mask.
    let match: [OFField] = [
      OFField("oxm_0001_0", .bytes([0, 0, 0, 5])),
      OFField("oxm_ffff_3", .bytes([0x00, 0x00, 0x23, 0x20, 0xaa])), OFField("oxm_ffff_3_mask", .bytes([0xf0])),
    ]
    let b = try OFCodec.encode(flowMod(match))
    XCTAssertEqual(hexText(Array(b[48..<72])), "00010016" + "00010004" + "00000005" + "ffff0706" + "00002320aaf0" + "0000")
    let m = try encodeDecode(flowMod(match))
    XCTAssertEqual(m.msg["match"], .table(match))
  }

  func testBadMatchesOnEncode() {
    assertEncodeError(flowMod([OFField("eth_dst_mask", .string("ff:ff:ff:ff:ff:ff"))]), reason: "`eth_dst_mask` without `eth_dst`")
    assertEncodeError(flowMod([OFField("colour", .string("blue"))]), reason: "unknown match field `colour`")
    assertEncodeError(flowMod([OFField("eth_dst", .string("not-a-mac"))]), reason: "eth_dst must be a MAC address")
    assertEncodeError(flowMod([OFField("ipv4_src", .string("10.0.0.256"))]), reason: "ipv4_src must be an IPv4 address")
    assertEncodeError(flowMod([OFField("ipv6_src", .string("2001:db8:::1"))]), reason: "ipv6_src must be an IPv6 address")
    assertEncodeError(flowMod([OFField("vlan_pcp", .uint(256))]), reason: "vlan_pcp 256 does not fit in 8 bits")
    assertEncodeError(OFMessage(version: 4, type: "FLOW_MOD", msg: .table(["match": .uint(1)])), reason: "`match` must be a table")
  }

  func testBadMatchesOnDecode() {
    // FLOW_MOD 1.3 fixed part, then a match.
    let fixed = hex("040e0000 00000000") + [UInt8](repeating: 0, count: 40)
    // OXM eth_type with length 3 instead of 2.
    assertDecodeError(withLength(fixed + hex("0001000b 80000a03 080000 00000000 00")), type: "FLOW_MOD", reason: "OXM eth_type has length 3, expected 2", offset: 55)
    // OXM overrunning its match.
    assertDecodeError(withLength(fixed + hex("00010008 80000a04 00000000")), reason: "truncated OXM payload")
    // Match length below 4 / beyond the message.
    assertDecodeError(withLength(fixed + hex("00010002 00000000")), reason: "match length 2 is below 4", offset: 50)
    assertDecodeError(withLength(fixed + hex("000100ff 00000000")), reason: "truncated match")
    // Not an OXM match.
    assertDecodeError(withLength(fixed + hex("00000004 00000000")), reason: "is not OXM")
    // The same field twice.
    assertDecodeError(withLength(fixed + hex("00010010 80000a02 0800 80000a02 0800 0000 00000000")), reason: "appears twice")
    // Masked experimenter OXM with odd length.
    assertDecodeError(withLength(fixed + hex("0001000b ffff0703 000023 00000000 00")), reason: "odd length")
    // Missing match padding.
    assertDecodeError(withLength(fixed + hex("0001000a 80000a02 0800")), reason: "truncated match padding")
  }
}
