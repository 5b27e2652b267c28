// LLDP (IEEE 802.1AB): type-length-value records up to the End TLV.
//
// Each TLV becomes a field or a list item; the builder writes them in one
// canonical order:
// chassis id, port id, ttl, port description, system name, system
// description, capabilities, management addresses, organisation-specific,
// unknown, End. A TLV that repeats one already seen, or whose value does not
// have its type's layout, is kept in lldp_unknown so no byte is lost.

@usableFromInline
enum LLDPType {
  @inlinable static var end: UInt16 { 0 }
  @inlinable static var chassisID: UInt16 { 1 }
  @inlinable static var portID: UInt16 { 2 }
  @inlinable static var ttl: UInt16 { 3 }
  @inlinable static var portDescription: UInt16 { 4 }
  @inlinable static var systemName: UInt16 { 5 }
  @inlinable static var systemDescription: UInt16 { 6 }
  @inlinable static var capabilities: UInt16 { 7 }
  @inlinable static var managementAddress: UInt16 { 8 }
  @inlinable static var orgSpecific: UInt16 { 127 }
  /// Chassis id subtype 4 and port id subtype 3 are MAC addresses; 7 is "locally assigned".
  @inlinable static var chassisMAC: UInt64 { 4 }
  @inlinable static var portMAC: UInt64 { 3 }
  @inlinable static var local: UInt64 { 7 }
}

extension PacketDecoder {
  /// Offsets of the TLVs that give the fields of types 1-7 (-1: none yet).
  @usableFromInline
  struct LLDPFirst {
    @usableFromInline var at: (Int, Int, Int, Int, Int, Int, Int) = (-1, -1, -1, -1, -1, -1, -1)

    @inlinable init() {}

    @inlinable subscript(_ type: UInt16) -> Int {
      get {
        switch type {
        case 1: return at.0
        case 2: return at.1
        case 3: return at.2
        case 4: return at.3
        case 5: return at.4
        case 6: return at.5
        case 7: return at.6
        default: return -1
        }
      }
      set {
        switch type {
        case 1: at.0 = newValue
        case 2: at.1 = newValue
        case 3: at.2 = newValue
        case 4: at.3 = newValue
        case 5: at.4 = newValue
        case 6: at.5 = newValue
        case 7: at.6 = newValue
        default: break
        }
      }
    }
  }

  /// Whether a TLV of type 1-7 and this length has its type's layout.
  @inlinable
  static func lldpFits(_ type: UInt16, _ len: Int) -> Bool {
    switch type {
    case LLDPType.chassisID, LLDPType.portID: return len >= 2
    case LLDPType.ttl: return len == 2
    case LLDPType.capabilities: return len == 4
    default: return true
    }
  }

  /// The first walk finds which TLV gives each field and how long each list
  /// is; then the fields go out in canonical order and each list takes one
  /// more walk over the TLVs the first one checked. No walk allocates.
  @inlinable
  static func decodeLLDP<S: PacketFieldSink>(_ c: inout Cursor, _ s: inout S) {
    var first = LLDPFirst()
    var mgmt = 0, org = 0, unknown = 0
    var size = 0, taken = 0
    while c.has(size + 2) {
      let h = c.u16(size)
      let type = h >> 9, len = Int(h & 0x1ff)
      guard c.has(size + 2 + len) else { break }  // overruns the frame: the rest is payload
      if type == LLDPType.end {
        // An End TLV alone is no LLDP content: left as payload, it builds back.
        if len == 0 && size > 0 { taken = 2 }
        break
      }
      if (1...7).contains(type) && first[type] < 0 && lldpFits(type, len) {
        first[type] = size
      } else if type == LLDPType.managementAddress && lldpAddressLength(c, size, len) != nil {
        mgmt += 1
      } else if type == LLDPType.orgSpecific && len >= 4 {
        org += 1
      } else {
        unknown += 1
      }
      size += 2 + len
    }
    taken += size

    if first[1] >= 0 { lldpID(c, first[1], .lldp_chassis_id_subtype, .lldp_chassis_id, mac: LLDPType.chassisMAC, &s) }
    if first[2] >= 0 { lldpID(c, first[2], .lldp_port_id_subtype, .lldp_port_id, mac: LLDPType.portMAC, &s) }
    if first[3] >= 0 { s.uint(.lldp_ttl, c.u16(first[3] + 2)) }
    if first[4] >= 0 { s.text(.lldp_port_description, lldpValue(c, first[4])) }
    if first[5] >= 0 { s.text(.lldp_system_name, lldpValue(c, first[5])) }
    if first[6] >= 0 { s.text(.lldp_system_description, lldpValue(c, first[6])) }
    if first[7] >= 0 {
      s.uint(.lldp_system_capabilities, c.u16(first[7] + 2))
      s.uint(.lldp_enabled_capabilities, c.u16(first[7] + 4))
    }
    if mgmt > 0 {
      s.beginList(.lldp_management_addresses, count: mgmt)
      lldpWalk(c, size) { type, at, len in
        if type == LLDPType.managementAddress, let alen = lldpAddressLength(c, at, len) {
          lldpAddress(c, at, alen, &s)
        }
      }
      s.endList()
    }
    if org > 0 {
      s.beginList(.lldp_org_specific, count: org)
      lldpWalk(c, size) { type, at, len in
        if type == LLDPType.orgSpecific && len >= 4 {
          s.beginItem(fields: 3)
          s.uint(.oui, UInt64(c.u16(at + 2)) << 8 | UInt64(c.u8(at + 4)))
          s.uint(.subtype, c.u8(at + 5))
          s.bytes(.info, c.bytes(at + 6, len - 4))
          s.endItem()
        }
      }
      s.endList()
    }
    if unknown > 0 {
      // What the walks above did not take: a repeat, a TLV of the wrong
      // layout, or a type without fields.
      s.beginList(.lldp_unknown, count: unknown)
      lldpWalk(c, size) { type, at, len in
        let known =
          first[type] == at || (type == LLDPType.managementAddress && lldpAddressLength(c, at, len) != nil)
          || (type == LLDPType.orgSpecific && len >= 4)
        if !known {
          s.beginItem(fields: 2)
          s.uint(.type, type)
          s.bytes(.value, c.bytes(at + 2, len))
          s.endItem()
        }
      }
      s.endList()
    }
    c.pos += taken
  }

