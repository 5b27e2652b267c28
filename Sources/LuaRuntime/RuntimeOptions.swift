/// Limits and places every generation of apps runs with.
public struct RuntimeOptions {
  /// Where the apps are; `lib/` in it is on require's path.
  public var appsDir: String
  /// Lua memory cap in bytes (0: none). Past it an allocation fails the handler, not the process.
  public var memoryLimit: Int = 0
  /// Wall time one handler step may run before it is aborted.
  public var handlerBudgetMs: Double = 300

  public init(appsDir: String, memoryLimit: Int = 0, handlerBudgetMs: Double = 300) {
    self.appsDir = appsDir
    self.memoryLimit = memoryLimit
    self.handlerBudgetMs = handlerBudgetMs
  }
}
