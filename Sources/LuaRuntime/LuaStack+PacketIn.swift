import CLua
import CShim

/// The strings the PACKET_IN fast path pushes, made once per Lua state as
/// upvalues 2... of core.decode_into: pushing an upvalue skips hashing the
/// string and looking it up in Lua's string table for every field.
enum PacketInStrings {
  static let keys = ["buffer_id", "total_len", "in_port", "in_phy_port", "reason", "table_id", "cookie", "match", "data"]
  static let bufferId = 0, totalLen = 1, inPort = 2, inPhyPort = 3, reason = 4, tableId = 5, cookie = 6, match = 7, data = 8
  static let noBuffer = 9
  /// PACKET_IN reasons 0...5.
  static let reasons = 10
  static let reasonNames = ["NO_MATCH", "ACTION", "INVALID_TTL", "ACTION_SET", "GROUP", "PACKET_OUT"]
  /// Reserved ports from 0xfff8 (1.0) / 0xfffffff8 (1.1+) on; the last, ANY, is also 1.0's NONE.
  static let ports = 16
  static let portNames = ["IN_PORT", "TABLE", "NORMAL", "FLOOD", "ALL", "CONTROLLER", "LOCAL", "ANY"]
  /// OXM field n's name is at oxm + 2n, its `_mask` name right after.
  static let oxm = 24

  enum Kind: UInt8 { case none, uint, mac, ipv4, ipv6, port }

  /// OpenFlow-basic OXM fields by number: name, size, kind (as the codec's OXMField table).
  static let fields: [(name: String, size: Int, kind: Kind)] = {
    let list: [(String, Int, Kind)] = [
      ("in_port", 4, .port), ("in_phy_port", 4, .port), ("metadata", 8, .uint), ("eth_dst", 6, .mac),
      ("eth_src", 6, .mac), ("eth_type", 2, .uint), ("vlan_vid", 2, .uint), ("vlan_pcp", 1, .uint),
      ("ip_dscp", 1, .uint), ("ip_ecn", 1, .uint), ("ip_proto", 1, .uint), ("ipv4_src", 4, .ipv4),
      ("ipv4_dst", 4, .ipv4), ("tcp_src", 2, .uint), ("tcp_dst", 2, .uint), ("udp_src", 2, .uint),
      ("udp_dst", 2, .uint), ("sctp_src", 2, .uint), ("sctp_dst", 2, .uint), ("icmpv4_type", 1, .uint),
      ("icmpv4_code", 1, .uint), ("arp_op", 2, .uint), ("arp_spa", 4, .ipv4), ("arp_tpa", 4, .ipv4),
      ("arp_sha", 6, .mac), ("arp_tha", 6, .mac), ("ipv6_src", 16, .ipv6), ("ipv6_dst", 16, .ipv6),
      ("ipv6_flabel", 4, .uint), ("icmpv6_type", 1, .uint), ("icmpv6_code", 1, .uint), ("ipv6_nd_target", 16, .ipv6),
      ("ipv6_nd_sll", 6, .mac), ("ipv6_nd_tll", 6, .mac), ("mpls_label", 4, .uint), ("mpls_tc", 1, .uint),
      ("mpls_bos", 1, .uint), ("pbb_isid", 3, .uint), ("tunnel_id", 8, .uint), ("ipv6_exthdr", 2, .uint),
      ("", 0, .none), ("pbb_uca", 1, .uint), ("tcp_flags", 2, .uint), ("actset_output", 4, .port),
      ("packet_type", 4, .uint),
    ]
    return list.map { (name: $0.0, size: $0.1, kind: $0.2) }
  }()

  /// Everything above in upvalue order.
  static let all: [String] = {
    var s = keys + ["NO_BUFFER"] + reasonNames + portNames
    precondition(s.count == oxm)
    for f in fields { s += [f.name, f.name.isEmpty ? "" : f.name + "_mask"] }
    precondition(s.count == count)
    return s
  }()
  /// How many `all` holds, as a constant: the lazy fields find their own
  /// upvalues after these on every call.
  static let count = oxm + 2 * 45

  /// The upvalue number of `all[k]` in a closure that carries them, after
  /// its function pointer (the pseudo-index of the first is what the fill
  /// functions below take as `strings`).
  static func upvalue(_ k: Int) -> Int32 { Int32(2 + k) }
}

/// Which of a PACKET_IN's top-level fields to set: all; `data`, on its
/// first read or that of `pkt`, which is decoded from it; or the rest, on the
/// first read of any field past the head (without `data`, which fillRest sees
/// to). An event's message starts with its head, buffer_id and in_port, made
/// in C (zs_push_packet_in_head) from PacketInWire's `bufferId` and `inPort`.
enum PacketInPart {
  case all, data, rest

