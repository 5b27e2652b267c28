import Foundation
import XCTest

/// Runs the zofhost binary built next to the test bundle, as a user would.
protocol ZofhostRunner {}

struct Run { var status: Int32; var out: Data; var err: String }

final class Box: @unchecked Sendable { var data = Data() }

extension ZofhostRunner {
  /// The zofhost binary built next to this test bundle.
  var zofhost: URL {
    var dir = Bundle.main.bundleURL
    while !FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent("zofhost").path) && dir.path != "/" {
      dir.deleteLastPathComponent()
    }
    return dir.appendingPathComponent("zofhost")
  }

  func run(_ args: [String], stdin: Data? = nil) throws -> Run {
    let p = Process()
    p.executableURL = zofhost
    p.arguments = args
    let out = Pipe(), err = Pipe(), inp = Pipe()
    p.standardOutput = out
    p.standardError = err
    if stdin != nil { p.standardInput = inp }
    try p.run()
    if let stdin {
      inp.fileHandleForWriting.write(stdin)
      try inp.fileHandleForWriting.close()
    }
    // Read both pipes before waiting so a large output cannot block the child.
    let errBox = Box()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async { errBox.data = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    p.waitUntilExit()
    return Run(status: p.terminationStatus, out: outData, err: String(decoding: errBox.data, as: UTF8.self))
  }

}
