import CLua
import CShim
import OpenFlow

/// The strings the PACKET_IN fast path pushes, made once per Lua state as
/// upvalues 2... of core.decode_into: pushing an upvalue skips hashing the
/// string and looking it up in Lua's string table for every field.
enum PacketInStrings {
  static let keys = ["buffer_id", "total_len", "in_port", "in_phy_port", "reason", "table_id", "cookie", "match", "data"]
  static let bufferId = 0, totalLen = 1, inPort = 2, inPhyPort = 3, reason = 4, tableId = 5, cookie = 6, match = 7, data = 8
  static let noBuffer = 9
  /// PACKET_IN reasons 0..<reasonCount.
  static let reasons = 10, reasonCount = 6
  static let reasonNames = ["NO_MATCH", "ACTION", "INVALID_TTL", "ACTION_SET", "GROUP", "PACKET_OUT"]
  /// Reserved ports from 0xfff8 (1.0) / 0xfffffff8 (1.1+) on; the last, ANY, is also 1.0's NONE.
  static let ports = 16
  static let portNames = ["IN_PORT", "TABLE", "NORMAL", "FLOOD", "ALL", "CONTROLLER", "LOCAL", "ANY"]
  /// OXM field n's name is at oxm + 2n, its `_mask` name right after.
  static let oxm = 24

  /// Everything above in upvalue order.
  static let all: [String] = {
    var s = keys + ["NO_BUFFER"] + reasonNames + portNames
    precondition(reasonNames.count == reasonCount && s.count == oxm)
    // OpenFlow's OXM table names the fields, by number (a number it lacks gets "").
    for n in 0..<OXMField.numberLimit {
      let name = OXMField.field(UInt8(n))?.name ?? ""
      s += [name, name.isEmpty ? "" : name + "_mask"]
    }
    precondition(s.count == count)
    return s
  }()
  /// How many `all` holds, as a constant: the lazy fields find their own
  /// upvalues after these on every call.
  static let count = oxm + 2 * OXMField.numberLimit

  /// The upvalue number of `all[k]` in a closure that carries them, after
  /// its function pointer (the pseudo-index of the first is what the fill
  /// functions below take as `strings`).
  static func upvalue(_ k: Int) -> Int32 { Int32(2 + k) }

  /// The pseudo-index of the first, in a function that carries them.
  static var first: Int32 { zs_upvalueindex(upvalue(0)) }
}

/// Which of a PACKET_IN's top-level fields to set: all; `data`, on its
/// first read or that of `pkt`, which is decoded from it; or the rest, on the
/// first read of any field past the head (without `data`, which fillRest sees
/// to). An event's message starts with its head, buffer_id and in_port, made
/// in C (zs_push_packet_in_head) from OFPacketInView's `bufferId` and `inPort`.
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

extension HeadValue {
  /// A port: its number, or the name of a reserved one.
  @inline(__always) init(_ p: OFWirePort) {
    switch p {
    case .number(let n): self = .number(n)
    case .reserved(let k): self = .name(PacketInStrings.ports &+ k)  // k < 8
    }
  }

