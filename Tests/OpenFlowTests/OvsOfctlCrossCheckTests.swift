import Foundation
import XCTest

@testable import OpenFlow

/// An independent decoder agrees with ours: for a sample of messages of every
/// version, key fields of our decode appear in `ovs-ofctl ofp-print`'s text.
/// Corpus files check our decoder; messages we encode check our encoder
/// (1.1 has no corpus files, so it is checked that way).
final class OvsOfctlCrossCheckTests: XCTestCase {
  static let ofctl = ["/usr/bin/ovs-ofctl", "/usr/local/bin/ovs-ofctl"].first { FileManager.default.isExecutableFile(atPath: $0) }

  func ofpPrint(_ bytes: [UInt8]) throws -> String {
    guard let path = OvsOfctlCrossCheckTests.ofctl else {
      print("SKIP: ovs-ofctl not installed (apt-get install openvswitch-common)")
      throw XCTSkip("ovs-ofctl not installed")
    }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = ["ofp-print", hexText(bytes)]
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    try p.run()
    let out = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return String(decoding: out, as: UTF8.self)
  }

  /// Asserts ofp-print decodes `bytes` without error and its text has every expected piece.
  func check(_ label: String, _ bytes: [UInt8], _ expected: [String], file: StaticString = #filePath, line: UInt = #line) throws {
    let text = try ofpPrint(bytes)
    XCTAssertFalse(text.contains("decode error"), "\(label): ovs-ofctl could not decode it:\n\(text)", file: file, line: line)
    for piece in expected {
      XCTAssertTrue(text.contains(piece), "\(label): ovs-ofctl's text lacks '\(piece)':\n\(text)", file: file, line: line)
    }
  }

  func corpus(_ key: String) throws -> ([UInt8], OFMessage) {
    let root = CorpusTests.corpusRoot
    guard let b = CorpusTests.read(root + "/" + key) else { throw XCTSkip("corpus not found at \(root)") }
    return (b, try OFCodec.decode(b))
  }

  func n(_ v: OFValue?) -> String {
    switch v {
    case .uint(let x)?: return String(x)
    case .string(let s)?: return s
    default: return "?"
    }
  }

