import Foundation
import XCTest

@testable import OpenFlow

/// Differential decoding against Open vSwitch: the same bytes go to
/// `ovs-ofctl ofp-print` and to `OFCodec.decode`, and whenever OVS decodes a
/// message without "decode error", zofhost must decode it too (unless the
/// refusal is one of `deliberate` below). The inputs: every corpus file,
/// messages encoded from the corpus (or by hand) for every (version, type)
/// of the codec's type table, about 700 seeded mutations of those (a bit
/// flipped, a byte set, the message cut short; one each) and 1.0 matches
/// with their unused bits scrambled; every decode must also re-encode
/// without trapping. Where OVS refuses and zofhost accepts is counted, not
/// failed: being stricter than OVS is allowed only by `deliberate`, being
/// more lenient always. ovs-ofctl runs 4 processes at a time (~1,500
/// messages in about 20 s). Skips, saying so, without ovs-ofctl.
final class OvsOfctlDifferentialTests: XCTestCase {
  /// Where zofhost is stricter than OVS on purpose: the message types, a
  /// substring of zofhost's error reason, why, and a message that shows it
  /// (`testDeliberateExceptionsStillHold` checks OVS still takes it).
  static let deliberate: [(types: Set<String>, reason: String, why: String, example: String)] = [
    (["ROLE_STATUS", "BUNDLE_CONTROL"], "property",
     "OVS reads only the fixed part of these two and skips their properties; zofhost decodes the properties, "
       + "and one whose length is below 4 or runs past the message leaves nothing to decode it by or send back",
     "051e00500000000000000002000000000000000000000007ffff000c000000650000000000000000ffff0010000000650000000100000001"
       + "ffff00000000006500000002000000010000000200000000"),
    (["GET_ASYNC_REPLY", "SET_ASYNC", "GET_ASYNC_REQUEST"], "appears twice",
     "the schema has one field per async property; OVS lets the later of two win, which would drop the other silently",
     "051b0038000000000001000800000005000000080000000100030008000000070002000800000003000000080000000f0004000800000003"),
    (["FLOW_MOD", "FLOW_REMOVED", "REQUEST.FLOW", "REQUEST.AGGREGATE", "REPLY.FLOW"], "dl_vlan_pcp",
     "a matched 1.0 dl_vlan_pcp over 7 (the wildcard bit clear): OVS keeps its low 3 bits (252 matches PCP 4), so the flow would match "
       + "another PCP than the bytes say; a wildcarded one is accepted and kept",
     "010e004800000000002820ef00000000000000000000000000000000fc0000000000000000000000000000000000000000000000000000"
       + "000000000000008000ffffffffffff0000"),
  ]

  /// One input and both verdicts.
  struct Case {
    let label: String
    let bytes: [UInt8]
    var ovs: String = ""
    var ovsAccepts: Bool { !ovs.contains("decode error") && !ovs.contains("too short") }
  }

  static var ofctl: String? { OvsOfctlCrossCheckTests.ofctl }

  func requireTools() throws -> String {
    guard let path = OvsOfctlDifferentialTests.ofctl else {
      print("SKIP: ovs-ofctl not installed (apt-get install openvswitch-common)")
      throw XCTSkip("ovs-ofctl not installed")
    }
    return path
  }

  /// Runs `ovs-ofctl ofp-print` on every case, a few processes at a time.
  static func runOFCtl(_ path: String, _ cases: inout [Case]) {
    final class Box: @unchecked Sendable { var out: [String]; init(_ n: Int) { out = Array(repeating: "", count: n) } }
    let box = Box(cases.count)
    let lock = NSLock()
    let inputs = cases.map { hexText($0.bytes) }
    let workers = 4
    DispatchQueue.concurrentPerform(iterations: workers) { w in
      var i = w
      while i < inputs.count {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = ["ofp-print", inputs[i]]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        var text = ""
        do {
          try p.run()
          let data = pipe.fileHandleForReading.readDataToEndOfFile()
          p.waitUntilExit()
          text = String(decoding: data, as: UTF8.self)
        } catch {
          text = "decode error: could not run ovs-ofctl: \(error)"
        }
        lock.lock()
        box.out[i] = text
        lock.unlock()
        i += workers
      }
    }
    for i in cases.indices { cases[i].ovs = box.out[i] }
  }

  // MARK: inputs

