import Collections

/// Typed reads of another tool's YAML that record a diagnostic (file:line:col) for every
/// mismatch and carry on. Strings are returned as written; no interpolation happens here.
struct ImportReader {
    /// The problems found so far.
    var sink: DiagnosticSink

    /// Creates a reader reporting against `file`.
    init(file: String) { sink = DiagnosticSink(file: file) }

    /// The pairs of a map; null gives an empty map.
    mutating func map(_ node: YAMLNode, _ path: String) -> [YAMLPair]? {
        if case .mapping(let pairs) = node.content { return pairs }
        if node.isNull { return [] }
        sink.error(node.mark, path, "expected a map, found \(node.kindName)")
        return nil
    }

    /// The pairs of a map by key.
    mutating func fields(_ node: YAMLNode, _ path: String) -> OrderedDictionary<String, YAMLNode> {
        var out: OrderedDictionary<String, YAMLNode> = [:]
        for pair in map(node, path) ?? [] { out[pair.key.scalar ?? ""] = pair.value }
        return out
    }

    /// A scalar as written (numbers and booleans as text).
    mutating func string(_ node: YAMLNode, _ path: String) -> String? {
        guard case .scalar(let s, _) = node.content, !node.isNull else {
            sink.error(node.mark, path, "expected a string, found \(node.kindName)")
            return nil
        }
        return s
    }

    /// A list of strings, or one string when `single` is set.
    mutating func strings(_ node: YAMLNode, _ path: String, single: Bool = true) -> [String]? {
        if single, case .scalar = node.content, !node.isNull { return string(node, path).map { [$0] } }
        guard case .sequence(let items) = node.content else {
            if node.isNull { return [] }
            sink.error(node.mark, path, "expected a list of strings, found \(node.kindName)")
            return nil
        }
        return items.enumerated().compactMap { string($0.element, "\(path)[\($0.offset)]") }
    }

    /// A whole number from a scalar that has already been interpolated to `text`.
    mutating func int(_ text: String, _ node: YAMLNode, _ path: String, in range: ClosedRange<Int>) -> Int? {
        guard let n = Int(text), range.contains(n) else {
            sink.error(node.mark, path, "expected a whole number from \(range.lowerBound) to \(range.upperBound), found \"\(text)\"")
            return nil
        }
        return n
    }

    /// A boolean (YAML 1.1 spellings too, as compose and process-compose accept them).
    mutating func bool(_ node: YAMLNode, _ path: String) -> Bool? {
        guard let text = string(node, path) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on", "y": return true
        case "false", "no", "off", "n": return false
        default:
            sink.error(node.mark, path, "expected true or false, found \"\(text)\"")
            return nil
        }
    }

    /// A duration in Go's spelling (`1m30s`, `500ms`, `10s`; `us` and `ns` round to milliseconds).
    mutating func duration(_ text: String, _ node: YAMLNode, _ path: String) -> Duration? {
        if let d = Units.parseDuration(text) { return d }
        if let d = Self.goDuration(text) { return d }
        sink.error(node.mark, path, "invalid duration \"\(text)\" (expected e.g. 500ms, 10s, 1m30s)")
        return nil
    }

    /// Go durations msvc's own parser does not take: `us`, `µs` and `ns` units.
    static func goDuration(_ text: String) -> Duration? {
        var rest = Substring(text)
        var total = 0.0
        let units: [(String, Double)] = [("ns", 1e-6), ("us", 1e-3), ("µs", 1e-3), ("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isNumber || $0 == "." }
            guard let value = Double(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            guard let unit = units.first(where: { rest.hasPrefix($0.0) }) else { return nil }
            total += value * unit.1
            rest = rest.dropFirst(unit.0.count)
        }
        return .milliseconds(Int64(total.rounded(.up)))
    }
}
