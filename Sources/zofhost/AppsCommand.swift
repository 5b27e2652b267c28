import ArgumentParser
import Foundation
import LuaRuntime

/// `zofhost apps --apps DIR`: loads the apps without listening and prints who
/// provides and who consumes what (requirements, services, events, messages).
struct AppsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "apps", abstract: "Print the apps in dispatch order with what each requires, provides, emits and consumes.")

  @Option(name: .long, help: "Folder of Lua apps.")
  var apps: String = "apps-lua"

  @Flag(name: .long, help: "Print JSON instead of text.")
  var json = false

  @OptionGroup var limits: AppLimits

  func validate() throws { try validateAppsFolder(apps) }

  func run() throws {
    let report = try loadWithoutListening(apps: apps, limits: limits).appReport()
    print(json ? report.json : report.text)
  }
}