  /// The keys `rest` sets, in some version (setPacketInFields says which).
  static let restKeys: [StaticString] = ["total_len", "in_phy_port", "reason", "table_id", "cookie"]
}

/// A field's value as Lua gets it: a number, or the name (PacketInStrings
/// index) a reserved value has.
enum HeadValue {
  case number(UInt64)
  case name(Int)
}

/// A PACKET_IN's layout, checked whole before anything is written.
struct PacketInWire {
  let b: UnsafeRawBufferPointer
  let version: UInt8
  /// The match's TLVs are [tlvs, tlvsEnd) (1.2+).
  var tlvs = 0, tlvsEnd = 0
  /// Match fields (a mask counts as one).
  var matchCount: Int32 = 0
  /// Offset of the in_port TLV's value, -1 without one.
  var inPortAt = -1
  var data = 0

  /// Top-level fields the table gets (decode_msg sizes a new table for them).
  var fieldCount: Int32 {
    switch version {
    case 1, 3: return 6
    case 2: return 7
    default: return inPortAt >= 0 ? 8 : 7
    }
  }

  /// Nil for anything the generic path should take: another type, or bytes
  /// the codec rejects (it words the error).
  init?(_ b: UnsafeRawBufferPointer) {
    self.b = b
    let n = b.count
    guard n >= 8, b[1] == 10, (1...6).contains(b[0]), Self.u16(b, 2) == n else { return nil }
    version = b[0]
    switch version {
    case 1:
      guard n >= 18 else { return nil }
      data = 18
      return
    case 2:
      guard n >= 24 else { return nil }
      data = 24
      return
    default:
      break
    }
    let m = version == 3 ? 16 : 24
    guard n >= m + 4, Self.u16(b, m) == 1 else { return nil }
    let len = Self.u16(b, m + 2)
    guard len >= 4, m + len <= n else { return nil }
    tlvs = m + 4
    tlvsEnd = m + len
    var q = tlvs
    while q < tlvsEnd {
      guard tlvsEnd - q >= 4 else { return nil }
      let cls = Self.u16(b, q), field = b[q + 2], l = Int(b[q + 3])
      guard q + 4 + l <= tlvsEnd else { return nil }
      let number = Int(field >> 1), masked = field & 1 != 0
      if cls == 0x8000, number < PacketInStrings.fields.count, PacketInStrings.fields[number].kind != .none {
        let f = PacketInStrings.fields[number]
        guard l == f.size * (masked ? 2 : 1) else { return nil }
        if number == 0 { inPortAt = q + 4 }
      } else if masked {
        let head = cls == 0xffff ? 4 : 0
        guard l >= head, (l - head) % 2 == 0 else { return nil }
      }
      // A field twice is an error the codec words.
      var p = tlvs
      while p < q {
        guard Self.u16(b, p) != cls || b[p + 2] >> 1 != field >> 1 else { return nil }
        p += 4 + Int(b[p + 3])
      }
      matchCount += masked ? 2 : 1
      q += 4 + l
    }
    // Padding to 8, then 2 bytes of pad.
    data = tlvsEnd + (8 - len % 8) % 8 + 2
    guard data <= n else { return nil }
  }

  /// Where the data of a PACKET_IN that `init` took starts, found again
  /// without checking the match field by field; nil if `b` is no such frame.
  static func dataStart(_ b: UnsafeRawBufferPointer) -> Int? {
    let n = b.count
    guard n >= 8, b[1] == 10 else { return nil }
    switch b[0] {
    case 1: return n >= 18 ? 18 : nil
    case 2: return n >= 24 ? 24 : nil
    case 3...6:
      let m = b[0] == 3 ? 16 : 24
      guard n >= m + 4 else { return nil }
      let len = u16(b, m + 2)
      let data = m + len + (8 - len % 8) % 8 + 2
      return len >= 4 && data <= n ? data : nil
    default: return nil
    }
  }

  /// buffer_id, NO_BUFFER by name.
  var bufferId: HeadValue {
    let v = u32(8)
    return v == 0xffff_ffff ? .name(PacketInStrings.noBuffer) : .number(v)
  }

  /// The head's in_port: 1.2's message has none at the top, nor has a 1.3+
  /// one whose match lacks it.
  var inPort: HeadValue? {
    switch version {
    case 1: return Self.port10(u16(14))
    case 2: return Self.port32(u32(12))
    case 3: return nil
    default: return inPortAt >= 0 ? Self.port32(u32(inPortAt)) : nil
    }
  }

