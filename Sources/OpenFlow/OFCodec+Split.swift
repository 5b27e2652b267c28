// Multipart messages larger than one OpenFlow message (65535 bytes): split a
// request or reply into parts flagged REQ_MORE / REPLY_MORE, and join parts
// back into one message, so apps see a single reply.

extension OFCodec {
  /// Fields that hold a multipart body's array of entries.
  static let multipartLists: Set<String> = ["flows", "tables", "ports", "queues", "groups", "meters", "updates", "controllers"]

  static func isMultipart(_ type: String) -> Bool { type.hasPrefix("REQUEST.") || type.hasPrefix("REPLY.") }

  static func moreFlag(_ type: String) -> String { type.hasPrefix("REQUEST.") ? "REQ_MORE" : "REPLY_MORE" }

  /// Splits `m` so each part encodes to at most `maxBytes`; every part but the
  /// last has the MORE flag. A message that fits is returned as it is.
  public static func splitMultipart(_ m: OFMessage, maxBytes: Int = 65535) throws(OFCodecError) -> [OFMessage] {
    // Over 65535 bytes encode refuses the message; that is what splitting is for.
    if let whole = try? encode(m), whole.count <= maxBytes { return [m] }
    guard isMultipart(m.type), let fields = m.msg.fields else {
      _ = try encode(m)
      throw OFCodecError(m.type, offset: 0, "over \(maxBytes) bytes, and only multipart messages can be split")
    }
    guard let at = fields.firstIndex(where: { multipartLists.contains($0.name) }), let items = fields[at].value.list else {
      throw OFCodecError(m.type, offset: 0, "over \(maxBytes) bytes, and \(m.type) has no list of entries to split")
    }
    func with(_ part: [OFValue], more: Bool) -> OFMessage {
      var f = fields
      f[at].value = .list(part)
      var flags = (f.first { $0.name == "flags" }?.value.list ?? []).filter { $0 != .string("MORE") && $0 != .string(moreFlag(m.type)) }
      if more { flags.append(.string(moreFlag(m.type))) }
      if let i = f.firstIndex(where: { $0.name == "flags" }) { f[i].value = .list(flags) } else { f.insert(OFField("flags", .list(flags)), at: 0) }
      return OFMessage(version: m.version, type: m.type, xid: m.xid, msg: .table(f))
    }
    // Entries are laid end to end, so a part's size is the empty body plus its entries.
    let base = try encode(with([], more: true)).count
    var parts: [OFMessage] = []
    var current: [OFValue] = []
    var size = base
    for item in items {
      let n = try encode(with([item], more: true)).count - base
      guard base + n <= maxBytes else {
        throw OFCodecError(m.type, offset: 0, "one entry of `\(fields[at].name)` is \(n) bytes: it cannot fit in \(maxBytes)")
      }
      if size + n > maxBytes {
        parts.append(with(current, more: true))
        current = []
        size = base
      }
      current.append(item)
      size += n
    }
    parts.append(with(current, more: false))
    return parts
  }

  /// Joins the parts of one multipart request or reply: entries (or `data`)
  /// concatenated in order, the MORE flag cleared; xid and other fields from the first part.
  public static func joinMultipart(_ parts: [OFMessage]) throws(OFCodecError) -> OFMessage {
    guard let first = parts.first else { throw OFCodecError("UNKNOWN", offset: 0, "no parts to join") }
    guard isMultipart(first.type), var fields = first.msg.fields else {
      throw OFCodecError(first.type, offset: 0, "only multipart messages can be joined")
    }
    for p in parts.dropFirst() where p.type != first.type || p.version != first.version {
      throw OFCodecError(p.type, offset: 0, "cannot join \(p.type) (version \(p.version)) to \(first.type) (version \(first.version))")
    }
    if let at = fields.firstIndex(where: { multipartLists.contains($0.name) || $0.name == "data" }) {
      let name = fields[at].name
      var list: [OFValue] = []
      var data: [UInt8] = []
      for p in parts {
        guard let v = p.msg[name] else { continue }
        if let l = v.list { list += l } else if let b = v.bytes { data += b }
      }
      fields[at].value = name == "data" ? .bytes(data) : .list(list)
    }
    if let i = fields.firstIndex(where: { $0.name == "flags" }) {
      fields[i].value = .list((fields[i].value.list ?? []).filter { $0 != .string("MORE") && $0 != .string(moreFlag(first.type)) })
    }
    return OFMessage(version: first.version, type: first.type, xid: first.xid, msg: .table(fields))
  }
}
