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
    pushPacketTable(frame)
    var sink = LuaPacketSink(L: L, keys: keys)
    PacketDecoder.decode(frame, into: &sink)
  }

  /// An empty table at the size of the frame's whole packet table.
  private func pushPacketTable(_ frame: UnsafeRawBufferPointer) {
    var count = PacketFieldCount()
    PacketDecoder.decode(frame, into: &count)
    // At most table, list, item, key and value are on the stack: within
    // the LUA_MINSTACK slots a C function is given.
    lua_createtable(L, 0, count.fields)
  }

  /// The packet table with its Ethernet fields only (made at its whole
  /// size); true if the frame has more (the rest comes with `setPacketRest`).
  func pushPacketHead(_ frame: UnsafeRawBufferPointer, keys: Int32) -> Bool {
    pushPacketTable(frame)
    var sink = PacketPartSink(inner: LuaPacketSink(L: L, keys: keys), head: true)
    PacketDecoder.decode(frame, into: &sink)
    return sink.skipped
  }

  /// Sets the fields `pushPacketHead` left out in the table at `idx`: the
  /// same keys in the same order as one whole decode.
  func setPacketRest(_ frame: UnsafeRawBufferPointer, into idx: Int32, keys: Int32) {
    lua_pushvalue(L, idx)
    var sink = PacketPartSink(inner: LuaPacketSink(L: L, keys: keys), head: false)
    PacketDecoder.decode(frame, into: &sink)
    lua_settop(L, -2)
  }

  /// A packet table still waiting for its upper layers is made whole, so
  /// what reads it raw (a message going out) sees every field.
  func finishPartialPacket(at idx: Int32) {
    let t = lua_absindex(L, idx)
    guard zs_partial_frame(L, t) != 0 else { return }
    _ = withBytes(at: -1) { setPacketRest($0, into: t, keys: 0) }
    lua_settop(L, -2)
    zs_partial_done(L, t)
  }
}

/// Passes on the fields of one part of the packet: the Ethernet header's
/// (addresses, VLAN tags, type), or everything after it.
struct PacketPartSink<S: PacketFieldSink>: PacketFieldSink {
  var inner: S
  let head: Bool
  /// Inside a list the list's choice holds.
  var depth = 0
  var passing = false
  /// A field of the other part went by.
  var skipped = false

  init(inner: S, head: Bool) {
    self.inner = inner
    self.head = head
  }

  @inline(__always) mutating func pass(_ k: PacketKey) -> Bool {
    if depth > 0 { return passing }
    let p = (k.rawValue <= PacketKey.vid.rawValue) == head
    if !p { skipped = true }
    return p
  }

  /// The head needs nothing past Ethernet: `payload`, which always comes,
  /// tells that there is more.
  var wantsUpperLayers: Bool { !head }

  mutating func uint(_ k: PacketKey, _ v: UInt64) { if pass(k) { inner.uint(k, v) } }
  mutating func mac(_ k: PacketKey, _ b: UnsafeRawBufferPointer) { if pass(k) { inner.mac(k, b) } }
  mutating func ipv4(_ k: PacketKey, _ v: UInt32) { if pass(k) { inner.ipv4(k, v) } }
  mutating func ipv6(_ k: PacketKey, _ b: UnsafeRawBufferPointer) { if pass(k) { inner.ipv6(k, b) } }
  mutating func bytes(_ k: PacketKey, _ b: UnsafeRawBufferPointer) { if pass(k) { inner.bytes(k, b) } }
  mutating func text(_ k: PacketKey, _ b: UnsafeRawBufferPointer) { if pass(k) { inner.text(k, b) } }
  mutating func beginList(_ k: PacketKey, count: Int) {
    passing = pass(k)
    depth += 1
    if passing { inner.beginList(k, count: count) }
  }
  mutating func beginItem(fields: Int) { if passing { inner.beginItem(fields: fields) } }
  mutating func endItem() { if passing { inner.endItem() } }
  mutating func endList() {
    depth -= 1
    if passing { inner.endList() }
    if depth == 0 { passing = false }
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

  /// `keys` 0: no upvalues at hand, the name is made.
  @inline(__always) func key(_ k: PacketKey) {
    if keys == 0 { LuaStack(L).push(PacketKey.names[Int(k.rawValue)]) } else { lua_pushvalue(L, keys - Int32(k.rawValue)) }
  }

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