  /// Corpus files as OVS would frame them: a file longer than its header
  /// length is cut to that length (the rest would be the next message).
  static func corpusCases() -> [Case] {
    let root = CorpusTests.corpusRoot
    var out: [Case] = []
    for folder in ["of10", "of12", "of13", "of14", "of15"] {
      for name in CorpusTests.list(root + "/" + folder) where name.hasSuffix(".packet") {
        guard var b = CorpusTests.read(root + "/" + folder + "/" + name), b.count >= 8 else { continue }
        let len = Int(b[2]) << 8 | Int(b[3])
        if len >= 8 && len < b.count { b = Array(b.prefix(len)) }
        out.append(Case(label: folder + "/" + name, bytes: b))
      }
    }
    return out
  }

  /// Every schema type name of `version` the type table has.
  static func typeNames(_ version: UInt8) -> [String] {
    var names: [String] = []
    for (t, k) in OFTypes.kinds(version).enumerated() where OFTypes.kind(version, UInt8(t)) != nil {
      if k.isMultipart {
        for mp in OFTypes.mpKinds(version) + [.EXPERIMENTER] { names.append(OFTypes.name(k, mp)) }
      } else {
        names.append(k.rawValue)
      }
    }
    return names
  }

  /// Bodies for types whose corpus examples do not carry over to 1.0/1.1.
  static let handMade: [String: [OFValue]] = {
    let frame = hex("020000000002 020000000001 0800 45000014000100004006f9e50a0000010a000002")
    let exp: OFValue = .table([OFField("experimenter", .uint(0x00ab_cdef)), OFField("data", .bytes([1, 2, 3, 4]))])
    return [
      "ERROR": [.table([OFField("type", .string("BAD_REQUEST")), OFField("code", .string("BAD_TYPE")),
                        OFField("data", .bytes(hex("0199000800000000")))])],
      "EXPERIMENTER": [exp], "REQUEST.EXPERIMENTER": [exp], "REPLY.EXPERIMENTER": [exp],
      "PORT_STATUS": [.table([OFField("reason", .string("ADD")), OFField("desc", .table([
        OFField("port_no", .uint(1)), OFField("hw_addr", .string("02:00:00:00:00:01")), OFField("name", .string("p1")),
      ]))])],
      "PACKET_IN": [
        .table([OFField("buffer_id", .uint(0xffff_ffff)), OFField("total_len", .uint(UInt64(frame.count))),
                OFField("in_port", .uint(1)), OFField("reason", .string("NO_MATCH")), OFField("data", .bytes(frame))]),
        // 1.1 has in_phy_port too.
        .table([OFField("buffer_id", .uint(0xffff_ffff)), OFField("in_port", .uint(1)), OFField("in_phy_port", .uint(1)),
                OFField("total_len", .uint(UInt64(frame.count))), OFField("reason", .string("NO_MATCH")), OFField("data", .bytes(frame))]),
      ],
    ]
  }()

  /// For every (version, type) of the table: corpus messages of that type
  /// moved to the version (when they can be said there), else the type with
  /// every field at its default. Returns the cases and the pairs no example
  /// could be encoded for.
  static func encodedCases(_ corpus: [Case]) -> (cases: [Case], missing: [String]) {
    var byType: [String: [OFMessage]] = [:]
    for c in corpus { if let m = try? OFCodec.decode(c.bytes) { byType[m.type, default: []].append(m) } }
    var out: [Case] = []
    var missing: [String] = []
    for v in UInt8(1)...6 {
      for name in typeNames(v) {
        var made = 0
        var sources = byType[name] ?? []
        // 1.5 calls flow descriptions FLOW_DESC; the older name encodes to it.
        if name == "REQUEST.FLOW_DESC" { sources += byType["REQUEST.FLOW"] ?? [] }
        if name == "REPLY.FLOW_DESC" { sources += byType["REPLY.FLOW"] ?? [] }
        if name == "REQUEST.FLOW" { sources += byType["REQUEST.FLOW_DESC"] ?? [] }
        if name == "REPLY.FLOW" { sources += byType["REPLY.FLOW_DESC"] ?? [] }
        var seen: Set<[UInt8]> = []
        for var m in sources where made < 3 {
          let from = m.version
          m.version = v
          m.type = name
          guard let b = try? OFCodec.encode(m), seen.insert(b).inserted else { continue }
          out.append(Case(label: "encoded \(OFNames.versionText(v)) \(name) from \(OFNames.versionText(from))", bytes: b))
          made += 1
        }
        if made == 0, let b = try? OFCodec.encode(OFMessage(version: v, type: name, msg: .emptyTable)) {
          out.append(Case(label: "encoded \(OFNames.versionText(v)) \(name) with defaults", bytes: b))
          made += 1
        }
        for msg in handMade[name] ?? [] where made < 3 {
          guard let b = try? OFCodec.encode(OFMessage(version: v, type: name, msg: msg)), seen.insert(b).inserted else { continue }
          out.append(Case(label: "encoded \(OFNames.versionText(v)) \(name) by hand", bytes: b))
          made += 1
        }
        if made == 0 { missing.append("\(OFNames.versionText(v)) \(name)") }
      }
    }
    return (out, missing)
  }

