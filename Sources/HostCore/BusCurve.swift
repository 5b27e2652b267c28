import CZMQ
import Foundation

/// CURVE keys for the bus, read from files in the format pyzmq's
/// `zmq.auth.create_certificates` writes: `NAME.key` holds the public key,
/// `NAME.key_secret` both, as `public-key = "..."` and `secret-key = "..."`
/// (Z85, 40 characters) under a `curve` section.
public struct CurveKeyFile: Equatable {
  public var publicKey: String?
  public var secretKey: String?

  /// Parses a certificate's text; nil when it has no `curve` section with a
  /// well-formed public key (or a malformed secret key).
  public static func parse(_ text: String) -> CurveKeyFile? {
    var section = ""
    var out = CurveKeyFile()
    for raw in text.split(whereSeparator: \.isNewline) {
      let line = String(raw)
      let t = line.trimmingCharacters(in: .whitespaces)
      if t.isEmpty || t.hasPrefix("#") { continue }
      let indented = line.first == " " || line.first == "\t"
      guard let eq = t.firstIndex(of: "=") else {
        if !indented { section = t }
        continue
      }
      guard section == "curve" else { continue }
      let key = t[..<eq].trimmingCharacters(in: .whitespaces)
      var value = t[t.index(after: eq)...].trimmingCharacters(in: .whitespaces)
      if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
      switch key {
      case "public-key": out.publicKey = value
      case "secret-key": out.secretKey = value
      default: break
      }
    }
    guard let p = out.publicKey, Curve.decode(p) != nil else { return nil }
    if let s = out.secretKey, Curve.decode(s) == nil { return nil }
    return out
  }

  public static func read(_ path: String) throws -> CurveKeyFile {
    guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
      throw BusError.address("\(path): cannot read")
    }
    guard let k = parse(text) else { throw BusError.address("\(path): no curve public-key (Z85) found") }
    return k
  }
}

public enum Curve {
  /// A Z85 key (40 characters) as its 32 bytes.
  public static func decode(_ z85: String) -> [UInt8]? {
    guard z85.utf8.count == 40 else { return nil }
    var out = [UInt8](repeating: 0, count: 32)
    let ok = out.withUnsafeMutableBufferPointer { zmq_z85_decode($0.baseAddress, z85) != nil }
    return ok ? out : nil
  }
}

/// How the bus uses CURVE: a server's own secret key and the client public
/// keys it accepts; a client's key pair and the server's public key.
public struct BusCurve {
  /// The server's secret key file inside the keys folder.
  public static let serverSecretName = "server.key_secret"
  public var publicKey: [UInt8]
  public var secretKey: [UInt8]
  /// Server: client public keys accepted by the ZAP handler.
  public var allowed: Set<[UInt8]> = []
  /// Client: the server's public key.
  public var serverKey: [UInt8]?

  /// Server: `dir/server.key_secret` is the server's key pair; every other
  /// `*.key` file in `dir` is an accepted client.
  public static func server(dir: String) throws -> BusCurve {
    let own = try pair(dir + "/" + serverSecretName)
    var c = BusCurve(publicKey: own.0, secretKey: own.1)
    let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
    for n in names.sorted() where n.hasSuffix(".key") && n != "server.key" {
      if let p = try CurveKeyFile.read(dir + "/" + n).publicKey.flatMap(Curve.decode) { c.allowed.insert(p) }
    }
    return c
  }

  /// Client: its own key pair (a `.key_secret` file) and the server's public key (a `.key` file).
  public static func client(keyFile: String, serverKeyFile: String) throws -> BusCurve {
    let own = try pair(keyFile)
    guard let s = try CurveKeyFile.read(serverKeyFile).publicKey.flatMap(Curve.decode) else {
      throw BusError.address("\(serverKeyFile): no public key")
    }
    var c = BusCurve(publicKey: own.0, secretKey: own.1)
    c.serverKey = s
    return c
  }

  static func pair(_ path: String) throws -> ([UInt8], [UInt8]) {
    let k = try CurveKeyFile.read(path)
    guard let p = k.publicKey.flatMap(Curve.decode), let s = k.secretKey.flatMap(Curve.decode) else {
      throw BusError.address("\(path): needs both public-key and secret-key (a .key_secret file)")
    }
    return (p, s)
  }
}

/// ZAP (ZeroMQ RFC 27) request frames to a reply: status 200 for CURVE
/// with an accepted client key, 400 for any other key or mechanism, 500
/// for a request that cannot be parsed.
enum ZAP {
  static let endpoint = "inproc://zeromq.zap.01"

  static func reply(_ frames: [[UInt8]], tooMany: Bool, allowed: Set<[UInt8]>) -> (reply: [[UInt8]], status: Int) {
    let requestId = frames.count > 1 ? frames[1] : []
    func answer(_ code: Int, _ text: String) -> ([[UInt8]], Int) {
      ([Array("1.0".utf8), requestId, Array(String(code).utf8), Array(text.utf8), [], []], code)
    }
    guard !tooMany, frames.count >= 6, frames[0] == Array("1.0".utf8) else { return answer(500, "bad request") }
    let mechanism = String(decoding: frames[5], as: UTF8.self)
    guard mechanism == "CURVE" else { return answer(400, "CURVE only") }
    guard frames.count == 7, frames[6].count == 32 else { return answer(500, "bad CURVE credentials") }
    return allowed.contains(frames[6]) ? answer(200, "OK") : answer(400, "unknown key")
  }
}