  /// A port number, or its name for the reserved ones (from 0xfff8 in 1.0,
  /// 0xfffffff8 later; the last, ANY, is also 1.0's NONE).
  static func port10(_ v: UInt64) -> HeadValue {
    v >= 0xfff8 ? .name(PacketInStrings.ports + Int(v - 0xfff8)) : .number(v)
  }

  static func port32(_ v: UInt64) -> HeadValue {
    v >= 0xffff_fff8 ? .name(PacketInStrings.ports + Int(v - 0xffff_fff8)) : .number(v)
  }

  @inline(__always) static func u16(_ b: UnsafeRawBufferPointer, _ o: Int) -> Int {
    Int(UInt16(bigEndian: b.loadUnaligned(fromByteOffset: o, as: UInt16.self)))
  }

  @inline(__always) func u8(_ o: Int) -> UInt64 { UInt64(b[o]) }
  @inline(__always) func u16(_ o: Int) -> UInt64 { UInt64(Self.u16(b, o)) }
  @inline(__always) func u32(_ o: Int) -> UInt64 {
    UInt64(UInt32(bigEndian: b.loadUnaligned(fromByteOffset: o, as: UInt32.self)))
  }
  @inline(__always) func u64(_ o: Int) -> UInt64 { UInt64(bigEndian: b.loadUnaligned(fromByteOffset: o, as: UInt64.self)) }

  /// A big-endian number of `size` bytes (1...8).
  func uint(_ o: Int, _ size: Int) -> UInt64 {
    switch size {
    case 1: return u8(o)
    case 2: return u16(o)
    case 4: return u32(o)
    case 8: return u64(o)
    default:
      var v: UInt64 = 0
      for i in 0..<size { v = v << 8 | UInt64(b[o + i]) }
      return v
    }
  }
}

extension LuaStack {
  /// Fills the table at `idx` with a checked PACKET_IN's fields: the same
  /// keys, values, Lua types and insertion order (so the same table) as
  /// OFCodec.decode + setFields, without building OFValues. `strings` is the
  /// pseudo-index of the first PacketInStrings upvalue.
  /// With `withoutMatch`, `match` is left for `pushPacketInMatch` (a
  /// handler that never reads it never pays for it).
  /// `part` picks all, `data` or the rest (see PacketInPart).
  func setPacketInFields(_ w: PacketInWire, into idx: Int32, strings: Int32, withoutMatch: Bool = false,
                         part: PacketInPart = .all) {
    let b = w.b
    let head = part == .all, rest = part == .rest || part == .all
    let withData = part == .data || part == .all
    let t = lua_absindex(L, idx)
    typealias S = PacketInStrings
    func str(_ k: Int) { lua_pushvalue(L, strings - Int32(k)) }
    func int(_ v: UInt64) { lua_pushinteger(L, lua_Integer(bitPattern: v)) }
    func set(_ k: Int, _ value: () -> Void) {
      str(k)
      value()
      lua_rawset(L, t)
    }
    func set(_ k: Int, _ v: HeadValue?) {
      guard let v else { return }
      set(k) { push(v, strings: strings) }
    }
    func reason(_ o: Int) {
      let v = w.u8(o)
      if v < 6 { str(S.reasons + Int(v)) } else { int(v) }
    }
    func data() { push(UnsafeRawBufferPointer(rebasing: b[w.data...])) }

    if head { set(S.bufferId, w.bufferId) }
    switch w.version {
    case 1:
      if rest { set(S.totalLen) { int(w.u16(12)) } }
      if head { set(S.inPort, w.inPort) }
      if rest {
        set(S.reason) { reason(16) }
        if !withoutMatch { set(S.match) { pushPacketInMatch(w, strings: strings) } }
      }
    case 2:
      if head { set(S.inPort, w.inPort) }
      if rest {
        set(S.inPhyPort, PacketInWire.port32(w.u32(16)))
        set(S.totalLen) { int(w.u16(20)) }
        set(S.reason) { reason(22) }
        set(S.tableId) { int(w.u8(23)) }
      }
    default:
      if rest { set(S.totalLen) { int(w.u16(12)) } }
      if head { set(S.inPort, w.inPort) }
      if rest {
        set(S.reason) { reason(14) }
        set(S.tableId) { int(w.u8(15)) }
        if w.version >= 4 { set(S.cookie) { int(w.u64(16)) } }
        if !withoutMatch { set(S.match) { pushPacketInMatch(w, strings: strings) } }
      }
    }
    if withData { set(S.data, data) }
  }

  /// A head value: the number, or its name's string from the upvalues.
  func push(_ v: HeadValue, strings: Int32) {
    switch v {
    case .number(let n): lua_pushinteger(L, lua_Integer(bitPattern: n))
    case .name(let k): lua_pushvalue(L, strings - Int32(k))
    }
  }

