import ArgumentParser
import OpenFlow

#if canImport(Glibc)
import Glibc
#endif

/// zofload: emulated OpenFlow switches that load a controller (cbench's idea,
/// for OpenFlow 1.0 and 1.3), on the project's own reactor and codec.
@main
struct ZofLoad: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "zofload",
    abstract: "Emulate OpenFlow switches and measure a controller's responses to PACKET_IN.",
    discussion: """
      Modes: throughput keeps --window PACKET_INs outstanding per switch; latency keeps one \
      and reports p50/p99/p99.9 round trips; handshake only connects --switches switches and \
      reports how long their handshakes took. Responses are FLOW_MOD (command ADD) and \
      PACKET_OUT messages. The summary line follows cbench: \
      RESULT: N switches K tests min/max/avg/stdev = a/b/c/d responses/s. \
      With --tls-cert, --tls-key and --tls-ca every switch connects over TLS \
      (mutual authentication, as ovs-pki sets it up); handshake mode then counts the TLS \
      handshake too. Traffic goes to the loopback network only.
      """)

  @Option(help: ArgumentHelp("Controller address, HOST:PORT (loopback only).", valueName: "host:port"))
  var controller = "127.0.0.1:6653"

  @Option(help: "Number of emulated switches.")
  var switches = 16

  @Option(help: "Source MAC addresses per switch (at least 2).")
  var macs = 1000

  @Flag(name: .customLong("shared-macs"), help: "Every switch sends from the same source MACs (as cbench does).")
  var sharedMacs = false

  @Option(help: "Measured loops.")
  var loops = 10

  @Option(name: .customLong("ms-per-loop"), help: "Length of one loop in milliseconds.")
  var msPerLoop = 1000

  @Option(help: "Loops run before measuring (not counted).")
  var warmup = 1

  @Option(help: "Measured seconds; sets --loops to duration / ms-per-loop.")
  var duration: Double?

  @Option(help: "OpenFlow version: 1.0 or 1.3.")
  var version = "1.3"

  @Option(help: "throughput, latency or handshake.")
  var mode = "throughput"

  @Option(help: "Outstanding PACKET_INs per switch in throughput mode.")
  var window = 64

  @Option(help: "Ports per switch.")
  var ports = 4

  @Option(name: .customLong("connect-batch"), help: "Most handshakes in flight at once.")
  var connectBatch = 500

  @Option(name: .customLong("connect-timeout"), help: "Seconds allowed for all handshakes.")
  var connectTimeout = 60.0

  @Option(help: "Handshake mode: seconds to stay connected after the handshakes (e.g. to read the controller's memory).")
  var hold = 0.0

  @Option(name: .customLong("response-timeout-ms"), help: "A PACKET_IN unanswered this long counts as lost.")
  var responseTimeoutMS = 1000

  @Option(help: ArgumentHelp("How a response is matched to its PACKET_IN: buffer (it names the PACKET_IN's buffer id) or any (each response answers the oldest outstanding PACKET_IN; for controllers that answer every PACKET_IN with exactly one message and no buffer id).", valueName: "buffer|any"))
  var match = "buffer"

  @Option(name: .customLong("tls-cert"), help: ArgumentHelp("Connect over TLS with this certificate (PEM); needs --tls-key and --tls-ca.", valueName: "file"))
  var tlsCert: String?

  @Option(name: .customLong("tls-key"), help: ArgumentHelp("The private key (PEM) of --tls-cert.", valueName: "file"))
  var tlsKey: String?

  @Option(name: .customLong("tls-ca"), help: ArgumentHelp("The CA certificate (PEM) the controller's certificate must chain to.", valueName: "file"))
  var tlsCa: String?

  @Flag(name: .customLong("check-decode"), help: "Also decode every response with the full codec and count disagreements (slower).")
  var checkDecode = false

  func settings() throws -> Settings {
    var s = Settings()
    guard let colon = controller.lastIndex(of: ":"), let port = UInt16(controller[controller.index(after: colon)...]), port > 0 else {
      throw ValidationError("--controller '\(controller)' is not HOST:PORT (e.g. 127.0.0.1:6653)")
    }
    var host = String(controller[..<colon])
    if host == "localhost" { host = "127.0.0.1" }
    let octets = host.split(separator: ".", omittingEmptySubsequences: false).map { UInt8($0) }
    guard octets.count == 4, octets.allSatisfy({ $0 != nil }), octets[0] == 127 else {
      throw ValidationError("--controller host '\(host)' is not a 127.x.x.x address; zofload loads loopback controllers only")
    }
    s.host = host
    s.port = port
    guard (1...60000).contains(switches) else { throw ValidationError("--switches must be 1 to 60000, not \(switches)") }
    guard (2...65535).contains(macs) else { throw ValidationError("--macs must be 2 to 65535, not \(macs)") }
    guard (1...1000).contains(ports) else { throw ValidationError("--ports must be 1 to 1000, not \(ports)") }
    guard (10...600_000).contains(msPerLoop) else { throw ValidationError("--ms-per-loop must be 10 to 600000, not \(msPerLoop)") }
    guard (0...1000).contains(warmup) else { throw ValidationError("--warmup must be 0 to 1000, not \(warmup)") }
    var loopCount = loops
    if let duration {
      guard duration > 0 && duration <= 3600 else { throw ValidationError("--duration must be above 0 and at most 3600 seconds") }
      loopCount = Swift.max(1, Int((duration * 1000 / Double(msPerLoop)).rounded(.up)))
    }
    guard (1...100_000).contains(loopCount) else { throw ValidationError("--loops must be 1 to 100000, not \(loopCount)") }
    guard Double(loopCount + warmup) * Double(msPerLoop) <= 3_600_000 else {
      throw ValidationError("(--loops + --warmup) x --ms-per-loop is over an hour; zofload runs are bounded")
    }
    s.loops = loopCount
    s.msPerLoop = msPerLoop
    s.warmup = warmup
    s.switches = switches
    s.macs = macs
    s.sharedMacs = sharedMacs
    s.ports = ports
    guard let v = OFVersion.parse(version), v == OFVersion.v1_0 || v == OFVersion.v1_3 else {
      throw ValidationError("--version must be 1.0 or 1.3, not '\(version)'")
    }
    s.version = v
    guard let m = Mode(rawValue: mode) else {
      throw ValidationError("--mode must be throughput, latency or handshake, not '\(mode)'")
    }
    s.mode = m
    guard (1...4096).contains(window) else { throw ValidationError("--window must be 1 to 4096, not \(window)") }
    s.window = window
    guard (1...60000).contains(connectBatch) else { throw ValidationError("--connect-batch must be 1 to 60000") }
    s.connectBatch = connectBatch
    guard connectTimeout > 0 && connectTimeout <= 600 else { throw ValidationError("--connect-timeout must be above 0 and at most 600 seconds") }
    s.connectTimeout = connectTimeout
    guard hold >= 0 && hold <= 600 else { throw ValidationError("--hold must be 0 to 600 seconds") }
    s.hold = hold
    guard (1...60000).contains(responseTimeoutMS) else { throw ValidationError("--response-timeout-ms must be 1 to 60000") }
    s.responseTimeoutMS = responseTimeoutMS
    s.checkDecode = checkDecode
    guard match == "buffer" || match == "any" else { throw ValidationError("--match must be buffer or any, not '\(match)'") }
    s.matchAny = match == "any"
    switch (tlsCert, tlsKey, tlsCa) {
    case (nil, nil, nil): break
    case let (cert?, key?, ca?): s.tls = (cert, key, ca)
    default: throw ValidationError("TLS needs all of --tls-cert, --tls-key and --tls-ca")
    }
    return s
  }

  func validate() throws { _ = try settings() }

  func run() throws {
    let s = try settings()
    let limit = raiseFileLimit(to: s.switches + 256)
    if limit < s.switches + 16 {
      throw ExitCode(failing("open-file limit is \(limit), too low for \(s.switches) switches"))
    }
    let runner: Runner
    do { runner = try Runner(s) } catch { throw ExitCode(failing("\(error)")) }
    let code = runner.run()
    if code != 0 { throw ExitCode(code) }
  }

  /// Prints one error line and gives the exit code for a run-time failure.
  func failing(_ text: String) -> Int32 {
    printErr("zofload: \(text)")
    return 1
  }

  /// Bad flags: one line on stderr and exit status 2; --help prints help.
  static func main() {
    setvbuf(stdout, nil, _IOLBF, 0)
    let command: ParsableCommand
    do {
      command = try parseAsRoot()
    } catch {
      let code = exitCode(for: error)
      if code == .success {
        print(fullMessage(for: error))
        Glibc.exit(0)
      }
      var text = message(for: error).split(separator: "\n").first.map(String.init) ?? "bad arguments"
      if text.hasPrefix("Error: ") { text.removeFirst(7) }
      printErr("zofload: \(text) (see zofload --help)")
      Glibc.exit(2)
    }
    do {
      var c = command
      try c.run()
    } catch let e as ExitCode {
      Glibc.exit(e.rawValue)
    } catch {
      // --help comes back here as a "help requested" error from the help command.
      if exitCode(for: error) == .success {
        print(fullMessage(for: error))
        Glibc.exit(0)
      }
      printErr("zofload: \(message(for: error))")
      Glibc.exit(1)
    }
    Glibc.exit(0)
  }
}
