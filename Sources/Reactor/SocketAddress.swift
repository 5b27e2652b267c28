#if canImport(Glibc)
import Glibc
#endif

/// A resolved socket address, kept by value so it outlives getaddrinfo's list.
struct SocketAddress {
  var storage = sockaddr_storage()
  var length: socklen_t = 0

  var family: Int32 { Int32(storage.ss_family) }

  /// "127.0.0.1:6653", "[::1]:6653", or "unix" for anything else.
  var text: String {
    let (host, port) = hostAndPort
    guard let host else { return "unix" }
    return family == AF_INET6 ? "[\(host)]:\(port)" : "\(host):\(port)"
  }

  var port: UInt16 { hostAndPort.port }

  private var hostAndPort: (host: String?, port: UInt16) {
    var copy = storage
    return withUnsafePointer(to: &copy) { raw -> (String?, UInt16) in
      var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
      switch family {
      case AF_INET:
        return raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
          var addr = sin.pointee.sin_addr
          inet_ntop(AF_INET, &addr, &buffer, socklen_t(buffer.count))
          return (String(cString: buffer), UInt16(bigEndian: sin.pointee.sin_port))
        }
      case AF_INET6:
        return raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin6 in
          var addr = sin6.pointee.sin6_addr
          inet_ntop(AF_INET6, &addr, &buffer, socklen_t(buffer.count))
          return (String(cString: buffer), UInt16(bigEndian: sin6.pointee.sin6_port))
        }
      default:
        return (nil, 0)
      }
    }
  }

  func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
    var copy = storage
    return withUnsafePointer(to: &copy) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
    }
  }

  /// Fills an address from a call such as accept or getsockname.
  static func from(_ fill: (UnsafeMutablePointer<sockaddr>, UnsafeMutablePointer<socklen_t>) -> Int32) -> (Int32, SocketAddress) {
    var address = SocketAddress()
    address.length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    let result = withUnsafeMutablePointer(to: &address.storage) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { fill($0, &address.length) }
    }
    return (result, address)
  }

  /// TCP addresses for `host` ("0.0.0.0", "::1", "localhost", ...), in
  /// getaddrinfo's order. `passive` asks for addresses to bind.
  static func resolve(host: String, port: UInt16, passive: Bool) throws -> [SocketAddress] {
    var hints = addrinfo()
    hints.ai_family = AF_UNSPEC
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0)
    var list: UnsafeMutablePointer<addrinfo>?
    let code = getaddrinfo(host, String(port), &hints, &list)
    guard code == 0 else {
      let why = code == EAI_SYSTEM ? errorText(errno) : String(cString: gai_strerror(code))
      throw ReactorError("cannot resolve \(host): \(why)")
    }
    defer { freeaddrinfo(list) }
    var result: [SocketAddress] = []
    var node = list
    while let info = node {
      if let addr = info.pointee.ai_addr, info.pointee.ai_family == AF_INET || info.pointee.ai_family == AF_INET6 {
        var address = SocketAddress()
        address.length = info.pointee.ai_addrlen
        withUnsafeMutableBytes(of: &address.storage) {
          $0.copyMemory(from: UnsafeRawBufferPointer(start: addr, count: Int(info.pointee.ai_addrlen)))
        }
        result.append(address)
      }
      node = info.pointee.ai_next
    }
    guard !result.isEmpty else { throw ReactorError("cannot resolve \(host): no IPv4 or IPv6 address") }
    return result
  }
}

func localAddress(of fd: Int32) -> SocketAddress? {
  let (result, address) = SocketAddress.from { getsockname(fd, $0, $1) }
  guard result == 0, address.family == AF_INET || address.family == AF_INET6 else { return nil }
  return address
}

func setNoDelay(_ fd: Int32) {
  var on: Int32 = 1
  // Fails harmlessly on non-TCP sockets; batching is done by the flush step.
  _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
}
