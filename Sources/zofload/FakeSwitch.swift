import OpenFlow
import Reactor

#if canImport(Glibc)
import Glibc
#endif

/// One emulated switch on one TCP connection to the controller.
///
/// Handshake: sends HELLO, answers whatever the controller asks (FEATURES,
/// PORT_DESC, DESC, GET_CONFIG, BARRIER, ECHO, ROLE; anything else gets an
/// ERROR so the controller never waits on us). After each handshake answer it
/// sends an ECHO_REQUEST marker; the handshake counts as complete when the
/// reply to the latest marker arrives, i.e. the controller has processed every
/// answer we gave it.
///
/// Load: PACKET_INs carry a buffer id unique among the switch's outstanding
/// ones. A response (FLOW_MOD ADD or PACKET_OUT) naming that buffer id answers
/// it (with --match any: every response answers the oldest outstanding one);
/// every FLOW_MOD ADD and PACKET_OUT is counted once as a response.
final class FakeSwitch: ConnectionDelegate {
  enum State { case connecting, handshake, ready, closed }

  let index: Int
  /// What the MAC addresses it sends from say of the switch: its index, or 0
  /// with --shared-macs (every switch sends from the same addresses).
  let macOwner: Int
  let dpid: UInt64
  unowned let run: Runner
  var connection: Connection?
  var state = State.connecting
  var closeReason = ""

  // Handshake.
  var helloSeen = false
  var featuresAnswered = false
  var markerXid: UInt32 = 0
  var markerCount: UInt32 = 0
  var startedAt: UInt64 = 0
  var readyAt: UInt64 = 0

  // Load.
  var sending = false
  var window = 1
  var outstanding = 0
  var seq: UInt64 = 0
  var nextBuffer: UInt32 = 0
  /// --match any: the oldest buffer id that may still be outstanding.
  var oldestBuffer: UInt32 = 0
  var ringMask: Int
  var ringBuffer: [UInt32]
  var ringSentAt: [UInt64]
  var ringPending: [Bool]
  var lastProgress: UInt64 = 0
  var scratch: [UInt8]

  // Counters (reset per loop by the runner; totals kept separately).
  var loopResponses: UInt64 = 0
  var loopAnswered: UInt64 = 0
  var totalResponses: UInt64 = 0
  var packetInsSent: UInt64 = 0
  var flowModAdds: UInt64 = 0
  var packetOuts: UInt64 = 0
  var answered: UInt64 = 0
  var unmatched: UInt64 = 0
  var lost: UInt64 = 0
  var errorsReceived: UInt64 = 0
  var otherFlowMods: UInt64 = 0
  var decodeMismatches: UInt64 = 0

  init(index: Int, run: Runner, ring: Int) {
    self.index = index
    macOwner = run.s.sharedMacs ? 0 : index
    self.dpid = UInt64(index + 1)
    self.run = run
    ringMask = ring - 1
    ringBuffer = [UInt32](repeating: 0, count: ring)
    ringSentAt = [UInt64](repeating: 0, count: ring)
    ringPending = [Bool](repeating: false, count: ring)
    scratch = run.templates.packetIn
    // Buffer ids start at a per-switch offset so a mix-up between switches shows as unmatched.
    nextBuffer = UInt32(truncatingIfNeeded: index &* 0x10000) & 0x7fff_ffff
    oldestBuffer = nextBuffer
  }

  var t: Templates { run.templates }

  func start(loop: EventLoop, host: String, port: UInt16) {
    startedAt = nowNS()
    do {
      let c = try loop.connect(host: host, port: port)
      connection = c
      c.delegate = self
      state = .handshake
      if let tls = run.tls, !c.startTLS(tls) { return }  // closed, reported by connectionClosed
      c.write(t.hello)  // over TLS: held until the handshake is over
    } catch {
      state = .closed
      closeReason = "\(error)"
      run.switchClosed(self)
    }
  }

  // MARK: ConnectionDelegate

  func connectionReadable(_ c: Connection) {
    var closeWhy: String? = nil
    let used = c.withInput { buf -> Int in
      var off = 0
      while buf.count - off >= 8 {
        let len = OFHeader.length(buf, at: off)
        if len < 8 {
          closeWhy = "controller sent a message with length \(len); framing lost"
          return off
        }
        if buf.count - off < len { break }
        handle(UnsafeRawBufferPointer(rebasing: buf[off..<(off + len)]), c)
        off += len
      }
      return off
    }
    c.consume(used)
    if let closeWhy { c.close(reason: closeWhy) }
  }

  func connectionClosed(_ c: Connection, reason: String) {
    state = .closed
    closeReason = reason
    connection = nil
    run.switchClosed(self)
  }

  // MARK: Messages

  @inline(__always)
  func reply(_ template: [UInt8], xid: UInt32, _ c: Connection) {
    var m = template
    OFHeader.patchXid(&m, xid)
    c.write(m)
  }

