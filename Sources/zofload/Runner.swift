import Foundation
import Histogram
import OpenFlow
import Reactor

#if canImport(Glibc)
import Glibc
#endif

enum Mode: String, CaseIterable {
  case throughput, latency, handshake
}

/// Settings after validation.
struct Settings {
  var host = "127.0.0.1"
  var port: UInt16 = 6653
  var switches = 16
  var macs = 1000
  /// Every switch sends from the same MAC addresses, as cbench does: to a
  /// controller that tracks hosts, each one flaps between switches.
  var sharedMacs = false
  var loops = 10
  var msPerLoop = 1000
  var warmup = 1
  var version = OFVersion.v1_3
  var mode = Mode.throughput
  var window = 64
  var ports = 4
  var connectBatch = 500
  var connectTimeout = 60.0
  var hold = 0.0
  var responseTimeoutMS = 1000
  var checkDecode = false
  /// Every response answers the oldest outstanding PACKET_IN (for controllers
  /// that do not name the buffer id; right only if they answer each PACKET_IN once).
  var matchAny = false
  /// --tls-cert, --tls-key, --tls-ca: each switch connects over TLS with this
  /// certificate and key, and checks the controller's against the CA.
  var tls: (certificate: String, key: String, ca: String)?
}

/// Drives the switches through connect, handshake and the measured loops,
/// single-threaded on one reactor EventLoop, and prints the results.
final class Runner {
  let s: Settings
  let templates: Templates
  let loop: EventLoop
  var switches: [FakeSwitch] = []
  let macs: Int
  /// For MAC index k, the destination MAC index: the next MAC behind a different port.
  let dstIndex: [Int]
  let checkDecode: Bool
  let matchAny: Bool
  var counting = false
  /// The client side's OpenSSL context when switches speak TLS (the reactor's own wrapper).
  let tls: TLSContext?

  var started = 0
  var readyCount = 0
  var closedBeforeReady = 0
  var closedAfterReady = 0
  var lastReadyAt: UInt64 = 0
  var finishing = false
  var warnings = 0

