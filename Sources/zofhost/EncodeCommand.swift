import ArgumentParser
import Foundation
import OpenFlow

/// `zofhost encode [FILE|-]`: JSON messages (as `decode` prints them) to binary.
struct EncodeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "encode",
    abstract: "Write the binary form of JSON messages: one object, an array, or one object per line.",
    discussion: """
      Each message is {"type": ..., "version": 4 or "1.3", "xid": ..., "msg": {...}}; bytes are hex text. \
      Exit status: 0 when every message encoded, 1 when any failed (nothing is written then), 2 for bad usage.
      """)

  @Flag(name: .long, help: "Write hex text, one message per line, instead of binary.")
  var hex = false

  @Argument(help: ArgumentHelp("JSON file to read; - or nothing for standard input.", valueName: "file"))
  var file: String = "-"

  func run() throws {
    guard let text = ToolIO.read(file) else {
      ToolIO.warn("\(file): cannot read")
      ToolIO.exit(1)
    }
    let messages: [OFMessage]
    do { messages = try OFMessage.parseJSON(text) } catch {
      ToolIO.warn("\(file): \(error)")
      ToolIO.exit(1)
    }
    var out: [UInt8] = []
    var failed = false
    for (i, m) in messages.enumerated() {
      do {
        let b = try OFCodec.encode(m)
        if hex {
          out += Array(b.map { String(format: "%02x", $0) }.joined().utf8) + [10]
        } else {
          out += b
        }
      } catch {
        ToolIO.warn("\(file), message \(i + 1), offset \(error.offset): \(error.messageType): \(error.reason)")
        failed = true
      }
    }
    if failed { ToolIO.exit(1) }
    FileHandle.standardOutput.write(Data(out))
  }
}
