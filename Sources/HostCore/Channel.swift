import Logging
import OpenFlow
import Reactor

/// One switch connection: framing, handshake, and the hand-off of every
/// message the channel does not answer itself to the host.
final class Channel: ConnectionDelegate {
  enum State { case hello, features, ports, up, closed }

  unowned let host: Controller
  let connection: Connection
  var state = State.hello
  var version: UInt8 = 0
  var features: OFValue = .emptyTable
  var datapathID: UInt64 = 0
  var ports: [OFValue] = []
  var datapath: Datapath?
  let acceptedAt: Double
  var lastReceive: Double
  var echoPending = false
  /// Messages that came before CHANNEL_UP; replayed right after it.
  var early: [[UInt8]] = []
  /// Bytes held in `early`; what was dropped past its bounds.
  var earlyBytes = 0
  var earlyDropped = (count: 0, bytes: 0)
  /// Bytes of the handshake's PORT_DESC reply so far.
  var portBytes = 0
  /// Unknown messages answered since the last one logged, and when that was.
  var unknownUnlogged = 0
  var unknownLoggedAt = -Double.infinity
  /// Complete messages copied out of the input, so a handler that closes the
  /// connection never pulls the reactor's buffer from under the framing loop.
  private var batch: [UInt8] = []

  init(host: Controller, connection: Connection) {
    self.host = host
    self.connection = connection
    acceptedAt = host.loop.liveNow
    lastReceive = acceptedAt
  }

  var log: Logger { host.logger }

  func connectionReadable(_ c: Connection) {
    var bad: Int? = nil
    var badHeader: [UInt8]? = nil
    let taken = connection.withInput { buf -> Int in
      var off = 0
      while buf.count - off >= OFHeader.size {
        // A version byte no OpenFlow version has (but a HELLO's, which may be
        // newer than ours) is refused at its header, not once its length is in.
        if buf[off] &- 1 >= OFVersion.v1_5, buf[off] == 0 || state != .hello || buf[off + 1] != 0 {
          badHeader = Array(buf[off..<(off + OFHeader.size)])
          break
        }
        let len = OFHeader.length(buf, at: off)
        if len < OFHeader.size {
          bad = len
          break
        }
        if buf.count - off < len { break }
        off += len
      }
      if off > 0 {
        batch.removeAll(keepingCapacity: true)
        batch.append(contentsOf: UnsafeRawBufferPointer(rebasing: buf[0..<off]))
      }
      return off
    }
    if taken > 0 {
      // Only a whole message is an answer: a switch that trickles a byte at
      // a time of one that never completes stays silent to the keepalive.
      lastReceive = host.loop.liveNow
      echoPending = false
      connection.consume(taken)
      batch.withUnsafeBytes { all in
        var off = 0
        while off < all.count, connection.isOpen {
          // Back-to-back PACKET_INs go to the apps together.
          let end = packetInsEnd(all, from: off)
          if end > off {
            host.deliverFrames(self, type: "PACKET_IN", frames: UnsafeRawBufferPointer(rebasing: all[off..<end]))
            off = end
            continue
          }
          let len = OFHeader.length(all, at: off)
          receive(UnsafeRawBufferPointer(rebasing: all[off..<(off + len)]))
          off += len
        }
      }
    }
    if let bad, connection.isOpen {
      protocolError("length field \(bad) is under 8; framing lost", type: "BAD_REQUEST", code: "BAD_LEN")
    }
    if let badHeader, connection.isOpen {
      let hello = state == .hello
      badHeader.withUnsafeBytes {
        protocolError("version byte \(badHeader[0]) is no OpenFlow version (message type \(badHeader[1]))",
          type: hello ? "HELLO_FAILED" : "BAD_REQUEST", code: hello ? "INCOMPATIBLE" : "BAD_VERSION", offending: $0)
      }
    }
  }

  /// Where a run of PACKET_INs from `off` ends: each as `receive` would hand
  /// to the apps (channel up, the channel's version; no request is answered
  /// by a PACKET_IN, whatever its xid).
  private func packetInsEnd(_ all: UnsafeRawBufferPointer, from off: Int) -> Int {
    guard state == .up, datapath != nil else { return off }
    var end = off
    while end < all.count, all[end] == version, all[end + 1] == OFHeader.packetInType {
      end += OFHeader.length(all, at: end)
    }
    return end
  }

  func connectionClosed(_ c: Connection, reason: String) {
    let wasUp = state == .up
    state = .closed
    host.channelClosed(self, reason: reason, wasUp: wasUp)
  }