  /// The PACKET_IN's match table: 1.0's holds in_port; 1.1 has none (nothing pushed).
  @discardableResult
  func pushPacketInMatch(_ w: PacketInWire, strings: Int32) -> Bool {
    switch w.version {
    case 1:
      lua_createtable(L, 0, 1)
      lua_pushvalue(L, strings - Int32(PacketInStrings.inPort))
      push(PacketInWire.port10(w.u16(14)), strings: strings)
      lua_rawset(L, -3)
      return true
    case 2:
      return false
    default:
      pushMatch(w, strings: strings)
      return true
    }
  }

  /// The OXM match as a table, fields in wire order, each mask after its field.
  private func pushMatch(_ w: PacketInWire, strings: Int32) {
    lua_createtable(L, 0, w.matchCount)
    let m = lua_absindex(L, -1)
    let b = w.b
    var q = w.tlvs
    while q < w.tlvsEnd {
      let cls = PacketInWire.u16(b, q), field = b[q + 2], l = Int(b[q + 3])
      let number = Int(field >> 1), masked = field & 1 != 0
      let v = q + 4
      if cls == 0x8000, number < PacketInStrings.fields.count, PacketInStrings.fields[number].kind != .none {
        let f = PacketInStrings.fields[number]
        let key = strings - Int32(PacketInStrings.oxm + 2 * number)
        lua_pushvalue(L, key)
        pushOXMValue(w, v, f.size, f.kind, mask: false, strings: strings)
        lua_rawset(L, m)
        if masked {
          lua_pushvalue(L, key - 1)
          pushOXMValue(w, v + f.size, f.size, f.kind, mask: true, strings: strings)
          lua_rawset(L, m)
        }
      } else {
        // Another class (or an unknown basic field): "oxm_cccc_n" and raw bytes.
        let valueLen = masked ? (cls == 0xffff ? 4 : 0) + (l - (cls == 0xffff ? 4 : 0)) / 2 : l
        pushRawOXMName(cls, number, mask: false)
        push(UnsafeRawBufferPointer(rebasing: b[v..<(v + valueLen)]))
        lua_rawset(L, m)
        if masked {
          pushRawOXMName(cls, number, mask: true)
          push(UnsafeRawBufferPointer(rebasing: b[(v + valueLen)..<(v + l)]))
          lua_rawset(L, m)
        }
      }
      q = v + l
    }
  }

  private func pushOXMValue(_ w: PacketInWire, _ o: Int, _ size: Int, _ kind: PacketInStrings.Kind, mask: Bool, strings: Int32) {
    switch kind {
    case .port where !mask: push(PacketInWire.port32(w.u32(o)), strings: strings)
    case .mac: pushMAC(w.b, o)
    case .ipv4: pushIPv4(UInt32(truncatingIfNeeded: w.u32(o)))
    case .ipv6: pushIPv6(w, o)
    default: lua_pushinteger(L, lua_Integer(bitPattern: w.uint(o, size)))
    }
  }

  private func pushMAC(_ b: UnsafeRawBufferPointer, _ o: Int) {
    pushMACText(UnsafeRawBufferPointer(rebasing: b[o..<(o + 6)]))
  }

  private func pushIPv4(_ v: UInt32) { pushIPv4Text(v) }

  private func pushIPv6(_ w: PacketInWire, _ o: Int) {
    pushIPv6Text(UnsafeRawBufferPointer(rebasing: w.b[o..<(o + 16)]))
  }

  /// "oxm_cccc_n" (class in 4 hex digits, field in decimal), as OXMField.rawName writes it.
  private func pushRawOXMName(_ cls: Int, _ number: Int, mask: Bool) {
    withUnsafeTemporaryAllocation(of: CChar.self, capacity: 20) { out in
      let hex: StaticString = "0123456789abcdef"
      let h = hex.utf8Start
      var n = 0
      for c in "oxm_".utf8 { out[n] = CChar(bitPattern: c); n += 1 }
      var shift = 12
      while shift >= 0 {
        out[n] = CChar(bitPattern: h[(cls >> shift) & 15])
        n += 1
        shift -= 4
      }
      out[n] = 0x5f
      n += 1
      if number >= 100 { out[n] = CChar(48 + number / 100); n += 1 }
      if number >= 10 { out[n] = CChar(48 + (number / 10) % 10); n += 1 }
      out[n] = CChar(48 + number % 10)
      n += 1
      if mask { for c in "_mask".utf8 { out[n] = CChar(bitPattern: c); n += 1 } }
      _ = lua_pushlstring(L, out.baseAddress, n)
    }
  }
}
