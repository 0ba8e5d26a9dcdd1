/// One thing a translation could not carry over exactly, or changed on the way.
public struct TranslationNote: Sendable, Equatable, CustomStringConvertible {
    /// How much was lost.
    public enum Kind: String, Sendable {
        /// The target cannot express it; it is left out.
        case dropped
        /// It is expressed, but differently (rounded, moved, guessed); worth a look.
        case changed
    }

    /// The key path in the source file (`services.worker.health`), empty for the whole file.
    public var path: String
    /// What happened and what to do about it.
    public var message: String
    /// Dropped or changed.
    public var kind: Kind

    /// Creates a note.
    public init(_ path: String, _ message: String, kind: Kind) {
        self.path = path
        self.message = message
        self.kind = kind
    }

    public var description: String {
        let tag = kind == .dropped ? "not expressible" : "note"
        return path.isEmpty ? "\(tag): \(message)" : "\(tag): \(path): \(message)"
    }

    /// The note as JSON for `--json`.
    public var json: JSON {
        .object([("kind", .string(kind.rawValue)), ("path", .string(path)), ("message", .string(message))])
    }
}

/// The notes of one export or import, in the order they were found, without repeats.
public struct TranslationReport: Sendable, Equatable {
    /// The notes so far.
    public private(set) var notes: [TranslationNote] = []

    /// Creates an empty report.
    public init() {}

    /// Records something the target cannot express.
    public mutating func dropped(_ path: String, _ message: String) { add(TranslationNote(path, message, kind: .dropped)) }

    /// Records something expressed differently.
    public mutating func changed(_ path: String, _ message: String) { add(TranslationNote(path, message, kind: .changed)) }

    /// Adds a note unless the same one is already there.
    public mutating func add(_ note: TranslationNote) {
        if !notes.contains(note) { notes.append(note) }
    }

    /// Whether nothing was noted.
    public var isEmpty: Bool { notes.isEmpty }
}