  func testCorpusSamplesAgree() throws {
    // 1.0
    var (b, m) = try corpus("of10/1-2-ofp_flow_mod.packet")
    try check("1.0 FLOW_MOD", b, ["priority=\(n(m.msg["priority"]))", "dl_dst=\(n(m.msg["match"]?["eth_dst"]))",
      "output:\(n(m.msg["instructions"]?.list?.first?["actions"]?.list?.first?["port_no"]))"])
    (b, m) = try corpus("of10/1-4-ofp_packet_in.packet")
    try check("1.0 PACKET_IN", b, ["total_len=\(n(m.msg["total_len"]))", "in_port=\(n(m.msg["in_port"]))",
      "buffer=0x0000000\(n(m.msg["buffer_id"]))"])
    (b, m) = try corpus("of10/1-6-ofp_switch_features.packet")
    let p10 = try XCTUnwrap(m.msg["ports"]?.list?.first)
    try check("1.0 FEATURES_REPLY", b, ["n_tables:\(n(m.msg["n_tables"]))", " \(n(p10["port_no"]))(\(n(p10["name"]))): addr:\(n(p10["hw_addr"]))"])
    // 1.2
    (b, m) = try corpus("of12/3-12-ofp_flow_stats_reply.packet")
    for f in m.msg["flows"]?.list ?? [] {
      try check("1.2 REPLY.FLOW", b, ["n_packets=\(n(f["packet_count"])), n_bytes=\(n(f["byte_count"])), priority=\(n(f["priority"]))"])
    }
    (b, m) = try corpus("of12/3-4-ofp_packet_in.packet")
    try check("1.2 PACKET_IN", b, ["total_len=\(n(m.msg["total_len"]))", "table_id=\(n(m.msg["table_id"]))"])
    // 1.3
    (b, m) = try corpus("of13/4-6-ofp_features_reply.packet")
    let dpid = n(m.msg["datapath_id"]).replacingOccurrences(of: ":", with: "")
    try check("1.3 FEATURES_REPLY", b, ["dpid:\(dpid)", "n_tables:\(n(m.msg["n_tables"]))", "auxiliary_id:\(n(m.msg["auxiliary_id"]))"])
    // (Some corpus files are valid on the wire but refused by OVS's semantic
    // checks, e.g. of13/4-2 and 4-45: the sample uses ones OVS accepts.)
    (b, m) = try corpus("of13/4-3-ofp_flow_mod.packet")
    try check("1.3 FLOW_MOD", b, ["priority=\(n(m.msg["priority"])),in_port=\(n(m.msg["match"]?["in_port"])),dl_src=\(n(m.msg["match"]?["eth_src"]))",
      "goto_table:\(n(m.msg["instructions"]?.list?.first?["table_id"]))"])
    (b, m) = try corpus("of13/libofproto-OFP13-meter_mod.packet")
    try check("1.3 METER_MOD", b, ["meter=\(n(m.msg["meter_id"]))", "rate=\(n(m.msg["bands"]?.list?.first?["rate"]))",
      "prec_level=\(n(m.msg["bands"]?.list?[1]["prec_level"]))"])
    (b, m) = try corpus("of13/4-50-ofp_meter_stats_reply.packet")
    try check("1.3 REPLY.METER", b, ["meter:\(n(m.msg["meters"]?.list?.first?["meter_id"])) flow_count:\(n(m.msg["meters"]?.list?.first?["flow_count"]))"])
    (b, m) = try corpus("of13/4-34-ofp_group_desc_reply.packet")
    let g = try XCTUnwrap(m.msg["groups"]?.list?.first)
    let bk = try XCTUnwrap(g["buckets"]?.list?.first)
    try check("1.3 REPLY.GROUP_DESC", b, ["group_id=\(n(g["group_id"])),type=\(n(g["type"]).lowercased())",
      "bucket=weight:\(n(bk["weight"])),watch_port:\(n(bk["watch_port"])),watch_group:\(n(bk["watch_group"]))"])
    // 1.4
    (b, m) = try corpus("of14/5-22-ofp_port_mod.packet")
    try check("1.4 PORT_MOD", b, ["port: \(n(m.msg["port_no"])): addr:\(n(m.msg["hw_addr"]))", "advertise: \(n(m.msg["advertise"]?.list?.first))"])
    (b, m) = try corpus("of14/5-52-ofp_port_desc_reply.packet")
    for p in m.msg["ports"]?.list ?? [] {
      try check("1.4 REPLY.PORT_DESC", b, [" \(n(p["port_no"]))(\(n(p["name"]))): addr:\(n(p["hw_addr"]))"])
    }
    (b, m) = try corpus("of14/5-4-ofp_packet_in.packet")
    try check("1.4 PACKET_IN", b, ["total_len=\(n(m.msg["total_len"]))", "cookie=0x\(String(m.msg["cookie"]?.uint ?? 0, radix: 16))"])
    // 1.5
    (b, m) = try corpus("of15/libofproto-OFP15-meter_mod.packet")
    try check("1.5 METER_MOD", b, ["meter=\(n(m.msg["meter_id"]))", "burst_size=\(n(m.msg["bands"]?.list?.first?["burst_size"]))"])
    (b, m) = try corpus("of15/libofproto-OFP15-flow_mod.packet")
    try check("1.5 FLOW_MOD", b, ["priority=\(n(m.msg["priority"]))", "importance:\(n(m.msg["importance"]))"])
    (b, m) = try corpus("of15/libofproto-OFP15-port_desc_reply.packet")
    for p in m.msg["ports"]?.list ?? [] {
      try check("1.5 REPLY.PORT_DESC", b, [" \(n(p["port_no"]))(\(n(p["name"]))): addr:\(n(p["hw_addr"]))"])
    }
  }