  func handle(_ m: UnsafeRawBufferPointer, _ c: Connection) {
    let type = m[1]
    let xid = UInt32(m[4]) << 24 | UInt32(m[5]) << 16 | UInt32(m[6]) << 8 | UInt32(m[7])
    // The hot path first: responses to PACKET_IN.
    if type == 14 { flowMod(m); return }
    if type == 13 { packetOut(m); return }
    switch type {
    case 0:  // HELLO
      helloSeen = true
      if m[0] < t.version && m.count <= 8 {
        run.warn("switch \(dpid): controller speaks only OpenFlow \(OFVersion.name(m[0])); we speak \(OFVersion.name(t.version))")
      }
    case 1:  // ERROR
      errorsReceived += 1
      if errorsReceived <= 3 { run.warn("switch \(dpid): controller sent ERROR \(describe(m))") }
    case 2:  // ECHO_REQUEST
      var r = Array(m)
      r[1] = 3
      c.write(r)
    case 3:  // ECHO_REPLY
      if state == .handshake && featuresAnswered && xid == markerXid { becomeReady() }
    case 5:  // FEATURES_REQUEST
      if let r = try? t.featuresReply(dpid: dpid, xid: xid) { c.write(r) }
      featuresAnswered = true
      sendMarker(c)
    case 7:  // GET_CONFIG_REQUEST
      reply(t.getConfigReply, xid: xid, c)
    case 9:  // SET_CONFIG
      break
    case t.barrierRequestType:
      reply(t.barrierReply, xid: xid, c)
    case t.multipartRequestType:
      multipart(m, xid, c)
    case 4:  // EXPERIMENTER / VENDOR: BAD_EXPERIMENTER (1.0: BAD_VENDOR), code 3
      c.write(t.error(code: 3, offending: m, xid: xid))
    case 15, 16, 17, 29:  // PORT_MOD (1.0); GROUP_MOD, PORT_MOD, TABLE_MOD, METER_MOD (1.3): no reply
      break
    case 24:  // ROLE_REQUEST (1.3): grant what was asked
      var r = Array(m)
      r[1] = 25
      c.write(r)
    default:
      // Anything else: BAD_REQUEST / BAD_TYPE, so the controller does not hang waiting.
      if m[0] == t.version { c.write(t.error(code: 1, offending: m, xid: xid)) }
    }
  }

  func multipart(_ m: UnsafeRawBufferPointer, _ xid: UInt32, _ c: Connection) {
    guard m.count >= 10 else { return }
    let mp = UInt16(m[8]) << 8 | UInt16(m[9])
    switch mp {
    case 0:  // DESC
      reply(t.descReply, xid: xid, c)
    case 1:  // FLOW: no flows
      reply(t.flowStatsReply, xid: xid, c)
    case 13 where t.version != OFVersion.v1_0:  // PORT_DESC
      if let r = try? t.portDescReply(dpid: dpid, xid: xid) { c.write(r) }
      if featuresAnswered { sendMarker(c) }
    default:  // BAD_MULTIPART (1.0: BAD_STAT), code 2
      c.write(t.error(code: 2, offending: m, xid: xid))
    }
  }

  func sendMarker(_ c: Connection) {
    markerCount += 1
    markerXid = 0xE000_0000 | markerCount
    reply(t.echoRequest, xid: markerXid, c)
  }

  func becomeReady() {
    state = .ready
    readyAt = nowNS()
    run.switchReady(self)
  }

  @inline(__always)
  func u32(_ m: UnsafeRawBufferPointer, _ at: Int) -> UInt32 {
    UInt32(m[at]) << 24 | UInt32(m[at + 1]) << 16 | UInt32(m[at + 2]) << 8 | UInt32(m[at + 3])
  }

  func flowMod(_ m: UnsafeRawBufferPointer) {
    let is10 = t.version == OFVersion.v1_0
    guard m.count >= (is10 ? 72 : 56) else { return }
    let command = is10 ? Int(m[56]) << 8 | Int(m[57]) : Int(m[25])
    let buffer = u32(m, is10 ? 64 : 32)
    if run.checkDecode { verify(m, command: command, buffer: buffer) }
    guard command == 0 else {
      otherFlowMods += 1
      return
    }
    guard run.counting else { return }  // handshake-time flows are not responses
    flowModAdds += 1
    response(buffer: buffer)
  }

  func packetOut(_ m: UnsafeRawBufferPointer) {
    guard m.count >= 16 else { return }
    let buffer = u32(m, 8)
    if run.checkDecode { verify(m, command: nil, buffer: buffer) }
    guard run.counting else { return }
    packetOuts += 1
    response(buffer: buffer)
  }

  /// Cross-checks the fast offset reads against the project's full decoder.
  func verify(_ m: UnsafeRawBufferPointer, command: Int?, buffer: UInt32) {
    guard let d = try? OFCodec.decode(m) else {
      decodeMismatches += 1
      return
    }
    let b: UInt64? = {
      guard let v = d.msg["buffer_id"] else { return 0xffff_ffff }
      if case .string("NO_BUFFER") = v { return 0xffff_ffff }
      return v.uint
    }()
    if b != UInt64(buffer) { decodeMismatches += 1 }
    if let command {
      let c = d.msg["command"]
      let isAdd = c == nil || c == .string("ADD") || c?.uint == 0
      if isAdd != (command == 0) { decodeMismatches += 1 }
    }
  }

