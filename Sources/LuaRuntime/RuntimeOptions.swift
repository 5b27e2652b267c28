/// Limits and places every generation of apps runs with.
public struct RuntimeOptions {
  /// Where the apps are; `lib/` in it is on require's path.
  public var appsDir: String
  /// The bundled library: where a required app that is not in the apps folder is looked for.
  public var libDir: String?
  /// Lua memory cap per app in bytes (0: none): what the app's code made and
  /// still lives. Past it an allocation fails that app's handler, not the
  /// other apps, the runtime or the process.
  public var memoryLimit: Int = 0
  /// Wall time one handler step may run before it is aborted.
  public var handlerBudgetMs: Double = 300

  public init(appsDir: String, libDir: String? = nil, memoryLimit: Int = 0, handlerBudgetMs: Double = 300) {
    self.appsDir = appsDir
    self.libDir = libDir
    self.memoryLimit = memoryLimit
    self.handlerBudgetMs = handlerBudgetMs
  }
}
