import Reactor
#if canImport(Glibc)
import Glibc
#endif

/// An app's listening socket (zof.listen): TCP, or UDP taking datagrams.
///
/// A listener outlives the generation of apps that opened it when the next
/// one asks for the same address: each generation holds a claim on it, and
/// when the old generation lets go (after its STOP) the next claim takes
/// over the same socket, so nothing queued in it is lost and no bind can
/// fail with "address in use". A listener nobody claims any more waits a
/// short while (`linger`), not reading, for a claim from a generation that
/// listens only in its START; then it closes.
public final class AppListener {
  public let kind: AppSocket.Kind
  /// The bound address ("127.0.0.1:9000") and port (the kernel's choice for port 0).
  public let address: String
  public let port: Int
  let key: String
  /// Weak: a listener left open when its loop goes (a test's) must not
  /// reach the dead loop; its key may then come again with a new loop.
  weak var loop: EventLoop?
  var target: Target?
  /// The claims, oldest first: the first is served, the rest wait their turn.
  var claims: [ListenClaim] = []
  var lingerTimer: TimerHandle?
  /// Connections accepted, datagrams read, per round.
  static let perRound = 64
  /// How long a listener no generation claims stays open for the next one.
  public static var linger = 2.0

  /// Open listeners by loop and address.
  nonisolated(unsafe) static var open: [String: AppListener] = [:]

  init(kind: AppSocket.Kind, address: String, port: Int, key: String, loop: EventLoop) {
    self.kind = kind
    self.address = address
    self.port = port
    self.key = key
    self.loop = loop
  }

  /// Listens on `host`:`port` (a numeric address, "*" for all IPv4 ones, or
  /// "unix:/path"), or claims the listener an older generation has there.
  /// `owner` is the generation; a second claim by the same one is an error.
  static func claim(net: AppNet, kind: AppSocket.Kind, host: String, port: Int, owner: AnyObject,
                           onAccept: @escaping (AppSocket, String, Int) -> Void,
                           onDatagram: @escaping ([UInt8], String, Int) -> Void) throws -> ListenClaim {
    let h = host == "*" || host.isEmpty ? "0.0.0.0" : host
    let addr: SocketAddr
    if h.hasPrefix("unix:") {
      guard kind == .tcp, let a = SocketAddr.unix(String(h.dropFirst(5))) else { throw ReactorError("bad unix socket path \(h)") }
      addr = a
    } else {
      guard let a = SocketAddr.numeric(h, port: port) else { throw ReactorError("listen needs a numeric address, not \(host)") }
      addr = a
    }
    let loop = net.loop
    let key = "\(ObjectIdentifier(loop).hashValue) \(kind) \(addr.text)"
    let claim = ListenClaim(owner: owner, net: net, onAccept: onAccept, onDatagram: onDatagram)
    if let l = open[key], l.loop !== loop || l.target?.isOpen != true {
      // Left by a loop that is gone (whose address the new one took).
      open[key] = nil
    }
    if port != 0 || h.hasPrefix("unix:"), let l = open[key] {
      l.prune()
      if l.claims.contains(where: { $0.owner === owner }) { throw ReactorError("listen on \(l.address): already listening there") }
      claim.listener = l
      l.claims.append(claim)
      if l.claims.count == 1 { l.serve() }
      return claim
    }
    let l = try bind(loop: loop, kind: kind, addr: addr, key: key)
    claim.listener = l
    l.claims = [claim]
    if port != 0 || h.hasPrefix("unix:") { open[l.key] = l }
    l.serve()
    return claim
  }

