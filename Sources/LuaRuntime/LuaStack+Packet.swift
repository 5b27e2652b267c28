import CLua
import CShim
import OpenFlow

extension LuaStack {
  /// Pushes the frame's packet table as LuaStack.push(PacketDecoder.decode(frame))
  /// would, without the OFValue: the same calls in the same order (so the
  /// same keys, values, Lua types, table sizes and pairs order). A first
  /// walk only counts the top-level fields, so the table is made at the size
  /// the OFValue path gives it. `keys` is the pseudo-index of the upvalue
  /// holding the first PacketKey name, the others following in PacketKey order.
  func pushPacket(_ frame: UnsafeRawBufferPointer, keys: Int32) {
    var count = PacketFieldCount()
    PacketDecoder.decode(frame, into: &count)
    // At most table, list, item, key and value are on the stack: within
    // the LUA_MINSTACK slots a C function is given.
    lua_createtable(L, 0, count.fields)
    var sink = LuaPacketSink(L: L, keys: keys)
    PacketDecoder.decode(frame, into: &sink)
  }
}

/// Counts the fields of the packet table's top level.
struct PacketFieldCount: PacketFieldSink {
  var fields: Int32 = 0
  var inList = false

  @inline(__always) mutating func field() { if !inList { fields += 1 } }
  mutating func uint(_ k: PacketKey, _ v: UInt64) { field() }
  mutating func mac(_ k: PacketKey, _ b: UnsafeRawBufferPointer) { field() }
  mutating func ipv4(_ k: PacketKey, _ v: UInt32) { field() }
  mutating func ipv6(_ k: PacketKey, _ b: UnsafeRawBufferPointer) { field() }
  mutating func bytes(_ k: PacketKey, _ b: UnsafeRawBufferPointer) { field() }
  mutating func text(_ k: PacketKey, _ b: UnsafeRawBufferPointer) { field() }
  mutating func beginList(_ k: PacketKey, count: Int) {
    field()
    inList = true
  }
  mutating func beginItem(fields: Int) {}
  mutating func endItem() {}
  mutating func endList() { inList = false }
}

/// Sets each field in the table on top of the stack (the open item's
/// inside a list); lists and items are made at their size.
struct LuaPacketSink: PacketFieldSink {
  let L: OpaquePointer
  let keys: Int32
  /// Items in the open list so far.
  var items: lua_Integer = 0

  init(L: OpaquePointer, keys: Int32) {
    self.L = L
    self.keys = keys
  }

  @inline(__always) func key(_ k: PacketKey) { lua_pushvalue(L, keys - Int32(k.rawValue)) }

  mutating func uint(_ k: PacketKey, _ v: UInt64) {
    key(k)
    lua_pushinteger(L, lua_Integer(bitPattern: v))
    lua_rawset(L, -3)
  }

  mutating func mac(_ k: PacketKey, _ b: UnsafeRawBufferPointer) {
    key(k)
    LuaStack(L).pushMACText(b)
    lua_rawset(L, -3)
  }

  mutating func ipv4(_ k: PacketKey, _ v: UInt32) {
    key(k)
    LuaStack(L).pushIPv4Text(v)
    lua_rawset(L, -3)
  }

  mutating func ipv6(_ k: PacketKey, _ b: UnsafeRawBufferPointer) {
    key(k)
    if b.count == 16 { LuaStack(L).pushIPv6Text(b) } else { LuaStack(L).pushMACText(b) }
    lua_rawset(L, -3)
  }

  mutating func bytes(_ k: PacketKey, _ b: UnsafeRawBufferPointer) {
    key(k)
    LuaStack(L).push(b)
    lua_rawset(L, -3)
  }

  /// Text and bytes are both Lua strings.
  mutating func text(_ k: PacketKey, _ b: UnsafeRawBufferPointer) { bytes(k, b) }

  mutating func beginList(_ k: PacketKey, count: Int) {
    key(k)
    lua_createtable(L, Int32(clamping: count), 0)
    items = 0
  }

  mutating func beginItem(fields: Int) { lua_createtable(L, 0, Int32(clamping: fields)) }

  mutating func endItem() {
    items += 1
    lua_rawseti(L, -2, items)
  }

  mutating func endList() { lua_rawset(L, -3) }
}

extension LuaStack {
  /// "aa:bb:cc:dd:ee:ff", as AddressText.mac writes it (colons between any number of bytes).
  func pushMACText(_ b: UnsafeRawBufferPointer) {
    let n = b.count
    guard n > 0 else { return push(b) }
    withUnsafeTemporaryAllocation(of: CChar.self, capacity: 3 * n) { out in
      let hex: StaticString = "0123456789abcdef"
      let h = hex.utf8Start
      for i in 0..<n {
        let x = b[i]
        if i > 0 { out[3 * i - 1] = 0x3a }
        out[3 * i] = CChar(bitPattern: h[Int(x >> 4)])
        out[3 * i + 1] = CChar(bitPattern: h[Int(x & 15)])
      }
      _ = lua_pushlstring(L, out.baseAddress, 3 * n - 1)
    }
  }

  /// Dotted quad, as AddressText.ipv4 writes it.
  func pushIPv4Text(_ v: UInt32) {
    withUnsafeTemporaryAllocation(of: CChar.self, capacity: 15) { out in
      var n = 0
      for shift in stride(from: 24, through: 0, by: -8) {
        let x = UInt8(truncatingIfNeeded: v >> UInt32(shift))
        if shift != 24 { out[n] = 0x2e; n += 1 }
        if x >= 100 { out[n] = CChar(48 + x / 100); n += 1 }
        if x >= 10 { out[n] = CChar(48 + (x / 10) % 10); n += 1 }
        out[n] = CChar(48 + x % 10)
        n += 1
      }
      _ = lua_pushlstring(L, out.baseAddress, n)
    }
  }

  /// 16 bytes as RFC 5952 text (the first longest run of 2+ zero groups as
  /// "::"), as AddressText.ipv6 writes it.
  func pushIPv6Text(_ b: UnsafeRawBufferPointer) {
    func group(_ i: Int) -> Int { Int(UInt16(bigEndian: b.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
    var bestStart = -1, bestLen = 0, i = 0
    while i < 8 {
      guard group(i) == 0 else { i += 1; continue }
      var j = i
      while j < 8 && group(j) == 0 { j += 1 }
      if j - i > bestLen { bestStart = i; bestLen = j - i }
      i = j
    }
    if bestLen < 2 { bestStart = -1 }
    withUnsafeTemporaryAllocation(of: CChar.self, capacity: 40) { out in
      let hex: StaticString = "0123456789abcdef"
      let h = hex.utf8Start
      var n = 0
      i = 0
      while i < 8 {
        if i == bestStart {
          out[n] = 0x3a
          out[n + 1] = 0x3a
          n += 2
          i += bestLen
          continue
        }
        if n > 0 && out[n - 1] != 0x3a { out[n] = 0x3a; n += 1 }
        let g = group(i)
        var shift = g >= 0x1000 ? 12 : g >= 0x100 ? 8 : g >= 0x10 ? 4 : 0
        while shift >= 0 {
          out[n] = CChar(bitPattern: h[(g >> shift) & 15])
          n += 1
          shift -= 4
        }
        i += 1
      }
      _ = lua_pushlstring(L, out.baseAddress, n)
    }
  }
}
