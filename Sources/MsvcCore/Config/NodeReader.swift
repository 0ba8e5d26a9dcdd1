import Collections

/// Typed reads from a YAML tree that record a diagnostic for every mismatch and carry on,
/// so one run reports every problem. Strings are interpolated against `scope`.
struct NodeReader {
    var sink: DiagnosticSink
    /// Value positions by key path, for later validators.
    var marks: [String: SourceMark] = [:]
    /// The variables visible to interpolation at this point of the document.
    var scope: [String: String] = [:]
    /// Variables that are only known at start time (service discovery): kept as written.
    var deferred: Set<String> = []
    /// Export mode (`LoadContext.keepReferences`): names outside `scope` are kept as written.
    var keepReferences = false
    /// The OS environment; in export mode only typed fields fall back to it.
    var environment: [String: String] = [:]
    /// Variables read from env files, whose values must not appear in messages.
    var fileVariables: Set<String> = []
    /// Strings expanded with such variables: the value and the text as written.
    var expansions: [(value: String, written: String)] = []

    init(file: String) { sink = DiagnosticSink(file: file) }

    func lookup(_ name: String) -> Interpolation.Lookup {
        if deferred.contains(name) { return .deferred }
        if let v = scope[name] { return .value(v) }
        return keepReferences ? .deferred : .unset
    }

    /// The pairs of a map, or nil (with an error) for anything else. Null gives an empty map.
    mutating func map(_ node: YAMLNode, _ path: String) -> [YAMLPair]? {
        marks[path] = node.mark
        switch node.content {
        case .mapping(let pairs): return pairs
        default:
            if node.isNull { return [] }
            sink.error(node.mark, path, "expected a map, found \(node.kindName)")
            return nil
        }
    }

    /// The items of a list, or nil (with an error). Null gives an empty list.
    mutating func list(_ node: YAMLNode, _ path: String) -> [YAMLNode]? {
        marks[path] = node.mark
        switch node.content {
        case .sequence(let items): return items
        default:
            if node.isNull { return [] }
            sink.error(node.mark, path, "expected a list, found \(node.kindName)")
            return nil
        }
    }

    /// Reports keys not in `allowed` (with a suggestion) and returns the known ones by name.
    mutating func fields(_ pairs: [YAMLPair], _ path: String, allowed: [String], extensions: Bool = false) -> [String: YAMLNode] {
        var result: [String: YAMLNode] = [:]
        for pair in pairs {
            let key = pair.key.scalar ?? ""
            if allowed.contains(key) {
                // `key: null` (or `key:` alone) means the key is not set, as in docker compose.
                if pair.value.isNull { continue }
                result[key] = pair.value
                marks[join(path, key) + "#key"] = pair.key.mark
            } else if extensions && key.hasPrefix("x-") {
                continue
            } else {
                var message = "unknown key \"\(key)\""
                if let guess = Suggest.closest(to: key, in: allowed) {
                    message += "; did you mean \"\(guess)\"?"
                } else {
                    message += " (expected one of: \(allowed.joined(separator: ", ")))"
                }
                sink.error(pair.key.mark, join(path, key), message)
            }
        }
        return result
    }

    /// A scalar as text, interpolated. Numbers and booleans are taken as written.
    mutating func string(_ node: YAMLNode, _ path: String, interpolate: Bool = true) -> String? {
        marks[path] = node.mark
        guard case .scalar(let raw, let style) = node.content, !node.isNull else {
            sink.error(node.mark, path, "expected a string, found \(node.kindName)")
            return nil
        }
        guard interpolate else { return raw }
        do throws(Interpolation.Failure) {
            let value = try Interpolation.expand(raw, lookup: lookup)
            if value != raw, !fileVariables.isEmpty, Discovery.references(in: raw).contains(where: fileVariables.contains) {
                expansions.append((value, raw))
            }
            return value
        } catch {
            sink.error(position(of: node, style: style, offset: error.offset), path, error.message)
            return nil
        }
    }

    /// Where character `offset` of a scalar lies, exact for single-line scalars.
    func position(of node: YAMLNode, style: ScalarStyle, offset: Int) -> SourceMark {
        guard let raw = node.scalar, !raw.contains("\n") else { return node.mark }
        let quote = (style == .singleQuoted || style == .doubleQuoted) ? 1 : 0
        return SourceMark(line: node.mark.line, column: node.mark.column + quote + offset)
    }

