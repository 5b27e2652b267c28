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
  /// Complete messages copied out of the input, so a handler that closes the
  /// connection never pulls the reactor's buffer from under the framing loop.
  private var batch: [UInt8] = []

  init(host: Controller, connection: Connection) {
    self.host = host
    self.connection = connection
    acceptedAt = host.loop.now
    lastReceive = acceptedAt
  }

  var log: Logger { host.logger }

  func connectionReadable(_ c: Connection) {
    lastReceive = host.loop.now
    echoPending = false
    var bad: Int? = nil
    let taken = connection.withInput { buf -> Int in
      var off = 0
      while buf.count - off >= OFHeader.size {
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
  }

  /// Where a run of PACKET_INs from `off` ends: each as `receive` would hand
  /// to the apps (channel up, the channel's version, no request claims its xid).
  private func packetInsEnd(_ all: UnsafeRawBufferPointer, from off: Int) -> Int {
    guard state == .up, let dp = datapath else { return off }
    var end = off
    while end < all.count, all[end] == version, all[end + 1] == OFHeader.packetInType {
      if dp.hasPending && dp.claims(xid: OFHeader.xid(all, at: end)) { break }
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
    guard let header = OFHeader(frame) else { return }
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
      if let dp = datapath, dp.routeReply(frame, xid: header.xid, type: type) {
        host.dispatcher.resumeReady()
        return
      }
      host.deliver(self, type: type, xid: header.xid, frame: frame)
    default:
      if type == "ERROR" {
        log.warning("\(connection.peer): switch sent ERROR during the handshake: \(describe(frame))")
      }
      if early.count < host.config.earlyMessageLimit {
        early.append(Array(frame))
      } else {
        log.warning("\(connection.peer): more than \(host.config.earlyMessageLimit) messages before CHANNEL_UP; dropping \(type)")
      }
    }
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
    let v = version != 0 ? version : (host.config.versions.max() ?? OFVersion.v1_3)
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
