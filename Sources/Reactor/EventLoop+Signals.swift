import CEpoll
#if canImport(Glibc)
import Glibc
#endif

// Signals arrive through one signalfd per loop, so handlers run as ordinary
// code inside a round, never in async-signal context.
extension EventLoop {
  /// Blocks `signals` (for this thread and threads it starts afterwards; call
  /// it before starting others) and calls `fn` with the signal number in the
  /// round after each arrives. Several registrations for one signal all run,
  /// in registration order.
  public func onSignals(_ signals: [Int32], _ fn: @escaping (Int32) -> Void) throws {
    guard !signals.isEmpty else { return }
    let all = Array(Set(signalHandlers.keys).union(signals)).sorted()
    let fd = all.withUnsafeBufferPointer {
      zr_signalfd(signalFD, $0.baseAddress, Int32($0.count))
    }
    guard fd >= 0 else {
      throw ReactorError.system("signalfd for signals \(signals.map(String.init).joined(separator: ", "))")
    }
    if signalFD < 0 {
      do {
        try watch(fd: fd, token: Token.signal, interest: .readable)
      } catch {
        Glibc.close(fd)
        throw error
      }
      signalFD = fd
    }
    for signal in Set(signals) { signalHandlers[signal, default: []].append(fn) }
  }

  func drainSignals() {
    while true {
      let signal = zr_signalfd_read(signalFD)
      guard signal > 0 else { return }  // EAGAIN: all taken
      for handler in signalHandlers[signal] ?? [] { handler(signal) }
    }
  }
}
