@testable import OpenFlow

/// One or more frames of every protocol: the fields handed to the builder
/// and the frame it must give. Each frame was read back with tshark, which
/// showed every header as intended and every checksum as correct.
struct PacketExample {
  let name: String
  let fields: OFValue
  let frame: String
}

private let mac1 = OFValue.string("02:00:00:00:00:01"), mac2 = OFValue.string("02:00:00:00:00:02")
private let ip1 = OFValue.string("10.0.0.1"), ip2 = OFValue.string("10.0.0.2")
private let ll1 = OFValue.string("fe80::1"), ll2 = OFValue.string("fe80::2")

let packetExamples: [PacketExample] = [
  PacketExample(name: "ARP request", fields: .table([
    "eth_dst": .string("ff:ff:ff:ff:ff:ff"), "eth_src": mac1, "arp_op": .uint(1), "arp_spa": ip1, "arp_tpa": ip2,
  ]), frame:
    "ffffffffffff0200 0000000108060001 0800060400010200 000000010a000001 0000000000000a00 0002000000000000 "
    + "0000000000000000 00000000"),
  PacketExample(name: "ARP reply in VLAN 10", fields: .table([
    "eth_dst": mac1, "eth_src": mac2, "vlan_vid": .uint(10), "vlan_pcp": .uint(3), "arp_op": .uint(2),
    "arp_sha": mac2, "arp_spa": ip2, "arp_tha": mac1, "arp_tpa": ip1,
  ]), frame:
    "0200000000010200 000000028100600a 0806000108000604 0002020000000002 0a00000202000000 00010a0000010000 "
    + "0000000000000000 00000000"),
  PacketExample(name: "ICMPv4 echo request", fields: .table([
    "eth_dst": mac2, "eth_src": mac1, "ipv4_src": ip1, "ipv4_dst": ip2, "ipv4_id": .uint(0x1c46), "ipv4_flags": .uint(2),
    "icmpv4_type": .uint(8), "icmpv4_code": .uint(0), "payload": .bytes(hex("0001 0007") + Array("abcdefghijklmnopqrstuvwxyz".utf8)),
  ]), frame:
    "0200000000020200 0000000108004500 00361c4640004001 0a7f0a0000010a00 00020800695c0001 0007616263646566 "
    + "6768696a6b6c6d6e 6f70717273747576 7778797a"),
  PacketExample(name: "TCP SYN with MSS, SACK-permitted and window scale", fields: .table([
    "eth_dst": mac2, "eth_src": mac1, "ipv4_src": .string("192.168.1.10"), "ipv4_dst": .string("93.184.216.34"),
    "ip_dscp": .uint(10), "ipv4_id": .uint(0x4a2b), "ipv4_flags": .uint(2), "nw_ttl": .uint(128),
    "tcp_src": .uint(49152), "tcp_dst": .uint(443), "tcp_seq": .uint(0x1234_5678), "tcp_flags": .uint(0x002),
    "tcp_window": .uint(64240), "tcp_options": .bytes(hex("020405b4 01030308 0101 0402")),
  ]), frame:
    "0200000000020200 0000000108004528 00344a2b40008006 b8e3c0a8010a5db8 d822c00001bb1234 5678000000008002 "
    + "faf0522a00000204 05b4010303080101 0402"),
  PacketExample(name: "TCP data in IPv4 with a router alert option", fields: .table([
    "eth_dst": mac2, "eth_src": mac1, "ipv4_src": ip1, "ipv4_dst": ip2, "ipv4_options": .bytes(hex("94040000")),
    "tcp_src": .uint(80), "tcp_dst": .uint(51000), "tcp_seq": .uint(1000), "tcp_ack": .uint(2000), "tcp_flags": .uint(0x018),
    "tcp_window": .uint(502), "tcp_urgent": .uint(0), "payload": .string("HTTP/1.1 200 OK\r\n\r\n"),
  ]), frame:
    "0200000000020200 0000000108004600 003f000000004006 d1b20a0000010a00 0002940400000050 c738000003e80000 "
    + "07d0501801f6fcad 0000485454502f31 2e3120323030204f 4b0d0a0d0a"),
  PacketExample(name: "UDP DNS query", fields: .table([
    "eth_dst": mac2, "eth_src": mac1, "ipv4_src": ip1, "ipv4_dst": .string("8.8.8.8"), "udp_src": .uint(53000), "udp_dst": .uint(53),
    "payload": .bytes(hex("abcd 0100 0001 0000 0000 0000 07 6578616d706c65 03 636f6d 00 0001 0001")),
  ]), frame:
    "0200000000020200 0000000108004500 0039000000004011 60a40a0000010808 0808cf0800350025 9b1aabcd01000001 "
    + "0000000000000765 78616d706c650363 6f6d0000010001"),
  PacketExample(name: "SCTP INIT", fields: .table([
    "eth_dst": mac2, "eth_src": mac1, "ipv4_src": ip1, "ipv4_dst": ip2, "sctp_src": .uint(5000), "sctp_dst": .uint(36412),
    "sctp_vtag": .uint(0),
    "payload": .bytes(hex("01 00 0014 11223344 0001a000 000a 000a 00000001")),
  ]), frame:
    "0200000000020200 0000000108004500 0034000000004084 66440a0000010a00 000213888e3c0000 00007cbb2d750100 "
    + "0014112233440001 a000000a000a0000 0001"),
  PacketExample(name: "IPv4 later fragment", fields: .table([
    "eth_dst": mac2, "eth_src": mac1, "ipv4_src": ip1, "ipv4_dst": ip2, "ipv4_id": .uint(77), "ipv4_frag_offset": .uint(185),
    "ip_proto": .uint(17), "payload": .bytes([UInt8](repeating: 0x5a, count: 40)),
  ]), frame:
    "0200000000020200 0000000108004500 003c004d00b94011 65a90a0000010a00 00025a5a5a5a5a5a 5a5a5a5a5a5a5a5a "
    + "5a5a5a5a5a5a5a5a 5a5a5a5a5a5a5a5a 5a5a5a5a5a5a5a5a 5a5a"),
  PacketExample(name: "Experimental IP protocol: payload after IPv4", fields: .table([
    "eth_dst": mac2, "eth_src": mac1, "ipv4_src": ip1, "ipv4_dst": ip2, "ip_proto": .uint(253), "nw_ttl": .uint(255),
    "ip_ecn": .uint(1), "payload": .string("not decoded"),
  ]), frame:
    "0200000000020200 0000000108004501 001f00000000fffd a6de0a0000010a00 00026e6f74206465 636f646564000000 "
    + "0000000000000000 00000000"),
  PacketExample(name: "IPv6 UDP (DHCPv6 solicit)", fields: .table([
    "eth_dst": .string("33:33:00:01:00:02"), "eth_src": mac1, "ipv6_src": ll1, "ipv6_dst": .string("ff02::1:2"),
    "ipv6_flabel": .uint(0x12345), "ip_dscp": .uint(46), "nw_ttl": .uint(1), "udp_src": .uint(546), "udp_dst": .uint(547),
    "payload": .bytes(hex("01 abcdef 0008 0002 0000")),
  ]), frame:
    "3333000100020200 0000000186dd6b81 234500121101fe80 0000000000000000 000000000001ff02 0000000000000000 "
    + "0000000100020222 022300122e5901ab cdef000800020000"),
  PacketExample(name: "IPv6 TCP", fields: .table([
    "eth_dst": mac2, "eth_src": mac1, "ipv6_src": .string("2001:db8::1"), "ipv6_dst": .string("2001:db8::2"),
    "tcp_src": .uint(22), "tcp_dst": .uint(40000), "tcp_seq": .uint(1), "tcp_ack": .uint(1), "tcp_flags": .uint(0x010),
    "tcp_window": .uint(1024), "payload": .string("SSH-2.0-x\r\n"),
  ]), frame:
    "0200000000020200 0000000186dd6000 0000001f06402001 0db8000000000000 0000000000012001 0db8000000000000 "
    + "0000000000020016 9c40000000010000 0001501004003413 00005353482d322e 302d780d0a"),
  PacketExample(name: "ICMPv6 echo request", fields: .table([
    "eth_dst": mac2, "eth_src": mac1, "ipv6_src": .string("2001:db8::1"), "ipv6_dst": .string("2001:db8::2"),
    "icmpv6_type": .uint(128), "payload": .bytes(hex("1234 0001 6869")),
  ]), frame:
    "0200000000020200 0000000186dd6000 0000000a3a402001 0db8000000000000 0000000000012001 0db8000000000000 "
    + "0000000000028000 a9a7123400016869"),
  PacketExample(name: "Neighbour solicitation with source link-layer address", fields: .table([
    "eth_dst": .string("33:33:ff:00:00:02"), "eth_src": mac1, "ipv6_src": ll1, "ipv6_dst": .string("ff02::1:ff00:2"),
    "nw_ttl": .uint(255), "icmpv6_type": .uint(135), "ipv6_nd_target": ll2, "ipv6_nd_sll": mac1,
  ]), frame:
    "3333ff0000020200 0000000186dd6000 000000203afffe80 0000000000000000 000000000001ff02 0000000000000000 "
    + "0001ff0000028700 7a9700000000fe80 0000000000000000 0000000000020101 020000000001"),
  PacketExample(name: "Neighbour advertisement, solicited and override, with target link-layer address", fields: .table([
    "eth_dst": mac1, "eth_src": mac2, "ipv6_src": ll2, "ipv6_dst": ll1, "nw_ttl": .uint(255),
    "icmpv6_type": .uint(136), "ipv6_nd_flags": .uint(3), "ipv6_nd_target": ll2, "ipv6_nd_tll": mac2,
  ]), frame:
    "0200000000010200 0000000286dd6000 000000203afffe80 0000000000000000 000000000002fe80 0000000000000000 "
    + "0000000000018800 181a60000000fe80 0000000000000000 0000000000020201 020000000002"),
  PacketExample(name: "Hop-by-hop router alert, then an MLDv2 report", fields: .table([
    "eth_dst": .string("33:33:00:00:00:16"), "eth_src": mac1, "ipv6_src": ll1, "ipv6_dst": .string("ff02::16"), "nw_ttl": .uint(1),
    "ipv6_ext": .list([.table(["hdr": .uint(0), "data": .bytes(hex("0502 0000 0100"))])]),
    "icmpv6_type": .uint(143), "payload": .bytes(hex("0000 0001 04 00 0000 ff020000000000000000000000000123")),
  ]), frame:
    "3333000000160200 0000000186dd6000 000000240001fe80 0000000000000000 000000000001ff02 0000000000000000 "
    + "0000000000163a00 0502000001008f00 6ee7000000010400 0000ff0200000000 0000000000000000 0123"),
  PacketExample(name: "IPv6 first fragment of a UDP datagram", fields: .table([
    "eth_dst": mac2, "eth_src": mac1, "ipv6_src": .string("2001:db8::1"), "ipv6_dst": .string("2001:db8::2"),
    "ipv6_ext": .list([.table(["hdr": .uint(44), "data": .bytes(hex("0001 deadbeef"))])]),
    "udp_src": .uint(4000), "udp_dst": .uint(4001), "payload": .bytes([UInt8](repeating: 7, count: 16)),
  ]), frame:
    "0200000000020200 0000000186dd6000 000000202c402001 0db8000000000000 0000000000012001 0db8000000000000 "
    + "0000000000021100 0001deadbeef0fa0 0fa100184cd00707 0707070707070707 070707070707"),
  PacketExample(name: "IPv6 segment routing header, then UDP to the final segment", fields: .table([
    "eth_dst": mac2, "eth_src": mac1, "ipv6_src": .string("2001:db8::1"), "ipv6_dst": .string("2001:db8:2::1"),
    "ipv6_ext": .list([.table(["hdr": .uint(43), "data": .bytes(hex("04 01 01 00 0000")
      + hex("20010db8000100000000000000000001") + hex("20010db8000200000000000000000001"))])]),
    "udp_src": .uint(1000), "udp_dst": .uint(2000), "payload": .string("srv6"),
  ]), frame:
    "0200000000020200 0000000186dd6000 000000342b402001 0db8000000000000 0000000000012001 0db8000200000000 "
    + "0000000000011104 0401010000002001 0db8000100000000 0000000000012001 0db8000200000000 00000000000103e8 "
    + "07d0000caf007372 7636"),
  PacketExample(name: "IPv6 destination options and AH, then TCP", fields: .table([
    "eth_dst": mac2, "eth_src": mac1, "ipv6_src": .string("2001:db8::1"), "ipv6_dst": .string("2001:db8::2"),
    "ipv6_ext": .list([
      .table(["hdr": .uint(60), "data": .bytes(hex("0104 00000000"))]),
      .table(["hdr": .uint(51), "data": .bytes(hex("0000 00000100 00000001") + [UInt8](repeating: 0xa5, count: 12))]),
    ]),
    "tcp_src": .uint(179), "tcp_dst": .uint(50000), "tcp_flags": .uint(0x010), "tcp_window": .uint(16384),
  ]), frame:
    "0200000000020200 0000000186dd6000 000000343c402001 0db8000000000000 0000000000012001 0db8000000000000 "
    + "0000000000023300 0104000000000604 0000000001000000 0001a5a5a5a5a5a5 a5a5a5a5a5a500b3 c350000000000000 "
    + "000050104000505c 0000"),
  PacketExample(name: "QinQ: 802.1ad outer tag, 802.1Q inner tag, UDP", fields: .table([
    "eth_dst": mac2, "eth_src": mac1,
    "vlans": .list([
      .table(["tpid": .uint(0x88a8), "pcp": .uint(0), "dei": .uint(0), "vid": .uint(100)]),
      .table(["tpid": .uint(0x8100), "pcp": .uint(3), "dei": .uint(0), "vid": .uint(200)]),
    ]),
    "ipv4_src": ip1, "ipv4_dst": ip2, "udp_src": .uint(7), "udp_dst": .uint(7), "payload": .string("echo"),
  ]), frame:
    "0200000000020200 0000000188a80064 810060c808004500 0020000000004011 66cb0a0000010a00 000200070007000c "
    + "1df36563686f0000 00000000"),
  PacketExample(name: "One tag with DEI set", fields: .table([
    "eth_dst": mac2, "eth_src": mac1, "vlans": .list([.table(["tpid": .uint(0x8100), "pcp": .uint(5), "dei": .uint(1), "vid": .uint(4094)])]),
    "eth_type": .uint(0x88b5), "payload": .string("local experimental ethertype"),
  ]), frame:
    "0200000000020200 000000018100bffe 88b56c6f63616c20 6578706572696d65 6e74616c20657468 6572747970650000 "
    + "0000000000000000 00000000"),
  PacketExample(name: "MPLS label, then IPv4 UDP", fields: .table([
    "eth_dst": mac2, "eth_src": mac1, "mpls_label": .uint(16), "mpls_tc": .uint(0), "mpls_ttl": .uint(63),
    "ipv4_src": ip1, "ipv4_dst": ip2, "udp_src": .uint(9), "udp_dst": .uint(9), "payload": .bytes(hex("20400318")),
  ]), frame:
    "0200000000020200 0000000188470001 013f450000200000 0000401166cb0a00 00010a0000020009 0009000cc8692040 "
    + "0318000000000000 00000000"),
  PacketExample(name: "Two MPLS labels, then IPv6 ICMPv6", fields: .table([
    "eth_dst": mac2, "eth_src": mac1,
    "mpls": .list([
      .table(["label": .uint(1000), "tc": .uint(5), "ttl": .uint(64)]),
      .table(["label": .uint(2000), "tc": .uint(0), "ttl": .uint(64)]),
    ]),
    "ipv6_src": .string("2001:db8::1"), "ipv6_dst": .string("2001:db8::2"), "icmpv6_type": .uint(129),
    "payload": .bytes(hex("0001 0002")),
  ]), frame:
    "0200000000020200 000000018847003e 8a40007d01406000 000000083a402001 0db8000000000000 0000000000012001 "
    + "0db8000000000000 0000000000028100 234500010002"),
  PacketExample(name: "MPLS with a pseudowire control word: payload", fields: .table([
    "eth_dst": mac2, "eth_src": mac1, "eth_type": .uint(0x8848), "mpls_label": .uint(299_776), "mpls_ttl": .uint(255),
    "payload": .bytes(hex("00000000") + hex("020000000009 02000000000a 0800")),
  ]), frame:
    "0200000000020200 0000000188484930 01ff000000000200 0000000902000000 000a080000000000 0000000000000000 "
    + "0000000000000000 00000000"),
  PacketExample(name: "LLDP as a topology app sends it", fields: .table([
    "eth_src": .string("02:00:00:00:01:03"), "lldp_chassis_id": .string("dpid:0000000000000001"), "lldp_port_id": .string("3"),
    "lldp_ttl": .uint(120),
  ]), frame:
    "0180c200000e0200 0000010388cc0216 07647069643a3030 3030303030303030 3030303030310402 0733060200780000 "
    + "0000000000000000 00000000"),
  PacketExample(name: "LLDP with every TLV", fields: .table([
    "eth_src": .string("00:1b:21:3c:9d:f8"),
    "lldp_chassis_id_subtype": .uint(4), "lldp_chassis_id": .string("00:1b:21:3c:9d:f7"),
    "lldp_port_id_subtype": .uint(5), "lldp_port_id": .string("eth0"), "lldp_ttl": .uint(3600),
    "lldp_port_description": .string("uplink to core"), "lldp_system_name": .string("sw1.example.net"),
    "lldp_system_description": .string("zof test switch"),
    "lldp_system_capabilities": .uint(0x0014), "lldp_enabled_capabilities": .uint(0x0004),
    "lldp_management_addresses": .list([
      .table(["address_subtype": .uint(1), "address": .string("192.0.2.1"), "interface_subtype": .uint(2),
              "interface_number": .uint(1001), "oid": .bytes([])]),
      .table(["address_subtype": .uint(2), "address": .string("2001:db8::1"), "interface_subtype": .uint(3),
              "interface_number": .uint(7), "oid": .bytes(hex("2b0601020101"))]),
    ]),
    "lldp_org_specific": .list([
      .table(["oui": .uint(0x0080c2), "subtype": .uint(1), "info": .bytes(hex("000a"))]),
      .table(["oui": .uint(0x00120f), "subtype": .uint(1), "info": .bytes(hex("03 6c00 0010"))]),
    ]),
    "lldp_unknown": .list([.table(["type": .uint(100), "value": .bytes(hex("cafe"))])]),
  ]), frame:
    "0180c200000e001b 213c9df888cc0207 04001b213c9df704 0505657468300602 0e10080e75706c69 6e6b20746f20636f "
    + "72650a0f7377312e 6578616d706c652e 6e65740c0f7a6f66 2074657374207377 697463680e040014 0004100c0501c000 "
    + "020102000003e900 101e110220010db8 0000000000000000 0000000103000000 07062b0601020101 fe060080c201000a "
    + "fe0900120f01036c 000010c802cafe00 00"),
  PacketExample(name: "Unknown ethertype: payload after Ethernet", fields: .table([
    "eth_dst": mac2, "eth_src": mac1, "eth_type": .uint(0x88b6), "payload": .bytes([UInt8](repeating: 1, count: 50)),
  ]), frame:
    "0200000000020200 0000000188b60101 0101010101010101 0101010101010101 0101010101010101 0101010101010101 "
    + "0101010101010101 0101010101010101"),
]
