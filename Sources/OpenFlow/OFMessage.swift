/// A whole OpenFlow message in the schema: `{type = "FLOW_MOD", msg = {...}}`
/// plus the header fields.
public struct OFMessage: Equatable, Sendable {
  public var version: UInt8
  /// Schema type name: "PACKET_IN", "FLOW_MOD", "REQUEST.PORT_DESC", "REPLY.DESC", ...
  public var type: String
  public var xid: UInt32
  public var msg: OFValue

  public init(version: UInt8, type: String, xid: UInt32 = 0, msg: OFValue = .emptyTable) {
    self.version = version
    self.type = type
    self.xid = xid
    self.msg = msg
  }
}

/// Wire versions.
public enum OFVersion {
  public static let v1_0: UInt8 = 1
  public static let v1_1: UInt8 = 2
  public static let v1_2: UInt8 = 3
  public static let v1_3: UInt8 = 4
  public static let v1_4: UInt8 = 5
  public static let v1_5: UInt8 = 6

  public static func name(_ v: UInt8) -> String {
    (1...6).contains(v) ? "1.\(v - 1)" : "0x" + String(v, radix: 16)
  }

  /// "1.3" or "4" to a wire version.
  public static func parse(_ text: String) -> UInt8? {
    if text.hasPrefix("1."), let minor = UInt8(text.dropFirst(2)), minor <= 5 { return minor + 1 }
    if let n = UInt8(text), (1...6).contains(n) { return n }
    return nil
  }
}

/// A decode or encode failure: which message, where, and why.
public struct OFCodecError: Error, Equatable, CustomStringConvertible, Sendable {
  public var messageType: String
  public var offset: Int
  public var reason: String

  public init(_ messageType: String, offset: Int, _ reason: String) {
    self.messageType = messageType
    self.offset = offset
    self.reason = reason
  }

  public var description: String { "\(messageType) at offset \(offset): \(reason)" }
}
