import Foundation
import XCTest

/// `zofhost decode` / `zofhost encode` as a user runs them: output, stderr and exit codes.
final class DecodeEncodeCommandTests: XCTestCase, ZofhostRunner {
  var corpus: String {
    var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)
    return parts.joined(separator: "/") + "/../shared/corpus/ryu"
  }

  func corpusFiles(_ folder: String) throws -> [String] {
    let dir = corpus + "/" + folder
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { throw XCTSkip("corpus not found at \(corpus)") }
    return names.filter { $0.hasSuffix(".packet") }.sorted().map { dir + "/" + $0 }
  }

  func testDecodeRoundtripAndEncodeBackOnCorpus() throws {
    guard FileManager.default.isExecutableFile(atPath: zofhost.path) else { throw XCTSkip("zofhost binary not built") }
    for folder in ["of10", "of12", "of13", "of14"] {
      let files = try corpusFiles(folder).filter { !$0.hasSuffix("of10/1-2-ofp_flow_mod.packet") }  // 1.0 wildcard normalisation, see CorpusTests
      let r = try run(["decode", "--roundtrip"] + files)
      XCTAssertEqual(r.status, 0, "\(folder): \(r.err)")
      let lines = String(decoding: r.out, as: UTF8.self).split(separator: "\n")
      XCTAssertEqual(lines.count, files.count, folder)
      // The JSON goes back to the very same bytes.
      let back = try run(["encode", "-"], stdin: r.out)
      XCTAssertEqual(back.status, 0, back.err)
      var all = Data()
      for f in files { all += try Data(contentsOf: URL(fileURLWithPath: f)) }
      XCTAssertEqual(back.out, all, "\(folder): decode | encode changed the bytes")
    }
  }

  func testFailuresNameFileOffsetAndReason() throws {
    guard FileManager.default.isExecutableFile(atPath: zofhost.path) else { throw XCTSkip("zofhost binary not built") }
    let bad = corpus + "/of15/libofproto-OFP15-flow_desc_reply.packet"
    guard FileManager.default.fileExists(atPath: bad) else { throw XCTSkip("corpus not found") }
    let r = try run(["decode", bad])
    XCTAssertEqual(r.status, 1)
    XCTAssertTrue(r.err.contains("\(bad), offset 74: REPLY.FLOW_DESC: instruction length 2056 overruns"), r.err)

    // Hex input from stdin: one good message, then a header that overruns.
    let hexIn = Data("04020008 00000001\n040e0050 00000002 0000".utf8)
    let h = try run(["decode", "--hex", "-"], stdin: hexIn)
    XCTAssertEqual(h.status, 1)
    XCTAssertTrue(String(decoding: h.out, as: UTF8.self).contains("\"type\":\"ECHO_REQUEST\""))
    XCTAssertTrue(h.err.contains("-, offset 10: FLOW_MOD: header length 80 but only 10 bytes left"), h.err)

    // The corpus's truncated FLOW_MOD (stored empty) is rejected.
    let cut = try run(["decode", corpus + "/of13/libofproto-OFP13-flow_mod.truncated64"])
    XCTAssertEqual(cut.status, 1)
    XCTAssertTrue(cut.err.contains("offset 0: no message"), cut.err)
    var truncated = try Data(contentsOf: URL(fileURLWithPath: corpus + "/of13/libofproto-OFP13-flow_mod.packet"))
    truncated = truncated.prefix(64)
    let t = try run(["decode", "-"], stdin: truncated)
    XCTAssertEqual(t.status, 1)
    XCTAssertTrue(t.err.contains("-, offset 2: FLOW_MOD: header length"), t.err)

    let usage = try run(["decode"])
    XCTAssertEqual(usage.status, 2)
    XCTAssertTrue(usage.err.contains("decode needs at least one FILE"), usage.err)

    let enc = try run(["encode"], stdin: Data("{\"type\":\"FLOW_MOD\",\"version\":\"1.0\",\"msg\":{\"cookie_mask\":1}}".utf8))
    XCTAssertEqual(enc.status, 1)
    XCTAssertTrue(enc.err.contains("message 1, offset 8: FLOW_MOD: `cookie_mask` cannot be expressed in OpenFlow 1.0"), enc.err)
    XCTAssertTrue(enc.out.isEmpty)
  }
}