  /// A buffer id: its number, or NO_BUFFER by name.
  @inline(__always) init(bufferId v: UInt32) {
    self = v == OFPacketInView.noBuffer ? .name(PacketInStrings.noBuffer) : .number(UInt64(v))
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
  func setPacketInFields(_ w: OFPacketInView, into idx: Int32, strings: Int32, withoutMatch: Bool = false,
                         part: PacketInPart = .all) {
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
    func set(_ k: Int, _ v: UInt64?) {
      guard let v else { return }
      set(k) { int(v) }
    }
    func reason() {
      let v = w.reason
      if v < S.reasonCount { str(S.reasons + Int(v)) } else { int(UInt64(v)) }
    }
    func match() {
      if !withoutMatch { set(S.match) { pushPacketInMatch(w, strings: strings) } }
    }

    // In the order OFCodec.decode gives them, version by version.
    if head { set(S.bufferId, HeadValue(bufferId: w.bufferId)) }
    switch w.version {
    case OFVersion.v1_0:
      if rest { set(S.totalLen, UInt64(w.totalLen)) }
      if head { set(S.inPort, w.inPort.map(HeadValue.init)) }
      if rest {
        set(S.reason, reason)
        match()
      }
    case OFVersion.v1_1:
      if head { set(S.inPort, w.inPort.map(HeadValue.init)) }
      if rest {
        set(S.inPhyPort, w.inPhyPort.map(HeadValue.init))
        set(S.totalLen, UInt64(w.totalLen))
        set(S.reason, reason)
        set(S.tableId, w.tableId.map(UInt64.init))
      }
    default:
      if rest { set(S.totalLen, UInt64(w.totalLen)) }
      if head { set(S.inPort, w.inPort.map(HeadValue.init)) }
      if rest {
        set(S.reason, reason)
        set(S.tableId, w.tableId.map(UInt64.init))
        set(S.cookie, w.cookie)
        match()
      }
    }
    if withData { set(S.data) { push(w.data) } }
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
  func pushPacketInMatch(_ w: OFPacketInView, strings: Int32) -> Bool {
    switch w.version {
    case OFVersion.v1_0:
      guard let port = w.inPort else { return false }
      lua_createtable(L, 0, 1)
      lua_pushvalue(L, strings - Int32(PacketInStrings.inPort))
      push(HeadValue(port), strings: strings)
      lua_rawset(L, -3)
      return true
    case OFVersion.v1_1:
      return false
    default:
      pushMatch(w, strings: strings)
      return true
    }
  }

  /// The OXM match as a table, fields in wire order, each mask after its field.
  private func pushMatch(_ w: OFPacketInView, strings: Int32) {
    lua_createtable(L, 0, Int32(truncatingIfNeeded: w.matchFieldCount))
    let m = lua_absindex(L, -1)
    var q = w.matchStart
    while q < w.matchEnd {
      let f = w.matchField(at: q)
      let v = f.value, mask = v + f.valueLength
      if let (size, kind) = f.basic {
        // OXM field n's names sit at oxm + 2n and after it.
        let key = strings - Int32(PacketInStrings.oxm + 2 * Int(f.number))
        lua_pushvalue(L, key)
        pushOXMValue(w, v, size, kind, mask: false, strings: strings)
        lua_rawset(L, m)
        if f.masked {
          lua_pushvalue(L, key - 1)
          pushOXMValue(w, mask, size, kind, mask: true, strings: strings)
          lua_rawset(L, m)
        }
      } else {
        // Another class (or a basic field the table lacks): "oxm_cccc_n" and raw bytes.
        pushRawOXMName(f.oxmClass, f.number, mask: false)
        push(UnsafeRawBufferPointer(rebasing: w.bytes[v..<mask]))
        lua_rawset(L, m)
        if f.masked {
          pushRawOXMName(f.oxmClass, f.number, mask: true)
          push(UnsafeRawBufferPointer(rebasing: w.bytes[mask..<f.end]))
          lua_rawset(L, m)
        }
      }
      q = f.end
    }
  }

  private func pushOXMValue(_ w: OFPacketInView, _ o: Int, _ size: Int, _ kind: OXMKind, mask: Bool, strings: Int32) {
    switch kind {
    case .port where !mask: push(HeadValue(.v11(w.u32(o))), strings: strings)
    case .mac: pushMACText(UnsafeRawBufferPointer(rebasing: w.bytes[o..<(o + 6)]))
    case .ipv4: pushIPv4Text(w.u32(o))
    case .ipv6: pushIPv6Text(UnsafeRawBufferPointer(rebasing: w.bytes[o..<(o + 16)]))
    default: lua_pushinteger(L, lua_Integer(bitPattern: w.uint(o, size: size)))
    }
  }

  /// An OXM key of another class, as OXMField writes it, made without a Swift String.
  private func pushRawOXMName(_ cls: UInt16, _ number: UInt8, mask: Bool) {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: OXMField.rawNameCapacity) { out in
      let n = OXMField.writeRawName(cls, number, mask: mask, into: out.baseAddress!)
      out.baseAddress!.withMemoryRebound(to: CChar.self, capacity: n) { _ = lua_pushlstring(L, $0, n) }
    }
  }
}
