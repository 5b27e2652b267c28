import CEpoll
#if canImport(Glibc)
import Glibc
#endif

// The epoll backend: registration and the dispatch of one wait's events.
// Level-triggered throughout, so anything left unread is reported again next
// round and no readiness is ever lost. The only file of the reactor that knows
// epoll's bits: the rest speaks Interest and Readiness.
extension EventLoop {
  func watch(fd: Int32, token: UInt64, interest: Interest) throws {
    if zr_epoll_ctl(epollFD, Int32(ZR_CTL_ADD), fd, interest.epollEvents, token) != 0 {
      throw ReactorError.system("epoll_ctl(ADD, fd \(fd))")
    }
  }

  /// Changes interest; failures are impossible for a registered fd short of
  /// a bug, so they trap.
  func rewatch(fd: Int32, token: UInt64, interest: Interest) {
    if zr_epoll_ctl(epollFD, Int32(ZR_CTL_MOD), fd, interest.epollEvents, token) != 0 {
      fatalError("epoll_ctl(MOD, fd \(fd)): \(errorText(errno))")
    }
  }

  func unwatch(fd: Int32) {
    _ = zr_epoll_ctl(epollFD, Int32(ZR_CTL_DEL), fd, 0, 0)
  }

  /// Returns how many events were stored in `events`.
  func waitForEvents(timeoutMS: Int32) -> Int {
    let n = zr_epoll_wait(epollFD, events, Int32(eventCapacity), timeoutMS)
    if n < 0 {
      if errno == EINTR { return 0 }
      fatalError("epoll_wait: \(errorText(errno))")
    }
    return Int(n)
  }

  /// Connections first: one read each, then their delegates.
  func dispatchConnections(_ count: Int) {
    for i in 0..<count {
      let event = events[i]
      guard event.data < Token.targetBase else { continue }
      // A connection closed earlier in this round is gone from the table, and
      // ids are never reused, so a stale event finds nothing.
      guard let connection = connections[Int(event.data)] else { continue }
      connection.handle(Readiness(epollEvents: event.events))
    }
  }

  /// Listeners, signals and foreign targets, after the connections.
  func dispatchListenersAndSignals(_ count: Int) {
    for i in 0..<count {
      let token = events[i].data
      if token == Token.signal {
        drainSignals()
      } else if token >= Token.listenerBase, let listener = listeners[token] {
        listener.acceptReady()
      } else if token >= Token.targetBase, let target = targets[token] {
        target.handle(Readiness(epollEvents: events[i].events))
      }
    }
  }
}

extension Interest {
  /// The epoll events that ask for this interest.
  @inline(__always) var epollEvents: UInt32 {
    movedBit(rawValue, Interest.readable.rawValue, UInt32(ZR_EPOLLIN))
      | movedBit(rawValue, Interest.writable.rawValue, UInt32(ZR_EPOLLOUT))
  }
}

extension Readiness {
  /// What one epoll event reports; bits other than these four are dropped.
  @inline(__always) init(epollEvents e: UInt32) {
    self.init(rawValue: movedBit(e, UInt32(ZR_EPOLLIN), Readiness.readable.rawValue)
      | movedBit(e, UInt32(ZR_EPOLLOUT), Readiness.writable.rawValue)
      | movedBit(e, UInt32(ZR_EPOLLERR), Readiness.error.rawValue)
      | movedBit(e, UInt32(ZR_EPOLLHUP), Readiness.hangup.rawValue))
  }
}

/// Bit `from` of `bits`, moved to where bit `to` is (both single bits). Shifts
/// rather than tests, so the conversions above stay free of branches and fold
/// to one mask when the positions coincide.
@inline(__always) private func movedBit(_ bits: UInt32, _ from: UInt32, _ to: UInt32) -> UInt32 {
  ((bits & from) &>> from.trailingZeroBitCount) &<< to.trailingZeroBitCount
}
