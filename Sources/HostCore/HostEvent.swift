import OpenFlow

/// An event sink's own handle for an event it built itself: the sink makes
/// one, posts the event with it, gets it back when the event's turn comes and
/// releases whatever it stands for when the event ends. Meaningless to
/// HostCore, which only carries it.
public struct EventToken: Hashable {
  public let raw: Int

  public init(raw: Int) { self.raw = raw }
}

/// One event on its way to the apps. Message events carry the switch's frame;
/// internal events carry schema fields or a token of the sink that made them.
public struct HostEvent {
  public enum Payload {
    /// A message frame, valid only while the event is being dispatched.
    case frame(UnsafeRawBufferPointer)
    /// A message frame owned by the event (a deferred event).
    case ownedFrame([UInt8])
    /// Fields for the app-visible `msg` (message events) or the event itself (internal events).
    case fields(OFValue)
    /// An event the sink built itself (an app posted it), known by the sink's token.
    case token(EventToken)
  }

  /// `type` of a message event ("PACKET_IN", "CHANNEL_UP") or `event` of an internal one ("START").
  public var name: String
  public var isMessage: Bool
  public var datapath: Datapath?
  public var xid: UInt32
  public var payload: Payload
  /// When set, only this app (by its sink index) sees the event (a call between apps).
  public var onlyApp: Int? = nil

  public init(message name: String, datapath: Datapath?, xid: UInt32 = 0, payload: Payload) {
    self.name = name
    self.isMessage = true
    self.datapath = datapath
    self.xid = xid
    self.payload = payload
  }

  public init(event name: String, payload: Payload = .fields(.emptyTable), datapath: Datapath? = nil) {
    self.name = name
    self.isMessage = false
    self.datapath = datapath
    self.xid = 0
    self.payload = payload
  }

  /// The frame at `offset` of back-to-back frames, as far as its length field says.
  public static func frame(in frames: UnsafeRawBufferPointer, at offset: Int) -> UnsafeRawBufferPointer {
    let len = OFHeader.length(frames, at: offset)
    return UnsafeRawBufferPointer(rebasing: frames[offset..<(offset + len)])
  }

  /// The event of one message frame; its xid comes from the header.
  public init(message name: String, datapath: Datapath?, frame: UnsafeRawBufferPointer) {
    self.init(message: name, datapath: datapath, xid: OFHeader.xid(frame), payload: .frame(frame))
  }

  /// A copy that outlives the current read (frames are copied out of the input buffer).
  func owned() -> HostEvent {
    var e = self
    if case .frame(let buf) = payload { e.payload = .ownedFrame(Array(buf)) }
    return e
  }
}
