import Reactor
#if canImport(Glibc)
import Glibc
#endif

/// An app's socket (zof.tcp, zof.udp): a non-blocking TCP, Unix or UDP
/// socket on the host's loop, as a Reactor target.
///
/// Operations never block and never call back synchronously. One that cannot
/// finish at once answers `.wait` and remembers what it waits for; the
/// socket watches for exactly that and calls `onWake` (in a later round)
/// once it may go on: the caller then asks again (`receive` again, or
/// `status` for what was started: a connect, a send over the bound, a
/// datagram). `stopWaiting` ends a wait (a timeout, a cancelled task).
///
/// Data comes in only in the loop's rounds, one read (at most `readChunk`
/// bytes, or `datagramsPerRound` datagrams) per socket per round, and only
/// while a receive waits: a flood on an app's socket cannot starve the
/// switches, and what nobody asks for stays in the kernel (TCP backpressure).
public final class AppSocket {
  public enum Kind { case tcp, udp }

  /// What an operation came to.
  public enum Outcome: Equatable {
    case done
    case wait
    case failed(String)
  }

  /// What a receive asks for.
  public enum ReceiveMode {
    /// Exactly this many bytes.
    case size(Int)
    /// A line: up to "\n", which is dropped, with a "\r" before it.
    case line
    /// Everything up to the end of the stream.
    case all
    /// Up to the pattern, which is consumed (returned too when `inclusive`).
    /// With `max`, at most that many bytes per call, ending with an empty
    /// piece once the pattern is reached (see `receive`).
    case until([UInt8], inclusive: Bool, max: Int?)
  }

  public enum Received {
    /// The data went to the receive's `body`.
    case data
    /// The pattern of an `until` with `max` was reached: this part is over.
    case partEnd
    case wait
    /// The partial data (what had come in, consumed) went to the receive's `body`.
    case failed(String)
  }

  /// Most bytes one receive may return (and so be buffered for): past it a
  /// receive fails with "too large".
  public static let maxReceive = 16 * 1024 * 1024
  /// A send waits while more than this is queued.
  public static let outputBound = 1024 * 1024
  /// Bytes read from one socket in one round.
  public static let readChunk = 64 * 1024
  /// Datagrams read from one socket in one round (and kept, at most, until received).
  public static let datagramsPerRound = 64
  public static let maxDatagram = 65536

  public let kind: Kind
  let net: AppNet
  var loop: EventLoop { net.loop }
  var target: Target?
  enum State { case idle, resolving, connecting, connected, closed }
  var state = State.idle
  /// Where a connect goes next: the addresses a name resolved to, in order.
  var addresses: [SocketAddr] = []
  var addressIndex = 0
  var lookup: Int?
  /// Why the last connect, or the stream, failed.
  var failure: String?
  var eof = false
  let input = ByteQueue()
  let output = ByteQueue()
  var datagrams: [([UInt8], SocketAddr)] = []
  /// A datagram that found the socket's buffer full, waiting for room.
  var pendingDatagram: ([UInt8], SocketAddr?)?
  /// Where the search for a line or pattern can start again.
  var scanned = 0

  /// What a wait is for. A socket has two: a read (a receive) and a write
  /// (a connect, a send past the bound, a datagram), which may wait at once.
  public enum Side: Int { case read = 0, write = 1 }
  enum Waiting { case none, connect, read(ReceiveMode), write, datagramRead, datagramWrite }
  var readWait = Waiting.none
  var writeWait = Waiting.none
  /// Called in a round, once the operation of that side that answered
  /// `.wait` may go on.
  public var onWake: ((Side) -> Void)?

  /// A socket with no descriptor yet (connect or the first datagram makes it).
  init(kind: Kind, net: AppNet) {
    self.kind = kind
    self.net = net
  }

  /// A connected socket: one a listener accepted.
  init(accepted fd: Int32, net: AppNet) throws {
    kind = .tcp
    self.net = net
    try attach(fd, interest: [])
    state = .connected
  }

