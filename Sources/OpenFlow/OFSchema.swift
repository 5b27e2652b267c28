// The message schema: how wire structures map to OFValue tables. One schema
// serves every version, so the same Lua app runs on OpenFlow 1.0 and 1.3+.
//
// Decisions (normative for decode and encode):
// - Field names are the spec's, lower case; enum values are upper-case names
//   without the OFPxx_ prefix. Encode also accepts numbers (and numeric text)
//   wherever a name goes, and lower-case names. Numbers without a name decode
//   as numbers. Flags are lists of names; a bit without a name decodes as its
//   numeric value inside the list. An empty table counts as an empty list.
// - Ports: `port_no`/`in_port`/`out_port`, reserved ports by name (IN_PORT,
//   TABLE, NORMAL, FLOOD, ALL, CONTROLLER, LOCAL, ANY) in both the 1.0 16-bit
//   and the 1.1+ 32-bit numbering; 1.0's NONE decodes as ANY. A port
//   description is {port_no, hw_addr, name, config, state, curr, advertised,
//   supported, peer, curr_speed, max_speed} (speeds on 1.1+ only). 1.0 port
//   state's STP bits decode as STP_LEARN/STP_FORWARD/STP_BLOCK (STP_LISTEN is 0).
// - Specials: buffer_id NO_BUFFER (0xffffffff), max_len NO_BUFFER (0xffff),
//   table_id ALL (0xff), out_group ANY/ALL.
// - Match: a table of OXM names (see OXMField.all), masks as `<field>_mask`.
//   vlan_vid is the OXM form (0x1000|vid, 0 = untagged). 1.3 decoding keeps
//   the wire order; encoding writes the table's order. An OXM of another
//   class (Nicira, experimenter) is `oxm_<class as 4 hex digits>_<field>` with
//   the payload as bytes (experimenter id included); when masked, the mask
//   half is `oxm_<class>_<field>_mask`. On 1.0 the match goes through
//   ofp_match's wildcards; tp_src/tp_dst decode as udp_* when ip_proto is 17,
//   icmpv4_type/code when 1, tcp_* otherwise; nw fields as arp_* when
//   eth_type is ARP. Wildcarded nw_src/nw_dst are written with 32 wildcard
//   bits (as Open vSwitch does).
// - Actions: {action = NAME, ...}. 1.0's SET_DL_*/SET_NW_*/SET_TP_*/SET_VLAN_*
//   decode as SET_FIELD (vlan_vid value in OXM form, nw_tos as ip_dscp),
//   STRIP_VLAN as POP_VLAN, VENDOR as EXPERIMENTER, ENQUEUE stays ENQUEUE.
//   An unknown action is {action = <number>, data = <body after type/len>}.
//   SET_FIELD is {field, value} plus `mask` when the OXM carries one.
//   OUTPUT max_len defaults to NO_BUFFER.
// - Instructions: {instruction = NAME, ...}; unknown ones {instruction =
//   <number>, data}. A 1.0 FLOW_MOD decodes its actions as one APPLY_ACTIONS.
// - Multipart: type "REQUEST.<NAME>" / "REPLY.<NAME>" with the 1.3 spec's
//   OFPMP names (1.0 stats map onto them; 1.0's PORT is PORT_STATS); msg has
//   `flags` (REQ_MORE / REPLY_MORE; MORE accepted) and the body fields.
// - Every body of 1.0-1.5 is decoded field by field; most are described once
//   as SStruct (OFStruct.swift) and the description drives decode and encode.
//   Experimenter bodies (messages, multipart, actions, instructions,
//   properties) keep `data` bytes. The raw form {data} of a described body is
//   still accepted on encode. A field a body does not have is an encode error
//   (hand-written bodies list theirs in OFCodec.handWrittenFields). A message
//   type the version does not have is type "UNKNOWN"
//   with msg {ofp_type = <header type>, data = <everything after the header>}.
// - Array bodies of multipart messages are named lists: flows, tables, ports,
//   queues, groups, meters, updates (flow monitor), controllers. A body field
//   that collides with the multipart `flags` is renamed (FLOW_MONITOR request:
//   monitor_flags). OFCodec.splitMultipart / joinMultipart cut and rejoin them.
// - 1.4+ properties: {property = NAME, ...}; experimenter ones {property,
//   experimenter, exp_type, data}; unknown {property = n, data}. A 1.3 field
//   that 1.4/1.5 moved into a property stays flat (port Ethernet fields,
//   PORT_MOD advertise, port stats error counters, 1.5 bucket weight/watch_*,
//   1.5 OXS flow statistics as duration_sec, packet_count, ...). An empty
//   `properties` list is left out on decode. Meter bands use `type` as the key.
// - 1.1 match: the 88-byte standard match, shown with OXM names like 1.0's;
//   its masks (1 = ignore) are inverted into OXM `_mask` values.
// - GET_ASYNC_REPLY / SET_ASYNC: <event>_<role> reason flag lists on 1.3 and
//   1.4+ (1.4+ props written in the table's order).
// - ROLE: role NOCHANGE/EQUAL/MASTER/SLAVE; 1.5 adds short_id.
// - Embedded messages (REQUESTFORWARD request, BUNDLE_ADD_MESSAGE message) are
//   {type, version, xid, msg}.
// - Text fields (port, table, description names) that are not UTF-8 decode as
//   bytes so they re-encode exactly.
// - Error types and codes have names on every version (1.1/1.2 use the 1.3
//   names, 1.4/1.5 extend them).
// - JSON (zofhost decode/encode): {type, version, xid, msg}, bytes as hex
//   under byte keys; object key order is kept on input (OFJSONReader).
// - HELLO on 1.3+: {versions = {wire numbers}}; elements other than the
//   version bitmap are kept as `elements = {{type, data}}`. 1.0 HELLO body,
//   if any, is `data`.
// - ERROR: {type, code, data}; on 1.2+ type EXPERIMENTER has {exp_type,
//   experimenter, data}.
// - FEATURES_REPLY: datapath_id as text ("00:00:00:00:00:00:00:01"); 1.3's
//   reserved word appears as `reserved` only when non-zero.
// - FLOW_MOD on 1.0: table_id may only be 0 or ALL, cookie_mask 0, out_group
//   ANY; instructions may only be one APPLY_ACTIONS. ENQUEUE is 1.0 only,
//   SET_QUEUE/GROUP and the MPLS/PBB/TTL actions 1.1+ only.
// - PACKET_IN encode: total_len defaults to the data length; on 1.3 a
//   top-level in_port goes first into the match when the match has none; on
//   1.0 the match may hold only in_port.
// - PORT_STATUS / port lists: 1.3 FEATURES_REPLY has no `ports` (use
//   REQUEST.PORT_DESC); `ports` there is an error.
// - Trailing bytes after a fixed-size body are an error, not ignored; stray
//   bytes after a header-only message (BARRIER, FEATURES_REQUEST) are `data`.

