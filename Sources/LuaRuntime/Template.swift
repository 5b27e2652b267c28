import OpenFlow

/// A compiled message. Without `"$name"` slots it is encoded once per version;
/// with slots, each version's encoding is probed once to find where each slot's
/// bytes are, so a send copies the bytes and patches the slots in place. A slot
/// whose field is not a fixed-width number (a MAC, data) keeps the slow path:
/// fill in the values, convert, encode.
struct Template {
  var message: OFMessage
  var slots: [String]
  /// Numbers that names ("NO_BUFFER", "FLOOD") encode to, per version and slot.
  var named: [NameKey: UInt64] = [:]

  struct NameKey: Hashable {
    var version: UInt8
    var slot: String
    var name: String
  }

  enum Compiled {
    /// Bytes, the slots patched into them, and a slot whose bytes go at the end (PACKET_OUT data).
    case bytes([UInt8], [Patch], tail: String? = nil)
    case slow
  }

  /// Where a slot's value goes: `width` bytes at `offset`, a big-endian
  /// number or (`mac`) the six bytes of a MAC address.
  struct Patch {
    var slot: String
    var offset: Int
    var width: Int
    var mac = false

    var spot: Spot { Spot(offset: offset, width: width, mac: mac) }
  }

  /// A patch without its slot's name: a plain value, which the send loop
  /// copies without counting a reference.
  struct Spot {
    var offset: Int
    var width: Int
    var mac: Bool
  }

  /// Registry refs of the slot names as Lua strings, so a send looks its
  /// arguments up without making the key string again (set by core.compile).
  var slotKeys: [String: Int32] = [:]

  /// Per version, made on the first send for it: the plan, or that this
  /// version takes the slow path.
  var plans: [Prepared?] = Array(repeating: nil, count: 8)
  /// The patchable plans of `plans` again, for a send to read without
  /// counting a reference (`plans` holds them).
  var patchable: [Unmanaged<Plan>?] = Array(repeating: nil, count: 8)

  /// The patchable plan for version `v` (made on first use), or nil for the slow path.
  mutating func patchablePlan(_ v: Int) throws(OFCodecError) -> Unmanaged<Plan>? {
    guard v < plans.count else { return nil }
    if let p = patchable[v] { return p }
    guard plans[v] == nil else { return nil }
    let made = try plan(version: UInt8(v))
    plans[v] = made
    if case .bytes(let p) = made { patchable[v] = .passUnretained(p) }
    return patchable[v]
  }

  enum Prepared {
    case bytes(Plan)
    case slow
  }

  /// The bytes, and for each patch its key's ref. A class: a send reads it
  /// where it is instead of copying it out of the template; what a send reads
  /// sits in buffers of its own, which it reads without counting references.
  final class Plan {
    /// The message's own xid (0: a fresh one per send).
    let xid: UInt32
    let bytes: UnsafeMutableRawBufferPointer
    let patches: [Patch]
    let spots: UnsafeMutableBufferPointer<Spot>
    let keys: UnsafeMutableBufferPointer<Int32>
    /// Where a send puts each slot's value before writing any (sends do not nest).
    let values: UnsafeMutableBufferPointer<UInt64>
    let tail: String?
    let hasTail: Bool
    let tailKey: Int32
    /// Names ("FLOOD", "NO_BUFFER") an argument gave, as bytes, with what they
    /// encode to, per patch: found without making a Swift string.
    var names: [[(name: [UInt8], value: UInt64)]]

    init(xid: UInt32, bytes: [UInt8], patches: [Patch], keys: [Int32], tail: String?, tailKey: Int32) {
      self.xid = xid
      self.bytes = .allocate(byteCount: bytes.count, alignment: 8)
      self.bytes.copyBytes(from: bytes)
      self.patches = patches
      spots = .allocate(capacity: patches.count)
      _ = spots.initialize(from: patches.map(\.spot))
      self.keys = .allocate(capacity: keys.count)
      _ = self.keys.initialize(from: keys)
      values = .allocate(capacity: patches.count)
      self.tail = tail
      hasTail = tail != nil
      self.tailKey = tailKey
      names = Array(repeating: [], count: patches.count)
    }

    deinit {
      bytes.deallocate()
      spots.deallocate()
      keys.deallocate()
      values.deallocate()
    }
  }

  init(message: OFMessage) {
    self.message = message
    var found: [String] = []
    var macs: Set<String> = []
    Template.collectSlots(message.msg, field: nil, into: &found, macs: &macs)
    slots = found
    macSlots = macs
  }

  /// Slots in fields that hold a MAC address take one as text; the others a number.
  var macSlots: Set<String> = []
  static let macFields: Set<String> = ["eth_dst", "eth_src", "arp_sha", "arp_tha", "ipv6_nd_sll", "ipv6_nd_tll", "hw_addr"]

