// Compact JSON of a schema value (for the decode CLI and logs).

extension OFValue {
  /// Compact JSON: tables as objects in field order, bytes as lowercase hex text.
  public var jsonText: String {
    var out: [UInt8] = []
    out.reserveCapacity(128)
    writeJSON(&out)
    return String(decoding: out, as: UTF8.self)
  }

  private func writeJSON(_ out: inout [UInt8]) {
    switch self {
    case .uint(let v): out.append(contentsOf: String(v).utf8)
    case .int(let v): out.append(contentsOf: String(v).utf8)
    case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
    case .string(let s): OFValue.writeJSONString(s, &out)
    case .bytes(let b):
      out.append(UInt8(ascii: "\""))
      for x in b {
        out.append(AddressText.hexDigits[Int(x >> 4)])
        out.append(AddressText.hexDigits[Int(x & 15)])
      }
      out.append(UInt8(ascii: "\""))
    case .list(let l):
      out.append(UInt8(ascii: "["))
      for (i, v) in l.enumerated() {
        if i > 0 { out.append(UInt8(ascii: ",")) }
        v.writeJSON(&out)
      }
      out.append(UInt8(ascii: "]"))
    case .table(let fields):
      out.append(UInt8(ascii: "{"))
      for (i, f) in fields.enumerated() {
        if i > 0 { out.append(UInt8(ascii: ",")) }
        OFValue.writeJSONString(f.name, &out)
        out.append(UInt8(ascii: ":"))
        f.value.writeJSON(&out)
      }
      out.append(UInt8(ascii: "}"))
    }
  }

  private static func writeJSONString(_ s: String, _ out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    for c in s.utf8 {
      switch c {
      case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
      case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
      case 0x0a: out.append(contentsOf: "\\n".utf8)
      case 0x0d: out.append(contentsOf: "\\r".utf8)
      case 0x09: out.append(contentsOf: "\\t".utf8)
      case 0..<0x20:
        out.append(contentsOf: "\\u00".utf8)
        out.append(AddressText.hexDigits[Int(c >> 4)])
        out.append(AddressText.hexDigits[Int(c & 15)])
      default: out.append(c)
      }
    }
    out.append(UInt8(ascii: "\""))
  }
}