  deinit { target?.closeSilently() }

  public var isOpen: Bool { target != nil || state == .resolving }
  public var isConnected: Bool { state == .connected }
  public var outputCount: Int { output.count }
  public var inputCount: Int { input.count }

  // MARK: connecting

  /// Connects to `host` ("unix:/path", a numeric IPv4 or IPv6 address, or a
  /// name, resolved off the loop) and `port`. A UDP socket only fixes its peer.
  public func connect(host: String, port: Int) -> Outcome {
    switch state {
    case .connected: return .failed("already connected")
    case .resolving, .connecting: return .failed("a connect is in progress")
    case .idle, .closed: break
    }
    reset()
    if host.hasPrefix("unix:") {
      guard let a = SocketAddr.unix(String(host.dropFirst(5))) else { return .failed("bad unix socket path") }
      addresses = [a]
    } else if let a = SocketAddr.numeric(host, port: port) {
      addresses = [a]
    } else {
      state = .resolving
      writeWait = .connect
      lookup = net.resolver.lookup(host: host, port: port, datagram: kind == .udp) { [weak self] answer in
        guard let self, self.state == .resolving else { return }
        self.lookup = nil
        switch answer {
        case .success(let list):
          self.addresses = list
          self.tryConnect()
        case .failure(let why):
          self.state = .closed
          self.failure = why
        }
        if self.state != .connecting { self.wake(.write) }
      }
      return .wait
    }
    tryConnect()
    switch state {
    case .connected: return .done
    case .connecting:
      writeWait = .connect
      return .wait
    default: return .failed(failure ?? "connect failed")
    }
  }

