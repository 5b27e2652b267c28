// Messages as JSON and back, for `zofhost decode` / `zofhost encode`.
// Output: {"type":..., "version":<wire number>, "xid":..., "msg":{...}}.
// Input: one such object, an array of them, or one per line. Bytes are hex
// text under the keys that hold bytes (`data`, `oxm_*`/`oxs_*` keys, a 1.0
// match's `_wildcarded`, a HELLO's `rest`, and a raw SET_FIELD's `value`/`mask`). Object keys keep their order (see OFJSONReader).

public struct OFJSONError: Error, CustomStringConvertible, Sendable {
  public var description: String
  public init(_ d: String) { description = d }
}

extension OFMessage {
  /// The message as a JSON object (one line).
  public var jsonText: String { asValue.jsonText }

  var asValue: OFValue {
    .table([
      OFField("type", .string(type)), OFField("version", .uint(UInt64(version))),
      OFField("xid", .uint(UInt64(xid))), OFField("msg", msg),
    ])
  }

  /// Messages from JSON text: an object, an array of objects, or objects one
  /// after another (JSON lines).
  public static func parseJSON(_ text: [UInt8]) throws(OFJSONError) -> [OFMessage] {
    var r = OFJSONReader(text)
    var out: [OFMessage] = []
    while !r.atEnd {
      let node = try r.value()
      if case .list(let items) = node {
        for item in items { out.append(try message(item, "message \(out.count + 1)")) }
      } else {
        out.append(try message(node, "message \(out.count + 1)"))
      }
    }
    return out
  }

  static func message(_ node: OFJSONReader.Node, _ where_: String) throws(OFJSONError) -> OFMessage {
    guard case .object(let d) = node else { throw OFJSONError("\(where_): a message must be a JSON object") }
    func get(_ k: String) -> OFJSONReader.Node? { d.first { $0.0 == k }?.1 }
    guard case .string(let type)? = get("type") else { throw OFJSONError("\(where_): missing \"type\"") }
    var version = OFVersion.v1_3
    switch get("version") {
    case nil: break
    case .string(let s)?:
      guard let w = OFVersion.parse(s) else { throw OFJSONError("\(where_): unknown version \"\(s)\"") }
      version = w
    case .uint(let n)? where n <= 255: version = UInt8(n)
    default: throw OFJSONError("\(where_): \"version\" must be a wire number (4) or text (\"1.3\")")
    }
    var xid: UInt32 = 0
    switch get("xid") {
    case nil: break
    case .uint(let n)? where n <= UInt64(UInt32.max): xid = UInt32(n)
    default: throw OFJSONError("\(where_): \"xid\" must be a 32-bit number")
    }
    let msg = try get("msg").map { m throws(OFJSONError) in try value(m, key: "msg", parent: [], where_) } ?? .emptyTable
    return OFMessage(version: version, type: type, xid: xid, msg: msg)
  }

  static func isBytesKey(_ key: String, _ parent: [(String, OFJSONReader.Node)]) -> Bool {
    if key == "data" || key.hasPrefix("oxm_") || key.hasPrefix("oxs_") || key == OFCodec.match10Wire || key == "rest" { return true }
    if key == "value" || key == "mask", case .string(let f)? = parent.first(where: { $0.0 == "field" })?.1, f.hasPrefix("oxm_") {
      return true
    }
    return false
  }

  static func value(_ v: OFJSONReader.Node, key: String, parent: [(String, OFJSONReader.Node)], _ where_: String) throws(OFJSONError) -> OFValue {
    switch v {
    case .string(let s):
      guard isBytesKey(key, parent) else { return .string(s) }
      guard let b = AddressText.parseHex(s) else { throw OFJSONError("\(where_): \"\(key)\" must be hex bytes") }
      return .bytes(b)
    case .uint(let n): return .uint(n)
    case .int(let n): return .int(n)
    case .bool(let b): return .bool(b)
    case .null: throw OFJSONError("\(where_): \"\(key)\" is null")
    case .list(let items):
      var out: [OFValue] = []
      for item in items { out.append(try value(item, key: key, parent: parent, where_)) }
      return .list(out)
    case .object(let d):
      var fields: [OFField] = []
      for (k, x) in d { fields.append(OFField(k, try value(x, key: k, parent: d, where_))) }
      return .table(fields)
    }
  }
}

/// The framing walk shared by `zofhost decode` and its tests.
public enum OFStream {
  public struct Item {
    public var offset: Int
    public var result: Result<OFMessage, OFCodecError>
    /// With round-trip checking: why the re-encode differs, when it does.
    public var mismatch: String?
  }

  /// Bytes from hex text (whitespace ignored); nil when it is not hex.
  public static func hexBytes(_ text: [UInt8]) -> [UInt8]? { AddressText.parseHex(text) }

  /// Decodes messages laid back to back. A header whose length cannot be
  /// right ends the walk (framing is lost) with one error item.
  public static func decodeAll(_ bytes: [UInt8], roundtrip: Bool = false) -> [Item] {
    var out: [Item] = []
    var at = 0
    while at < bytes.count {
      let left = bytes.count - at
      guard left >= OFHeader.size else {
        out.append(Item(offset: at, result: .failure(OFCodecError("UNKNOWN", offset: 0, "\(left) bytes left, shorter than a header"))))
        break
      }
      let len = Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
      let slice = Array(bytes[at..<(at + min(max(len, OFHeader.size), left))])
      guard len >= OFHeader.size, len <= left else {
        let name = slice.withUnsafeBytes { OFCodec.typeName($0) }
        let why = len < OFHeader.size ? "header length \(len) is below 8" : "header length \(len) but only \(left) bytes left"
        out.append(Item(offset: at, result: .failure(OFCodecError(name, offset: 2, why))))
        break
      }
      var item = Item(offset: at, result: Result { () throws(OFCodecError) in try OFCodec.decode(slice) })
      if roundtrip, case .success(let m) = item.result {
        do {
          let again = try OFCodec.encode(m)
          if again != slice {
            let i = zip(again, slice).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(again.count, slice.count)
            item.mismatch = "re-encode differs from byte \(i) (\(again.count) bytes vs \(slice.count))"
          }
        } catch {
          item.mismatch = "re-encode failed: \(error)"
        }
      }
      out.append(item)
      at += len
    }
    return out
  }
}
