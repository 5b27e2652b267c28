import XCTest

@testable import OpenFlow

final class PacketDecoderTests: XCTestCase {
  func decode(_ b: [UInt8]) -> OFValue { b.withUnsafeBytes { PacketDecoder.decode($0) } }

  let eth = hex("ffffffffffff 020000000001")

  func testARP() {
    let frame = eth + hex("0806 0001 0800 06 04 0001 020000000001 0a000001 000000000000 0a000002") + [0, 0, 0]
    let p = decode(frame)
    XCTAssertEqual(p["eth_dst"], .string("ff:ff:ff:ff:ff:ff"))
    XCTAssertEqual(p["eth_src"], .string("02:00:00:00:00:01"))
    XCTAssertEqual(p["eth_type"], .uint(0x806))
    XCTAssertEqual(p["arp_op"], .uint(1))
    XCTAssertEqual(p["arp_sha"], .string("02:00:00:00:00:01"))
    XCTAssertEqual(p["arp_spa"], .string("10.0.0.1"))
    XCTAssertEqual(p["arp_tha"], .string("00:00:00:00:00:00"))
    XCTAssertEqual(p["arp_tpa"], .string("10.0.0.2"))
    XCTAssertEqual(p["payload"], .bytes([0, 0, 0]))
    XCTAssertNil(p["vlan_vid"])
  }

  func ipv4(proto: UInt8, _ l4: [UInt8], tos: UInt8 = 0xb9) -> [UInt8] {
    let total = 20 + l4.count
    return hex("0800") + [0x45, tos, UInt8(total >> 8), UInt8(total & 255), 0, 1, 0x40, 0, 64, proto, 0, 0]
      + hex("0a000001 0a000002") + l4
  }

  func testIPv4ICMP() {
    // Echo request with 4 bytes of data, then Ethernet padding that is not payload.
    let frame = eth + ipv4(proto: 1, hex("0800 f7ff 0001 0001 61626364")) + [0, 0, 0, 0]
    let p = decode(frame)
    XCTAssertEqual(p["eth_type"], .uint(0x800))
    XCTAssertEqual(p["ip_proto"], .uint(1))
    XCTAssertEqual(p["ip_dscp"], .uint(0xb9 >> 2))
    XCTAssertEqual(p["ip_ecn"], .uint(1))
    XCTAssertEqual(p["nw_ttl"], .uint(64))
    XCTAssertEqual(p["ipv4_src"], .string("10.0.0.1"))
    XCTAssertEqual(p["ipv4_dst"], .string("10.0.0.2"))
    XCTAssertEqual(p["icmpv4_type"], .uint(8))
    XCTAssertEqual(p["icmpv4_code"], .uint(0))
    XCTAssertEqual(p["payload"], .bytes(hex("0001 0001 61626364")))
  }

  func testIPv4TCP() {
    let tcp = hex("04d2 0050 00000001 00000000 5012 ffff 0000 0000") + Array("hello".utf8)
    let p = decode(eth + ipv4(proto: 6, tcp))
    XCTAssertEqual(p["tcp_src"], .uint(1234))
    XCTAssertEqual(p["tcp_dst"], .uint(80))
    XCTAssertEqual(p["tcp_flags"], .uint(0x012))
    XCTAssertEqual(p["payload"], .bytes(Array("hello".utf8)))
    XCTAssertNil(p["udp_src"])
  }

  func testIPv6UDP() {
    let udp = hex("0222 0223 000c 0000") + [9, 9, 9, 9]
    let frame = eth + hex("86dd 6 12 34567") + [0, UInt8(udp.count), 17, 255]
      + hex("fe800000000000000000000000000001 20010db8000000000000000000000002") + udp
    let p = decode(frame)
    XCTAssertEqual(p["eth_type"], .uint(0x86dd))
    XCTAssertEqual(p["ip_dscp"], .uint(0x12 >> 2))
    XCTAssertEqual(p["ip_ecn"], .uint(2))
    XCTAssertEqual(p["ipv6_flabel"], .uint(0x34567))
    XCTAssertEqual(p["nw_ttl"], .uint(255))
    XCTAssertEqual(p["ipv6_src"], .string("fe80::1"))
    XCTAssertEqual(p["ipv6_dst"], .string("2001:db8::2"))
    XCTAssertEqual(p["ip_proto"], .uint(17))
    XCTAssertEqual(p["udp_src"], .uint(546))
    XCTAssertEqual(p["udp_dst"], .uint(547))
    XCTAssertEqual(p["payload"], .bytes([9, 9, 9, 9]))
  }

