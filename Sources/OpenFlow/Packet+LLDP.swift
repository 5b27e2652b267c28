// LLDP (IEEE 802.1AB): type-length-value records up to the End TLV.
//
// Each TLV becomes a field or a list item; the builder writes them in one
// canonical order:
// chassis id, port id, ttl, port description, system name, system
// description, capabilities, management addresses, organisation-specific,
// unknown, End. A TLV that repeats one already seen, or whose value does not
// have its type's layout, is kept in lldp_unknown so no byte is lost.

enum LLDPType {
  static let end: UInt16 = 0, chassisID: UInt16 = 1, portID: UInt16 = 2, ttl: UInt16 = 3
  static let portDescription: UInt16 = 4, systemName: UInt16 = 5, systemDescription: UInt16 = 6
  static let capabilities: UInt16 = 7, managementAddress: UInt16 = 8, orgSpecific: UInt16 = 127
  /// Chassis id subtype 4 and port id subtype 3 are MAC addresses; 7 is "locally assigned".
  static let chassisMAC: UInt64 = 4, portMAC: UInt64 = 3, local: UInt64 = 7
}

extension PacketDecoder {
  /// Where the fields of TLV types 1-7 sit in the decoder's slots (two for
  /// the ids and capabilities), so they come out in canonical order.
  static let lldpSlot = [0, 0, 2, 4, 5, 6, 7, 8]

  static func decodeLLDP(_ c: inout Cursor, _ f: inout [OFField]) {
    var slots = [OFField?](repeating: nil, count: 10)
    var mgmt: [OFValue] = [], org: [OFValue] = [], unknown: [OFValue] = []
    var decoded = false
    while c.has(2) {
      let h = c.u16(0)
      let type = h >> 9, len = Int(h & 0x1ff)
      guard c.has(2 + len) else { break }  // overruns the frame: the rest is payload
      if type == LLDPType.end {
        // An End TLV alone is no LLDP content: left as payload, it builds back.
        if len == 0 && decoded { c.pos += 2 }
        break
      }
      decoded = true
      let v = c.slice(2, len)
      let slot = type <= 7 ? lldpSlot[Int(type)] : 0
      switch type {
      case LLDPType.chassisID where slots[slot] == nil && len >= 2, LLDPType.portID where slots[slot] == nil && len >= 2:
        let subtype = UInt64(c.u8(2))
        let isMAC = subtype == (type == LLDPType.chassisID ? LLDPType.chassisMAC : LLDPType.portMAC)
        let id = v.dropFirst()
        // A MAC subtype of another length stays bytes, so the builder does not parse it as text.
        let value: OFValue = isMAC ? (len == 7 ? .string(AddressText.mac(id)) : .bytes(Array(id))) : textOrBytes(id)
        let name = type == LLDPType.chassisID ? "lldp_chassis_id" : "lldp_port_id"
        slots[slot] = OFField(name + "_subtype", .uint(subtype))
        slots[slot + 1] = OFField(name, value)
      case LLDPType.ttl where slots[slot] == nil && len == 2:
        slots[slot] = OFField("lldp_ttl", .uint(UInt64(c.u16(2))))
      case LLDPType.portDescription where slots[slot] == nil:
        slots[slot] = OFField("lldp_port_description", textOrBytes(v))
      case LLDPType.systemName where slots[slot] == nil:
        slots[slot] = OFField("lldp_system_name", textOrBytes(v))
      case LLDPType.systemDescription where slots[slot] == nil:
        slots[slot] = OFField("lldp_system_description", textOrBytes(v))
      case LLDPType.capabilities where slots[slot] == nil && len == 4:
        slots[slot] = OFField("lldp_system_capabilities", .uint(UInt64(c.u16(2))))
        slots[slot + 1] = OFField("lldp_enabled_capabilities", .uint(UInt64(c.u16(4))))
      case LLDPType.managementAddress:
        if let m = managementAddress(c, len) { mgmt.append(m) } else { unknown.append(unknownTLV(type, v)) }
      case LLDPType.orgSpecific where len >= 4:
        org.append(.table([
          OFField("oui", .uint(UInt64(c.u16(2)) << 8 | UInt64(c.u8(4)))), OFField("subtype", .uint(UInt64(c.u8(5)))),
          OFField("info", .bytes(c.bytes(6, len - 4))),
        ]))
      default:
        unknown.append(unknownTLV(type, v))
      }
      c.pos += 2 + len
    }
    for case let field? in slots { f.append(field) }
    if !mgmt.isEmpty { f.add("lldp_management_addresses", .list(mgmt)) }
    if !org.isEmpty { f.add("lldp_org_specific", .list(org)) }
    if !unknown.isEmpty { f.add("lldp_unknown", .list(unknown)) }
  }

  static func unknownTLV(_ type: UInt16, _ v: Slice<UnsafeRawBufferPointer>) -> OFValue {
    .table([OFField("type", .uint(UInt64(type))), OFField("value", .bytes(Array(v)))])
  }

  /// Address string (length, subtype, address), interface numbering
  /// (subtype, number), OID string (length, OID); nil unless they fill the
  /// TLV exactly.
  static func managementAddress(_ c: Cursor, _ len: Int) -> OFValue? {
    guard len >= 1 else { return nil }
    let alen = Int(c.u8(2))
    guard alen >= 1, alen <= 32, 1 + alen + 6 <= len else { return nil }
    let olen = Int(c.u8(2 + 1 + alen + 5))
    guard 1 + alen + 6 + olen == len, olen <= 128 else { return nil }
    let subtype = c.u8(3)
    let addr = c.slice(4, alen - 1)
    let address: OFValue
    switch (subtype, alen - 1) {
    case (1, 4): address = .string(AddressText.ipv4(c.u32(4)))
    case (2, 16): address = .string(AddressText.ipv6(addr))
    default: address = .bytes(Array(addr))
    }
    return .table([
      OFField("address_subtype", .uint(UInt64(subtype))), OFField("address", address),
      OFField("interface_subtype", .uint(UInt64(c.u8(3 + alen)))), OFField("interface_number", .uint(UInt64(c.u32(4 + alen)))),
      OFField("oid", .bytes(c.bytes(2 + 1 + alen + 6, olen))),
    ])
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
