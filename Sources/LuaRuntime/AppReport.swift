import Foundation
import OpenFlow

/// Who provides and who consumes what: every app in dispatch order with its
/// requirements, services and events. `zofhost apps` prints it.
public struct AppReport: Codable, Equatable {
  public struct App: Codable, Equatable {
    public var name: String
    public var precedence: Int
    public var file: String
    /// Loaded from the bundled library rather than the apps folder.
    public var library: Bool
    public var requires: [String]
    public var requiredBy: [String]
    public var provides: [Service]
    public var uses: [String]
    public var emits: [Emitted]
    /// Message types its handlers take ("ANY" for a handler of every type).
    public var messages: [String]
    public var events: [String]
    /// The OpenFlow versions the app takes (`zof.app`'s `versions`); nil: any.
    public var versions: [String]? = nil

    enum CodingKeys: String, CodingKey {
      case name, precedence, file, library, requires, uses, emits, messages, events, provides
      case requiredBy = "required_by"
    }
  }

  public struct Service: Codable, Equatable {
    public var service: String
    public var to: [String]
  }

  public struct Emitted: Codable, Equatable {
    public var event: String
    public var to: [String]
  }

  /// A handler for an event that no app declares it emits.
  public struct Unheard: Codable, Equatable {
    public var app: String
    public var event: String
  }

  public var apps: [App]
  public var unheard: [Unheard]

  public var json: String {
    let enc = JSONEncoder()
    enc.outputFormatting = [.prettyPrinted, .sortedKeys]
    return String(decoding: (try? enc.encode(self)) ?? Data(), as: UTF8.self)
  }

  /// What a handler for an unheard event means, for the log and the report.
  public static func warning(_ u: Unheard) -> String {
    "app \(u.app) handles event \(u.event), which no app declares in `emits`"
  }
}

extension AppReport {
  /// Reads the prelude's report table (empty Lua tables arrive as empty tables, not lists).
  init(_ v: OFValue) {
    func strings(_ v: OFValue?) -> [String] {
      (v?.list ?? []).compactMap { if case .string(let s) = $0 { return s } else { return nil } }
    }
    func text(_ v: OFValue?) -> String { if case .string(let s)? = v { return s } else { return "" } }
    func int(_ v: OFValue?) -> Int {
      switch v {
      case .uint(let u)?: return Int(clamping: u)
      case .int(let i)?: return Int(clamping: i)
      default: return 0
      }
    }
    apps = (v["apps"]?.list ?? []).map { a in
      App(
        name: text(a["name"]), precedence: int(a["precedence"]), file: text(a["file"]),
        library: a["library"] == .bool(true), requires: strings(a["requires"]),
        requiredBy: strings(a["required_by"]),
        provides: (a["provides"]?.list ?? []).map { Service(service: text($0["service"]), to: strings($0["to"])) },
        uses: strings(a["uses"]),
        emits: (a["emits"]?.list ?? []).map { Emitted(event: text($0["event"]), to: strings($0["to"])) },
        messages: strings(a["messages"]), events: strings(a["events"]),
        versions: a["versions"] == nil ? nil : strings(a["versions"]))
    }
    unheard = (v["unheard"]?.list ?? []).map { Unheard(app: text($0["app"]), event: text($0["event"])) }
  }
}