  func testIPv6HopByHopThenICMPv6() {
    let icmp = hex("8700 0000 00000000")
    let hbh = hex("3a00 0000 00000000")  // next = 58, length 8
    let frame = eth + hex("86dd 60000000") + [0, UInt8(hbh.count + icmp.count), 0, 1]
      + [UInt8](repeating: 0, count: 32) + hbh + icmp
    let p = decode(frame)
    XCTAssertEqual(p["ip_proto"], .uint(58))
    XCTAssertEqual(p["icmpv6_type"], .uint(135))
    XCTAssertEqual(p["ipv6_src"], .string("::"))
  }

  func testVLANTagged() {
    // 802.1ad outer tag (vid 100, pcp 5) then an 802.1Q inner tag; outer one wins.
    let frame = eth + hex("88a8 a064 8100 0005") + ipv4(proto: 17, hex("1000 2000 0008 0000"))
    let p = decode(frame)
    XCTAssertEqual(p["vlan_vid"], .uint(100))
    XCTAssertEqual(p["vlan_pcp"], .uint(5))
    XCTAssertEqual(p["eth_type"], .uint(0x800))
    XCTAssertEqual(p["udp_dst"], .uint(0x2000))
    XCTAssertEqual(p["payload"], .bytes([]))
  }

  func testTruncatedFrames() {
    XCTAssertEqual(decode([]), .table([OFField("payload", .bytes([]))]))
    XCTAssertEqual(decode([1, 2, 3]), .table([OFField("payload", .bytes([1, 2, 3]))]))
    // IPv4 cut inside its header: Ethernet fields, then the rest as payload.
    let cut = eth + ipv4(proto: 6, []).prefix(12)
    let p = decode(cut)
    XCTAssertEqual(p["eth_type"], .uint(0x800))
    XCTAssertNil(p["ipv4_src"])
    XCTAssertEqual(p["payload"]?.bytes?.count, 10)
    // TCP cut inside its header: IP fields decoded, no tcp_*.
    let cutTCP = eth + ipv4(proto: 6, hex("04d2 0050 0000"))
    let q = decode(cutTCP)
    XCTAssertEqual(q["ipv4_dst"], .string("10.0.0.2"))
    XCTAssertNil(q["tcp_src"])
    XCTAssertEqual(q["payload"], .bytes(hex("04d2 0050 0000")))
    // A VLAN tag with nothing after it.
    let r = decode(eth + hex("8100 00"))
    XCTAssertEqual(r["eth_type"], .uint(0x8100))
    // Every prefix of a real frame decodes without trapping.
    let full = eth + ipv4(proto: 6, hex("04d2 0050 00000001 00000000 f012 ffff 0000 0000"))
    for n in 0...full.count { XCTAssertNotNil(decode(Array(full.prefix(n)))["payload"]) }
  }

  func testBogusHeaderLengthsStayInBounds() {
    // IHL says 60 bytes but only 20 are there; TCP data offset 15 words beyond the frame.
    var v4 = ipv4(proto: 6, hex("04d2 0050 00000001 00000000 f012 ffff 0000 0000"))
    v4[2] = 0x4f
    XCTAssertNil(decode(eth + v4)["ipv4_src"])
    let p = decode(eth + ipv4(proto: 6, hex("04d2 0050 00000001 00000000 f012 ffff 0000 0000")))
    XCTAssertEqual(p["tcp_flags"], .uint(0x012))
    XCTAssertEqual(p["payload"], .bytes([]))
  }
}
