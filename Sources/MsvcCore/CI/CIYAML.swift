/// A YAML document built in code for CI files: ordered maps, block lists, comments and
/// literal block scalars (`run: |`), printed the same way every time.
public indirect enum CIYAML: Sendable, Equatable {
    /// A string, quoted only when a plain scalar would read differently.
    case string(String)
    /// Text written exactly as given (numbers, booleans, `[]`).
    case raw(String)
    /// A multi-line script, written as a literal block scalar.
    case block(String)
    /// A map in insertion order.
    case map([CIYAMLEntry])
    /// A block list.
    case list([CIYAML])
    /// A map with a blank line between its entries (a file's jobs).
    case spacedMap([CIYAMLEntry])
    /// A list with a blank line between its items (a file's steps).
    case spacedList([CIYAML])

    /// A map from `(key, value)` pairs.
    public static func pairs(_ pairs: [(String, CIYAML)]) -> CIYAML {
        .map(pairs.map { CIYAMLEntry($0.0, $0.1) })
    }

    /// A list of strings.
    public static func strings(_ items: [String]) -> CIYAML { .list(items.map(CIYAML.string)) }

    /// An integer.
    public static func int(_ n: Int) -> CIYAML { .raw(String(n)) }

    /// A boolean.
    public static func bool(_ b: Bool) -> CIYAML { .raw(b ? "true" : "false") }

    /// The document as text: `header` comment lines first, a blank line between the
    /// top-level entries, ending with one newline.
    public func document(header: [String]) -> String {
        var out = header.map { $0.isEmpty ? "#" : "# " + $0 }.joined(separator: "\n")
        if !out.isEmpty { out += "\n\n" }
        if case .map(let entries) = self {
            for (i, e) in entries.enumerated() {
                if i > 0 { out += "\n" }
                CIYAML.emitEntry(e, indent: 0, into: &out)
            }
        } else {
            CIYAML.emit(self, indent: 0, into: &out)
        }
        return out
    }

    /// The document as text with no blank lines added between top-level entries (for
    /// manifests and msvc.yaml files): `header` comment lines first, ending with one newline.
    public func compactDocument(header: [String] = []) -> String {
        var out = header.map { $0.isEmpty ? "#" : "# " + $0 }.joined(separator: "\n")
        if !out.isEmpty { out += "\n" }
        CIYAML.emit(self, indent: 0, into: &out)
        return out
    }

    private static func pad(_ n: Int) -> String { String(repeating: " ", count: n) }

    private static func emitEntry(_ e: CIYAMLEntry, indent: Int, into out: inout String) {
        for c in e.comment { out += pad(indent) + (c.isEmpty ? "#" : "# " + c) + "\n" }
        out += pad(indent) + key(e.key) + ":"
        emitValue(e.value, indent: indent, into: &out, trailing: e.trailing)
    }

    // Writes what follows "key:" or "- ".
    private static func emitValue(_ v: CIYAML, indent: Int, into out: inout String, trailing: String? = nil) {
        let note = trailing.map { " # " + $0 } ?? ""
        switch v {
        case .string(let s): out += " " + scalar(s) + note + "\n"
        case .raw(let s): out += " " + s + note + "\n"
        case .block(let text):
            let body = text.hasSuffix("\n") ? String(text.dropLast()) : text
            out += (text.hasSuffix("\n") ? " |" : " |-") + note + "\n"
            for line in body.split(separator: "\n", omittingEmptySubsequences: false) {
                out += line.isEmpty ? "\n" : pad(indent + 2) + line + "\n"
            }
        case .map(let entries) where entries.isEmpty: out += " {}" + note + "\n"
        case .list(let items) where items.isEmpty: out += " []" + note + "\n"
        case .map, .list, .spacedMap, .spacedList:
            out += note + "\n"
            emit(v, indent: indent + 2, into: &out)
        }
    }

    private static func emit(_ v: CIYAML, indent: Int, into out: inout String) {
        switch v {
        case .map(let entries):
            for e in entries { emitEntry(e, indent: indent, into: &out) }
        case .spacedMap(let entries):
            for (i, e) in entries.enumerated() {
                if i > 0 { out += "\n" }
                emitEntry(e, indent: indent, into: &out)
            }
        case .spacedList(let items):
            for (i, item) in items.enumerated() {
                if i > 0 { out += "\n" }
                emit(.list([item]), indent: indent, into: &out)
            }
        case .list(let items):
            for item in items {
                if case .map(let entries) = item, let first = entries.first {
                    // The first key shares the "- " line; the rest align under it.
                    for c in first.comment { out += pad(indent) + "# " + c + "\n" }
                    out += pad(indent) + "- " + key(first.key) + ":"
                    emitValue(first.value, indent: indent + 2, into: &out, trailing: first.trailing)
                    for e in entries.dropFirst() { emitEntry(e, indent: indent + 2, into: &out) }
                } else {
                    out += pad(indent) + "-"
                    emitValue(item, indent: indent, into: &out)
                }
            }
        default:
            out += pad(indent)
            emitValue(v, indent: indent, into: &out)
        }
    }

    private static func key(_ k: String) -> String { scalar(k) }

    /// `s` as a plain scalar when that reads back as the same string, else quoted: single
    /// quotes, double when it holds `'` (with escapes when it holds a control character).
    public static func scalar(_ s: String) -> String {
        if s.contains(where: { $0.isNewline || $0 == "\t" || ($0.asciiValue.map { $0 < 0x20 } ?? false) }) {
            return JSON.string(s).serialized(pretty: false)
        }
        if isPlainSafe(s) { return s }
        // Shell lines quote with ' more than with "; keep them readable.
        if s.contains("'"), !s.contains("\""), !s.contains("\\") { return "\"" + s + "\"" }
        return "'" + s.replacingOccurrences(of: "'", with: "''") + "'"
    }

    // YAML 1.1 readers (Ruby's Psych for GitLab, PyYAML) also turn these into booleans.
    private static let yaml11Words: Set<String> = [
        "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~",
    ]

    private static func isPlainSafe(_ s: String) -> Bool {
        guard let first = s.first, let last = s.last else { return false }
        if YAMLNode.plainScalarType(s) != .string || yaml11Words.contains(s.lowercased()) { return false }
        if first == " " || last == " " || last == ":" { return false }
        if "-?:,[]{}#&*!|>'\"%@`".contains(first) { return false }
        if s.contains(": ") || s.contains(" #") { return false }
        // Numbers YAML 1.1 reads differently (1_000, 1:30, 0o7, .5).
        if first.isNumber || first == "." || first == "+" {
            return s.contains(where: { $0.isLetter }) && !s.contains(":") && !s.contains("_")
        }
        return true
    }
}

/// One `key: value` of a CIYAML map, with optional comment lines above it and a trailing
/// comment after a scalar value (`uses: owner/action@SHA # v4.2.2`).
public struct CIYAMLEntry: Sendable, Equatable {
    /// The key.
    public var key: String
    /// The value.
    public var value: CIYAML
    /// Comment lines written above the key.
    public var comment: [String]
    /// A comment written after the value on the same line.
    public var trailing: String?

    /// Creates an entry.
    public init(_ key: String, _ value: CIYAML, comment: [String] = [], trailing: String? = nil) {
        self.key = key
        self.value = value
        self.comment = comment
        self.trailing = trailing
    }
}