  /// One whole message from the switch.
  private func receive(_ frame: UnsafeRawBufferPointer) {
    guard let header = OFHeader(frame), state != .closed else { return }
    if state == .hello {
      handshakeHello(header, frame)
      return
    }
    if header.version != version {
      log.warning("\(connection.peer): message version \(header.version) on a \(OFVersion.name(version)) channel; ignored")
      sendError(type: "BAD_REQUEST", code: "BAD_VERSION", offending: frame)
      return
    }
    let type = OFCodec.typeName(frame)
    switch type {
    case "ECHO_REQUEST":
      var reply = Array(frame)
      reply[1] = 3  // ECHO_REPLY in every version; body and xid echo back unchanged
      connection.write(reply)
      return
    case "ECHO_REPLY":
      return
    case "UNKNOWN":
      answerUnknown(header, frame)
      return
    default:
      break
    }
    switch state {
    case .features where type == "FEATURES_REPLY":
      handshakeFeatures(frame)
    case .ports where type == "REPLY.PORT_DESC":
      handshakePorts(frame)
    case .up:
      if type == "PORT_STATUS" { trackPortStatus(frame) }
      if let dp = datapath, Controller.mayStateRole(type) { host.roleSeen(dp, frame, type: type, xid: header.xid) }
      if let dp = datapath, dp.routeReply(frame, xid: header.xid, type: type) {
        host.dispatcher.resumeReady()
        return
      }
      host.deliver(self, type: type, xid: header.xid, frame: frame)
    default:
      if type == "ERROR" {
        log.warning("\(connection.peer): switch sent ERROR during the handshake: \(describe(frame))")
      }
      let limits = host.config
      if early.count < limits.earlyMessageLimit && earlyBytes + frame.count <= limits.earlyByteLimit {
        early.append(Array(frame))
        earlyBytes += frame.count
      } else {
        if earlyDropped.count == 0 {
          log.warning("\(connection.peer): more than \(limits.earlyMessageLimit) messages or \(limits.earlyByteLimit) bytes before CHANNEL_UP; dropping \(type) and what else comes until then")
        }
        earlyDropped.count += 1
        earlyDropped.bytes += frame.count
      }
    }
  }

  /// A message type (or multipart type) this version does not have: the
  /// switch hears so, as OpenFlow asks, and the log says so, at most every 10 s.
  private func answerUnknown(_ header: OFHeader, _ frame: UnsafeRawBufferPointer) {
    // Type 18/19 with multipart type 0 (DESC, which every version has) names
    // a type only when the version has multipart messages of that type.
    let probe: [UInt8] = [header.version, header.type, 0, 16, 0, 0, 0, 0, 0, 0]
    let typeKnown = probe.withUnsafeBytes { OFCodec.typeName($0) } != "UNKNOWN"
    let code = !typeKnown ? "BAD_TYPE" : version == OFVersion.v1_0 ? "BAD_STAT" : "BAD_MULTIPART"
    sendError(type: "BAD_REQUEST", code: code, offending: frame)
    unknownUnlogged += 1
    let now = host.loop.now
    guard now - unknownLoggedAt >= 10 else { return }
    let more = unknownUnlogged > 1 ? " (\(unknownUnlogged - 1) more since the last such line)" : ""
    let what = typeKnown && frame.count >= 10 ? "multipart type \(UInt16(frame[8]) << 8 | UInt16(frame[9]))" : "message type \(header.type)"
    log.warning("\(connection.peer): unknown \(what) for OpenFlow \(OFVersion.name(version)); answered \(code)\(more)")
    unknownUnlogged = 0
    unknownLoggedAt = now
  }

  private func trackPortStatus(_ frame: UnsafeRawBufferPointer) {
    guard let m = try? OFCodec.decode(frame), let desc = m.msg["desc"],
      let reason = m.msg["reason"]?.string
    else { return }
    datapath?.updatePort(reason: reason, desc: desc)
    if let dp = datapath { host.bus?.publishPortStatus(dp, reason: reason, desc: desc) }
  }

  func describe(_ frame: UnsafeRawBufferPointer) -> String {
    do { return try OFCodec.decode(frame).msg.jsonText } catch { return "\(error)" }
  }

  /// Encodes and queues one of the channel's own messages.
  func send(_ type: String, _ msg: OFValue = .emptyTable, xid: UInt32 = 0) {
    let v = version != 0 ? version : (host.offeredVersions.max() ?? OFVersion.v1_3)
    do {
      let x = xid != 0 ? xid : host.nextChannelXid()
      connection.write(try OFCodec.encode(OFMessage(version: v, type: type, xid: x, msg: msg)))
    } catch {
      log.error("\(connection.peer): cannot encode \(type): \(error)")
    }
  }

  /// Sends an ERROR naming the offending message (its first 64 bytes, as the spec asks).
  func sendError(type: String, code: String, offending: UnsafeRawBufferPointer?, text: String? = nil) {
    var data: [UInt8] = []
    if let offending { data = Array(offending.prefix(64)) } else if let text { data = Array(text.utf8) }
    let xid = offending.flatMap { OFHeader($0)?.xid } ?? 0
    send("ERROR", .table(["type": .string(type), "code": .string(code), "data": .bytes(data)]), xid: xid)
  }

  /// Logs, answers with an ERROR, and closes once the ERROR is written.
  func protocolError(_ why: String, type: String, code: String, offending: UnsafeRawBufferPointer? = nil) {
    log.error("\(connection.peer): \(why); closing")
    sendError(type: type, code: code, offending: offending, text: why)
    connection.closeAfterFlush(reason: why)
  }
}
