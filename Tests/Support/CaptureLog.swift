import Logging

/// Log lines kept in memory, as "level message".
public final class CaptureLog: @unchecked Sendable {
  public private(set) var lines: [String] = []
  public init() {}

  public var logger: Logger {
    var l = Logger(label: "zofhost") { _ in Handler(sink: self) }
    l.logLevel = .debug
    return l
  }

  public func clear() { lines.removeAll() }

  struct Handler: LogHandler {
    let sink: CaptureLog
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .debug
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
      get { metadata[key] }
      set { metadata[key] = newValue }
    }
    func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
      sink.lines.append("\(level) \(message)")
    }
  }
}