  /// Messages we encode, including 1.1 (no corpus) and 1.4/1.5 property forms.
  func testOurEncodingsAgree() throws {
    func enc(_ v: UInt8, _ type: String, _ msg: OFValue) throws -> [UInt8] { try OFCodec.encode(OFMessage(version: v, type: type, msg: msg)) }
    let output1: OFValue = .list([.table([OFField("action", .string("OUTPUT")), OFField("port_no", .uint(1))])])
    let match: OFValue = .table([
      OFField("in_port", .uint(3)), OFField("eth_type", .uint(0x800)), OFField("ip_proto", .uint(6)),
      OFField("ipv4_src", .string("10.0.0.0")), OFField("ipv4_src_mask", .string("255.255.255.0")), OFField("tcp_dst", .uint(80)),
    ])
    for v in [OFVersion.v1_0, OFVersion.v1_1, OFVersion.v1_2, OFVersion.v1_3, OFVersion.v1_4, OFVersion.v1_5] {
      let b = try enc(v, "FLOW_MOD", .table(["priority": .uint(7), "match": match, "actions": output1]))
      try check("FLOW_MOD \(OFVersion.name(v))", b, ["priority=7,tcp,in_port=3,nw_src=10.0.0.0/24,tp_dst=80 actions=output:1"])
    }
    // Multipart bodies of every version (1.0 and 1.1 have no corpus files).
    for v in [OFVersion.v1_0, OFVersion.v1_1, OFVersion.v1_2, OFVersion.v1_3, OFVersion.v1_4, OFVersion.v1_5] {
      if v < OFVersion.v1_5 {
        let entry: OFValue = .list([.table([
          OFField("table_id", .uint(0)), OFField("priority", .uint(5)), OFField("duration_sec", .uint(3)), OFField("packet_count", .uint(7)),
          OFField("byte_count", .uint(70)), OFField("match", .table(["in_port": .uint(1)])),
          OFField("instructions", .list([.table([OFField("instruction", .string("APPLY_ACTIONS")), OFField("actions", output1)])])),
        ])])
        try check("REPLY.FLOW \(OFVersion.name(v))", try enc(v, "REPLY.FLOW", .table(["flows": entry])),
                  ["duration=3s, table=0, n_packets=7, n_bytes=70, priority=5,in_port=1 actions=output:1"])
      }
      try check("REQUEST.FLOW \(OFVersion.name(v))", try enc(v, "REQUEST.FLOW", .table(["match": .table(["in_port": .uint(1)])])), ["in_port=1"])
      try check("REPLY.PORT_STATS \(OFVersion.name(v))", try enc(v, "REPLY.PORT_STATS", .table(["ports": .list([.table([
        "port_no": .uint(1), "rx_packets": .uint(5), "tx_bytes": .uint(9), "collisions": .uint(2),
      ])])])), ["port  1: rx pkts=5", "tx pkts=0, bytes=9, drop=0, errs=0, coll=2"])
      try check("REPLY.QUEUE \(OFVersion.name(v))", try enc(v, "REPLY.QUEUE", .table(["queues": .list([.table([
        "port_no": .uint(1), "queue_id": .uint(2), "tx_bytes": .uint(9),
      ])])])), ["port 1 queue 2: bytes=9, pkts=0, errors=0"])
      try check("REPLY.AGGREGATE \(OFVersion.name(v))", try enc(v, "REPLY.AGGREGATE", .table([
        "packet_count": .uint(4), "byte_count": .uint(40), "flow_count": .uint(2),
      ])), ["packet_count=4 byte_count=40 flow_count=2"])
      try check("REPLY.DESC \(OFVersion.name(v))", try enc(v, "REPLY.DESC", .table(["mfr_desc": .string("acme"), "dp_desc": .string("dp1")])),
                ["Manufacturer: acme", "DP Description: dp1"])
      if v <= OFVersion.v1_3 {
        try check("QUEUE_GET_CONFIG_REPLY \(OFVersion.name(v))", try enc(v, "QUEUE_GET_CONFIG_REPLY", .table([
          "port": .uint(1), "queues": .list([.table(["queue_id": .uint(3), "properties": .list([.table(["property": .string("MIN_RATE"), "rate": .uint(500)])])])]),
        ])), ["port=1", "queue 3: min_rate:50.0%"])
      }
    }
    try check("1.1 FEATURES_REPLY", try enc(2, "FEATURES_REPLY", .table([
      "datapath_id": .string("00:00:00:00:00:00:00:09"), "n_tables": .uint(4),
      "ports": .list([.table(["port_no": .uint(1), "hw_addr": .string("02:00:00:00:00:01"), "name": .string("p1")])]),
    ])), ["dpid:0000000000000009", "n_tables:4", " 1(p1): addr:02:00:00:00:00:01"])
    try check("1.1 REPLY.TABLE", try enc(2, "REPLY.TABLE", .table([
      "tables": .list([.table(["table_id": .uint(1), "name": .string("t1"), "active_count": .uint(3)])]),
    ])), ["table 1 (\"t1\")", "active=3"])
    let sets: OFValue = .list([
      .table([OFField("action", .string("SET_FIELD")), OFField("field", .string("eth_dst")), OFField("value", .string("02:00:00:00:00:09"))]),
      .table([OFField("action", .string("SET_FIELD")), OFField("field", .string("mpls_label")), OFField("value", .uint(77))]),
      .table([OFField("action", .string("SET_FIELD")), OFField("field", .string("ip_dscp")), OFField("value", .uint(10))]),
      .table([OFField("action", .string("OUTPUT")), OFField("port_no", .uint(2))]),
    ])
    try check("1.1 PACKET_OUT", try enc(2, "PACKET_OUT", .table(["in_port": .uint(1), "actions": sets])),
              ["in_port=1 actions=mod_dl_dst:02:00:00:00:00:09,set_mpls_label(77),mod_nw_tos:40,output:2"])
    try check("1.5 PACKET_OUT", try enc(6, "PACKET_OUT", .table([
      "in_port": .uint(3), "actions": .list([.table([OFField("action", .string("OUTPUT")), OFField("port_no", .string("FLOOD"))])]),
      "data": .bytes(hex("0102030405060708090a0b0c0d0e")),
    ])), ["in_port=3 actions=FLOOD data_len=14"])
    try check("1.4 SET_ASYNC", try enc(5, "SET_ASYNC", .table([
      "packet_in_master": .list([.string("NO_MATCH")]), "port_status_master": .list([.string("ADD"), .string("DELETE")]),
    ])), ["PACKET_IN: no_match", "PORT_STATUS: add delete"])
    try check("1.5 GROUP_MOD", try enc(6, "GROUP_MOD", .table([
      "group_id": .uint(5), "type": .string("SELECT"),
      "buckets": .list([.table([OFField("bucket_id", .uint(1)), OFField("weight", .uint(20)), OFField("actions", output1)])]),
    ])), ["group_id=5,type=select", "bucket=bucket_id:1,weight:20,actions=output:1"])
  }
}
