import OpenFlow

/// A compiled message. Without `"$name"` slots it is encoded once per version;
/// with slots, each version's encoding is probed once to find where each slot's
/// bytes are, so a send copies the bytes and patches the slots in place. A slot
/// whose field is not a fixed-width number (a MAC, data) keeps the slow path:
/// fill in the values, convert, encode.
struct Template {
  var message: OFMessage
  var slots: [String]
  var compiled: [UInt8: Compiled] = [:]

  enum Compiled {
    case bytes([UInt8], [Patch])
    case slow
  }

  /// Where a slot's value goes: big-endian, `width` bytes ending at `offset + width`.
  struct Patch {
    var slot: String
    var offset: Int
    var width: Int
  }

  init(message: OFMessage) {
    self.message = message
    var found: [String] = []
    Template.collectSlots(message.msg, into: &found)
    slots = found
  }

  static func collectSlots(_ v: OFValue, into out: inout [String]) {
    switch v {
    case .string(let s) where s.hasPrefix("$"):
      out.append(String(s.dropFirst()))
    case .list(let items): for x in items { collectSlots(x, into: &out) }
    case .table(let fields): for f in fields { collectSlots(f.value, into: &out) }
    default: break
    }
  }

  /// The message with every slot set to a number.
  func filled(_ values: [String: UInt64], version: UInt8) -> OFMessage {
    func fill(_ v: OFValue) -> OFValue {
      switch v {
      case .string(let s) where s.hasPrefix("$"): return .uint(values[String(s.dropFirst())] ?? 0)
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

  /// Encodes for `version`, and for slots finds each one's offset and width by
  /// encoding with different values and comparing.
  func compile(version: UInt8) throws(OFCodecError) -> Compiled {
    if slots.isEmpty {
      var m = message
      m.version = version
      return .bytes(try OFCodec.encode(m), [])
    }
    let ones = Dictionary(slots.map { ($0, UInt64(1)) }, uniquingKeysWith: { a, _ in a })
    guard Set(slots).count == slots.count, let base = try? OFCodec.encode(filled(ones, version: version)) else {
      return .slow
    }
    var patches: [Patch] = []
    for slot in slots {
      var two = ones
      two[slot] = 2
      guard let other = try? OFCodec.encode(filled(two, version: version)), other.count == base.count else { return .slow }
      let diffs = (0..<base.count).filter { base[$0] != other[$0] }
      guard diffs.count == 1, let lsb = diffs.first else { return .slow }
      // The widest value the field takes tells its width.
      var width = 1
      for (w, probe) in [(8, UInt64(1) << 32), (4, UInt64(1) << 16), (2, UInt64(1) << 8)] {
        var big = ones
        big[slot] = probe
        if let e = try? OFCodec.encode(filled(big, version: version)), e.count == base.count {
          width = w
          break
        }
      }
      guard lsb + 1 >= width else { return .slow }
      patches.append(Patch(slot: slot, offset: lsb + 1 - width, width: width))
    }
    // Check the patching against a real encoding with other values everywhere.
    var probe: [String: UInt64] = [:]
    for (i, p) in patches.enumerated() { probe[p.slot] = UInt64(0x21 + i) & (p.width == 8 ? .max : (UInt64(1) << UInt64(8 * p.width)) - 1) }
    guard let want = try? OFCodec.encode(filled(probe, version: version)) else { return .slow }
    var got = base
    for p in patches { Template.patch(&got, p, probe[p.slot]!) }
    return got == want ? .bytes(base, patches) : .slow
  }

  static func patch(_ bytes: inout [UInt8], _ p: Patch, _ value: UInt64) {
    for i in 0..<p.width {
      bytes[p.offset + i] = UInt8(truncatingIfNeeded: value >> UInt64(8 * (p.width - 1 - i)))
    }
  }

  /// True when `value` fits the slot's width.
  static func fits(_ value: UInt64, _ p: Patch) -> Bool {
    p.width >= 8 || value < UInt64(1) << UInt64(8 * p.width)
  }
}
