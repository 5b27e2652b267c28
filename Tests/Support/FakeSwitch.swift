import Glibc
import HostCore
import OpenFlow
import Reactor

/// A switch in memory: one end of a socketpair handed to the host, the other
/// end played here. It answers the handshake and records everything else the
/// controller sends. Tests pump the loop and this peer in turns.
public final class FakeSwitch {
  public let fd: Int32
  public let connection: Connection
  public var version: UInt8
  public var helloVersions: [UInt8]?
  public let dpid: UInt64
  public var ports: [OFValue]
  /// Messages from the controller after the handshake, in order.
  public var received: [OFMessage] = []
  /// Every message from the controller, handshake included.
  public private(set) var all: [OFMessage] = []
  public private(set) var peerClosed = false
  /// When false, handshake messages are only recorded (to play a broken switch).
  public var answerHandshake = true
  private var inbox: [UInt8] = []
  private var answeredPortDesc = false

  /// A port description; speeds exist from 1.1 on.
  public static func port(_ n: UInt64, _ name: String, version: UInt8 = OFVersion.v1_3) -> OFValue {
    var f: [OFField] = [
      OFField("port_no", .uint(n)), OFField("hw_addr", .string(format6(n))), OFField("name", .string(name)),
      OFField("config", .list([])), OFField("state", .list([])), OFField("curr", .list([])),
      OFField("advertised", .list([])), OFField("supported", .list([])), OFField("peer", .list([])),
    ]
    if version > OFVersion.v1_0 {
      f.append(OFField("curr_speed", .uint(0)))
      f.append(OFField("max_speed", .uint(0)))
    }
    return .table(f)
  }

  static func format6(_ n: UInt64) -> String { "02:00:00:00:00:" + String(format2: UInt8(truncatingIfNeeded: n)) }

  public init(host: Controller, version: UInt8, dpid: UInt64 = 1, helloVersions: [UInt8]? = nil, ports: [OFValue]? = nil, answerHandshake: Bool = true) {
    self.answerHandshake = answerHandshake
    var fds: [Int32] = [0, 0]
    precondition(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
    _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
    fd = fds[1]
    self.version = version
    self.helloVersions = helloVersions
    self.dpid = dpid
    self.ports = ports ?? (1...3).map { FakeSwitch.port(UInt64($0), "p\($0)", version: version) }
    connection = host.loop.adopt(fd: fds[0], peer: "fake-switch-\(dpid)")
    host.accept(connection)
  }

  deinit { close(fd) }

  public func send(_ m: OFMessage) {
    var m = m
    m.version = version
    sendRaw(try! OFCodec.encode(m))
  }

  public func sendRaw(_ bytes: [UInt8]) {
    var off = 0
    while off < bytes.count {
      let n = bytes[off...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
      if n <= 0 { return }
      off += n
    }
  }

  public func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

  /// Runs loop rounds, answering and recording, until `rounds` pass with nothing new.
  public func pump(_ loop: EventLoop, quietRounds: Int = 3, maxRounds: Int = 500, timeout: Double = 0.005) {
    var quiet = 0
    var total = 0
    while quiet < quietRounds && total < maxRounds {
      loop.runOnce(timeout: timeout)
      total += 1
      quiet = readAvailable() ? 0 : quiet + 1
    }
  }

  /// Reads what the controller wrote; true when anything arrived.
  @discardableResult
  public func readAvailable() -> Bool {
    var got = false
    var buf = [UInt8](repeating: 0, count: 65536)
    while true {
      let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if n == 0 { peerClosed = true; break }
      if n < 0 { break }
      inbox.append(contentsOf: buf[0..<n])
      got = true
    }
    while inbox.count >= 8 {
      let len = Int(inbox[2]) << 8 | Int(inbox[3])
      guard len >= 8, inbox.count >= len else { break }
      let frame = Array(inbox[0..<len])
      inbox.removeFirst(len)
      if let m = try? OFCodec.decode(frame) { handle(m) }
    }
    return got
  }

  private func handle(_ m: OFMessage) {
    all.append(m)
    guard answerHandshake else {
      received.append(m)
      return
    }
    switch m.type {
    case "HELLO":
      var msg = OFValue.emptyTable
      if let hv = helloVersions { msg = .table(["versions": .list(hv.map { .uint(UInt64($0)) })]) }
      sendRaw(try! OFCodec.encode(OFMessage(version: version, type: "HELLO", xid: 1, msg: msg)))
    case "FEATURES_REQUEST":
      var f: [OFField] = [
        OFField("datapath_id", .string(DatapathID.format(dpid))), OFField("n_buffers", .uint(0)),
        OFField("n_tables", .uint(254)), OFField("capabilities", .list([])),
      ]
      if version == OFVersion.v1_0 {
        f.append(OFField("actions", .list([])))
        f.append(OFField("ports", .list(ports)))
      } else {
        f.append(OFField("auxiliary_id", .uint(0)))
      }
      send(OFMessage(version: version, type: "FEATURES_REPLY", xid: m.xid, msg: .table(f)))
    case "REQUEST.PORT_DESC" where !answeredPortDesc:
      // Only the handshake's request; later ones are the test's to answer.
      answeredPortDesc = true
      send(OFMessage(version: version, type: "REPLY.PORT_DESC", xid: m.xid, msg: .table(["flags": .list([]), "ports": .list(ports)])))
    case "ECHO_REQUEST":
      send(OFMessage(version: version, type: "ECHO_REPLY", xid: m.xid, msg: m.msg))
    case "SET_CONFIG":
      break
    default:
      received.append(m)
    }
  }
}

extension String {
  init(format2 v: UInt8) {
    let s = String(v, radix: 16)
    self = s.count == 1 ? "0" + s : s
  }
}