  /// A small deterministic PRNG (SplitMix64), so every run mutates alike.
  struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
      state &+= 0x9e37_79b9_7f4a_7c15
      var z = state
      z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce5_e4b9
      z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
      return z ^ (z >> 31)
    }
  }

  /// Seeded mutations of `seeds`, one per seed: a flipped bit, a byte set to
  /// 0x00 or 0xff, or a cut at a random length (header length fixed up, so
  /// framing is not what is tested). Bytes 0-3 (version, type, length) stay.
  static func mutations(_ seeds: [Case], seed: UInt64) -> [Case] {
    var rng = SplitMix(state: seed)
    var out: [Case] = []
    for s in seeds where s.bytes.count > 8 {
      do {
        var b = s.bytes
        let kind = Int(rng.next() % 3)
        let at = 4 + Int(rng.next() % UInt64(b.count - 4))
        switch kind {
        case 0: b[at] ^= UInt8(1 << (rng.next() % 8))
        case 1: b[at] = rng.next() % 2 == 0 ? 0 : 0xff
        default:
          b = Array(b.prefix(8 + Int(rng.next() % UInt64(b.count - 8))))
        }
        b[2] = UInt8(b.count >> 8)
        b[3] = UInt8(b.count & 0xff)
        let what = ["bit flip", "byte set", "cut"][kind]
        out.append(Case(label: "\(s.label), \(what) at \(kind == 2 ? b.count : at)", bytes: b))
      }
    }
    return out
  }

  /// 1.0 messages with a match: every bit the match does not use (fields
  /// the wildcards mask, padding, spare wildcard bits) set at random, three
  /// times per seed. OVS ignores those bits; zofhost must too, and keep them.
  static func wildcardScrambles(_ seeds: [Case], seed: UInt64) -> [Case] {
    var rng = SplitMix(state: seed)
    var out: [Case] = []
    for s in seeds where s.bytes.count >= 8 && s.bytes[0] == OFVersion.v1_0 {
      let b = s.bytes
      // FLOW_MOD and FLOW_REMOVED: match at 8; flow/aggregate stats requests at 12.
      let at: Int
      switch b[1] {
      case 14, 11: at = 8
      case 16 where b.count >= 12 && (b[9] == 1 || b[9] == 2): at = 12
      default: continue
      }
      guard b.count >= at + OFCodec.match10Size else { continue }
      let wire = Array(b[at..<(at + OFCodec.match10Size)])
      for k in 0..<3 {
        var x = b
        let used = OFCodec.match10UsedBits(wire, wire)
        for i in 0..<OFCodec.match10Size {
          x[at + i] = wire[i] & used[i] | UInt8(truncatingIfNeeded: rng.next()) & ~used[i]
        }
        out.append(Case(label: "\(s.label), wildcarded bits scrambled #\(k)", bytes: x))
      }
    }
    return out
  }

  // MARK: the check

  struct Tally: CustomStringConvertible {
    var total = 0, bothAccept = 0, bothRefuse = 0, onlyZof = 0, excused = 0
    var findings: [String] = []
    var excusedBy: [String: Int] = [:]
    var description: String {
      "\(total) inputs: both accept \(bothAccept), both refuse \(bothRefuse), only zofhost accepts \(onlyZof), "
        + "only OVS accepts \(findings.count + excused) (\(excused) deliberate, \(findings.count) findings)"
    }
  }

  static func compare(_ cases: [Case]) -> Tally {
    var t = Tally()
    for c in cases {
      t.total += 1
      let zof: Result<OFMessage, OFCodecError> = {
        do throws(OFCodecError) { return .success(try OFCodec.decode(c.bytes)) } catch { return .failure(error) }
      }()
      if case .success(let m) = zof {
        // A decode must also re-encode without trapping (it may refuse).
        _ = try? OFCodec.encode(m)
      }
      switch (c.ovsAccepts, zof) {
      case (true, .success): t.bothAccept += 1
      case (false, .failure): t.bothRefuse += 1
      case (false, .success): t.onlyZof += 1
      case (true, .failure(let e)):
        if let d = deliberate.first(where: { $0.types.contains(e.messageType) && e.reason.contains($0.reason) }) {
          t.excused += 1
          t.excusedBy[d.reason, default: 0] += 1
        } else {
          let firstLine = c.ovs.split(separator: "\n").first ?? ""
          t.findings.append("\(c.label): zofhost: \(e) | ovs: \(firstLine) | \(hexText(c.bytes))")
        }
      }
    }
    return t
  }

  func report(_ name: String, _ t: Tally) {
    print("ovs-ofctl differential, \(name): \(t)")
    for (r, n) in t.excusedBy.sorted(by: { $0.key < $1.key }) { print("  deliberate x\(n): \(r)") }
    for f in t.findings { print("  FINDING \(f)") }
    XCTAssertEqual(t.findings, [], "\(name): OVS decodes these, zofhost does not")
  }

  func testEveryTypeOfEveryVersion() throws {
    let path = try requireTools()
    var corpus = OvsOfctlDifferentialTests.corpusCases()
    if corpus.isEmpty { print("SKIP (corpus part): corpus not found at \(CorpusTests.corpusRoot)") }
    let (encoded, missing) = OvsOfctlDifferentialTests.encodedCases(corpus)
    var cases = corpus + encoded
    OvsOfctlDifferentialTests.runOFCtl(path, &cases)
    corpus = Array(cases.prefix(corpus.count))
    report("corpus", OvsOfctlDifferentialTests.compare(corpus))
    report("encoded", OvsOfctlDifferentialTests.compare(Array(cases.dropFirst(corpus.count))))
    // Every (version, type) the table has must have been tried.
    XCTAssertEqual(missing, [], "no example could be encoded for these")
  }

  /// Each deliberate exception is real: OVS takes its example, zofhost
  /// refuses it for the reason listed.
  func testDeliberateExceptionsStillHold() throws {
    let path = try requireTools()
    var cases = OvsOfctlDifferentialTests.deliberate.map { Case(label: $0.reason, bytes: hex($0.example)) }
    OvsOfctlDifferentialTests.runOFCtl(path, &cases)
    for (c, d) in zip(cases, OvsOfctlDifferentialTests.deliberate) {
      XCTAssertTrue(c.ovsAccepts, "\(d.reason): OVS refuses the example now; the exception may go\n\(c.ovs)")
      XCTAssertThrowsError(try OFCodec.decode(c.bytes), d.reason) { error in
        let e = error as! OFCodecError
        XCTAssertTrue(d.types.contains(e.messageType) && e.reason.contains(d.reason), "\(d.reason): \(e)")
      }
    }
  }

  func testMutatedInputs() throws {
    let path = try requireTools()
    let corpus = OvsOfctlDifferentialTests.corpusCases()
    let seeds = corpus + OvsOfctlDifferentialTests.encodedCases(corpus).cases
    var cases = OvsOfctlDifferentialTests.mutations(seeds, seed: 0x5eed_0f_1a)
    var scrambled = OvsOfctlDifferentialTests.wildcardScrambles(seeds, seed: 0x0f10_0001)
    XCTAssertGreaterThan(scrambled.count, 30)
    OvsOfctlDifferentialTests.runOFCtl(path, &cases)
    OvsOfctlDifferentialTests.runOFCtl(path, &scrambled)
    report("mutations", OvsOfctlDifferentialTests.compare(cases))
    report("1.0 wildcarded bits", OvsOfctlDifferentialTests.compare(scrambled))
    // Those bits come back as they were.
    for c in scrambled {
      guard let m = try? OFCodec.decode(c.bytes) else { continue }
      XCTAssertEqual(try hexText(OFCodec.encode(m)), hexText(c.bytes), c.label)
    }
  }
}
