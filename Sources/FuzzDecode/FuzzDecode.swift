// libFuzzer entry point over the OpenFlow decoder. Built by scripts/fuzz with
// -sanitize=fuzzer -DFUZZING (libFuzzer supplies main). A plain build gives a
// reproducer instead: `FuzzDecode FILE...` runs each file through the same check.
//
// The check, for any input: decode never traps; when it succeeds, the JSON
// form and the re-encode never trap, and the re-encoded bytes decode to the
// same message (decode∘encode is the identity on decoded messages).
//
// The input, and a PACKET_IN's data, also go through the packet library as
// an Ethernet frame: decoding never traps, and a decoded packet that builds
// decodes back to the same fields and builds again to the same bytes.

import OpenFlow

#if canImport(Glibc)
  import Glibc
#endif

enum FuzzCheck {
  static func run(_ input: UnsafeRawBufferPointer) {
    checkPacket(input)
    // Make the header length agree with the input so the fuzzer gets past framing.
    var bytes = Array(input.prefix(0xffff))
    if bytes.count >= 4 {
      bytes[2] = UInt8(truncatingIfNeeded: bytes.count >> 8)
      bytes[3] = UInt8(truncatingIfNeeded: bytes.count)
    }
    guard let m = try? OFCodec.decode(bytes) else { return }
    _ = m.msg.jsonText
    if m.type == "PACKET_IN", let data = m.msg["data"]?.bytes {
      data.withUnsafeBytes { checkPacket($0) }
    }
    let again: [UInt8]
    do { again = try OFCodec.encode(m) } catch {
      fatalError("decoded \(m.type) does not re-encode: \(error)\n\(m.msg.jsonText)")
    }
    let back: OFMessage
    do { back = try OFCodec.decode(again) } catch {
      fatalError("re-encoded \(m.type) does not decode: \(error)\n\(m.msg.jsonText)")
    }
    if back != m {
      fatalError("re-encoded \(m.type) decodes differently:\n\(m.msg.jsonText)\n\(back.msg.jsonText)")
    }
  }
}

extension FuzzCheck {
  /// Unpadded builds: zero padding could complete a header cut short.
  static func checkPacket(_ frame: UnsafeRawBufferPointer) {
    let p = PacketDecoder.decode(frame)
    // A decoded packet may lack what the builder needs (an LLDP port id, say).
    guard let built = try? PacketBuilder.build(p, minimumSize: 0) else { return }
    let q = built.withUnsafeBytes { PacketDecoder.decode($0) }
    for f in p.fields ?? [] where q[f.name] != f.value {
      fatalError("packet field \(f.name) changed on rebuild:\n\(p.jsonText)\n\(q.jsonText)")
    }
    let again: [UInt8]
    do { again = try PacketBuilder.build(q, minimumSize: 0) } catch {
      fatalError("rebuilt packet does not build: \(error)\n\(q.jsonText)")
    }
    if again != built { fatalError("rebuilt packet builds differently:\n\(q.jsonText)") }
  }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDecodeOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  guard let data else { return 0 }
  FuzzCheck.run(UnsafeRawBufferPointer(start: data, count: size))
  return 0
}

#if FUZZING
  // SwiftPM links an executable's entry as `<Target>_main` aliased to main;
  // libFuzzer brings its own main too. scripts/fuzz links with
  // --allow-multiple-definition so this one wins, and it hands over to libFuzzer.
  @_silgen_name("LLVMFuzzerRunDriver")
  func llvmFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

  @_cdecl("FuzzDecode_main")
  public func fuzzDecodeMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var c = argc
    var v = argv
    return llvmFuzzerRunDriver(&c, &v, fuzzDecodeOne)
  }
#else
  @main
  struct FuzzDecodeReplay {
    static func main() {
      var failed = false
      for path in CommandLine.arguments.dropFirst() {
        guard let f = fopen(path, "rb") else {
          fputs("FuzzDecode: cannot open \(path)\n", stderr)
          failed = true
          continue
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
          let n = fread(&chunk, 1, chunk.count, f)
          if n <= 0 { break }
          bytes += chunk[0..<n]
        }
        fclose(f)
        bytes.withUnsafeBytes { FuzzCheck.run($0) }
        print("ok \(path)")
      }
      exit(failed ? 1 : 0)
    }
  }
#endif