  /// Each TLV of the first `size` bytes (checked by the first walk): type, offset, length.
  @inlinable
  static func lldpWalk(_ c: Cursor, _ size: Int, _ body: (UInt16, Int, Int) -> Void) {
    var at = 0
    while at < size {
      let h = c.u16(at)
      let len = Int(h & 0x1ff)
      body(h >> 9, at, len)
      at += 2 + len
    }
  }

  /// The value of the TLV at `at`.
  @inlinable
  static func lldpValue(_ c: Cursor, _ at: Int) -> UnsafeRawBufferPointer {
    c.bytes(at + 2, Int(c.u16(at) & 0x1ff))
  }

  /// Chassis or port id: subtype, then a MAC address as text, other bytes
  /// for a MAC subtype of another length (so the builder does not parse them
  /// as text), else text or bytes.
  @inlinable
  static func lldpID<S: PacketFieldSink>(_ c: Cursor, _ at: Int, _ subtypeKey: PacketKey, _ key: PacketKey, mac: UInt64, _ s: inout S) {
    let v = lldpValue(c, at)
    let subtype = UInt64(c.u8(at + 2))
    let id = UnsafeRawBufferPointer(rebasing: v.dropFirst())
    s.uint(subtypeKey, subtype)
    if subtype != mac {
      s.text(key, id)
    } else if id.count == 6 {
      s.mac(key, id)
    } else {
      s.bytes(key, id)
    }
  }

  /// A management address TLV holds an address string (length, subtype,
  /// address), interface numbering (subtype, number) and an OID string
  /// (length, OID). The address string's length when they fill the TLV
  /// exactly, else nil.
  @inlinable
  static func lldpAddressLength(_ c: Cursor, _ at: Int, _ len: Int) -> Int? {
    guard len >= 1 else { return nil }
    let alen = Int(c.u8(at + 2))
    guard alen >= 1, alen <= 32, 1 + alen + 6 <= len else { return nil }
    let olen = Int(c.u8(at + 2 + 1 + alen + 5))
    guard 1 + alen + 6 + olen == len, olen <= 128 else { return nil }
    return alen
  }

  @inlinable
  static func lldpAddress<S: PacketFieldSink>(_ c: Cursor, _ at: Int, _ alen: Int, _ s: inout S) {
    let subtype = c.u8(at + 3)
    let addr = c.bytes(at + 4, alen - 1)
    s.beginItem(fields: 5)
    s.uint(.address_subtype, subtype)
    switch (subtype, alen - 1) {
    case (1, 4): s.ipv4(.address, c.u32(at + 4))
    case (2, 16): s.ipv6(.address, addr)
    default: s.bytes(.address, addr)
    }
    s.uint(.interface_subtype, c.u8(at + 3 + alen))
    s.uint(.interface_number, c.u32(at + 4 + alen))
    s.bytes(.oid, c.bytes(at + 2 + 1 + alen + 6, Int(c.u8(at + 2 + 1 + alen + 5))))
    s.endItem()
  }
}

