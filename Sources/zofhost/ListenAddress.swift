/// `--listen [tcp:][HOST:]PORT`: "6653", "127.0.0.1:6653", "[::1]:6653", ":6653", "tcp:6653"; `tls:[HOST:]PORT` for TLS.
struct ListenAddress {
  var host: String
  var port: UInt16
  /// `tls:[HOST:]PORT`: TLS channels.
  var tls = false

  init?(_ given: String) {
    // `tcp:` is accepted as an explicit synonym.
    tls = given.hasPrefix("tls:")
    let text = given.hasPrefix("tcp:") || tls ? String(given.dropFirst(4)) : given
    var hostPart = "0.0.0.0"
    var portPart = Substring(text)
    if text.hasPrefix("[") {
      guard let close = text.firstIndex(of: "]") else { return nil }
      hostPart = String(text[text.index(after: text.startIndex)..<close])
      let rest = text[text.index(after: close)...]
      guard rest.hasPrefix(":") else { return nil }
      portPart = rest.dropFirst()
    } else if let colon = text.lastIndex(of: ":") {
      let h = text[..<colon]
      if !h.isEmpty { hostPart = String(h) }
      portPart = text[text.index(after: colon)...]
    }
    guard let p = UInt16(portPart) else { return nil }
    host = hostPart
    port = p
  }
}