  @inline(__always)
  func response(buffer: UInt32) {
    loopResponses += 1
    totalResponses += 1
    let i: Int
    if run.matchAny {
      // Every response answers the oldest PACKET_IN still outstanding.
      while oldestBuffer != nextBuffer && !ringPending[Int(oldestBuffer) & ringMask] {
        oldestBuffer = (oldestBuffer &+ 1) & 0x7fff_ffff
      }
      guard oldestBuffer != nextBuffer else {
        unmatched += 1
        return
      }
      i = Int(oldestBuffer) & ringMask
      oldestBuffer = (oldestBuffer &+ 1) & 0x7fff_ffff
    } else {
      guard buffer != 0xffff_ffff else { return }
      i = Int(buffer) & ringMask
      guard ringPending[i] && ringBuffer[i] == buffer else {
        unmatched += 1
        return
      }
    }
    ringPending[i] = false
    outstanding -= 1
    answered += 1
    loopAnswered += 1
    let now = nowNS()
    lastProgress = now
    run.recordLatency(now &- ringSentAt[i])
    refill()
  }

  /// Sends PACKET_INs until `window` are outstanding.
  func refill() {
    guard sending, let c = connection, state == .ready else { return }
    while outstanding < window {
      let i = Int(nextBuffer) & ringMask
      if ringPending[i] { break }  // the ring is full of unanswered ids
      sendPacketIn(c, slot: i)
    }
  }

  func sendPacketIn(_ c: Connection, slot i: Int) {
    let buffer = nextBuffer
    nextBuffer = (nextBuffer &+ 1) & 0x7fff_ffff
    let k = Int(seq % UInt64(run.macs))
    seq &+= 1
    let j = run.dstIndex[k]
    let port = k % t.ports + 1
    scratch.withUnsafeMutableBytes { p in
      p[8] = UInt8(truncatingIfNeeded: buffer >> 24)
      p[9] = UInt8(truncatingIfNeeded: buffer >> 16)
      p[10] = UInt8(truncatingIfNeeded: buffer >> 8)
      p[11] = UInt8(truncatingIfNeeded: buffer)
      if t.inPortSize == 2 {
        p[t.inPortAt] = UInt8(truncatingIfNeeded: port >> 8)
        p[t.inPortAt + 1] = UInt8(truncatingIfNeeded: port)
      } else {
        p[t.inPortAt] = 0
        p[t.inPortAt + 1] = 0
        p[t.inPortAt + 2] = UInt8(truncatingIfNeeded: port >> 8)
        p[t.inPortAt + 3] = UInt8(truncatingIfNeeded: port)
      }
      writeMac(p, at: t.frameAt, mac: j)
      writeMac(p, at: t.frameAt + 6, mac: k)
      // The xid: a running count, for anyone reading a capture.
      let x = UInt32(truncatingIfNeeded: seq)
      p[4] = UInt8(truncatingIfNeeded: x >> 24)
      p[5] = UInt8(truncatingIfNeeded: x >> 16)
      p[6] = UInt8(truncatingIfNeeded: x >> 8)
      p[7] = UInt8(truncatingIfNeeded: x)
      c.write(UnsafeRawBufferPointer(p))
    }
    let now = nowNS()
    ringBuffer[i] = buffer
    ringSentAt[i] = now
    ringPending[i] = true
    if outstanding == 0 { lastProgress = now }
    outstanding += 1
    packetInsSent += 1
  }

  /// Locally administered MAC 02:ss:ss:ss:kk:kk (switch index, or 0 when
  /// shared; MAC index).
  @inline(__always)
  func writeMac(_ p: UnsafeMutableRawBufferPointer, at: Int, mac k: Int) {
    p[at] = 0x02
    p[at + 1] = UInt8(truncatingIfNeeded: macOwner >> 16)
    p[at + 2] = UInt8(truncatingIfNeeded: macOwner >> 8)
    p[at + 3] = UInt8(truncatingIfNeeded: macOwner)
    p[at + 4] = UInt8(truncatingIfNeeded: k >> 8)
    p[at + 5] = UInt8(truncatingIfNeeded: k)
  }

  /// Gives up on PACKET_INs unanswered for longer than `timeout` (a controller
  /// may drop responses under load); they count as lost and the window refills.
  func expire(now: UInt64, timeout: UInt64) {
    guard sending, outstanding > 0, now &- lastProgress > timeout else { return }
    for i in 0...ringMask where ringPending[i] && now &- ringSentAt[i] > timeout {
      ringPending[i] = false
      outstanding -= 1
      lost += 1
    }
    lastProgress = now
    refill()
  }

  func describe(_ m: UnsafeRawBufferPointer) -> String {
    guard let d = try? OFCodec.decode(m) else { return "(undecodable)" }
    return "\(d.msg["type"].map { "\($0)" } ?? "?") \(d.msg["code"].map { "\($0)" } ?? "?")"
  }
}

@inline(__always)
func nowNS() -> UInt64 {
  var ts = timespec()
  clock_gettime(CLOCK_MONOTONIC, &ts)
  return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}
