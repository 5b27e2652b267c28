import Foundation

/// A JSON value as the bus carries it: what an event's content is made of.
/// Encoded and decoded by Foundation's JSONEncoder and JSONDecoder; nothing
/// in a payload is ever evaluated.
public enum JSONValue: Equatable, Sendable, Codable {
  case null
  case bool(Bool)
  case int(Int64)
  case double(Double)
  case string(String)
  case array([JSONValue])
  /// Keys in the order they were given (encoded sorted, for stable bytes).
  case object([(String, JSONValue)])

  public static func == (a: JSONValue, b: JSONValue) -> Bool {
    switch (a, b) {
    case (.null, .null): return true
    case (.bool(let x), .bool(let y)): return x == y
    case (.int(let x), .int(let y)): return x == y
    case (.double(let x), .double(let y)): return x == y
    case (.string(let x), .string(let y)): return x == y
    case (.array(let x), .array(let y)): return x == y
    case (.object(let x), .object(let y)):
      return x.count == y.count && zip(x.sorted { $0.0 < $1.0 }, y.sorted { $0.0 < $1.0 }).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    default: return false
    }
  }

  private struct Key: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
  }

  public init(from decoder: Decoder) throws {
    if let c = try? decoder.container(keyedBy: Key.self) {
      self = .object(try c.allKeys.sorted { $0.stringValue < $1.stringValue }.map { ($0.stringValue, try c.decode(JSONValue.self, forKey: $0)) })
      return
    }
    if var c = try? decoder.unkeyedContainer() {
      var items: [JSONValue] = []
      while !c.isAtEnd { items.append(try c.decode(JSONValue.self)) }
      self = .array(items)
      return
    }
    let c = try decoder.singleValueContainer()
    if c.decodeNil() { self = .null }
    else if let b = try? c.decode(Bool.self) { self = .bool(b) }
    else if let i = try? c.decode(Int64.self) { self = .int(i) }
    else if let d = try? c.decode(Double.self) { self = .double(d) }
    else { self = .string(try c.decode(String.self)) }
  }

  public func encode(to encoder: Encoder) throws {
    switch self {
    case .null:
      var c = encoder.singleValueContainer()
      try c.encodeNil()
    case .bool(let b):
      var c = encoder.singleValueContainer()
      try c.encode(b)
    case .int(let i):
      var c = encoder.singleValueContainer()
      try c.encode(i)
    case .double(let d):
      var c = encoder.singleValueContainer()
      try c.encode(d)
    case .string(let s):
      var c = encoder.singleValueContainer()
      try c.encode(s)
    case .array(let items):
      var c = encoder.unkeyedContainer()
      for x in items { try c.encode(x) }
    case .object(let fields):
      var c = encoder.container(keyedBy: Key.self)
      for (k, v) in fields { try c.encode(v, forKey: Key(stringValue: k)) }
    }
  }

  /// The bytes of `values` as one JSON array (throws on a NaN or infinity).
  public static func encodeArray(_ values: [JSONValue]) throws -> [UInt8] {
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return Array(try e.encode(JSONValue.array(values)))
  }
}

/// One event on the bus, as checked on arrival.
public struct BusMessage {
  public enum Codec: String { case json, raw }
  public let name: String
  /// The payload exactly as it came.
  public let payload: [UInt8]
  /// The decoded array (json), nil for a raw payload.
  public let content: [JSONValue]?
  public var codec: Codec { content == nil ? .raw : .json }

  /// The one-frame form: NAME, a zero byte, the payload.
  public var frame: [UInt8] { BusWire.frame(name: name, payload: payload) }
}

/// The wire format: one frame `NAME \0 PAYLOAD` (two frames [NAME, PAYLOAD]
/// are taken and made one). A payload whose first non-blank byte is `[` is
/// JSON and must parse as an array; any other payload is raw and passed on
/// as it came.
public enum BusWire {
  public static let maxNameLength = 255
  /// Names under this prefix are zofhost's own publications.
  public static let reservedPrefix = "zofhost."

  public enum Problem: String, CaseIterable {
    case noSeparator = "no separator"
    case badName = "empty or over-long name"
    case frames = "more than two frames"
    case badJSON = "bad JSON"
    case reserved = "reserved name"
  }

  public static func frame(name: String, payload: [UInt8]) -> [UInt8] {
    var f = Array(name.utf8)
    f.reserveCapacity(f.count + 1 + payload.count)
    f.append(0)
    f.append(contentsOf: payload)
    return f
  }

  /// The prefix a subscription to `name` uses ("" for every event).
  public static func prefix(_ name: String) -> [UInt8] {
    name.isEmpty ? [] : Array(name.utf8) + [0]
  }

  public static func isReserved(_ name: String) -> Bool { name.hasPrefix(reservedPrefix) }

  /// A name is 1 to 255 bytes of UTF-8 with no zero byte.
  public static func checkName(_ bytes: ArraySlice<UInt8>) -> String? {
    guard !bytes.isEmpty, bytes.count <= maxNameLength, !bytes.contains(0) else { return nil }
    return String(validating: bytes, as: UTF8.self)
  }

  public static func parse(_ frames: [[UInt8]], tooMany: Bool = false) -> Result<BusMessage, ProblemError> {
    let nameBytes: ArraySlice<UInt8>
    let payload: [UInt8]
    switch frames.count {
    case 1:
      guard let zero = frames[0].firstIndex(of: 0) else { return .failure(.init(.noSeparator)) }
      nameBytes = frames[0][..<zero]
      payload = Array(frames[0][(zero + 1)...])
    case 2 where !tooMany:
      nameBytes = frames[0][...]
      payload = frames[1]
    default:
      return .failure(.init(.frames))
    }
    guard let name = checkName(nameBytes) else { return .failure(.init(.badName)) }
    return decode(name: name, payload: payload).map { $0 }
  }

  public static func decode(name: String, payload: [UInt8]) -> Result<BusMessage, ProblemError> {
    guard let first = payload.first(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0a && $0 != 0x0d }) else {
      return .success(BusMessage(name: name, payload: payload, content: payload.isEmpty ? [] : nil))
    }
    guard first == UInt8(ascii: "[") else {
      return .success(BusMessage(name: name, payload: payload, content: nil))
    }
    guard case .array(let items)? = try? JSONDecoder().decode(JSONValue.self, from: Data(payload)) else {
      return .failure(.init(.badJSON))
    }
    return .success(BusMessage(name: name, payload: payload, content: items))
  }

  public struct ProblemError: Error {
    public let problem: Problem
    init(_ p: Problem) { problem = p }
  }
}
