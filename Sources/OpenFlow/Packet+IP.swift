// What IPv4 and IPv6 share: the transport dispatch and the checksum
// pseudo-header.

@usableFromInline
enum IPProto {
  @inlinable static var icmpv4: UInt8 { 1 }
  @inlinable static var tcp: UInt8 { 6 }
  @inlinable static var udp: UInt8 { 17 }
  @inlinable static var icmpv6: UInt8 { 58 }
  @inlinable static var sctp: UInt8 { 132 }
}

extension PacketDecoder {
  /// `icmp` is the ICMP protocol number of the IP version (1 or 58): ICMPv6
  /// inside IPv4 is not ICMPv6.
  @inlinable
  static func decodeL4<S: PacketFieldSink>(_ proto: UInt8, icmp: UInt8, _ c: inout Cursor, _ s: inout S) {
    switch proto {
    case IPProto.tcp: decodeTCP(&c, &s)
    case IPProto.udp: decodeUDP(&c, &s)
    case icmp: icmp == IPProto.icmpv4 ? decodeICMPv4(&c, &s) : decodeICMPv6(&c, &s)
    case IPProto.sctp: decodeSCTP(&c, &s)
    default: break
    }
  }
}

extension PacketBuilder {
  /// ip_proto as given, else from the fields of the transport layer.
  mutating func ipProto(v6: Bool) throws(PacketBuildError) -> UInt8 {
    if p.has("ip_proto") { return UInt8(try p.uint("ip_proto", bits: 8, default: nil)) }
    if p.has(prefix: "tcp_") { return IPProto.tcp }
    if p.has(prefix: "udp_") { return IPProto.udp }
    if p.has(prefix: "sctp_") { return IPProto.sctp }
    if v6 && (p.has(prefix: "icmpv6_") || p.has(prefix: "ipv6_nd_")) { return IPProto.icmpv6 }
    if !v6 && p.has(prefix: "icmpv4_") { return IPProto.icmpv4 }
    throw PacketBuildError("ip_proto", "missing, and no tcp_, udp_, sctp_ or icmp field tells it")
  }

  /// The transport header when its fields are given (the decoder gives none
  /// for a header cut short), else the payload straight after IP.
  /// `pseudo` is the pseudo-header's address sum.
  mutating func transport(_ proto: UInt8, v6: Bool, pseudo: UInt64) throws(PacketBuildError) {
    switch proto {
    case IPProto.tcp where p.has(prefix: "tcp_"): try tcp(pseudo: pseudo)
    case IPProto.udp where p.has(prefix: "udp_"): try udp(pseudo: pseudo)
    case IPProto.sctp where p.has(prefix: "sctp_"): try sctp()
    case IPProto.icmpv4 where !v6 && p.has(prefix: "icmpv4_"): try icmpv4()
    case IPProto.icmpv6 where v6 && (p.has(prefix: "icmpv6_") || p.has(prefix: "ipv6_nd_")): try icmpv6(pseudo: pseudo)
    default:
      layers.append("ip_proto \(proto)")
      try payload()
    }
  }

  /// Checksum of the transport bytes from `start` to the end, with the
  /// pseudo-header (addresses, protocol, length), written at `start + at`.
  mutating func patchTransportChecksum(start: Int, at: Int, proto: UInt8, pseudo: UInt64, zeroAsOnes: Bool = false) {
    let len = w.count - start
    var sum = pseudo + UInt64(proto) + UInt64(len >> 16) + UInt64(len & 0xffff)
    sum = Checksum.add(w.bytes[start...], sum)
    var ck = Checksum.fold(sum)
    // UDP sends 0 as "no checksum", so a computed 0 goes out as all ones.
    if zeroAsOnes && ck == 0 { ck = 0xffff }
    w.patchU16(at: start + at, ck)
  }
}
