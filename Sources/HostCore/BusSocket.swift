import CZMQ
import Reactor
#if canImport(Glibc)
import Glibc
#endif

/// A ZeroMQ socket driven by zofhost's own epoll loop, on the loop's thread.
///
/// libzmq gives each socket a descriptor (ZMQ_FD) that is edge-like: it
/// becomes readable when the socket's state changes, not while messages
/// wait, and any zmq call on the socket may consume that signal. So the
/// descriptor is a reactor target watched for reading, ZMQ_EVENTS is asked
/// after every send and receive, and a before-sleep hook (`BusSockets`)
/// drains every socket whose ZMQ_EVENTS says POLLIN before the loop waits
/// again. A socket takes at most `budget` messages a round; one with more
/// keeps the next wait from blocking, so a flood is served over rounds and
/// the switches get their turn in between.
public final class BusSocket {
  public let name: String
  let handle: UnsafeMutableRawPointer
  private var target: Target?
  let budget: Int
  /// Messages taken this round.
  private var taken = 0
  /// Called with each whole message (its frames); `tooMany` when it had more
  /// frames than `maxFrames` (the extra frames are read and dropped).
  var onMessage: (_ frames: [[UInt8]], _ tooMany: Bool) -> Void = { _, _ in }
  var maxFrames = 3
  /// Called when a send or a subscription finds messages waiting: the call
  /// may have consumed the descriptor's signal, so the loop must not sleep.
  var onPending: () -> Void = {}
  public private(set) var isOpen = true

  init(context: UnsafeMutableRawPointer, type: Int32, name: String, hwm: Int32, maxMessageSize: Int64, budget: Int) throws {
    guard let h = zmq_socket(context, type) else { throw BusError.zmq("zmq_socket(\(name))") }
    handle = h
    self.name = name
    self.budget = max(1, budget)
    var linger: Int32 = 0
    var hw = hwm
    var maxSize = maxMessageSize
    setOption(ZMQ_LINGER, &linger, MemoryLayout<Int32>.size)
    setOption(ZMQ_SNDHWM, &hw, MemoryLayout<Int32>.size)
    setOption(ZMQ_RCVHWM, &hw, MemoryLayout<Int32>.size)
    setOption(ZMQ_MAXMSGSIZE, &maxSize, MemoryLayout<Int64>.size)
  }

  deinit { if isOpen { zmq_close(handle) } }

  @discardableResult
  func setOption(_ option: Int32, _ value: UnsafeRawPointer?, _ size: Int) -> Bool {
    zmq_setsockopt(handle, option, value, size) == 0
  }

  func bind(_ address: String) throws {
    guard zmq_bind(handle, address) == 0 else { throw BusError.zmq("bind \(address)") }
  }

  func connect(_ address: String) throws {
    guard zmq_connect(handle, address) == 0 else { throw BusError.zmq("connect \(address)") }
  }

  /// Watches the socket's descriptor on `loop`. The descriptor stays
  /// libzmq's: closing detaches it from the loop unclosed.
  func attach(to loop: EventLoop) throws {
    var fd: Int32 = -1
    var len = MemoryLayout<Int32>.size
    guard zmq_getsockopt(handle, ZMQ_FD, &fd, &len) == 0 else { throw BusError.zmq("ZMQ_FD of \(name)") }
    // dup: the target owns (and closes) what it watches, libzmq owns ZMQ_FD.
    let own = dup(fd)
    guard own >= 0 else { throw BusError.zmq("dup ZMQ_FD of \(name)") }
    do {
      target = try loop.addTarget(fd: own, interest: .readable, onReady: { [unowned self] _, _ in self.drain() })
    } catch {
      Glibc.close(own)
      throw error
    }
  }

  /// ZMQ_EVENTS: ZMQ_POLLIN and ZMQ_POLLOUT bits (0 once closed). Asking also
  /// lets libzmq process its pending commands, which may consume the
  /// descriptor's signal: hence the before-sleep drain.
  func events() -> Int32 {
    guard isOpen else { return 0 }
    var ev: Int32 = 0
    var len = MemoryLayout<Int32>.size
    guard zmq_getsockopt(handle, ZMQ_EVENTS, &ev, &len) == 0 else { return 0 }
    return ev
  }

  var readable: Bool { events() & Int32(ZMQ_POLLIN) != 0 }

  /// Takes messages until none is waiting or this round's budget is spent.
  func drain() {
    while isOpen && taken < budget && readable {
      guard let (frames, tooMany) = receiveOne() else { break }
      taken += 1
      onMessage(frames, tooMany)
    }
  }

  /// The hook's turn at the end of a round: drains what the budget allows,
  /// starts the next round's budget, and says whether messages still wait.
  func endRound() -> Bool {
    drain()
    taken = 0
    return readable
  }

