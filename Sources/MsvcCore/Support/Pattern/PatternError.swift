/// Why a pattern was refused: where it went wrong and what to write instead.
public struct PatternError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 1-based column of the problem in the pattern, counted in Unicode scalars (as YAML columns are).
    public var column: Int
    /// What is wrong and what to use instead, lowercase.
    public var message: String

    /// Creates an error at a 0-based scalar offset.
    init(at offset: Int, _ message: String) {
        column = offset + 1
        self.message = message
    }

    /// `at column N: message`.
    public var description: String { "at column \(column): \(message)" }
}
