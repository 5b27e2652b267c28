#if canImport(Glibc)
import Glibc
#endif

/// A socket address for the apps' sockets: IPv4, IPv6 or a Unix path, kept
/// by value.
struct SocketAddr {
  var storage = sockaddr_storage()
  var length: socklen_t = 0

  var family: Int32 { Int32(storage.ss_family) }

  /// A numeric IPv4 or IPv6 address ("127.0.0.1", "::1", "[::1]"); nil for
  /// anything else (a name to resolve).
  static func numeric(_ host: String, port: Int) -> SocketAddr? {
    var h = host
    if h.hasPrefix("[") && h.hasSuffix("]") { h = String(h.dropFirst().dropLast()) }
    var a = SocketAddr()
    var sin = sockaddr_in()
    if inet_pton(AF_INET, h, &sin.sin_addr) == 1 {
      sin.sin_family = sa_family_t(AF_INET)
      sin.sin_port = UInt16(truncatingIfNeeded: port).bigEndian
      withUnsafeMutableBytes(of: &a.storage) { dst in withUnsafeBytes(of: sin) { dst.copyMemory(from: $0) } }
      a.length = socklen_t(MemoryLayout<sockaddr_in>.size)
      return a
    }
    var sin6 = sockaddr_in6()
    if inet_pton(AF_INET6, h, &sin6.sin6_addr) == 1 {
      sin6.sin6_family = sa_family_t(AF_INET6)
      sin6.sin6_port = UInt16(truncatingIfNeeded: port).bigEndian
      withUnsafeMutableBytes(of: &a.storage) { dst in withUnsafeBytes(of: sin6) { dst.copyMemory(from: $0) } }
      a.length = socklen_t(MemoryLayout<sockaddr_in6>.size)
      return a
    }
    return nil
  }

  /// A Unix socket path; nil if too long.
  static func unix(_ path: String) -> SocketAddr? {
    var sun = sockaddr_un()
    let bytes = Array(path.utf8)
    let room = MemoryLayout.size(ofValue: sun.sun_path)
    guard !bytes.isEmpty, bytes.count < room else { return nil }
    sun.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &sun.sun_path) { $0.copyBytes(from: bytes) }
    var a = SocketAddr()
    withUnsafeMutableBytes(of: &a.storage) { dst in withUnsafeBytes(of: sun) { dst.copyMemory(from: $0) } }
    a.length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + 1)
    return a
  }

  /// Host and port as text ("127.0.0.1", 80), a Unix path with port 0, or nil.
  var hostPort: (host: String, port: Int)? {
    var copy = storage
    return withUnsafePointer(to: &copy) { raw -> (String, Int)? in
      var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
      switch family {
      case AF_INET:
        return raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
          var addr = sin.pointee.sin_addr
          inet_ntop(AF_INET, &addr, &buffer, socklen_t(buffer.count))
          return (String(cString: buffer), Int(UInt16(bigEndian: sin.pointee.sin_port)))
        }
      case AF_INET6:
        return raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin6 in
          var addr = sin6.pointee.sin6_addr
          inet_ntop(AF_INET6, &addr, &buffer, socklen_t(buffer.count))
          return (String(cString: buffer), Int(UInt16(bigEndian: sin6.pointee.sin6_port)))
        }
      case AF_UNIX:
        return raw.withMemoryRebound(to: sockaddr_un.self, capacity: 1) { sun in
          let pathLen = Int(length) - MemoryLayout<sa_family_t>.size
          guard pathLen > 0 else { return ("unix:", 0) }
          let path = withUnsafeBytes(of: sun.pointee.sun_path) { b in
            String(decoding: b.prefix(pathLen).prefix { $0 != 0 }, as: UTF8.self)
          }
          return ("unix:" + path, 0)
        }
      default:
        return nil
      }
    }
  }

  /// "127.0.0.1:80", "[::1]:80", "unix:/path".
  var text: String {
    guard let (h, p) = hostPort else { return "?" }
    if family == AF_UNIX { return h }
    return family == AF_INET6 ? "[\(h)]:\(p)" : "\(h):\(p)"
  }

  func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
    var copy = storage
    return withUnsafePointer(to: &copy) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
    }
  }

  /// Fills an address from a call such as accept, recvfrom or getpeername.
  static func from(_ fill: (UnsafeMutablePointer<sockaddr>, UnsafeMutablePointer<socklen_t>) -> Int) -> (Int, SocketAddr) {
    var address = SocketAddr()
    address.length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    let result = withUnsafeMutablePointer(to: &address.storage) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { fill($0, &address.length) }
    }
    return (result, address)
  }
}

/// strerror, with a lower-case first letter, as the apps' socket errors read
/// ("connection refused").
func socketErrorText(_ code: Int32) -> String {
  let s = String(cString: strerror(code))
  guard let first = s.first else { return s }
  return first.lowercased() + s.dropFirst()
}

/// A byte queue for the apps' sockets: data lives in [head, tail) of one
/// malloc'd block, reused; taking from the front only moves `head`, and the
/// rest moves to the front only when room at the end runs out. A block past
/// 256 KiB is given back once the queue empties.
final class ByteQueue {
  private var storage: UnsafeMutableRawPointer?
  private var capacity = 0
  private var head = 0
  private var tail = 0

  deinit { free(storage) }

  var count: Int { tail - head }
  var isEmpty: Bool { tail == head }

  var readable: UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(start: storage.map { $0 + head }, count: count)
  }

  /// Room for `n` more bytes at the end; `commit` says how many were written.
  func reserve(_ n: Int) -> UnsafeMutableRawPointer {
    if capacity - tail < n {
      let live = count
      if head > 0 && live <= capacity / 2 && capacity - live >= n {
        memmove(storage!, storage! + head, live)
      } else {
        var newCapacity = Swift.max(capacity * 2, 16384)
        while newCapacity - live < n { newCapacity *= 2 }
        let block = malloc(newCapacity)!
        if live > 0 { memcpy(block, storage! + head, live) }
        free(storage)
        storage = block
        capacity = newCapacity
      }
      head = 0
      tail = live
    }
    return storage! + tail
  }

  func commit(_ n: Int) { tail += n }

  func append(_ b: UnsafeRawBufferPointer) {
    guard let base = b.baseAddress, b.count > 0 else { return }
    memcpy(reserve(b.count), base, b.count)
    commit(b.count)
  }

  /// The first `n` bytes, taken out.
  func take(_ n: Int) -> [UInt8] {
    let out = Array(UnsafeRawBufferPointer(rebasing: readable[0..<n]))
    drop(n)
    return out
  }

  func drop(_ n: Int) {
    head += n
    if head == tail {
      head = 0
      tail = 0
      if capacity > 256 * 1024 { removeAll() }
    }
  }

  func removeAll() {
    free(storage)
    storage = nil
    capacity = 0
    head = 0
    tail = 0
  }

  /// Where `pattern` first starts at or after `from`, or nil.
  func find(_ pattern: [UInt8], from: Int) -> Int? {
    let n = count, m = pattern.count
    guard m > 0, n - from >= m, let base = storage.map({ UnsafeRawPointer($0 + head) }) else { return nil }
    let first = Int32(pattern[0])
    var i = from
    while i <= n - m {
      // memchr for the first byte, then the rest compared in place.
      guard let hit = memchr(base + i, first, n - m + 1 - i) else { return nil }
      i = base.distance(to: UnsafeRawPointer(hit))
      var j = 1
      while j < m && base.load(fromByteOffset: i + j, as: UInt8.self) == pattern[j] { j += 1 }
      if j == m { return i }
      i += 1
    }
    return nil
  }
}
