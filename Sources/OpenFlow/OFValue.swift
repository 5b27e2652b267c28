// The schema value: what a decoded message is made of, and what the encoder reads.
// It mirrors a Lua table tree but knows nothing of Lua.

/// One node of a message in the schema. Tables keep their field order, so a
/// decoded message re-encodes to the same bytes.
public enum OFValue: Equatable, Sendable {
  case uint(UInt64)
  case int(Int64)
  case bool(Bool)
  /// Enum names, addresses ("aa:bb:..", "10.0.0.1"), datapath ids, port names.
  case string(String)
  /// Binary data (packet payloads, opaque experimenter bodies).
  case bytes([UInt8])
  case list([OFValue])
  case table([OFField])

  public static let emptyTable = OFValue.table([])
}

public struct OFField: Equatable, Sendable {
  public var name: String
  public var value: OFValue
  public init(_ name: String, _ value: OFValue) {
    self.name = name
    self.value = value
  }
}

extension OFValue {
  /// Field lookup on a table; nil for a missing field or a non-table.
  public subscript(_ name: String) -> OFValue? {
    guard case .table(let fields) = self else { return nil }
    for f in fields where f.name == name { return f.value }
    return nil
  }

  public var fields: [OFField]? {
    if case .table(let f) = self { return f }
    return nil
  }

  public var list: [OFValue]? {
    if case .list(let l) = self { return l }
    return nil
  }

  /// Integer view; a negative `.int` or a non-number gives nil.
  public var uint: UInt64? {
    switch self {
    case .uint(let v): return v
    case .int(let v): return v >= 0 ? UInt64(v) : nil
    case .bool(let b): return b ? 1 : 0
    default: return nil
    }
  }

  public var string: String? {
    switch self {
    case .string(let s): return s
    case .bytes(let b): return String(validating: b, as: UTF8.self)
    default: return nil
    }
  }

  /// Bytes view: a string's UTF-8 bytes count as bytes, so a Lua string that
  /// happened to be valid UTF-8 still encodes exactly.
  public var bytes: [UInt8]? {
    switch self {
    case .bytes(let b): return b
    case .string(let s): return Array(s.utf8)
    default: return nil
    }
  }

  /// Builds a table from name/value pairs, dropping nil values.
  public static func table(_ pairs: KeyValuePairs<String, OFValue?>) -> OFValue {
    var out: [OFField] = []
    out.reserveCapacity(pairs.count)
    for (k, v) in pairs { if let v { out.append(OFField(k, v)) } }
    return .table(out)
  }
}
