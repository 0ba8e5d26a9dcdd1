import Foundation

/// One way a JSON response differs from what a step expects.
public struct JSONMismatch: Sendable, Equatable, CustomStringConvertible {
    /// Where: `$.items[0].qty`.
    public var path: String
    /// What was expected, in words or as JSON.
    public var expected: String
    /// What was there, as JSON; nil when the member or item is missing.
    public var actual: String?

    public var description: String {
        guard let actual else { return "\(path): missing (expected \(expected))" }
        return "\(path): expected \(expected), got \(actual)"
    }
}

/// Subset matching of a JSON response against an expectation (docs/reference.md, `expect: json`): objects match
/// when every expected member matches (extra members are fine), arrays item by item with the
/// same length, numbers by value, and `{"$type": T}` / `{"$match": "REGEX"}` match values that
/// change between runs.
public enum JSONMatcher {
    /// The types `$type` accepts.
    public static let types = ["string", "number", "integer", "boolean", "array", "object", "null"]

    /// A special expectation written as a one-member object.
    public enum Special: Sendable, Equatable {
        /// `{"$type": "string"}`.
        case type(String)
        /// `{"$match": "REGEX"}`: the whole value (a string, or a number's or boolean's JSON text).
        case match(String)
    }

    /// The special expectation `json` spells, if it is one.
    public static func special(_ json: JSON) -> Special? {
        guard case .object(let members) = json, members.count == 1 else { return nil }
        switch (members[0].0, members[0].1) {
        case ("$type", .string(let t)): return .type(t)
        case ("$match", .string(let re)): return .match(re)
        default: return nil
        }
    }

    /// Every difference between `expected` and `actual` (at most `limit`), empty when it matches.
    public static func mismatches(expected: JSON, actual: JSON, path: String = "$", limit: Int = 20) -> [JSONMismatch] {
        var out: [JSONMismatch] = []
        compare(expected, actual, path, &out, limit)
        return out
    }

    private static func compare(_ expected: JSON, _ actual: JSON, _ path: String, _ out: inout [JSONMismatch], _ limit: Int) {
        guard out.count < limit else { return }
        if let special = special(expected) {
            if !matches(special, actual) { out.append(JSONMismatch(path: path, expected: describe(special), actual: render(actual))) }
            return
        }
        switch (expected, actual) {
        case (.object(let members), .object):
            for (key, value) in members {
                let child = path + member(key)
                guard let found = actual[key] else {
                    out.append(JSONMismatch(path: child, expected: special(value).map(describe) ?? render(value), actual: nil))
                    if out.count >= limit { return }
                    continue
                }
                compare(value, found, child, &out, limit)
            }
        case (.array(let items), .array(let got)):
            if items.count != got.count {
                out.append(JSONMismatch(path: path, expected: "\(items.count) item\(items.count == 1 ? "" : "s")",
                                        actual: "\(got.count) item\(got.count == 1 ? "" : "s"): \(render(actual))"))
            }
            for (i, (e, a)) in zip(items, got).enumerated() { compare(e, a, "\(path)[\(i)]", &out, limit) }
        case (.int, .int), (.int, .double), (.double, .int), (.double, .double):
            if expected.doubleValue != actual.doubleValue {
                out.append(JSONMismatch(path: path, expected: render(expected), actual: render(actual)))
            }
        default:
            if expected != actual { out.append(JSONMismatch(path: path, expected: render(expected), actual: render(actual))) }
        }
    }

    /// Whether `value` satisfies a special expectation.
    public static func matches(_ special: Special, _ value: JSON) -> Bool {
        switch special {
        case .type(let t):
            switch (t, value) {
            case ("string", .string), ("boolean", .bool), ("array", .array), ("object", .object), ("null", .null),
                 ("number", .int), ("number", .double), ("integer", .int):
                return true
            case ("integer", .double(let d)):
                return d == d.rounded()
            default:
                return false
            }
        case .match(let pattern):
            let text: String
            switch value {
            case .string(let s): text = s
            case .int, .double, .bool: text = value.serialized(pretty: false)
            default: return false
            }
            return wholeMatch(pattern, text)
        }
    }

    /// Whether `pattern` matches all of `text`; an invalid pattern matches nothing (patterns
    /// are checked when the scenario is read).
    public static func wholeMatch(_ pattern: String, _ text: String) -> Bool {
        guard let re = try? Regex(pattern) else { return false }
        return (try? re.wholeMatch(in: text)) != nil
    }

    /// `a string`, `a value matching /ord-.*/`.
    static func describe(_ special: Special) -> String {
        switch special {
        case .type(let t): return t == "integer" || t == "array" || t == "object" ? "an \(t)" : t == "null" ? "null" : "a \(t)"
        case .match(let re): return "a value matching /\(re)/"
        }
    }

    /// `.name`, or `['odd name']` when the name is not a plain identifier.
    static func member(_ key: String) -> String {
        let plain = !key.isEmpty && key.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
        return plain ? "." + key : "['" + key.replacingOccurrences(of: "'", with: "\\'") + "']"
    }

    /// Compact JSON, cut at 120 characters.
    static func render(_ json: JSON) -> String {
        let text = json.serialized(pretty: false)
        return text.count > 120 ? String(text.prefix(117)) + "..." : text
    }
}
