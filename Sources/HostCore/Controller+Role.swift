import Logging
import OpenFlow

extension Controller {
  /// Messages that may state our role; `Channel.receive` shows them to `roleSeen` first.
  static func mayStateRole(_ type: String) -> Bool {
    type == "ROLE_REPLY" || type == "ROLE_STATUS" || type == "EXPERIMENTER" || type == "ERROR"
  }

  /// A message from the switch that may state our role: the datapath takes
  /// it in, and apps get ROLE_CHANGED when role or generation id changed.
  /// Runs before the message answers its request, so a task waiting in
  /// `dp:set_role` resumes with `dp.role` already current.
  func roleSeen(_ dp: Datapath, _ frame: UnsafeRawBufferPointer, type: String, xid: UInt32) {
    guard let s = dp.roleStatement(frame, type: type, xid: xid) else { return }
    // A reply to no role request of ours (a confused or replaying switch, a
    // second reply to one request) says nothing we can trust about now: the
    // role stays; ROLE_STATUS is how a switch tells news. (A late reply to a
    // request that timed out is ours, and taken in.)
    if s.unsolicited {
      logger.warning("\(dp.connection.peer): datapath \(dp.idText) sent a role reply (\(s.role), xid \(xid)) to no role request of ours; ignored, role stays \(dp.role)")
      return
    }
    let before = dp.role
    guard dp.apply(s) else { return }
    let gen = dp.generationId.map { " generation \($0)" } ?? ""
    let why = s.statusReason.map { "status \($0)" } ?? s.reason
    logger.info("\(dp.connection.peer): datapath \(dp.idText) role \(before) -> \(dp.role)\(gen) (\(why))")
    dispatcher.dispatch(HostEvent(message: "ROLE_CHANGED", datapath: dp, payload: .fields(dp.roleFields(s))))
  }

  /// `--role` (and `--generation-id`): asked of every switch as it comes up,
  /// before apps see CHANNEL_UP. A refusal is logged; the channel stays.
  func requestConfiguredRole(_ dp: Datapath) {
    guard let role = config.role else { return }
    do {
      let m = try dp.roleRequest(role, generationId: config.generationId)
      _ = try dp.request(m) { [weak self] frame, _ in
        guard let self, let frame, OFCodec.typeName(frame) == "ERROR" else { return }
        let what = (try? OFCodec.decode(frame)).map { "\($0.msg["type"]?.string ?? "?") \($0.msg["code"]?.string ?? "?")" } ?? "ERROR"
        self.logger.error("\(dp.connection.peer): datapath \(dp.idText) refused role \(role): \(what)")
      }
    } catch {
      logger.error("\(dp.connection.peer): cannot ask datapath \(dp.idText) for role \(role): \(error)")
    }
  }
}
