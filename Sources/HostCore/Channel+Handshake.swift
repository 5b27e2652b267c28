import Logging
import OpenFlow

extension Channel {
  /// Our HELLO: the highest version we speak, with a version bitmap when that is 1.3 or later.
  func sendHello() {
    let ours = host.offeredVersions.sorted()
    let top = ours.last ?? OFVersion.v1_3
    let msg: OFValue = top >= OFVersion.v1_3 ? .table(["versions": .list(ours.map { .uint(UInt64($0)) })]) : .emptyTable
    do {
      connection.write(try OFCodec.encode(OFMessage(version: top, type: "HELLO", xid: host.nextChannelXid(), msg: msg)))
    } catch {
      log.error("\(connection.peer): cannot encode HELLO: \(error)")
    }
  }

  /// Picks the version: the highest in both bitmaps, or without a bitmap the
  /// lower of the two headers' versions if we speak it.
  func handshakeHello(_ header: OFHeader, _ frame: UnsafeRawBufferPointer) {
    guard header.type == 0 else {
      protocolError("expected HELLO, got message type \(header.type) (version \(header.version))",
        type: "HELLO_FAILED", code: "INCOMPATIBLE", offending: frame)
      return
    }
    let ours = host.offeredVersions
    var theirs: Set<UInt8> = []
    if let m = try? OFCodec.decode(frame), let list = m.msg["versions"]?.list, !list.isEmpty {
      theirs = Set(list.compactMap { $0.uint.map { UInt8(truncatingIfNeeded: $0) } })
    }
    let chosen: UInt8?
    if !theirs.isEmpty {
      chosen = ours.intersection(theirs).max()
    } else {
      let v = min(ours.max() ?? 0, header.version)
      chosen = ours.contains(v) ? v : nil
    }
    guard let v = chosen else {
      let want = ours.sorted().map(OFVersion.name).joined(separator: ", ")
      let have = theirs.isEmpty ? OFVersion.name(header.version) : theirs.sorted().map(OFVersion.name).joined(separator: ", ")
      version = min(ours.max() ?? header.version, header.version)
      protocolError("no common OpenFlow version (we speak \(want); switch offers \(have))",
        type: "HELLO_FAILED", code: "INCOMPATIBLE")
      return
    }
    version = v
    state = .features
    send("FEATURES_REQUEST")
  }

  func handshakeFeatures(_ frame: UnsafeRawBufferPointer) {
    let m: OFMessage
    do { m = try OFCodec.decode(frame) } catch {
      protocolError("bad FEATURES_REPLY: \(error)", type: "BAD_REQUEST", code: "BAD_LEN", offending: frame)
      return
    }
    features = m.msg
    guard let dpid = m.msg["datapath_id"]?.string.flatMap(DatapathID.parse) else {
      protocolError("FEATURES_REPLY without a datapath_id", type: "BAD_REQUEST", code: "BAD_LEN", offending: frame)
      return
    }
    datapathID = dpid
    // Before 1.3 the ports come in FEATURES_REPLY; from 1.3 they need PORT_DESC.
    if version >= OFVersion.v1_3 {
      state = .ports
      send("REQUEST.PORT_DESC")
    } else {
      ports = m.msg["ports"]?.list ?? []
      becomeUp()
    }
  }

  func handshakePorts(_ frame: UnsafeRawBufferPointer) {
    guard let m = try? OFCodec.decode(frame) else {
      protocolError("bad PORT_DESC reply", type: "BAD_REQUEST", code: "BAD_LEN", offending: frame)
      return
    }
    // A reply that never ends (REPLY_MORE forever) must not grow the list without bound.
    let got = m.msg["ports"]?.list ?? []
    portBytes += frame.count
    let limits = host.config
    guard ports.count + got.count <= limits.handshakePortLimit, portBytes <= limits.handshakePortByteLimit else {
      protocolError("PORT_DESC reply passed \(limits.handshakePortLimit) ports or \(limits.handshakePortByteLimit) bytes during the handshake (\(ports.count + got.count) ports, \(portBytes) bytes so far)",
        type: "BAD_REQUEST", code: "MULTIPART_BUFFER_OVERFLOW")
      ports = []
      state = .closed  // the rest of this read is not looked at
      return
    }
    ports.append(contentsOf: got)
    let more = m.msg["flags"]?.list?.contains { $0 == .string("REPLY_MORE") || $0 == .string("MORE") } ?? false
    if !more { becomeUp() }
  }

  private func becomeUp() {
    // Whole packets to the controller: apps should not have to deal with
    // truncated PACKET_IN data (the switch default is 128 bytes).
    send("SET_CONFIG", .table(["flags": .list([]), "miss_send_len": .string("NO_BUFFER")]))
    let dp = Datapath(id: datapathID, version: version, connection: connection, features: features, ports: ports)
    datapath = dp
    state = .up
    host.channelUp(self, dp)
    if earlyDropped.count > 0 {
      log.warning("\(connection.peer): dropped \(earlyDropped.count) messages (\(earlyDropped.bytes) bytes) that came before CHANNEL_UP")
    }
    let held = early
    early = []
    earlyBytes = 0
    for frame in held where connection.isOpen {
      frame.withUnsafeBytes { buf in
        host.deliver(self, type: OFCodec.typeName(buf), xid: OFHeader(buf)?.xid ?? 0, frame: buf)
      }
    }
  }
}
