import ArgumentParser
import Foundation
import OpenFlow

/// `zofhost decode [--roundtrip] [--hex] FILE...`: binary OpenFlow messages to JSON.
struct DecodeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "decode",
    abstract: "Print OpenFlow messages (laid back to back in each file) as JSON, one per line.",
    discussion: """
      Exit status: 0 when every message decoded (and, with --roundtrip, re-encoded to the same bytes), \
      1 when any failed (each failure on stderr: file, offset, reason), 2 for bad usage.
      """)

  @Flag(name: .long, help: "Re-encode each message and check the bytes come out the same.")
  var roundtrip = false

  @Flag(name: .long, help: "The files hold hex text (whitespace ignored) instead of binary.")
  var hex = false

  @Argument(help: ArgumentHelp("Files to read; - for standard input.", valueName: "file"))
  var files: [String] = []

  func validate() throws {
    guard !files.isEmpty else { throw ValidationError("decode needs at least one FILE (- for standard input)") }
  }

  func run() throws {
    var failed = false
    var out = FileHandle.standardOutput
    for file in files {
      guard var bytes = ToolIO.read(file) else {
        ToolIO.warn("\(file): cannot read")
        failed = true
        continue
      }
      if hex {
        guard let b = OFStream.hexBytes(bytes) else {
          ToolIO.warn("\(file), offset 0: not hex text")
          failed = true
          continue
        }
        bytes = b
      }
      if bytes.isEmpty {
        // A file is one or more messages: an empty one (a message cut to nothing) is a failure.
        ToolIO.warn("\(file), offset 0: no message (the input is empty)")
        failed = true
      }
      for item in OFStream.decodeAll(bytes, roundtrip: roundtrip) {
        switch item.result {
        case .success(let m):
          print(m.jsonText, to: &out)
          if let why = item.mismatch {
            ToolIO.warn("\(file), offset \(item.offset): \(m.type): \(why)")
            failed = true
          }
        case .failure(let e):
          ToolIO.warn("\(file), offset \(item.offset + e.offset): \(e.messageType): \(e.reason)")
          failed = true
        }
      }
    }
    if failed { ToolIO.exit(1) }
  }
}

/// File and stream helpers shared by decode and encode.
enum ToolIO {
  static func read(_ path: String) -> [UInt8]? {
    if path == "-" { return [UInt8](FileHandle.standardInput.readDataToEndOfFile()) }
    return FileManager.default.contents(atPath: path).map { [UInt8]($0) }
  }

  static func warn(_ line: String) {
    FileHandle.standardError.write(Data("zofhost: \(line)\n".utf8))
  }

  static func exit(_ code: Int32) -> Never {
    fflush(stdout)
    Foundation.exit(code)
  }
}

extension FileHandle: @retroactive TextOutputStream {
  public func write(_ string: String) { write(Data(string.utf8)) }
}
