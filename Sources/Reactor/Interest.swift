// What the loop watches a socket for, and what a wait reports about it. Only
// the backend (EventLoop+Epoll.swift) knows the kernel's bits; it converts at
// the edge, in watch/rewatch and when it hands out a round's events.
//
// The values are arbitrary as far as correctness goes. They are Linux's
// epoll bits all the same, so the backend's conversions fold to a mask (or
// to nothing) and the per-event path costs what it did with raw epoll bits.

/// The readiness a socket is watched for.
public struct Interest: OptionSet, Sendable {
  public let rawValue: UInt32

  @inline(__always) public init(rawValue: UInt32) { self.rawValue = rawValue }

  public static let readable = Interest(rawValue: 0x001)
  public static let writable = Interest(rawValue: 0x004)
}

/// The readiness one wait reported for a socket. `error` and `hangup` come
/// whatever the interest.
public struct Readiness: OptionSet, Sendable {
  public let rawValue: UInt32

  @inline(__always) public init(rawValue: UInt32) { self.rawValue = rawValue }

  public static let readable = Readiness(rawValue: 0x001)
  public static let writable = Readiness(rawValue: 0x004)
  public static let error = Readiness(rawValue: 0x008)
  public static let hangup = Readiness(rawValue: 0x010)
}