  /// From the next address on: a socket of its family, a non-blocking connect.
  private func tryConnect() {
    while addressIndex < addresses.count {
      let a = addresses[addressIndex]
      addressIndex += 1
      let type = kind == .udp ? SOCK_DGRAM : SOCK_STREAM
      let fd = socket(a.family, Int32(type.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
      guard fd >= 0 else {
        failure = socketErrorText(errno)
        continue
      }
      let r = a.withSockaddr { Glibc.connect(fd, $0, $1) }
      let code = errno
      if r != 0 && code != EINPROGRESS {
        Glibc.close(fd)
        failure = socketErrorText(code)
        continue
      }
      do {
        try attach(fd, interest: r == 0 ? [] : .writable)
      } catch {
        Glibc.close(fd)
        failure = "\(error)"
        continue
      }
      if r == 0 {
        connected()
      } else {
        state = .connecting
      }
      return
    }
    state = .closed
  }

  private func connected() {
    state = .connected
    failure = nil
    if kind == .tcp, let fd = target?.fd {
      var on: Int32 = 1
      _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
    }
    updateInterest()
  }

  private func attach(_ fd: Int32, interest: Interest) throws {
    target = try loop.addTarget(fd: fd, interest: interest) { [unowned self] _, ready in self.ready(ready) }
  }

  /// How what was started (connect, a send over the bound, a datagram) went.
  public func status() -> Outcome {
    switch writeWait {
    case .none:
      if state == .connecting || state == .resolving { return .wait }
      if let failure {
        // A datagram's failure is told once; a stream's stays.
        if kind == .udp { self.failure = nil }
        return .failed(failure)
      }
      return state == .closed ? .failed("closed") : .done
    case .connect:
      return .wait
    case .write:
      if let failure { return .failed(failure) }
      return output.count > Self.outputBound ? .wait : .done
    case .datagramWrite:
      return pendingDatagram == nil ? (failure.map { .failed($0) } ?? .done) : .wait
    case .read, .datagramRead:
      return .wait
    }
  }

  // MARK: streams

  /// Takes what `mode` asks for from what came in, handing it to `body`
  /// before it is dropped (its bytes are valid only there), or says to wait.
  /// A failure hands `body` the partial data: all that had come in.
  public func receive(_ mode: ReceiveMode, _ body: (UnsafeRawBufferPointer) -> Void) -> Received {
    guard kind == .tcp else { return .failed("not a stream socket") }
    guard state == .connected, target != nil else { return .failed(failure ?? "closed") }
    if case .size(let n) = mode, n > Self.maxReceive { return .failed("too large") }
    if let (length, consumed) = match(mode) {
      if length < 0 {
        input.drop(consumed)
        return .partEnd
      }
      body(UnsafeRawBufferPointer(rebasing: input.readable[0..<length]))
      input.drop(consumed)
      scanned = 0
      return .data
    }
    if eof || failure != nil || input.count >= Self.maxReceive {
      // The end of the stream, an error, or no room for more: what came in
      // goes out, as "*a"'s data or as the failure's partial data.
      let why = failure ?? (eof ? "closed" : "too large")
      let all = input.count
      body(input.readable)
      input.drop(all)
      scanned = 0
      if case .all = mode, eof, failure == nil { return .data }
      return .failed(why)
    }
    readWait = .read(mode)
    updateInterest()
    return .wait
  }

  /// What came in and nobody took (a receive that timed out gives it as its partial data).
  public func takeInput() -> [UInt8] {
    scanned = 0
    return input.take(input.count)
  }

  /// Where the answer to `mode` is in the input, if it is there: the
  /// length of the data at its front, and how much to drop with it (a
  /// length of -1: a pattern read in pieces was reached, nothing to give).
  private func match(_ mode: ReceiveMode) -> (Int, Int)? {
    switch mode {
    case .size(let n):
      return input.count >= n ? (n, n) : nil
    case .all:
      return nil
    case .line:
      guard let at = input.find([10], from: scanned) else {
        scanned = input.count
        return nil
      }
      let cr = at > 0 && input.readable[at - 1] == 13
      return (cr ? at - 1 : at, at + 1)
    case .until(let pattern, let inclusive, let max):
      let from = Swift.max(0, scanned - pattern.count + 1)
      if let at = input.find(pattern, from: from) {
        if let max {
          // In pieces: the data before the pattern, then the part's end.
          if at == 0 { return (-1, pattern.count) }
          return (Swift.min(at, max), Swift.min(at, max))
        }
        return (inclusive ? at + pattern.count : at, at + pattern.count)
      }
      scanned = input.count
      // Bytes that cannot be the start of the pattern may go out in pieces of `max`.
      if let max, input.count - (pattern.count - 1) >= max { return (max, max) }
      return nil
    }
  }

  /// Queues `bytes`, written at once as far as the socket takes them. `.wait`
  /// when more than the bound is queued: `status` says when it has drained.
  public func send(_ bytes: UnsafeRawBufferPointer) -> Outcome {
    guard kind == .tcp else { return sendDatagram(bytes, to: nil) }
    guard state == .connected, target != nil else { return .failed(failure ?? "closed") }
    if let failure { return .failed(failure) }
    var rest = bytes
    if output.isEmpty, let fd = target?.fd, !bytes.isEmpty {
      // Nothing queued: straight from the caller's bytes, the rest queued.
      let n = Glibc.send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
      if n > 0 {
        rest = UnsafeRawBufferPointer(rebasing: bytes[n...])
      } else if n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR {
        failure = socketErrorText(errno)
        return .failed(failure!)
      }
    }
    output.append(rest)
    updateInterest()
    if let failure { return .failed(failure) }
    if output.count > Self.outputBound {
      writeWait = .write
      updateInterest()
      return .wait
    }
    return .done
  }

  /// One write of what is queued.
  private func flush() {
    guard let fd = target?.fd, !output.isEmpty else { return }
    let pending = output.readable
    let n = Glibc.send(fd, pending.baseAddress, pending.count, Int32(MSG_NOSIGNAL))
    if n > 0 {
      output.drop(n)
    } else if n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR {
      failure = socketErrorText(errno)
      output.removeAll()
    }
    updateInterest()
  }

  // MARK: datagrams

  /// Sends one datagram, to the connected peer or `to`.
  public func sendDatagram(_ bytes: UnsafeRawBufferPointer, to: (host: String, port: Int)?) -> Outcome {
    if pendingDatagram != nil { return .failed("a datagram is waiting to be sent") }
    var addr: SocketAddr? = nil
    if let to {
      guard let a = to.host.hasPrefix("unix:") ? SocketAddr.unix(String(to.host.dropFirst(5)))
                                                : SocketAddr.numeric(to.host, port: to.port) else {
        return .failed("sendto needs a numeric address or unix:path, not \(to.host)")
      }
      addr = a
      if target == nil {
        let fd = socket(a.family, Int32(SOCK_DGRAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return .failed(socketErrorText(errno)) }
        do { try attach(fd, interest: []) } catch {
          Glibc.close(fd)
          return .failed("\(error)")
        }
        state = .connected
      }
    } else if state != .connected {
      return .failed("not connected: setpeername first")
    }
    guard target != nil else { return .failed("closed") }
    switch trySend(bytes, addr) {
    case .done: return .done
    case .failed(let why): return .failed(why)
    case .wait:
      pendingDatagram = (Array(bytes), addr)
      writeWait = .datagramWrite
      updateInterest()
      return .wait
    }
  }

  private func trySend(_ bytes: UnsafeRawBufferPointer, _ addr: SocketAddr?) -> Outcome {
    guard let fd = target?.fd else { return .failed("closed") }
    let n: Int
    if let addr {
      n = addr.withSockaddr { sendto(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL), $0, $1) }
    } else {
      n = Glibc.send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
    }
    if n >= 0 { return .done }
    if errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS { return .wait }
    return .failed(socketErrorText(errno))
  }

  public enum ReceivedDatagram {
    case data([UInt8], host: String, port: Int)
    case wait
    case failed(String)
  }

  /// One datagram that came in, with where from.
  public func receiveDatagram() -> ReceivedDatagram {
    guard kind == .udp else { return .failed("not a datagram socket") }
    guard target != nil else { return .failed(failure ?? "closed") }
    if !datagrams.isEmpty {
      let (bytes, from) = datagrams.removeFirst()
      let hp = from.hostPort ?? ("", 0)
      return .data(bytes, host: hp.host, port: hp.port)
    }
    if let why = failure {
      failure = nil
      return .failed(why)
    }
    readWait = .datagramRead
    updateInterest()
    return .wait
  }

  // MARK: the loop's side

  public func stopWaiting(_ side: Side) {
    guard side == .write else {
      readWait = .none
      updateInterest()
      return
    }
    switch writeWait {
    case .connect:
      // A connect that ran out of time is abandoned.
      if let lookup { net.resolver.cancel(lookup) }
      lookup = nil
      target?.close(reason: "connect abandoned")
      target = nil
      state = .closed
    case .datagramWrite:
      pendingDatagram = nil
    default: break
    }
    writeWait = .none
    updateInterest()
  }

  private func wake(_ side: Side) {
    if side == .read { readWait = .none } else { writeWait = .none }
    updateInterest()
    onWake?(side)
  }

  /// Readable while a receive waits; writable while connecting, a datagram
  /// waits, or output is queued.
  private func updateInterest() {
    guard let target else { return }
    var want: Interest = []
    if case .none = readWait {} else { want.insert(.readable) }
    switch writeWait {
    case .connect, .datagramWrite: want.insert(.writable)
    default: break
    }
    if state == .connecting || (!output.isEmpty && failure == nil) { want.insert(.writable) }
    target.setInterest(want)
  }

  nonisolated(unsafe) private static var scratch = UnsafeMutableRawPointer.allocate(byteCount: maxDatagram, alignment: 16)

  private func ready(_ ready: Readiness) {
    guard let target else { return }
    if drainTimer != nil {
      // Closed with output queued: written out, then closed for good.
      flush()
      if output.isEmpty || failure != nil { abort() } else { target.setInterest(.writable) }
      return
    }
    if state == .connecting {
      var code: Int32 = 0
      var len = socklen_t(MemoryLayout<Int32>.size)
      if getsockopt(target.fd, SOL_SOCKET, SO_ERROR, &code, &len) != 0 { code = errno }
      if code == 0 {
        connected()
      } else {
        failure = socketErrorText(code)
        target.close(reason: failure!)
        self.target = nil
        tryConnect()
        if state == .connecting { return }
      }
      wake(.write)
      return
    }
    if !output.isEmpty && !ready.isDisjoint(with: [.writable, .error, .hangup]) && failure == nil {
      flush()
      if case .write = writeWait, failure != nil || output.count <= Self.outputBound { wake(.write) }
    }
    if case .datagramWrite = writeWait, !ready.isDisjoint(with: [.writable, .error, .hangup]) {
      if let (bytes, addr) = pendingDatagram {
        let r = bytes.withUnsafeBytes { trySend($0, addr) }
        if r != .wait {
          pendingDatagram = nil
          if case .failed(let why) = r { failure = why }
          wake(.write)
        }
      } else {
        wake(.write)
      }
    }
    guard let target = self.target, !ready.isDisjoint(with: [.readable, .error, .hangup]) else { return }
    switch readWait {
    case .read(let mode):
      // Never past the most one receive may take: "too large" comes at exactly that.
      let room = Swift.min(Self.readChunk, Self.maxReceive - input.count)
      let n = Glibc.read(target.fd, input.reserve(room), room)
      if n > 0 {
        input.commit(n)
      } else if n == 0 {
        eof = true
      } else if errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR {
        failure = socketErrorText(errno)
      } else {
        return
      }
      if eof || failure != nil || input.count >= Self.maxReceive || canAnswer(mode) { wake(.read) }
    case .datagramRead:
      for _ in 0..<Self.datagramsPerRound {
        let (n, from) = SocketAddr.from { recvfrom(target.fd, Self.scratch, Self.maxDatagram, Int32(MSG_DONTWAIT), $0, $1) }
        if n < 0 {
          if errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR { failure = socketErrorText(errno) }
          break
        }
        datagrams.append((Array(UnsafeRawBufferPointer(start: Self.scratch, count: n)), from))
      }
      if !datagrams.isEmpty || failure != nil { wake(.read) }
    default:
      break
    }
  }

  /// Whether a receive of `mode` would find its answer in the input now.
  private func canAnswer(_ mode: ReceiveMode) -> Bool {
    switch mode {
    case .size(let n): return input.count >= n
    case .all: return false
    case .line: return input.find([10], from: scanned) != nil
    case .until(let pattern, _, let max):
      if let max, input.count - (pattern.count - 1) >= max { return true }
      return input.find(pattern, from: Swift.max(0, scanned - pattern.count + 1)) != nil
    }
  }

  /// Closes the socket. Output still queued (a send returns once it is
  /// under the bound, not written) is written first, for at most
  /// `drainTime` seconds, the socket held by its AppNet meanwhile; a socket
  /// whose stream failed closes at once. Anything waiting is not woken.
  public func close() {
    if let lookup { net.resolver.cancel(lookup) }
    lookup = nil
    if kind == .tcp, state == .connected, failure == nil, !output.isEmpty, let target {
      state = .closed
      readWait = .none
      writeWait = .none
      input.removeAll()
      net.draining[ObjectIdentifier(self)] = self
      target.setInterest(.writable)
      drainTimer = loop.addTimer(after: Self.drainTime) { [weak self] in self?.abort() }
      return
    }
    abort()
  }

  /// How long a closed socket may take to write what was queued.
  public static var drainTime = 30.0
  var drainTimer: TimerHandle?

  /// Closes now; unsent output is dropped.
  public func abort() {
    if let lookup { net.resolver.cancel(lookup) }
    lookup = nil
    if let t = drainTimer { loop.cancelTimer(t) }
    drainTimer = nil
    net.draining[ObjectIdentifier(self)] = nil
    target?.close(reason: "closed")
    target = nil
    state = .closed
    readWait = .none
    writeWait = .none
    input.removeAll()
    output.removeAll()
    datagrams = []
    pendingDatagram = nil
  }

  private func reset() {
    abort()
    failure = nil
    eof = false
    addresses = []
    addressIndex = 0
    scanned = 0
  }

  /// The connected peer: host and port, or a Unix path ("unix:/path") and 0.
  public var peerName: (host: String, port: Int)? {
    guard let fd = target?.fd else { return nil }
    let (r, a) = SocketAddr.from { Int(getpeername(fd, $0, $1)) }
    return r == 0 ? a.hostPort : nil
  }

  /// The local address: host and port.
  public var sockName: (host: String, port: Int)? {
    guard let fd = target?.fd else { return nil }
    let (r, a) = SocketAddr.from { Int(getsockname(fd, $0, $1)) }
    return r == 0 ? a.hostPort : nil
  }

  /// setsockopt for the options apps may set: "keepalive", "tcp-nodelay",
  /// "sndbuf", "rcvbuf", "linger" (seconds; 0 makes close send a reset).
  public func setOption(_ name: String, _ value: Int) -> Outcome {
    guard let fd = target?.fd else { return .failed("closed") }
    var r: Int32
    switch name {
    case "linger":
      var l = linger(l_onoff: 1, l_linger: Int32(clamping: value))
      r = setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, socklen_t(MemoryLayout<linger>.size))
    case "keepalive", "tcp-nodelay", "sndbuf", "rcvbuf":
      var v = Int32(clamping: value)
      let (level, opt): (Int32, Int32) = switch name {
      case "keepalive": (SOL_SOCKET, SO_KEEPALIVE)
      case "tcp-nodelay": (Int32(IPPROTO_TCP), TCP_NODELAY)
      case "sndbuf": (SOL_SOCKET, SO_SNDBUF)
      default: (SOL_SOCKET, SO_RCVBUF)
      }
      r = setsockopt(fd, level, opt, &v, socklen_t(MemoryLayout<Int32>.size))
    default:
      return .failed("unknown option \(name)")
    }
    return r == 0 ? .done : .failed(socketErrorText(errno))
  }
}

/// What an app runtime's sockets share: the loop, and the resolver (its
/// thread starts with the first name to resolve). `shutdown` ends the resolver.
public final class AppNet {
  let loop: EventLoop
  private var _resolver: AppResolver?
  /// Sockets closed with output still to write, until it is written.
  var draining: [ObjectIdentifier: AppSocket] = [:]

  public init(host: Controller) { loop = host.loop }

  var resolver: AppResolver {
    if let r = _resolver { return r }
    let r = AppResolver(loop: loop)
    _resolver = r
    return r
  }

  public func socket(_ kind: AppSocket.Kind) -> AppSocket { AppSocket(kind: kind, net: self) }

  /// See AppListener.claim.
  public func listen(_ kind: AppSocket.Kind, host: String, port: Int, owner: AnyObject,
                     onAccept: @escaping (AppSocket, String, Int) -> Void,
                     onDatagram: @escaping ([UInt8], String, Int) -> Void) throws -> ListenClaim {
    try AppListener.claim(net: self, kind: kind, host: host, port: port, owner: owner, onAccept: onAccept,
                          onDatagram: onDatagram)
  }

  public func shutdown() {
    _resolver?.close()
    _resolver = nil
  }
}

extension Target {
  /// Closes with no one told (the socket went away).
  func closeSilently() {
    close(reason: "")
  }
}
