import Foundation
import Reactor
#if canImport(Glibc)
import Glibc
#endif

/// Resolves host names for the apps' sockets without blocking the loop:
/// getaddrinfo runs on one helper thread, which hands each answer back
/// through a pipe the loop watches as a target. Numeric addresses never come
/// here. The thread starts with the first lookup and ends with `close`.
final class AppResolver {
  enum Answer {
    case success([SocketAddr])
    case failure(String)
  }

  private let lock = NSCondition()
  /// Lookups for the thread: (id, host, port, datagram).
  private var jobs: [(Int, String, Int, Bool)] = []
  private var answers: [(Int, Answer)] = []
  private var closed = false
  private var started = false
  private var readEnd: Int32 = -1
  private var writeEnd: Int32 = -1
  private var target: Target?
  private var waiting: [Int: (Answer) -> Void] = [:]
  private var nextID = 0
  private unowned let loop: EventLoop

  init(loop: EventLoop) {
    self.loop = loop
  }

  deinit { close() }

  /// Starts a lookup; `done` is called in a later round, unless `cancel(id)`
  /// comes first. Returns the lookup's id.
  func lookup(host: String, port: Int, datagram: Bool, _ done: @escaping (Answer) -> Void) -> Int {
    nextID += 1
    let id = nextID
    if !started {
      started = true
      start()
    }
    guard target != nil else {
      // No pipe: the answer cannot come back; say so at once, in a later round.
      loop.addTimer(after: 0) { done(.failure("\(host) could not be resolved (no resolver)")) }
      return id
    }
    waiting[id] = done
    lock.lock()
    jobs.append((id, host, port, datagram))
    lock.signal()
    lock.unlock()
    return id
  }

  func cancel(_ id: Int) { waiting[id] = nil }

  /// Stops the thread (after the lookup it is in, if any) and forgets every
  /// lookup; nothing is called back.
  func close() {
    lock.lock()
    closed = true
    jobs = []
    answers = []
    if writeEnd >= 0 { Glibc.close(writeEnd) }
    writeEnd = -1
    lock.signal()
    lock.unlock()
    target?.close(reason: "resolver closed")
    target = nil
    waiting = [:]
  }

  private func start() {
    var fds: [Int32] = [-1, -1]
    guard pipe(&fds) == 0 else { return }
    _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
    _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
    readEnd = fds[0]
    writeEnd = fds[1]
    do {
      target = try loop.addTarget(fd: readEnd, interest: .readable) { [unowned self] t, _ in
        var sink = [UInt8](repeating: 0, count: 64)
        _ = read(t.fd, &sink, sink.count)
        self.deliver()
      }
    } catch {
      Glibc.close(readEnd)
      Glibc.close(writeEnd)
      writeEnd = -1
      return
    }
    let thread = Thread { [lock] in
      // The thread holds only what it needs; the resolver may go first.
      Self.work(lock: lock, resolver: self)
    }
    thread.name = "zofhost-resolver"
    thread.start()
  }

  private static func work(lock: NSCondition, resolver: AppResolver) {
    while true {
      lock.lock()
      while resolver.jobs.isEmpty && !resolver.closed { lock.wait() }
      if resolver.closed {
        lock.unlock()
        return
      }
      let (id, host, port, datagram) = resolver.jobs.removeFirst()
      lock.unlock()
      let answer = resolve(host: host, port: port, datagram: datagram)
      lock.lock()
      if !resolver.closed {
        resolver.answers.append((id, answer))
        var one: UInt8 = 1
        _ = write(resolver.writeEnd, &one, 1)
      }
      lock.unlock()
    }
  }

  private func deliver() {
    lock.lock()
    let ready = answers
    answers = []
    lock.unlock()
    for (id, answer) in ready {
      if let done = waiting.removeValue(forKey: id) { done(answer) }
    }
  }

  /// getaddrinfo, blocking: IPv4 and IPv6 addresses in its order.
  static func resolve(host: String, port: Int, datagram: Bool) -> Answer {
    var hints = addrinfo()
    hints.ai_family = AF_UNSPEC
    hints.ai_socktype = Int32(datagram ? SOCK_DGRAM.rawValue : SOCK_STREAM.rawValue)
    hints.ai_flags = AI_NUMERICSERV
    var list: UnsafeMutablePointer<addrinfo>?
    let code = getaddrinfo(host, String(port), &hints, &list)
    guard code == 0 else {
      let why = code == EAI_SYSTEM ? socketErrorText(errno) : String(cString: gai_strerror(code))
      return .failure("\(host) could not be resolved (\(why))")
    }
    defer { freeaddrinfo(list) }
    var result: [SocketAddr] = []
    var node = list
    while let info = node {
      if let addr = info.pointee.ai_addr, info.pointee.ai_family == AF_INET || info.pointee.ai_family == AF_INET6 {
        var a = SocketAddr()
        a.length = info.pointee.ai_addrlen
        withUnsafeMutableBytes(of: &a.storage) {
          $0.copyMemory(from: UnsafeRawBufferPointer(start: addr, count: Int(info.pointee.ai_addrlen)))
        }
        result.append(a)
      }
      node = info.pointee.ai_next
    }
    return result.isEmpty ? .failure("\(host) could not be resolved (no IPv4 or IPv6 address)") : .success(result)
  }
}
