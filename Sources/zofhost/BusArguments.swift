import ArgumentParser
import HostCore
import Logging
import LuaRuntime
import Reactor

/// The events bus on the command line (docs/bus.md).
struct BusArguments: ParsableArguments {
  @Option(name: .long, help: ArgumentHelp("Serve the events bus: bind a PULL socket at EMIT and an XPUB at REG (tcp:// on loopback only unless --bus-curve-dir, or ipc://).", valueName: "EMIT,REG"))
  var busServer: String?

  @Option(name: .long, help: ArgumentHelp("Join another zofhost's (or any) events bus: PUSH to EMIT, SUB at REG.", valueName: "EMIT,REG"))
  var busConnect: String?

  @Option(name: .long, help: "Largest bus message in bytes; a peer that sends more is disconnected.")
  var busMaxMessage: Int = 1 << 20

  @Option(name: .long, help: "Bus messages queued per socket and peer before new ones are dropped (ZMQ_SNDHWM, ZMQ_RCVHWM).")
  var busHighWater: Int = 1000

  @Option(name: .long, help: ArgumentHelp("CURVE keys folder (pyzmq create_certificates format). Server: its pair is server.key_secret, every other *.key is an accepted client; a non-loopback TCP bind needs this. Client: see --bus-curve-key.", valueName: "DIR"))
  var busCurveDir: String?

  @Option(name: .long, help: ArgumentHelp("Client with CURVE: its own key pair (a NAME.key_secret file).", valueName: "FILE"))
  var busCurveKey: String?

  @Option(name: .long, help: ArgumentHelp("Client with CURVE: the server's public key (its server.key file).", valueName: "FILE"))
  var busCurveServerKey: String?

  func validate() throws {
    if busConnect != nil, (busCurveKey == nil) != (busCurveServerKey == nil) {
      throw ValidationError("--bus-curve-key and --bus-curve-server-key go together")
    }
    if busServer != nil, busCurveKey != nil || busCurveServerKey != nil {
      throw ValidationError("--bus-curve-key and --bus-curve-server-key are for --bus-connect; a server uses --bus-curve-dir")
    }
    if busConnect != nil, busCurveDir != nil { throw ValidationError("--bus-curve-dir is for --bus-server; a client uses --bus-curve-key and --bus-curve-server-key") }
    if busServer != nil && busConnect != nil { throw ValidationError("--bus-server and --bus-connect: choose one") }
    if let s = busServer {
      guard let e = BusEndpoints(s) else { throw ValidationError("--bus-server: '\(s)' is not EMIT_ADDR,REG_ADDR (two different tcp://, ipc:// or inproc:// addresses)") }
      if let why = e.bindProblem(curve: busCurveDir != nil) { throw ValidationError("--bus-server: \(why)") }
    }
    if let s = busConnect, BusEndpoints(s) == nil {
      throw ValidationError("--bus-connect: '\(s)' is not EMIT_ADDR,REG_ADDR (two different tcp://, ipc:// or inproc:// addresses)")
    }
    guard busMaxMessage >= 1024 else { throw ValidationError("--bus-max-message must be 1024 or more") }
    guard busHighWater >= 1 && busHighWater <= Int(Int32.max) else { throw ValidationError("--bus-high-water must be 1 or more") }
  }

  /// Opens the bus, if one is asked for, and hands its events to the running generation.
  func open(loop: EventLoop, host: Controller, logger: Logger) throws {
    let role: Bus.Role
    let text: String
    if let s = busServer { (role, text) = (.server, s) } else if let s = busConnect { (role, text) = (.client, s) } else { return }
    guard let endpoints = BusEndpoints(text) else { return }
    var options = BusOptions()
    options.maxMessageSize = busMaxMessage
    options.highWaterMark = Int32(busHighWater)
    if role == .server, let dir = busCurveDir {
      options.curve = try BusCurve.server(dir: dir)
      logger.info("bus: CURVE, \(options.curve!.allowed.count) client key(s) accepted from \(dir)")
    } else if role == .client, let key = busCurveKey, let serverKey = busCurveServerKey {
      options.curve = try BusCurve.client(keyFile: key, serverKeyFile: serverKey)
    }
    let bus = try Bus(loop: loop, role: role, endpoints: endpoints, options: options, logger: logger)
    bus.onEvent = { [unowned host] m in (host.dispatcher.sink as? LuaRuntime)?.postBusEvent(m) }
    host.bus = bus
    logger.info("bus \(role.rawValue): emit \(endpoints.emit), reg \(endpoints.reg)")
  }
}
