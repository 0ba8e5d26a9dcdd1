/// One problem in a configuration file, printed as `FILE:LINE:COL: error: PATH: message`.
public struct ConfigDiagnostic: Sendable, Equatable, CustomStringConvertible {
    /// How serious the problem is.
    public enum Severity: String, Sendable { case error, warning }

    /// The file the problem is in, as the user named it.
    public var file: String
    /// Where in the file.
    public var mark: SourceMark
    /// The dotted key path (`services.orders.health.interval`), empty for the whole file.
    public var path: String
    /// What is wrong and how to fix it.
    public var message: String
    /// Error or warning.
    public var severity: Severity

    /// Creates a diagnostic.
    public init(file: String, mark: SourceMark, path: String, message: String, severity: Severity = .error) {
        self.file = file
        self.mark = mark
        self.path = path
        self.message = message
        self.severity = severity
    }

    public var description: String {
        let location = "\(file):\(mark.line):\(mark.column)"
        return path.isEmpty
            ? "\(location): \(severity.rawValue): \(message)"
            : "\(location): \(severity.rawValue): \(path): \(message)"
    }
}

/// Every problem found while loading a configuration; thrown when any is an error.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    /// The problems, in file order.
    public var diagnostics: [ConfigDiagnostic]

    /// Creates the error from its problems.
    public init(_ diagnostics: [ConfigDiagnostic]) { self.diagnostics = diagnostics }

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

/// Collects diagnostics while a pipeline step runs.
public struct DiagnosticSink: Sendable {
    /// The file every diagnostic refers to.
    public let file: String
    /// What has been collected.
    public private(set) var diagnostics: [ConfigDiagnostic] = []

    /// Creates an empty sink for `file`.
    public init(file: String) { self.file = file }

    /// Records an error.
    public mutating func error(_ mark: SourceMark, _ path: String, _ message: String) {
        diagnostics.append(ConfigDiagnostic(file: file, mark: mark, path: path, message: message))
    }

    /// Records a diagnostic made elsewhere (for another file, say).
    public mutating func append(_ diagnostic: ConfigDiagnostic) {
        diagnostics.append(diagnostic)
    }

    /// Records a warning.
    public mutating func warning(_ mark: SourceMark, _ path: String, _ message: String) {
        diagnostics.append(ConfigDiagnostic(file: file, mark: mark, path: path, message: message, severity: .warning))
    }

    /// Replaces each quoted `value` in messages by the text it was expanded from, so an error
    /// about `port: ${SECRET}` never prints what an env file holds.
    public mutating func redact(_ expansions: [(value: String, written: String)]) {
        guard !expansions.isEmpty else { return }
        for i in diagnostics.indices {
            for e in expansions where !e.value.isEmpty {
                diagnostics[i].message = diagnostics[i].message.replacingOccurrences(of: "\"\(e.value)\"", with: "\"\(e.written)\"")
            }
        }
    }

    /// Whether any error (not warning) was recorded.
    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    /// The diagnostics sorted by position, duplicates removed: this file's first, then those
    /// of other files (env files) by file name.
    public var sorted: [ConfigDiagnostic] {
        var seen = Set<String>()
        let main = file
        func key(_ e: (offset: Int, element: ConfigDiagnostic)) -> (Int, String, SourceMark, Int) {
            (e.element.file == main ? 0 : 1, e.element.file == main ? "" : e.element.file, e.element.mark, e.offset)
        }
        return diagnostics
            .enumerated()
            .sorted { key($0) < key($1) }
            .map(\.element)
            .filter { seen.insert($0.description).inserted }
    }
}
