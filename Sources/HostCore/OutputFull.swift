/// A send refused because the switch takes nothing in: its output backlog
/// would pass the loop's `outputLimit` (`EventLoop.outputLimit`). The app's
/// send raises this at its line; the connection stays up (until it is found
/// stuck, or its echo times out).
public struct OutputFull: Error, CustomStringConvertible {
  public let datapath: String
  public let peer: String
  /// Bytes waiting to be written, and the limit a send may not take them past.
  public let backlog: Int
  public let limit: Int

  public var description: String {
    "switch \(datapath) (\(peer)) is not reading: \(Self.mib(backlog)) of output waits for it, at the limit of \(Self.mib(limit))"
  }

  static func mib(_ n: Int) -> String {
    let tenths = (n * 10 + (1 << 19)) >> 20
    return "\(tenths / 10).\(tenths % 10) MiB"
  }
}
