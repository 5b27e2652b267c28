import Foundation

/// The report as people read it: one block per app, in dispatch order.
extension AppReport {
  /// Paths under the working directory are shown relative to it.
  func shortPath(_ path: String) -> String {
    let cwd = FileManager.default.currentDirectoryPath + "/"
    return path.hasPrefix(cwd) ? String(path.dropFirst(cwd.count)) : path
  }

  public var text: String {
    var out: [String] = []
    func line(_ label: String, _ value: String) { out.append("  " + label.padding(toLength: 18, withPad: " ", startingAt: 0) + value) }
    func set(_ names: [String]) -> String { "{" + names.joined(separator: ", ") + "}" }
    for a in apps {
      out.append("APP \(a.name)  precedence \(a.precedence)  \(shortPath(a.file))\(a.library ? "  (library)" : "")")
      if let v = a.versions { line("OPENFLOW", v.joined(separator: ", ")) }
      if !a.requires.isEmpty { line("REQUIRES", a.requires.joined(separator: ", ")) }
      if !a.requiredBy.isEmpty { line("REQUIRED BY", a.requiredBy.joined(separator: ", ")) }
      for s in a.provides { line("PROVIDES SERVICE", "\(s.service) TO \(set(s.to))") }
      // Events with the same consumers share a line, so a long emits list stays short.
      var groups: [(events: [String], to: [String])] = []
      for e in a.emits {
        if let i = groups.firstIndex(where: { $0.to == e.to }) { groups[i].events.append(e.event) } else { groups.append(([e.event], e.to)) }
      }
      for g in groups { line("PROVIDES", "\(g.events.joined(separator: ", ")) TO \(set(g.to))") }
      if !a.uses.isEmpty { line("USES SERVICE", a.uses.joined(separator: ", ")) }
      if !a.messages.isEmpty { line("CONSUMES MESSAGES", a.messages.joined(separator: ", ")) }
      if !a.events.isEmpty { line("CONSUMES EVENTS", a.events.joined(separator: ", ")) }
      out.append("")
    }
    for u in unheard { out.append("NOTE: " + AppReport.warning(u)) }
    if apps.isEmpty { out.append("no apps") }
    while out.last == "" { out.removeLast() }
    return out.joined(separator: "\n")
  }
}