  static func collectSlots(_ v: OFValue, field: String?, into out: inout [String], macs: inout Set<String>) {
    switch v {
    case .string(let s) where s.hasPrefix("$"):
      let name = String(s.dropFirst())
      out.append(name)
      if let field, macFields.contains(field) { macs.insert(name) }
    case .list(let items): for x in items { collectSlots(x, field: nil, into: &out, macs: &macs) }
    case .table(let fields):
      // SET_FIELD carries its value under `value`, named by `field`.
      let setField = fields.first { $0.name == "field" }?.value.string
      for f in fields { collectSlots(f.value, field: f.name == "value" ? setField : f.name, into: &out, macs: &macs) }
    default: break
    }
  }

  /// The message with every slot set to `values` (MAC slots as MAC text,
  /// `blobs` as bytes).
  func filled(
    _ values: [String: UInt64], version: UInt8, blobs: [String: [UInt8]] = [:], names: [String: String] = [:]
  ) -> OFMessage {
    func fill(_ v: OFValue) -> OFValue {
      switch v {
      case .string(let s) where s.hasPrefix("$"):
        let name = String(s.dropFirst())
        if let b = blobs[name] { return .bytes(b) }
        if let text = names[name] { return .string(text) }
        let n = values[name] ?? 0
        return macSlots.contains(name) ? .string(Template.macText(n)) : .uint(n)
      case .list(let items): return .list(items.map(fill))
      case .table(let fields): return .table(fields.map { OFField($0.name, fill($0.value)) })
      default: return v
      }
    }
    var m = message
    m.version = version
    m.msg = fill(message.msg)
    return m
  }

  /// `compile(version:)` with what a send needs at hand: each slot's key ref.
  func plan(version: UInt8) throws(OFCodecError) -> Prepared {
    guard case .bytes(let bytes, let patches, let tail) = try compile(version: version) else { return .slow }
    return .bytes(Plan(
      xid: message.xid, bytes: bytes, patches: patches, keys: patches.map { slotKeys[$0.slot] ?? 0 }, tail: tail,
      tailKey: tail.flatMap { slotKeys[$0] } ?? 0))
  }

  /// Keeps what a name given for patch `k` encodes to, for the next sends.
  func remember(_ name: String, _ value: UInt64, patch k: Int, version v: Int) {
    guard case .bytes(let plan)? = plans[v] else { return }
    plan.names[k].append((Array(name.utf8), value))
  }

  /// Encodes for `version`, and for slots finds each one's offset and width by
  /// encoding with different values and comparing.
  func compile(version: UInt8) throws(OFCodecError) -> Compiled {
    if slots.isEmpty {
      var m = message
      m.version = version
      return .bytes(try OFCodec.encode(m), [])
    }
    guard Set(slots).count == slots.count else { return .slow }
    let ones = Dictionary(uniqueKeysWithValues: slots.map { ($0, UInt64(1)) })
    var tail: String? = nil
    var base: [UInt8] = []
    if let b = try? OFCodec.encode(filled(ones, version: version)) {
      base = b
    } else {
      // One slot may be bytes that end the message (PACKET_OUT data): empty in the
      // base, appended at send time with the length fixed.
      for slot in slots where !macSlots.contains(slot) {
        guard let empty = try? OFCodec.encode(filled(ones, version: version, blobs: [slot: []])),
          let two = try? OFCodec.encode(filled(ones, version: version, blobs: [slot: [0x41, 0x42]])),
          two.count == empty.count + 2, Array(two.suffix(2)) == [0x41, 0x42],
          Array(two[4..<empty.count]) == Array(empty[4...]), Array(two[0..<2]) == Array(empty[0..<2])
        else { continue }
        tail = slot
        base = empty
        break
      }
      guard tail != nil else { return .slow }
    }
    let blobs: [String: [UInt8]] = tail.map { [$0: []] } ?? [:]
    var patches: [Patch] = []
    for slot in slots where slot != tail {
      var two = ones
      two[slot] = 2
      guard let other = try? OFCodec.encode(filled(two, version: version, blobs: blobs)), other.count == base.count
      else { return .slow }
      let diffs = (0..<base.count).filter { base[$0] != other[$0] }
      guard diffs.count == 1, let lsb = diffs.first else { return .slow }
      var width = 6
      if !macSlots.contains(slot) {
        // The widest value the field takes tells its width.
        width = 1
        for (w, probe) in [(8, UInt64(1) << 32), (4, UInt64(1) << 16), (2, UInt64(1) << 8)] {
          var big = ones
          big[slot] = probe
          if let e = try? OFCodec.encode(filled(big, version: version, blobs: blobs)), e.count == base.count {
            width = w
            break
          }
        }
      }
      guard lsb + 1 >= width else { return .slow }
      patches.append(Patch(slot: slot, offset: lsb + 1 - width, width: width, mac: macSlots.contains(slot)))
    }
    // Check the patching against a real encoding with other values everywhere.
    var probe: [String: UInt64] = [:]
    for (i, p) in patches.enumerated() {
      let v = UInt64(0x0203_0405_2100 + i)
      probe[p.slot] = p.width >= 8 ? v : v & ((UInt64(1) << UInt64(8 * p.width)) - 1)
    }
    guard let want = try? OFCodec.encode(filled(probe, version: version, blobs: blobs)) else { return .slow }
    var got = base
    for p in patches { Template.patch(&got, p, probe[p.slot]!) }
    return got == want ? .bytes(base, patches, tail: tail) : .slow
  }