  var histogram = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: .three)
  var recordLatencies = false

  init(_ s: Settings) throws {
    self.s = s
    templates = try Templates(version: s.version, ports: s.ports)
    loop = try EventLoop()
    tls = try s.tls.map { try TLSContext(server: false, certificate: $0.certificate, key: $0.key, ca: $0.ca) }
    macs = s.macs
    checkDecode = s.checkDecode
    matchAny = s.matchAny
    var d = [Int](repeating: 0, count: s.macs)
    for k in 0..<s.macs {
      d[k] = (k + 1) % s.macs
      for step in 1..<s.macs {
        let j = (k + step) % s.macs
        if j % s.ports != k % s.ports {
          d[k] = j
          break
        }
      }
    }
    dstIndex = d
  }

  func warn(_ text: String) {
    warnings += 1
    if warnings <= 20 { printErr("zofload: \(text)") }
  }

  func recordLatency(_ ns: UInt64) {
    guard recordLatencies else { return }
    _ = histogram.record(Swift.max(1, ns / 1000))
  }

  func switchReady(_ sw: FakeSwitch) {
    readyCount += 1
    lastReadyAt = sw.readyAt
  }

  func switchClosed(_ sw: FakeSwitch) {
    guard !finishing else { return }
    if sw.readyAt == 0 {
      closedBeforeReady += 1
      warn("switch \(sw.dpid) closed during the handshake: \(sw.closeReason)")
    } else {
      closedAfterReady += 1
      warn("switch \(sw.dpid) closed: \(sw.closeReason)")
    }
  }

  /// Starts connects while fewer than `connectBatch` handshakes are in flight.
  func pace() {
    while started < s.switches && started - readyCount - closedBeforeReady < s.connectBatch {
      let sw = switches[started]
      started += 1
      sw.start(loop: loop, host: s.host, port: s.port)
    }
  }

  func run() -> Int32 {
    let ring = nextPowerOfTwo(Swift.max(16, 2 * (s.mode == .throughput ? s.window : 1)))
    switches = (0..<s.switches).map { FakeSwitch(index: $0, run: self, ring: ring) }
    let t0 = nowNS()
    let hardStop = t0 + UInt64((s.connectTimeout + s.hold + 10) * 1e9)
      + UInt64(s.loops + s.warmup) * UInt64(s.msPerLoop) * 1_000_000

    // Connect and handshake.
    let handshakeDeadline = t0 + UInt64(s.connectTimeout * 1e9)
    while readyCount + closedBeforeReady < s.switches && nowNS() < handshakeDeadline {
      pace()
      loop.runOnce(timeout: 0.05)
    }
    let pending = s.switches - readyCount - closedBeforeReady
    let hsSeconds = Double((lastReadyAt > t0 ? lastReadyAt : nowNS()) - t0) / 1e9
    print(String(format: "HANDSHAKE: %d switches OpenFlow %@%@: %d completed in %.3f s (%.0f/s), %d failed, %d timed out",
      s.switches, OFVersion.name(s.version), s.tls == nil ? "" : " over TLS", readyCount, hsSeconds, Double(readyCount) / Swift.max(hsSeconds, 1e-9),
      closedBeforeReady, pending))

    if s.mode == .handshake {
      let holdUntil = nowNS() + UInt64(s.hold * 1e9)
      while nowNS() < holdUntil { loop.runOnce(timeout: 0.05) }
      finish()
      return readyCount == s.switches ? 0 : 1
    }
    guard readyCount > 0 else {
      printErr("zofload: no switch completed the handshake with \(s.host):\(s.port)")
      finish()
      return 1
    }

    // The measured loops.
    let active = switches.filter { $0.state == .ready }
    counting = true
    for sw in active {
      sw.window = s.mode == .latency ? 1 : s.window
      sw.sending = true
      sw.refill()
    }
    var rates: [Double] = []
    var answeredRates: [Double] = []
    let timeoutNS = UInt64(s.responseTimeoutMS) * 1_000_000
    var nextExpire = nowNS() + 100_000_000
    var loopStart = nowNS()
    for i in 0..<(s.warmup + s.loops) {
      if i == s.warmup { recordLatencies = true }
      for sw in active {
        sw.loopResponses = 0
        sw.loopAnswered = 0
      }
      let loopEnd = loopStart + UInt64(s.msPerLoop) * 1_000_000
      while true {
        let now = nowNS()
        if now >= loopEnd || now >= hardStop { break }
        if now >= nextExpire {
          for sw in active { sw.expire(now: now, timeout: timeoutNS) }
          nextExpire = now + 100_000_000
        }
        loop.runOnce(timeout: Double(Swift.min(loopEnd, nextExpire) - now) / 1e9)
      }
      let end = nowNS()
      let total = active.reduce(UInt64(0)) { $0 + $1.loopResponses }
      let ms = Double(end - loopStart) / 1e6
      let rate = Double(total) / ms * 1000
      var line = "\(clockText()) \(active.count) switches: responses/s:"
      if active.count <= 16 {
        for sw in active { line += " \(Int((Double(sw.loopResponses) / ms * 1000).rounded()))" }
        line += "  "
      }
      line += String(format: " total = %.6f per ms", Double(total) / ms)
      if i < s.warmup {
        line += " (warmup)"
      } else {
        rates.append(rate)
        answeredRates.append(Double(active.reduce(UInt64(0)) { $0 + $1.loopAnswered }) / ms * 1000)
      }
      print(line)
      loopStart = end
      if end >= hardStop {
        printErr("zofload: stopped at the time bound")
        break
      }
      if active.allSatisfy({ $0.state == .closed }) { break }
    }
    // Drain: stop sending and give the PACKET_INs still outstanding up to half
    // a second to be answered, so the totals below account for every one.
    for sw in active { sw.sending = false }
    let drainUntil = nowNS() + 500_000_000
    while nowNS() < drainUntil && active.contains(where: { $0.outstanding > 0 && $0.state == .ready }) {
      loop.runOnce(timeout: 0.01)
    }
    counting = false

    let n = Double(rates.count)
    let avg = rates.reduce(0, +) / Swift.max(n, 1)
    let sd = (rates.reduce(0) { $0 + ($1 - avg) * ($1 - avg) } / Swift.max(n, 1)).squareRoot()
    print(String(format: "RESULT: %d switches %d tests min/max/avg/stdev = %.2f/%.2f/%.2f/%.2f responses/s",
      active.count, rates.count, rates.min() ?? 0, rates.max() ?? 0, avg, sd))
    // PACKET_INs answered (matched by buffer id) per second: a controller that
    // sends FLOW_MOD and PACKET_OUT for one PACKET_IN counts once here.
    print(String(format: "ANSWERED: %.2f packet_in/s (avg of %d tests)",
      answeredRates.reduce(0, +) / Swift.max(n, 1), answeredRates.count))
    if s.mode == .latency {
      let h = histogram
      print(String(format: "LATENCY: p50/p99/p99.9 = %d/%d/%d us (min %d, max %d, mean %.1f, %d samples)",
        Int(h.valueAtPercentile(50)), Int(h.valueAtPercentile(99)), Int(h.valueAtPercentile(99.9)),
        Int(h.min), Int(h.max), h.mean, Int(h.totalCount)))
    }
    func sum(_ f: (FakeSwitch) -> UInt64) -> UInt64 { active.reduce(0) { $0 + f($1) } }
    var counts = "COUNTS: packet_in=\(sum { $0.packetInsSent }) flow_mod_add=\(sum { $0.flowModAdds })"
    counts += " packet_out=\(sum { $0.packetOuts }) responses=\(sum { $0.totalResponses })"
    counts += " answered=\(sum { $0.answered }) unmatched=\(sum { $0.unmatched }) lost=\(sum { $0.lost })"
    counts += " outstanding=\(active.reduce(0) { $0 + $1.outstanding }) other_flow_mod=\(sum { $0.otherFlowMods })"
    counts += " errors=\(sum { $0.errorsReceived }) closed=\(closedAfterReady)"
    if checkDecode { counts += " decode_mismatches=\(sum { $0.decodeMismatches })" }
    print(counts)
    if sum({ $0.totalResponses }) > 0 && sum({ $0.answered }) == 0 {
      printErr("zofload: no response named a PACKET_IN's buffer id, so none could be matched and the window refilled only by --response-timeout-ms; answer with the PACKET_IN's buffer_id, or use --match any")
    }
    finish()
    return closedAfterReady == active.count ? 1 : 0
  }

  func finish() {
    finishing = true
    for sw in switches { sw.connection?.close(reason: "zofload done") }
  }
}

func nextPowerOfTwo(_ n: Int) -> Int {
  var p = 1
  while p < n { p <<= 1 }
  return p
}

func printErr(_ text: String) {
  fputs(text + "\n", stderr)
}

/// Wall clock HH:MM:SS.mmm, as cbench prints it.
func clockText() -> String {
  var ts = timespec()
  clock_gettime(CLOCK_REALTIME, &ts)
  var t = ts.tv_sec
  var parts = tm()
  localtime_r(&t, &parts)
  return String(format: "%02d:%02d:%02d.%03d", parts.tm_hour, parts.tm_min, parts.tm_sec, Int(ts.tv_nsec / 1_000_000))
}

/// Raises the open-file limit so thousands of switches fit; returns the soft limit now in force.
func raiseFileLimit(to want: Int) -> Int {
  var r = rlimit()
  guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &r) == 0 else { return 0 }
  let target = rlim_t(want)
  if r.rlim_cur < target {
    if r.rlim_max < target {
      var raised = r
      raised.rlim_max = target
      raised.rlim_cur = target
      if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { return want }
      r.rlim_cur = r.rlim_max
    } else {
      r.rlim_cur = target
    }
    _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &r)
  }
  _ = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &r)
  return Int(r.rlim_cur)
}