  private static func bind(loop: EventLoop, kind: AppSocket.Kind, addr: SocketAddr, key: String) throws -> AppListener {
    let type = kind == .udp ? SOCK_DGRAM : SOCK_STREAM
    let fd = socket(addr.family, Int32(type.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw ReactorError("listen on \(addr.text): \(socketErrorText(errno))") }
    func fail(_ step: String) -> ReactorError {
      let e = ReactorError("listen on \(addr.text): \(step)\(socketErrorText(errno))")
      Glibc.close(fd)
      return e
    }
    var on: Int32 = 1
    let size = socklen_t(MemoryLayout<Int32>.size)
    if addr.family != AF_UNIX {
      guard setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, size) == 0 else { throw fail("SO_REUSEADDR: ") }
      if addr.family == AF_INET6 { _ = setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &on, size) }
    }
    guard addr.withSockaddr({ Glibc.bind(fd, $0, $1) }) == 0 else { throw fail("") }
    if kind == .tcp { guard Glibc.listen(fd, SOMAXCONN) == 0 else { throw fail("") } }
    let (r, bound) = SocketAddr.from { Int(getsockname(fd, $0, $1)) }
    let hp = r == 0 ? bound.hostPort : nil
    let l = AppListener(kind: kind, address: r == 0 ? bound.text : addr.text, port: hp?.port ?? 0, key: key, loop: loop)
    do {
      l.target = try loop.addTarget(fd: fd, interest: []) { [unowned l] t, _ in l.ready(t) }
    } catch {
      Glibc.close(fd)
      throw error
    }
    return l
  }

  /// Claims whose generation is gone (a reload that failed to load) go.
  private func prune() {
    claims.removeAll { $0.owner == nil }
  }

  /// The first claim is served: read, and no lingering.
  private func serve() {
    if let t = lingerTimer {
      loop?.cancelTimer(t)
      lingerTimer = nil
    }
    target?.setInterest(claims.isEmpty ? [] : .readable)
  }

  /// A claim lets go: the next one takes over, or with none the listener
  /// lingers (`closeNow` false) or closes.
  func release(_ claim: ListenClaim, closeNow: Bool) {
    claims.removeAll { $0 === claim }
    prune()
    if !claims.isEmpty {
      serve()
      return
    }
    target?.setInterest([])
    if closeNow || AppListener.open[key] !== self {
      close()
      return
    }
    if lingerTimer == nil, let loop {
      lingerTimer = loop.addTimer(after: AppListener.linger) { [weak self] in
        guard let self else { return }
        self.lingerTimer = nil
        if self.claims.isEmpty { self.close() }
      }
    }
  }

  func close() {
    if AppListener.open[key] === self { AppListener.open[key] = nil }
    if let t = lingerTimer { loop?.cancelTimer(t) }
    lingerTimer = nil
    if let path = address.hasPrefix("unix:") ? String(address.dropFirst(5)) : nil, target != nil { unlink(path) }
    target?.close(reason: "closed")
    target = nil
  }

  private func ready(_ t: Target) {
    prune()
    guard let claim = claims.first else {
      t.setInterest([])
      return
    }
    guard loop != nil else { return }
    for _ in 0..<Self.perRound {
      guard let fd = target?.fd, claims.first === claim else { return }
      if kind == .tcp {
        let (s, from) = SocketAddr.from { Int(accept(fd, $0, $1)) }
        if s < 0 {
          if errno == EINTR || errno == ECONNABORTED { continue }
          return
        }
        let sfd = Int32(s)
        do {
          let sock = try AppSocket(accepted: sfd, net: claim.net)
          let hp = from.hostPort ?? ("", 0)
          claim.onAccept(sock, hp.host, hp.port)
        } catch {
          Glibc.close(sfd)
        }
      } else {
        let (n, from) = SocketAddr.from { recvfrom(fd, AppListener.scratch, AppSocket.maxDatagram, Int32(MSG_DONTWAIT), $0, $1) }
        if n < 0 { return }
        let hp = from.hostPort ?? ("", 0)
        claim.onDatagram(Array(UnsafeRawBufferPointer(start: AppListener.scratch, count: n)), hp.host, hp.port)
      }
    }
  }

  nonisolated(unsafe) private static var scratch = UnsafeMutableRawPointer.allocate(byteCount: AppSocket.maxDatagram, alignment: 16)

  /// A datagram from the listening UDP socket (a server's answer).
  func sendto(_ bytes: UnsafeRawBufferPointer, host: String, port: Int) -> AppSocket.Outcome {
    guard let fd = target?.fd else { return .failed("closed") }
    guard let a = SocketAddr.numeric(host, port: port) else { return .failed("sendto needs a numeric address, not \(host)") }
    let n = a.withSockaddr { Glibc.sendto(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL), $0, $1) }
    if n >= 0 { return .done }
    return .failed(errno == EAGAIN || errno == EWOULDBLOCK ? "would block" : socketErrorText(errno))
  }
}

/// One generation's hold on a listener.
public final class ListenClaim {
  public private(set) weak var owner: AnyObject?
  let onAccept: (AppSocket, String, Int) -> Void
  let onDatagram: ([UInt8], String, Int) -> Void
  var listener: AppListener?
  /// The claim's generation's: accepted sockets are its.
  let net: AppNet

  init(owner: AnyObject, net: AppNet, onAccept: @escaping (AppSocket, String, Int) -> Void,
       onDatagram: @escaping ([UInt8], String, Int) -> Void) {
    self.owner = owner
    self.net = net
    self.onAccept = onAccept
    self.onDatagram = onDatagram
  }

  public var address: String { listener?.address ?? "" }
  public var port: Int { listener?.port ?? 0 }
  /// Served now (not waiting for an older generation to let go).
  public var isServed: Bool { listener?.claims.first === self }

  /// Lets go: `closeNow` closes the listener if no other generation claims
  /// it; otherwise (a generation ending) it lingers for the next one.
  public func release(closeNow: Bool) {
    listener?.release(self, closeNow: closeNow)
    listener = nil
  }

  public func sendto(_ bytes: UnsafeRawBufferPointer, host: String, port: Int) -> AppSocket.Outcome {
    listener?.sendto(bytes, host: host, port: port) ?? .failed("closed")
  }
}
