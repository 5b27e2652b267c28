import OpenFlow

/// Joins the parts of a multipart reply into one body: lists and byte strings
/// are concatenated in order, other fields come from the first part, and the
/// MORE flag is gone.
public enum Multipart {
  public static func join(_ parts: [OFValue]) -> OFValue {
    guard var fields = parts.first?.fields else { return parts.first ?? .emptyTable }
    for part in parts.dropFirst() {
      for f in part.fields ?? [] {
        guard let i = fields.firstIndex(where: { $0.name == f.name }) else {
          fields.append(f)
          continue
        }
        switch (fields[i].value, f.value) {
        case (.list(let a), .list(let b)) where f.name != "flags": fields[i].value = .list(a + b)
        case (.bytes(let a), .bytes(let b)): fields[i].value = .bytes(a + b)
        default: break
        }
      }
    }
    if let i = fields.firstIndex(where: { $0.name == "flags" }), let flags = fields[i].value.list {
      fields[i].value = .list(flags.filter { $0 != .string("REPLY_MORE") && $0 != .string("MORE") && $0 != .uint(1) })
    }
    return .table(fields)
  }
}
