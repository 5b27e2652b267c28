// Measures what one event costs on its way through the dispatcher into Lua:
// a handler that does not wait, one that reads a field (lazy decode), one that
// reads the packet, one that waits once (sleep 0, resumed next round), one
// behind a table filter that does not match, and one that raises every time.
// A benchmark, not a test: run it with scripts/bench-dispatch (release build).
import Foundation
import HostCore
import Logging
import LuaRuntime
import OpenFlow
import Reactor

func packetIn() -> [UInt8] {
  var frame: [UInt8] = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00]
  frame += [0x45, 0, 0, 28, 0, 1, 0, 0, 64, 1, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]
  frame += [8, 0, 0, 0, 0, 1, 0, 1]
  return try! OFCodec.encode(OFMessage(version: 4, type: "PACKET_IN", xid: 1, msg: .table([
    "in_port": .uint(1), "reason": .string("NO_MATCH"), "data": .bytes(frame),
  ])))
}

/// `before`: handlers registered ahead of the one measured.
func measure(_ name: String, before: String, handler: String, events: Int, waits: Bool, batched: Bool) throws {
  let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zofbench-\(getpid())")
  try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
  let path = dir.appendingPathComponent("bench.lua").path
  let app = "local app = zof.app(\"bench\")\nlocal n = 0\n\(before)\napp:message(\"PACKET_IN\", \(handler))\n"
  FileManager.default.createFile(atPath: path, contents: Data(app.utf8))
  defer { try? FileManager.default.removeItem(at: dir) }

  let loop = try EventLoop()
  var config = HostConfig()
  config.listen = []
  var logger = Logger(label: "bench")
  logger.logLevel = .error
  let host = Controller(loop: loop, config: config, logger: logger)
  let rt = try LuaRuntime(host: host, logger: logger, options: RuntimeOptions(appsDir: dir.path))
  try rt.loadApps(paths: [path])
  rt.activate()
  let frame = packetIn()

  // As one read brings them under load: runs of back-to-back PACKET_INs.
  let run64 = Array([[UInt8]](repeating: frame, count: 64).joined())

  func run(_ count: Int) {
    if batched {
      run64.withUnsafeBytes { buf in
        for _ in 0..<(count / 64) {
          host.dispatcher.dispatchFrames("PACKET_IN", datapath: nil, frames: buf, stillOpen: { true })
        }
      }
    } else {
      frame.withUnsafeBytes { buf in
        for _ in 0..<count {
          host.dispatcher.dispatch(HostEvent(message: "PACKET_IN", datapath: nil, xid: 1, payload: .frame(buf)))
        }
      }
    }
    // Waiting handlers resume in the next rounds (their sleep(0) timers fire).
    if waits { while rt.taskStats.tasks > 0 { loop.runOnce(timeout: 0) } }
  }
  run(events / 10)  // warm-up
  let start = DispatchTime.now().uptimeNanoseconds
  run(events)
  let ns = Double(DispatchTime.now().uptimeNanoseconds - start) / Double(events)
  print(String(format: "%-34@ %8.0f ns/event  (%d events)", name as NSString, ns, events))
}

// Usage: DispatchBench [EVENTS] [CASE] [one|batch]: CASE 1-6 runs one case (for
// profiling); events go one by one, or in runs of 64 as a loaded read brings them.
let args = CommandLine.arguments.dropFirst()
let events = Int(args.first ?? "") ?? 1_000_000
let only = args.dropFirst().first.flatMap { Int($0) }
let lldp = "app:message(\"PACKET_IN\", {eth_type = 0x88cc}, function(ev) end)"
let cases: [(name: String, before: String, handler: String, events: Int, waits: Bool)] = [
  ("handler that does not wait", "", "function(ev) n = n + 1 end", events, false),
  ("handler reading msg.in_port", "", "function(ev) n = n + ev.msg.in_port end", events, false),
  ("handler reading msg.pkt.eth_src", "", "function(ev) if ev.msg.pkt.eth_src then n = n + 1 end end", events, false),
  ("handler that waits once", "", "function(ev) zof.sleep(0); n = n + 1 end", events / 4, true),
  ("handler after a table filter's miss", lldp, "function(ev) n = n + 1 end", events, false),
  ("handler that raises", "", "function(ev) n = n + 1; error(\"boom \" .. n) end", events / 10, false),
]
let modes = args.dropFirst(2).first.map { [$0 == "batch"] } ?? [false, true]
for batched in modes {
  for (i, c) in cases.enumerated() where only == nil || only == i + 1 {
    try measure(c.name + (batched ? ", in runs of 64" : ""), before: c.before, handler: c.handler, events: c.events,
                waits: c.waits, batched: batched)
  }
}
