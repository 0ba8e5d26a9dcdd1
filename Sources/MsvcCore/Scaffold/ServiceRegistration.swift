import Foundation

/// Adds a service block to msvc.yaml as text, keeping every comment and blank line.
public enum ServiceRegistration {
    /// The service entry to add: `name:` and the manifest's block (rendered), with `cwd:`
    /// first, `port:` set by `port` when given, and `language:` when the block lacks it.
    /// Indented with `unit` spaces per level.
    public static func entry(service: String, block: String, cwd: String, port: String?, language: String?, unit: Int) -> [String] {
        var lines = block.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        while lines.last?.trimmingCharacters(in: .whitespaces).isEmpty == true { lines.removeLast() }
        let topKeys = lines.filter { !$0.hasPrefix(" ") && !$0.hasPrefix("#") }.map { $0.split(separator: ":").first.map(String.init) ?? "" }
        if let port {
            if let i = lines.firstIndex(where: { $0.hasPrefix("port:") }) { lines[i] = "port: \(port)" } else { lines.insert("port: \(port)", at: 0) }
        }
        if !topKeys.contains("cwd") { lines.insert("cwd: \(quoteIfNeeded(cwd))", at: 0) }
        if let language, !topKeys.contains("language") { lines.append("language: \(language)") }
        // Template blocks use two-space steps; re-indent to the file's step.
        let body = lines.map { line -> String in
            let spaces = line.prefix(while: { $0 == " " }).count
            let depth = spaces / 2 + 1
            return line.isEmpty ? "" : String(repeating: " ", count: depth * unit + spaces % 2) + line.dropFirst(spaces)
        }
        return ["\(service):"] + body
    }

    /// `text` with `entry` (unindented lines from `entry(...)`) added under `services:`.
    public static func append(entry: [String], to text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let hadNewline = text.hasSuffix("\n")
        if hadNewline { lines.removeLast() }
        guard let start = lines.firstIndex(where: { isTopLevelKey($0, "services") }) else {
            // No services yet: add the key at the end.
            var out = lines
            if let last = out.last, !last.trimmingCharacters(in: .whitespaces).isEmpty { out.append("") }
            out.append("services:")
            out += entry.map { "  " + $0 }
            return out.joined(separator: "\n") + "\n"
        }
        let afterKey = lines[start].dropFirst("services:".count).trimmingCharacters(in: .whitespaces)
        if afterKey.hasPrefix("{}") {
            let comment = afterKey.dropFirst(2).trimmingCharacters(in: .whitespaces)
            lines[start] = comment.isEmpty ? "services:" : "services:  " + comment
        }
        // The block ends at the last indented line before the next top-level key.
        var end = start
        var i = start + 1
        while i < lines.count {
            let line = lines[i]
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if !trimmed.isEmpty, !line.hasPrefix(" "), !line.hasPrefix("\t"), !trimmed.hasPrefix("#") { break }
            if !trimmed.isEmpty, line.hasPrefix(" ") { end = i }
            i += 1
        }
        let indent = lines[(start + 1)..<max(start + 1, end + 1)]
            .first { !$0.trimmingCharacters(in: .whitespaces).isEmpty && !$0.trimmingCharacters(in: .whitespaces).hasPrefix("#") }
            .map { $0.prefix(while: { $0 == " " }).count } ?? 2
        let separated = end > start ? [""] : []
        let added = separated + entry.map { $0.isEmpty ? "" : String(repeating: " ", count: indent) + $0 }
        lines.insert(contentsOf: added, at: end + 1)
        return lines.joined(separator: "\n") + "\n"
    }

    /// The indentation step used inside services (the step from a service key to its fields), default 2.
    public static func indentUnit(in text: String) -> Int {
        let lines = text.split(separator: "\n").map(String.init)
        guard let start = lines.firstIndex(where: { isTopLevelKey($0, "services") }) else { return 2 }
        let content = lines[(start + 1)...].prefix { !$0.hasPrefix(" ") ? $0.trimmingCharacters(in: .whitespaces).hasPrefix("#") : true }
            .filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty && !$0.trimmingCharacters(in: .whitespaces).hasPrefix("#") }
        let depths = content.map { $0.prefix(while: { $0 == " " }).count }
        guard let first = depths.first, let deeper = depths.first(where: { $0 > first }) else { return 2 }
        return deeper - first
    }

    private static func isTopLevelKey(_ line: String, _ key: String) -> Bool {
        guard line.hasPrefix(key + ":") else { return false }
        let rest = line.dropFirst(key.count + 1).trimmingCharacters(in: .whitespaces)
        return rest.isEmpty || rest.hasPrefix("#") || rest.hasPrefix("{}")
    }

    private static func quoteIfNeeded(_ s: String) -> String {
        s.allSatisfy { $0.isLetter || $0.isNumber || "-_./".contains($0) } ? s : "\"" + s.replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