extension PacketBuilder {
  mutating func lldpTLVs() throws(PacketBuildError) {
    try lldpID(LLDPType.chassisID, "lldp_chassis_id", macSubtype: LLDPType.chassisMAC)
    try lldpID(LLDPType.portID, "lldp_port_id", macSubtype: LLDPType.portMAC)
    tlv(LLDPType.ttl, 2)
    w.u16(UInt16(try p.uint("lldp_ttl", bits: 16, default: 120)))
    for (i, name) in ["lldp_port_description", "lldp_system_name", "lldp_system_description"].enumerated() where p.has(name) {
      let text = try p.bytes(name)
      guard text.count <= 511 else { throw PacketBuildError(name, "\(text.count) bytes; a TLV holds at most 511") }
      tlv(LLDPType.portDescription + UInt16(i), text.count)
      w.append(text)
    }
    if p.has("lldp_system_capabilities") || p.has("lldp_enabled_capabilities") {
      tlv(LLDPType.capabilities, 4)
      w.u16(UInt16(try p.uint("lldp_system_capabilities", bits: 16, default: 0)))
      w.u16(UInt16(try p.uint("lldp_enabled_capabilities", bits: 16, default: 0)))
    }
    for var m in try p.items("lldp_management_addresses", known: ["address_subtype", "address", "interface_subtype", "interface_number", "oid"]) {
      try managementAddress(&m)
    }
    for var o in try p.items("lldp_org_specific", known: ["oui", "subtype", "info"]) {
      let oui = try o.uint("oui", bits: 24, default: nil)
      let subtype = try o.uint("subtype", bits: 8, default: nil)
      let info = try o.bytes("info")
      guard info.count <= 507 else { throw o.error("info", "\(info.count) bytes; at most 507 fit after the OUI and subtype") }
      tlv(LLDPType.orgSpecific, 4 + info.count)
      w.u16(UInt16(oui >> 8))
      w.u8(UInt8(oui & 0xff))
      w.u8(UInt8(subtype))
      w.append(info)
    }
    for var u in try p.items("lldp_unknown", known: ["type", "value"]) {
      let type = try u.uint("type", bits: 7, default: nil)
      guard type != 0 else { throw u.error("type", "0 is the End TLV, which is written last by itself") }
      let value = try u.bytes("value")
      guard value.count <= 511 else { throw u.error("value", "\(value.count) bytes; a TLV holds at most 511") }
      tlv(UInt16(type), value.count)
      w.append(value)
    }
    tlv(LLDPType.end, 0)
    layers.append("LLDP")
    try payload()
  }

  mutating func tlv(_ type: UInt16, _ len: Int) { w.u16(type << 9 | UInt16(len)) }

  /// Chassis or port id: subtype (default 7, locally assigned) and value, a
  /// MAC address in text for the MAC subtype, else text or bytes as they are.
  mutating func lldpID(_ type: UInt16, _ name: String, macSubtype: UInt64) throws(PacketBuildError) {
    let subtype = try p.uint(name + "_subtype", bits: 8, default: LLDPType.local)
    guard let v = p.take(name) else { throw PacketBuildError(name, "missing (an LLDP frame needs it)") }
    var id: [UInt8]
    if subtype == macSubtype, case .string(let s) = v {
      guard let mac = AddressText.parseMAC(s) else {
        throw PacketBuildError(name, "'\(s)' is not a MAC address, which subtype \(macSubtype) means")
      }
      id = mac
    } else {
      guard let b = v.bytes else { throw PacketBuildError(name, "must be text or bytes, not \(PacketFields.show(v))") }
      id = b
    }
    guard (1...510).contains(id.count) else { throw PacketBuildError(name, "\(id.count) bytes; 1 to 510 fit in the TLV") }
    tlv(type, 1 + id.count)
    w.u8(UInt8(subtype))
    w.append(id)
  }

  /// address_subtype defaults to 1 for IPv4 text and 2 for IPv6 text.
  mutating func managementAddress(_ m: inout PacketFields) throws(PacketBuildError) {
    guard let a = m.take("address") else { throw m.error("address", "missing") }
    var subtype: UInt64
    if m.has("address_subtype") {
      subtype = try m.uint("address_subtype", bits: 8, default: nil)
    } else if case .string(let s) = a, AddressText.parseIPv4(s) != nil {
      subtype = 1
    } else if case .string(let s) = a, AddressText.parseIPv6(s) != nil {
      subtype = 2
    } else {
      throw m.error("address_subtype", "missing, and the address is neither IPv4 nor IPv6 text")
    }
    var addr: [UInt8]
    switch (subtype, a) {
    case (1, .string(let s)):
      guard let v = AddressText.parseIPv4(s) else { throw m.error("address", "'\(s)' is not an IPv4 address") }
      addr = [UInt8(v >> 24), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)]
    case (2, .string(let s)):
      guard let v = AddressText.parseIPv6(s) else { throw m.error("address", "'\(s)' is not an IPv6 address") }
      addr = v
    default:
      guard let b = a.bytes else { throw m.error("address", "must be text or bytes, not \(PacketFields.show(a))") }
      addr = b
    }
    guard addr.count <= 31 else { throw m.error("address", "\(addr.count) bytes; at most 31 fit") }
    let ifSubtype = try m.uint("interface_subtype", bits: 8, default: 1)
    let ifNumber = try m.uint("interface_number", bits: 32, default: 0)
    let oid = try m.bytes("oid")
    guard oid.count <= 128 else { throw m.error("oid", "\(oid.count) bytes; at most 128 fit") }
    tlv(LLDPType.managementAddress, 1 + 1 + addr.count + 5 + 1 + oid.count)
    w.u8(UInt8(1 + addr.count))
    w.u8(UInt8(subtype))
    w.append(addr)
    w.u8(UInt8(ifSubtype))
    w.u32(UInt32(ifNumber))
    w.u8(UInt8(oid.count))
    w.append(oid)
  }
}