  /// One whole message, every frame of it; nil when none was waiting.
  private func receiveOne() -> ([[UInt8]], Bool)? {
    var frames: [[UInt8]] = []
    var tooMany = false
    while true {
      var msg = zmq_msg_t()
      zmq_msg_init(&msg)
      defer { zmq_msg_close(&msg) }
      let n = zmq_msg_recv(&msg, handle, frames.isEmpty ? ZMQ_DONTWAIT : 0)
      if n < 0 { return frames.isEmpty ? nil : (frames, tooMany) }
      if frames.count < maxFrames {
        let size = zmq_msg_size(&msg)
        if let p = zmq_msg_data(&msg), size > 0 {
          frames.append(Array(UnsafeRawBufferPointer(start: p, count: size)))
        } else {
          frames.append([])
        }
      } else {
        tooMany = true
      }
      if zmq_msg_more(&msg) == 0 { return (frames, tooMany) }
    }
  }

  /// Sends one single-frame message without waiting; false when the socket
  /// would block (past its high-water mark, or no peer for a PUSH) or failed.
  @discardableResult
  func send(_ bytes: [UInt8]) -> Bool {
    guard isOpen else { return false }
    let rc = bytes.withUnsafeBytes { zmq_send(handle, $0.baseAddress, $0.count, ZMQ_DONTWAIT) }
    // A send may have consumed the descriptor's signal for incoming messages.
    if readable { onPending() }
    return rc >= 0
  }

  /// Sends a multi-frame message (a ZAP reply) without waiting.
  @discardableResult
  func sendFrames(_ frames: [[UInt8]]) -> Bool {
    guard isOpen else { return false }
    var ok = true
    for (i, f) in frames.enumerated() {
      let flags = ZMQ_DONTWAIT | (i < frames.count - 1 ? ZMQ_SNDMORE : 0)
      if f.withUnsafeBytes({ zmq_send(handle, $0.baseAddress, $0.count, flags) }) < 0 { ok = false }
    }
    if readable { onPending() }
    return ok
  }

  /// CURVE server: this socket's secret key; clients are checked by ZAP.
  func curveServer(_ c: BusCurve) {
    var on: Int32 = 1
    setOption(ZMQ_CURVE_SERVER, &on, MemoryLayout<Int32>.size)
    c.secretKey.withUnsafeBytes { _ = setOption(ZMQ_CURVE_SECRETKEY, $0.baseAddress, 32) }
    "zofhost".withCString { _ = setOption(ZMQ_ZAP_DOMAIN, $0, 7) }
  }

  /// CURVE client: the server's public key and our own pair.
  func curveClient(_ c: BusCurve) {
    c.serverKey?.withUnsafeBytes { _ = setOption(ZMQ_CURVE_SERVERKEY, $0.baseAddress, 32) }
    c.publicKey.withUnsafeBytes { _ = setOption(ZMQ_CURVE_PUBLICKEY, $0.baseAddress, 32) }
    c.secretKey.withUnsafeBytes { _ = setOption(ZMQ_CURVE_SECRETKEY, $0.baseAddress, 32) }
  }

  func subscribe(_ prefix: [UInt8], _ on: Bool) {
    prefix.withUnsafeBytes { _ = setOption(on ? ZMQ_SUBSCRIBE : ZMQ_UNSUBSCRIBE, $0.baseAddress, $0.count) }
    if readable { onPending() }
  }

  func close() {
    guard isOpen else { return }
    isOpen = false
    target?.close(reason: "bus closing")
    target = nil
    zmq_close(handle)
  }
}

public enum BusError: Error, CustomStringConvertible {
  case zmq(String)
  case address(String)

  public var description: String {
    switch self {
    case .zmq(let what): return "\(what): \(String(cString: zmq_strerror(zmq_errno())))"
    case .address(let why): return why
    }
  }
}

/// The before-sleep hook over a set of sockets: drains each before the loop
/// waits, and keeps the wait from blocking while one has messages left.
final class BusSockets {
  unowned let loop: EventLoop
  var sockets: [BusSocket] = []
  private var wakeArmed = false

  init(loop: EventLoop) {
    self.loop = loop
    loop.beforeSleep.append { [weak self] in self?.endRound() }
  }

  func add(_ s: BusSocket) {
    s.onPending = { [unowned self] in self.wakeSoon() }
    sockets.append(s)
  }

  private func endRound() {
    var more = false
    for s in sockets where s.isOpen {
      if s.endRound() { more = true }
    }
    if more { wakeSoon() }
  }

  /// A due timer makes the next wait return at once: the messages left over
  /// this round's budget (or found after a send) are taken next round, after
  /// the switches.
  private func wakeSoon() {
    if !wakeArmed {
      wakeArmed = true
      loop.addTimer(after: 0) { [weak self] in self?.wakeArmed = false }
    }
  }
}