/// Bidirectional name <-> number table for one enum of one version.
struct NameTable: Sendable {
  let entries: [(name: String, value: UInt64)]

  init(_ entries: [(String, UInt64)]) { self.entries = entries.map { (name: $0.0, value: $0.1) } }

  /// Names in order from `start`; empty names are gaps.
  init(sequential names: [String], from start: UInt64 = 0) {
    var e: [(String, UInt64)] = []
    for (i, n) in names.enumerated() where !n.isEmpty { e.append((n, start + UInt64(i))) }
    self.init(e)
  }

  func name(_ v: UInt64) -> String? {
    for e in entries where e.value == v { return e.name }
    return nil
  }

  func value(_ s: String) -> UInt64? {
    for e in entries where e.name == s { return e.value }
    let up = s.uppercased()
    guard up != s else { return nil }
    for e in entries where e.name == up { return e.value }
    return nil
  }

  func decode(_ v: UInt64) -> OFValue {
    if let n = name(v) { return .string(n) }
    return .uint(v)
  }
}

/// Bit flags of one version: each name is one bit, or a value within a
/// multi-bit mask (1.0's STP port state).
struct FlagTable: Sendable {
  let names: NameTable
  let masks: [UInt64]

  init(bits: [String]) {
    var e: [(String, UInt64)] = []
    for (i, n) in bits.enumerated() where !n.isEmpty { e.append((n, UInt64(1) << UInt64(i))) }
    names = NameTable(e)
    masks = names.entries.map(\.value)
  }

  /// Entries are (name, value, mask).
  init(_ entries: [(String, UInt64, UInt64)]) {
    names = NameTable(entries.map { ($0.0, $0.1) })
    masks = entries.map(\.2)
  }

  /// Named bits as names, any other set bits one number each (kept for round trips).
  func decode(_ v: UInt64) -> OFValue {
    var out: [OFValue] = []
    var left = v
    for (i, e) in names.entries.enumerated() where e.value != 0 && left & masks[i] == e.value {
      out.append(.string(e.name))
      left &= ~masks[i]
    }
    var bit: UInt64 = 1
    while left != 0 && bit != 0 {
      if left & bit != 0 { out.append(.uint(bit)); left &= ~bit }
      bit <<= 1
    }
    return .list(out)
  }
}

/// Shared special values.
enum OFNames {
  static let buffer = NameTable([("NO_BUFFER", 0xffff_ffff)])
  static let maxLen = NameTable([("NO_BUFFER", 0xffff)])
  static let table = NameTable([("ALL", 0xff)])
  static let group = NameTable([("ALL", 0xffff_fffc), ("ANY", 0xffff_ffff)])

  static let portNames = ["IN_PORT", "TABLE", "NORMAL", "FLOOD", "ALL", "CONTROLLER", "LOCAL", "ANY"]
  static let ports10 = NameTable(NameTable(sequential: portNames, from: 0xfff8).entries.map { ($0.name, $0.value) } + [("NONE", 0xffff)])
  static let ports = NameTable(NameTable(sequential: portNames, from: 0xffff_fff8).entries.map { ($0.name, $0.value) } + [("NONE", 0xffff_ffff)])

  static func ports(_ version: UInt8) -> NameTable { version == OFVersion.v1_0 ? ports10 : ports }
  static func portBits(_ version: UInt8) -> Int { version == OFVersion.v1_0 ? 16 : 32 }

  static func versionText(_ v: UInt8) -> String { "OpenFlow " + OFVersion.name(v) }
}