    /// An integer in `range`. Plain scalars and interpolated text are accepted.
    mutating func int(_ node: YAMLNode, _ path: String, in range: ClosedRange<Int>, what: String = "a whole number") -> Int? {
        guard let text = typedScalar(node, path, expected: what) else { return nil }
        guard let value = Int(text) else {
            sink.error(node.mark, path, "expected \(what), found \"\(text)\"")
            return nil
        }
        guard range.contains(value) else {
            let upper = range.upperBound == Int.max ? "" : " to \(range.upperBound)"
            sink.error(node.mark, path, "\(value) is out of range (expected \(range.lowerBound)\(upper))")
            return nil
        }
        return value
    }

    /// A boolean: `true` or `false`.
    mutating func bool(_ node: YAMLNode, _ path: String) -> Bool? {
        guard let text = typedScalar(node, path, expected: "true or false") else { return nil }
        switch text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default:
            var message = "expected true or false, found \"\(text)\""
            if ["yes", "no", "on", "off", "y", "n"].contains(text.lowercased()) {
                message += "; YAML 1.2 reads \(text) as text, write \(["yes", "on", "y"].contains(text.lowercased()) ? "true" : "false")"
            }
            sink.error(node.mark, path, message)
            return nil
        }
    }

    /// A duration such as `500ms`, `2s`, `1m30s`.
    mutating func duration(_ node: YAMLNode, _ path: String) -> Duration? {
        guard let text = typedScalar(node, path, expected: "a duration (e.g. 500ms, 2s, 1m)") else { return nil }
        guard let d = Units.parseDuration(text) else {
            var message = "invalid duration \"\(text)\" (expected e.g. 500ms, 2s, 1m)"
            if !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }) {
                message += "; add a unit, e.g. \(text)s"
            } else if text.hasPrefix("-") {
                message += "; durations cannot be negative"
            }
            sink.error(node.mark, path, message)
            return nil
        }
        return d
    }

    /// One of a fixed set of words.
    mutating func choice(_ node: YAMLNode, _ path: String, _ options: [String]) -> String? {
        guard let text = string(node, path) else { return nil }
        guard options.contains(text) else {
            var message = "invalid value \"\(text)\" (expected one of: \(options.joined(separator: ", ")))"
            if let guess = Suggest.closest(to: text, in: options) { message += "; did you mean \"\(guess)\"?" }
            sink.error(node.mark, path, message)
            return nil
        }
        return text
    }

    /// A list of strings; a single string is accepted as a one-item list when `single` is set.
    mutating func strings(_ node: YAMLNode, _ path: String, single: Bool = false) -> [String]? {
        if single, case .scalar = node.content, !node.isNull {
            return string(node, path).map { [$0] }
        }
        if case .scalar(let raw, _) = node.content, !node.isNull {
            marks[path] = node.mark
            sink.error(node.mark, path, "expected a list, found \(node.kindName); write [\(raw)]")
            return nil
        }
        if single, case .mapping = node.content {
            marks[path] = node.mark
            sink.error(node.mark, path, "expected a string or a list of strings, found a map")
            return nil
        }
        guard let items = list(node, path) else { return nil }
        var result: [String] = []
        for (i, item) in items.enumerated() {
            if let s = string(item, "\(path)[\(i)]") { result.append(s) }
        }
        return result
    }

    /// A map of variable names to string values.
    mutating func environment(_ node: YAMLNode, _ path: String) -> OrderedDictionary<String, String>? {
        var result: OrderedDictionary<String, String> = [:]
        if case .sequence(let items) = node.content {
            // The compose list form: ["KEY=value", ...].
            for (i, item) in items.enumerated() {
                guard let entry = string(item, "\(path)[\(i)]") else { continue }
                guard let eq = entry.firstIndex(of: "="), EnvFile.isValidName(String(entry[..<eq])) else {
                    sink.error(item.mark, "\(path)[\(i)]", "expected KEY=value, found \"\(entry)\"")
                    continue
                }
                result[String(entry[..<eq])] = String(entry[entry.index(after: eq)...])
                scope[String(entry[..<eq])] = String(entry[entry.index(after: eq)...])
            }
            return result
        }
        guard let pairs = map(node, path) else { return nil }
        for pair in pairs {
            let key = pair.key.scalar ?? ""
            let p = join(path, key)
            guard EnvFile.isValidName(key) else {
                sink.error(pair.key.mark, p, "invalid variable name \"\(key)\"; use letters, digits and _, not starting with a digit")
                continue
            }
            if case .scalar = pair.value.content, pair.value.isNull {
                sink.error(pair.value.mark, p, "expected a value; write \"\" for an empty string")
                continue
            }
            if let v = string(pair.value, p) {
                result[key] = v
                scope[key] = v
            }
        }
        return result
    }

    /// A map of string labels.
    mutating func labels(_ node: YAMLNode, _ path: String) -> OrderedDictionary<String, String>? {
        guard let pairs = map(node, path) else { return nil }
        var result: OrderedDictionary<String, String> = [:]
        for pair in pairs {
            if let v = string(pair.value, join(path, pair.key.scalar ?? "")) { result[pair.key.scalar ?? ""] = v }
        }
        return result
    }

    /// Text of a scalar that will be parsed as a typed value: plain scalars as written, quoted
    /// ones only when they were interpolated (so `"3"` is not silently a number).
    mutating func typedScalar(_ node: YAMLNode, _ path: String, expected: String) -> String? {
        marks[path] = node.mark
        guard case .scalar(let raw, let style) = node.content, !node.isNull else {
            sink.error(node.mark, path, "expected \(expected), found \(node.kindName)")
            return nil
        }
        if style != .plain && !raw.contains("${") && !isDurationLike(expected) {
            sink.error(node.mark, path, "expected \(expected), found a string \"\(raw)\"; remove the quotes")
            return nil
        }
        let interpolated = keepReferences && raw.contains("${") ? exportTyped(node, path, raw: raw, style: style) : string(node, path)
        guard let text = interpolated else { return nil }
        // A start-time variable survives loading as written; say so instead of "found ${...}".
        if text.contains("${"), let name = Discovery.references(in: text).first(where: deferred.contains),
           let offset = raw.range(of: "${" + name).map({ raw.distance(from: raw.startIndex, to: $0.lowerBound) }) {
            sink.error(position(of: node, style: style, offset: offset), path,
                       "${\(name)} is set by msvc only when the stack starts (\(Discovery.origin(of: name))), but this field needs "
                       + "\(expected) when msvc.yaml is read; write the value, or use a variable of another name")
            return nil
        }
        return text
    }

    private func isDurationLike(_ expected: String) -> Bool { expected.hasPrefix("a duration") }

    /// A typed field in export mode: it needs a value now, so an environment reference takes
    /// its default, else this machine's value, and a warning says which was used.
    private mutating func exportTyped(_ node: YAMLNode, _ path: String, raw: String, style: ScalarStyle) -> String? {
        marks[path] = node.mark
        let deferred = self.deferred, scope = self.scope, environment = self.environment
        var outside = false
        func lookup(_ fallback: [String: String]) -> (String) -> Interpolation.Lookup {
            { name in
                if deferred.contains(name) { return .deferred }
                if let v = scope[name] { return .value(v) }
                outside = true
                return fallback[name].map { .value($0) } ?? .unset
            }
        }
        var source = "its default"
        let text: String
        do throws(Interpolation.Failure) {
            if let t = try? Interpolation.expand(raw, lookup: lookup([:])) {
                text = t
            } else {
                source = "its value in this environment"
                text = try Interpolation.expand(raw, lookup: lookup(environment))
            }
        } catch {
            sink.error(position(of: node, style: style, offset: error.offset), path, error.message)
            return nil
        }
        if outside && !text.contains("${") {
            sink.warning(node.mark, path, "\(raw) needs a value when msvc.yaml is read, so export uses \(source): \(text)")
        }
        return text
    }
}

/// Joins a key path and a key: `services` + `orders` = `services.orders`.
func join(_ path: String, _ key: String) -> String {
    path.isEmpty ? key : "\(path).\(key)"
}

/// Did-you-mean suggestions by edit distance.
public enum Suggest {
    /// The candidate closest to `word`, if it is close enough to be a likely typo.
    public static func closest(to word: String, in candidates: [String]) -> String? {
        let lowered = word.lowercased()
        var best: (String, Int)?
        let length = lowered.count
        for c in candidates {
            // The limit below is at most 3, so a length gap over 3 can never qualify; skipping
            // it keeps long keys from costing a full edit-distance table per candidate.
            guard abs(c.count - length) <= 3 else { continue }
            let d = distance(lowered, c.lowercased())
            if best == nil || d < best!.1 { best = (c, d) }
        }
        guard let (candidate, d) = best else { return nil }
        let limit = max(1, min(3, (max(word.count, candidate.count) + 1) / 3))
        return d <= limit ? candidate : nil
    }

    /// Optimal-string-alignment distance (Levenshtein plus adjacent transpositions).
    public static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}