  /// The number a name encodes to in `slot`'s field (found once by encoding
  /// it, then cached); nil if the field does not take that name.
  mutating func value(ofName name: String, for p: Patch, version: UInt8, tail: String?) -> UInt64? {
    let key = NameKey(version: version, slot: p.slot, name: name)
    if let v = named[key] { return v }
    let ones = Dictionary(uniqueKeysWithValues: slots.map { ($0, UInt64(1)) })
    let blobs: [String: [UInt8]] = tail.map { [$0: []] } ?? [:]
    guard let bytes = try? OFCodec.encode(filled(ones, version: version, blobs: blobs, names: [p.slot: name])),
      p.offset + p.width <= bytes.count
    else { return nil }
    var v: UInt64 = 0
    for i in 0..<p.width { v = v << 8 | UInt64(bytes[p.offset + i]) }
    named[key] = v
    return v
  }

  static func patch(_ bytes: inout [UInt8], _ p: Patch, _ value: UInt64) {
    patch(&bytes, p.spot, value)
  }

  static func patch(_ bytes: inout [UInt8], _ p: Spot, _ value: UInt64) {
    bytes.withUnsafeMutableBytes { patch($0, p, value) }
  }

  static func patch(_ bytes: UnsafeMutableRawBufferPointer, _ p: Spot, _ value: UInt64) {
    // Big-endian, a word at a time for the usual widths.
    func store<T: FixedWidthInteger>(_ v: T, at o: Int) { bytes.storeBytes(of: v.bigEndian, toByteOffset: o, as: T.self) }
    switch p.width {
    case 1: bytes[p.offset] = UInt8(truncatingIfNeeded: value)
    case 2: store(UInt16(truncatingIfNeeded: value), at: p.offset)
    case 4: store(UInt32(truncatingIfNeeded: value), at: p.offset)
    case 6:
      store(UInt32(truncatingIfNeeded: value >> 16), at: p.offset)
      store(UInt16(truncatingIfNeeded: value), at: p.offset + 4)
    case 8: store(value, at: p.offset)
    default:
      for i in 0..<p.width {
        bytes[p.offset + i] = UInt8(truncatingIfNeeded: value >> UInt64(8 * (p.width - 1 - i)))
      }
    }
  }

  static func macText(_ n: UInt64) -> String {
    (0..<6).map { i -> String in
      let b = UInt8(truncatingIfNeeded: n >> UInt64(8 * (5 - i)))
      return (b < 16 ? "0" : "") + String(b, radix: 16)
    }.joined(separator: ":")
  }

  /// "aa:bb:cc:dd:ee:ff" as a number, in one pass; nil if it is not one.
  static func macValue(_ s: UnsafeRawBufferPointer) -> UInt64? {
    guard s.count == 17, let p = s.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
    /// A hex digit's value, or 16 or more for any other byte.
    @inline(__always) func digit(_ c: UInt8) -> UInt8 {
      let d = c &- 48
      if d < 10 { return d }
      let x = (c | 0x20) &- 97
      return x < 6 ? x + 10 : 16
    }
    var v: UInt64 = 0
    var bad: UInt8 = 0
    for j in 0..<6 {
      let hi = digit(p[3 * j]), lo = digit(p[3 * j + 1])
      bad |= (hi | lo) & 0xf0
      if j < 5 { bad |= p[3 * j + 2] ^ 0x3a }
      v = v << 8 | UInt64(hi << 4 | lo)
    }
    return bad == 0 ? v : nil
  }

  /// True when `value` fits the slot's width.
  static func fits(_ value: UInt64, _ p: Spot) -> Bool {
    p.width >= 8 || value < UInt64(1) << UInt64(8 * p.width)
  }
}
