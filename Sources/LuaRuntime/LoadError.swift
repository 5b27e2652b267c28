/// Apps that failed to load: one `file:line: message` per problem.
public struct LoadError: Error, CustomStringConvertible {
  public var errors: [String]
  public var description: String { errors.joined(separator: "\n") }
}
