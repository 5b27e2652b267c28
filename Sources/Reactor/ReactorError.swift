#if canImport(Glibc)
import Glibc
#endif

/// An error from the reactor; `message` says what was attempted and why it failed.
public struct ReactorError: Error, CustomStringConvertible {
  public let message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }

  /// `what: strerror(code)`, for failed system calls.
  static func system(_ what: String, _ code: Int32 = errno) -> ReactorError {
    ReactorError("\(what): \(errorText(code))")
  }
}

func errorText(_ code: Int32) -> String {
  String(cString: strerror(code))
}
