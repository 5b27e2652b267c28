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

  func testIPv4HeaderFields() {
    // Options (router alert + NOP/EOL), DF set, then TCP with options and data.
    let tcp = hex("0050 c738 000003e8 000007d0 a018 01f6 0000 0007 020405b4 01030308 0101080a 00000001 00000002") + Array("hi".utf8)
    var ip = hex("4700 0000 abcd 4000 40 06 0000 0a000001 0a000002 94040000 01010100")
    ip[2] = UInt8((ip.count + tcp.count) >> 8)
    ip[3] = UInt8((ip.count + tcp.count) & 255)
    let p = decode(eth + hex("0800") + ip + tcp + [0, 0])
    XCTAssertEqual(p["ipv4_id"], .uint(0xabcd))
    XCTAssertEqual(p["ipv4_flags"], .uint(2))
    XCTAssertEqual(p["ipv4_frag_offset"], .uint(0))
    XCTAssertEqual(p["ipv4_options"], .bytes(hex("94040000 01010100")))
    XCTAssertEqual(p["tcp_seq"], .uint(1000))
    XCTAssertEqual(p["tcp_ack"], .uint(2000))
    XCTAssertEqual(p["tcp_flags"], .uint(0x018))
    XCTAssertEqual(p["tcp_window"], .uint(502))
    XCTAssertEqual(p["tcp_urgent"], .uint(7))
    XCTAssertEqual(p["tcp_options"], .bytes(hex("020405b4 01030308 0101080a 00000001 00000002")))
    XCTAssertEqual(p["payload"], .bytes(Array("hi".utf8)))
    // No options: no ipv4_options / tcp_options fields at all.
    let q = decode(eth + ipv4(proto: 6, hex("04d2 0050 00000001 00000000 5012 ffff 0000 0000")))
    XCTAssertNil(q["ipv4_options"])
    XCTAssertNil(q["tcp_options"])
  }

  func testIPv4Fragments() {
    // First fragment (MF, offset 0): the UDP header is there and decoded.
    var first = ipv4(proto: 17, hex("1000 2000 0010 0000 0102030405060708"))
    first[8] = 0x20  // MF (header byte 6; the helper starts with the EtherType)
    let p = decode(eth + first)
    XCTAssertEqual(p["ipv4_flags"], .uint(1))
    XCTAssertEqual(p["udp_dst"], .uint(0x2000))
    // A later fragment starts mid-datagram: no UDP fields, all payload.
    var later = first
    later[8] = 0x00
    later[9] = 0x02
    let q = decode(eth + later)
    XCTAssertEqual(q["ipv4_frag_offset"], .uint(2))
    XCTAssertEqual(q["ip_proto"], .uint(17))
    XCTAssertNil(q["udp_src"])
    XCTAssertEqual(q["payload"], .bytes(hex("1000 2000 0010 0000 0102030405060708")))
  }

  func testSCTP() {
    let p = decode(eth + ipv4(proto: 132, hex("1388 8e3c 00c0ffee 7cbb2d75") + hex("01000014")))
    XCTAssertEqual(p["sctp_src"], .uint(5000))
    XCTAssertEqual(p["sctp_dst"], .uint(36412))
    XCTAssertEqual(p["sctp_vtag"], .uint(0xc0ffee))
    XCTAssertEqual(p["payload"], .bytes(hex("01000014")))
    XCTAssertNil(decode(eth + ipv4(proto: 132, hex("1388 8e3c 00c0ffee 7cbb2d")))["sctp_src"])
  }

  func ipv6(next: UInt8, _ rest: [UInt8]) -> [UInt8] {
    hex("86dd 60000000") + [UInt8(rest.count >> 8), UInt8(rest.count & 255), next, 64]
      + hex("20010db8000000000000000000000001 20010db8000000000000000000000002") + rest
  }

  func testIPv6ExtensionHeaders() {
    // Hop-by-hop (8), destination options (16), AH (length 4 -> 24 bytes), then UDP.
    let hbh = hex("3c00 0502 0000 0100")
    let dst = hex("3301 010c 000000000000 000000000000")
    let ah = hex("1104 0000 00000100 00000001") + [UInt8](repeating: 0xa5, count: 12)
    let p = decode(eth + ipv6(next: 0, hbh + dst + ah + hex("0fa0 0fa1 000c 0000 61626364")))
    XCTAssertEqual(p["ip_proto"], .uint(17))
    XCTAssertEqual(p["ipv6_ext"], .list([
      .table([OFField("hdr", .uint(0)), OFField("data", .bytes(Array(hbh[2...])))]),
      .table([OFField("hdr", .uint(60)), OFField("data", .bytes(Array(dst[2...])))]),
      .table([OFField("hdr", .uint(51)), OFField("data", .bytes(Array(ah[2...])))]),
    ]))
    XCTAssertEqual(p["udp_src"], .uint(4000))
    XCTAssertEqual(p["payload"], .bytes(Array("abcd".utf8)))
    // No extension headers: no ipv6_ext.
    XCTAssertNil(decode(eth + ipv6(next: 17, hex("0fa0 0fa1 0008 0000")))["ipv6_ext"])
  }

  func testIPv6FragmentsAndStops() {
    // A later fragment (offset 1): the transport header is not there.
    let later = decode(eth + ipv6(next: 44, hex("1100 0008 deadbeef") + hex("0fa0 0fa1 000c 0000")))
    XCTAssertEqual(later["ip_proto"], .uint(17))
    XCTAssertNil(later["udp_src"])
    XCTAssertEqual(later["payload"], .bytes(hex("0fa0 0fa1 000c 0000")))
    // The first fragment decodes UDP.
    XCTAssertEqual(decode(eth + ipv6(next: 44, hex("1100 0001 deadbeef") + hex("0fa0 0fa1 000c 0000")))["udp_src"], .uint(4000))
    // ESP is not walked: it is the ip_proto and the rest is payload.
    let esp = decode(eth + ipv6(next: 50, hex("00000100 00000001 aabb")))
    XCTAssertEqual(esp["ip_proto"], .uint(50))
    XCTAssertNil(esp["ipv6_ext"])
    XCTAssertEqual(esp["payload"], .bytes(hex("00000100 00000001 aabb")))
    // A routing header claiming 2048 bytes in a short packet: the walk stops
    // there, ip_proto is the header it stopped at.
    let long = decode(eth + ipv6(next: 43, hex("11ff 0400 00000000") + [UInt8](repeating: 0, count: 16)))
    XCTAssertEqual(long["ip_proto"], .uint(43))
    XCTAssertNil(long["ipv6_ext"])
    XCTAssertEqual(long["payload"]?.bytes?.count, 24)
  }

  func testNeighbourDiscovery() {
    let target = hex("fe800000000000000000000000000002")
    // Solicitation with SLL then TLL (both decoded), then data.
    let ns = decode(eth + ipv6(next: 58, hex("8700 0000 00000000") + target + hex("0101 020000000001 0201 020000000002") + [9]))
    XCTAssertEqual(ns["icmpv6_type"], .uint(135))
    XCTAssertEqual(ns["ipv6_nd_target"], .string("fe80::2"))
    XCTAssertEqual(ns["ipv6_nd_sll"], .string("02:00:00:00:00:01"))
    XCTAssertEqual(ns["ipv6_nd_tll"], .string("02:00:00:00:00:02"))
    XCTAssertNil(ns["ipv6_nd_flags"])
    XCTAssertEqual(ns["payload"], .bytes([9]))
    // Advertisement: R, S, O bits as 4, 2, 1.
    let na = decode(eth + ipv6(next: 58, hex("8800 0000 a0000000") + target))
    XCTAssertEqual(na["ipv6_nd_flags"], .uint(5))
    XCTAssertNil(na["ipv6_nd_tll"])
    // An option other than SLL/TLL ends the walk; so does SLL after TLL, or a length other than 1.
    let prefix = hex("0304 40c0 00000000 00000000 00000000") + [UInt8](repeating: 0, count: 16)
    let other = decode(eth + ipv6(next: 58, hex("8800 0000 60000000") + target + prefix))
    XCTAssertNil(other["ipv6_nd_tll"])
    XCTAssertEqual(other["payload"], .bytes(prefix))
    let swapped = decode(eth + ipv6(next: 58, hex("8700 0000 00000000") + target + hex("0201 020000000002 0101 020000000001")))
    XCTAssertEqual(swapped["ipv6_nd_tll"], .string("02:00:00:00:00:02"))
    XCTAssertNil(swapped["ipv6_nd_sll"])
    XCTAssertEqual(swapped["payload"], .bytes(hex("0101 020000000001")))
    let long = decode(eth + ipv6(next: 58, hex("8700 0000 00000000") + target + hex("0102 020000000001 0000000000000000")))
    XCTAssertNil(long["ipv6_nd_sll"])
    // Cut inside the target: type and code only.
    let cut = decode(eth + ipv6(next: 58, hex("8700 0000 00000000") + target.prefix(15)))
    XCTAssertEqual(cut["icmpv6_type"], .uint(135))
    XCTAssertNil(cut["ipv6_nd_target"])
    XCTAssertEqual(cut["payload"]?.bytes?.count, 19)
    // Other ICMPv6 types: payload after the 4-byte header.
    XCTAssertEqual(decode(eth + ipv6(next: 58, hex("8000 0000 12340001")))["payload"], .bytes(hex("12340001")))
  }

  func testVLANStacks() {
    // One 802.1Q tag with DEI: vlans says what vlan_vid/vlan_pcp cannot.
    let dei = decode(eth + hex("8100 b00a 88b5 00"))
    XCTAssertEqual(dei["vlan_vid"], .uint(10))
    XCTAssertEqual(dei["vlan_pcp"], .uint(5))
    XCTAssertEqual(dei["vlans"], .list([.table([
      OFField("tpid", .uint(0x8100)), OFField("pcp", .uint(5)), OFField("dei", .uint(1)), OFField("vid", .uint(10)),
    ])]))
    // Three tags, 0x9100 outermost.
    let three = decode(eth + hex("9100 0001 88a8 0002 8100 0003 0800"))
    XCTAssertEqual(three["vlan_vid"], .uint(1))
    XCTAssertEqual(three["vlans"]?.list?.map { $0["tpid"] }, [.uint(0x9100), .uint(0x88a8), .uint(0x8100)])
    XCTAssertEqual(three["vlans"]?.list?.map { $0["vid"] }, [.uint(1), .uint(2), .uint(3)])
    XCTAssertEqual(three["eth_type"], .uint(0x800))
    // One plain tag: no vlans.
    XCTAssertNil(decode(eth + hex("8100 000a 0800"))["vlans"])
    // A second tag cut short: the first is in vlans, eth_type is the second's TPID.
    let cut = decode(eth + hex("88a8 0064 8100 00"))
    XCTAssertEqual(cut["vlans"]?.list?.count, 1)
    XCTAssertEqual(cut["eth_type"], .uint(0x8100))
    XCTAssertEqual(cut["payload"], .bytes([0]))
  }

  /// Counts what the decoder hands over: the work done, independent of the clock.
  struct CountingSink: PacketFieldSink {
    var steps = 0
    var payload = 0
    mutating func uint(_ key: PacketKey, _ v: UInt64) { steps += 1 }
    mutating func mac(_ key: PacketKey, _ b: UnsafeRawBufferPointer) { steps += 1 }
    mutating func ipv4(_ key: PacketKey, _ v: UInt32) { steps += 1 }
    mutating func ipv6(_ key: PacketKey, _ b: UnsafeRawBufferPointer) { steps += 1 }
    mutating func bytes(_ key: PacketKey, _ b: UnsafeRawBufferPointer) { steps += 1; if key == .payload { payload = b.count } }
    mutating func text(_ key: PacketKey, _ b: UnsafeRawBufferPointer) { steps += 1 }
    mutating func beginList(_ key: PacketKey, count: Int) { steps += 1 }
    mutating func beginItem(fields: Int) { steps += 1 }
    mutating func endItem() { steps += 1 }
    mutating func endList() { steps += 1 }
  }

  /// A stack of 1,000 tags decodes its first 8 (`maxVLANTags`); the rest is
  /// payload, eth_type the 9th tag's TPID, and the frame still builds back.
  func testVLANStackIsBounded() throws {
    func frame(_ tags: Int) -> [UInt8] {
      var f = eth
      for i in 0..<tags { f += [0x81, 0x00, 0x00, UInt8(i % 200 + 1)] }
      return f + hex("0800") + [UInt8](repeating: 0xab, count: 20)
    }
    let max = PacketDecoder.maxVLANTags
    XCTAssertEqual(max, 8)
    let deep = decode(frame(1000))
    XCTAssertEqual(deep["vlans"]?.list?.count, max)
    XCTAssertEqual(deep["vlans"]?.list?.last?["vid"], .uint(UInt64(max)))
    XCTAssertEqual(deep["eth_type"], .uint(0x8100))
    XCTAssertEqual(deep["payload"]?.bytes?.count, (1000 - max) * 4 - 2 + 2 + 20)
    XCTAssertEqual(deep["payload"]?.bytes?.prefix(2), [0x00, UInt8(max + 1)])
    let built = try PacketBuilder.build(deep)
    XCTAssertEqual(built, frame(1000))
    // Up to the bound every tag is decoded and the IPv4 type seen.
    XCTAssertEqual(decode(frame(max))["vlans"]?.list?.count, max)
    XCTAssertEqual(decode(frame(max))["eth_type"], .uint(0x800))
    // The work is bounded: 1,000 tags cost what 9 do, and not 30 times one tag.
    func steps(_ tags: Int) -> Int {
      var sink = CountingSink()
      frame(tags).withUnsafeBytes { PacketDecoder.decode($0, into: &sink) }
      return sink.steps
    }
    XCTAssertEqual(steps(1000), steps(max + 1))
    XCTAssertLessThanOrEqual(steps(1000), 12 * steps(1), "steps: 1 tag \(steps(1)), 1,000 tags \(steps(1000))")
  }

  func testMPLS() {
    // One label (16, tc 5, bottom, ttl 63), then IPv4.
    let one = decode(eth + hex("8847 00010b3f") + ipv4(proto: 17, hex("1000 2000 0008 0000")).dropFirst(2))
    XCTAssertEqual(one["eth_type"], .uint(0x8847))
    XCTAssertEqual(one["mpls_label"], .uint(16))
    XCTAssertEqual(one["mpls_tc"], .uint(5))
    XCTAssertEqual(one["mpls_bos"], .uint(1))
    XCTAssertEqual(one["mpls_ttl"], .uint(63))
    XCTAssertNil(one["mpls"])
    XCTAssertEqual(one["ipv4_dst"], .string("10.0.0.2"))
    XCTAssertEqual(one["udp_dst"], .uint(0x2000))
    // Two labels, then IPv6.
    let two = decode(eth + hex("8848 003e8a40 007d0140") + ipv6(next: 59, []).dropFirst(2))
    XCTAssertEqual(two["mpls_label"], .uint(1000))
    XCTAssertEqual(two["mpls_bos"], .uint(0))
    XCTAssertEqual(two["mpls"]?.list?.map { $0["label"] }, [.uint(1000), .uint(2000)])
    XCTAssertEqual(two["ipv6_src"], .string("2001:db8::1"))
    // Neither 4 nor 6 after the bottom: payload.
    let other = decode(eth + hex("8847 00001140 00000000 aabb"))
    XCTAssertNil(other["ipv4_src"])
    XCTAssertEqual(other["payload"], .bytes(hex("00000000 aabb")))
    // A stack without its bottom: the labels there, then payload.
    let open = decode(eth + hex("8847 00001040 00002040 0000"))
    XCTAssertEqual(open["mpls"]?.list?.count, 2)
    XCTAssertEqual(open["payload"], .bytes(hex("0000")))
  }

  func lldp(_ tlvs: String) -> [UInt8] { hex("0180c200000e 020000000001 88cc") + hex(tlvs) }

  func testLLDPKeepsOddTLVsAsUnknown() {
    let p = decode(lldp("""
      0207 04 020000000001   0403 07 7031   0602 0078
      0403 07 7032           0601 01        0a02 ff80
      0e03 000000            fe03 00 80c2   1007 06 0000000000 00
      2002 beef              0000
      """))
    XCTAssertEqual(p["lldp_chassis_id"], .string("02:00:00:00:00:01"))
    XCTAssertEqual(p["lldp_port_id"], .string("p1"))
    XCTAssertEqual(p["lldp_ttl"], .uint(120))
    // Not UTF-8: bytes.
    XCTAssertEqual(p["lldp_system_name"], .bytes(hex("ff80")))
    XCTAssertNil(p["lldp_system_capabilities"])
    XCTAssertNil(p["lldp_org_specific"])
    XCTAssertNil(p["lldp_management_addresses"])
    // A second port id, a 1-byte TTL, 3-byte capabilities, a 3-byte
    // organisation TLV, a management address whose lengths do not add up, and type 16.
    XCTAssertEqual(p["lldp_unknown"]?.list?.map { $0["type"] }, [.uint(2), .uint(3), .uint(7), .uint(127), .uint(8), .uint(16)])
    XCTAssertEqual(p["lldp_unknown"]?.list?.first?["value"], .bytes(hex("077032")))
    XCTAssertEqual(p["payload"], .bytes([]))
  }

  func testLLDPStops() {
    // A TLV that overruns the frame ends the walk; it and the rest are payload.
    let over = decode(lldp("0203 07 6331  0403 07 7031  0a10 6162"))
    XCTAssertEqual(over["lldp_port_id"], .string("p1"))
    XCTAssertNil(over["lldp_system_name"])
    XCTAssertEqual(over["payload"], .bytes(hex("0a10 6162")))
    // End alone: nothing decoded, nothing consumed.
    XCTAssertEqual(decode(lldp("0000 0000"))["payload"], .bytes(hex("0000 0000")))
    // An End TLV with a length is no End to consume.
    let odd = decode(lldp("0203 07 6331  0001 00"))
    XCTAssertEqual(odd["lldp_chassis_id"], .string("c1"))
    XCTAssertEqual(odd["payload"], .bytes(hex("0001 00")))
    // Bytes after End are payload (Ethernet padding, usually).
    XCTAssertEqual(decode(lldp("0203 07 6331 0000 0000 00"))["payload"], .bytes([0, 0, 0]))
    // A MAC subtype with another length than 6 stays bytes.
    let short = decode(lldp("0204 04 616263  0403 03 0102"))
    XCTAssertEqual(short["lldp_chassis_id"], .bytes(Array("abc".utf8)))
    XCTAssertEqual(short["lldp_port_id"], .bytes([1, 2]))
  }

  func testBogusLengthsStayInside() {
    // IPv4 total length below the header, or past the frame: the frame's end counts.
    var small = ipv4(proto: 17, hex("1000 2000 0008 0000 aa"))
    small[4] = 0
    small[5] = 10
    XCTAssertEqual(decode(eth + small)["payload"], .bytes([0xaa]))
    var big = ipv4(proto: 17, hex("1000 2000 0008 0000 aa"))
    big[4] = 0xff
    XCTAssertEqual(decode(eth + big)["payload"], .bytes([0xaa]))
    // IPv6 payload length past the frame: same.
    var v6 = ipv6(next: 17, hex("0fa0 0fa1 0008 0000 bb"))
    v6[6] = 0xff
    XCTAssertEqual(decode(eth + v6)["payload"], .bytes([0xbb]))
    // TCP data offset below 5: a 20-byte header, no options.
    let tcp = decode(eth + ipv4(proto: 6, hex("04d2 0050 00000001 00000000 2012 ffff 0000 0000 cc")))
    XCTAssertNil(tcp["tcp_options"])
    XCTAssertEqual(tcp["payload"], .bytes([0xcc]))
    // AH claiming 1028 bytes.
    let ah = decode(eth + ipv6(next: 51, hex("11ff 0000 00000100 00000001")))
    XCTAssertEqual(ah["ip_proto"], .uint(51))
    XCTAssertEqual(ah["payload"]?.bytes?.count, 12)
  }

  /// Every prefix of every example frame: no trap, and decoding stops at a
  /// header boundary. A field a prefix gives has its whole-frame value (the
  /// type and protocol fields that name a cut header aside), lists are
  /// prefixes of the whole frame's, no header is lost as the prefix grows,
  /// and the payload is the prefix's tail (less Ethernet padding).
  func testEveryPrefixStopsCleanly() {
    let frames = packetExamples.map { hex($0.frame) }
    for frame in frames {
      let whole = decode(frame)
      var lastCount = 0
      for n in 0...frame.count {
        let prefix = Array(frame.prefix(n))
        let p = decode(prefix)
        let fields = p.fields!.filter { $0.name != "payload" }
        XCTAssertGreaterThanOrEqual(fields.count, lastCount, "\(hexText(prefix))")
        lastCount = fields.count
        for f in fields where f.name != "eth_type" && f.name != "ip_proto" {
          if let items = f.value.list, let all = whole[f.name]?.list {
            XCTAssertTrue(all.starts(with: items), "\(f.name) of \(hexText(prefix))")
          } else {
            XCTAssertEqual(f.value, whole[f.name], "\(f.name) of \(hexText(prefix))")
          }
        }
        let payload = p["payload"]?.bytes ?? [0xff]
        var end = prefix.count
        var found = prefix[..<end].hasSuffix(payload)
        while !found && end > 0 && prefix[end - 1] == 0 {
          end -= 1
          found = prefix[..<end].hasSuffix(payload)
        }
        XCTAssertTrue(found, "payload of \(hexText(prefix))")
      }
    }
  }
}

extension ArraySlice where Element == UInt8 {
  func hasSuffix(_ s: [UInt8]) -> Bool { count >= s.count && Array(suffix(s.count)) == s }
}
