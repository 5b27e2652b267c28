#if canImport(Glibc)
import Glibc
#endif

// Creating sockets: listening, connecting, and adopting an existing one.
extension EventLoop {
  /// Listens on the first address of `host` that binds. "::" and "0.0.0.0"
  /// on one port can coexist (IPv6 sockets are IPV6_V6ONLY). `port` 0 lets the
  /// kernel choose; `Listener.port` tells which.
  public func listen(host: String, port: UInt16, onAccept: @escaping (Connection) -> Void) throws -> Listener {
    var firstError: ReactorError?
    for address in try SocketAddress.resolve(host: host, port: port, passive: true) {
      do {
        return try listen(on: address, onAccept: onAccept)
      } catch let error as ReactorError {
        firstError = firstError ?? error
      }
    }
    throw firstError!
  }

  private func listen(on address: SocketAddress, onAccept: @escaping (Connection) -> Void) throws -> Listener {
    let fd = socket(address.family, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw ReactorError.system("listen on \(address.text): socket") }
    func fail(_ step: String) -> ReactorError {
      let error = ReactorError.system("listen on \(address.text): \(step)")
      Glibc.close(fd)
      return error
    }
    var on: Int32 = 1
    let size = socklen_t(MemoryLayout<Int32>.size)
    guard setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, size) == 0 else { throw fail("SO_REUSEADDR") }
    if address.family == AF_INET6 {
      guard setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &on, size) == 0 else { throw fail("IPV6_V6ONLY") }
    }
    guard address.withSockaddr({ bind(fd, $0, $1) }) == 0 else { throw fail("bind") }
    guard Glibc.listen(fd, SOMAXCONN) == 0 else { throw fail("listen") }
    guard let bound = localAddress(of: fd) else { throw fail("getsockname") }
    let token = nextListenerToken
    nextListenerToken += 1
    do {
      try watch(fd: fd, token: token, interest: .readable)
    } catch {
      Glibc.close(fd)
      throw error
    }
    let listener = Listener(fd: fd, token: token, address: bound, loop: self, onAccept: onAccept)
    listeners[token] = listener
    return listener
  }

  /// Starts a non-blocking connect to the first address of `host` that does
  /// not fail at once. Output written before the connect completes is sent
  /// after; a failure shows as `connectionClosed` with the reason.
  public func connect(host: String, port: UInt16) throws -> Connection {
    var firstError: ReactorError?
    for address in try SocketAddress.resolve(host: host, port: port, passive: false) {
      let fd = socket(address.family, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
      guard fd >= 0 else {
        firstError = firstError ?? ReactorError.system("connect to \(address.text): socket")
        continue
      }
      let result = address.withSockaddr { Glibc.connect(fd, $0, $1) }
      if result != 0 && errno != EINPROGRESS {
        firstError = firstError ?? ReactorError.system("connect to \(address.text)")
        Glibc.close(fd)
        continue
      }
      if result == 0 { setNoDelay(fd) }
      guard let connection = register(fd: fd, peer: address.text, connecting: result != 0) else {
        throw ReactorError.system("connect to \(address.text): epoll_ctl")
      }
      return connection
    }
    throw firstError!
  }

  /// Wraps a socket someone else opened (a socketpair end in tests); the loop
  /// makes it non-blocking and owns it from now on. If it cannot be watched
  /// (not a valid descriptor) the connection comes back already closed.
  public func adopt(fd: Int32, peer: String) -> Connection {
    let flags = fcntl(fd, F_GETFL)
    if flags >= 0 { _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK) }
    _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    if let connection = register(fd: fd, peer: peer, connecting: false) { return connection }
    let dead = Connection(id: nextConnectionID, fd: fd, peer: peer, loop: self, connecting: false)
    nextConnectionID += 1
    dead.closeQuietly()
    return dead
  }

  /// Adds a connected (or connecting) socket to the loop; nil, with the fd
  /// closed, if epoll refuses it.
  func register(fd: Int32, peer: String, connecting: Bool) -> Connection? {
    let id = nextConnectionID
    let interest: Interest = connecting ? .writable : .readable
    do {
      try watch(fd: fd, token: UInt64(id), interest: interest)
    } catch {
      Glibc.close(fd)
      return nil
    }
    nextConnectionID += 1
    let connection = Connection(id: id, fd: fd, peer: peer, loop: self, connecting: connecting)
    connection.interest = interest
    connections[id] = connection
    return connection
  }
}
