import Foundation

/// Applies single matching rules to values: JSON values in bodies, strings in headers, queries,
/// paths and XML, numbers for the status. Each check returns nil when the value matches, or
/// the reason it does not, worded like the official Pact verifier.
enum ValueRules {
    // MARK: JSON values

    /// `rule` applied to a JSON value.
    static func check(_ rule: MatchingRule, expected: JSON, actual: JSON, cascaded: Bool) -> String? {
        switch rule {
        case .regex(let pattern):
            let text = actual.stringValue ?? actual.serialized(pretty: false)
            guard let ok = PactRegex.wholeMatch(pattern, text) else { return "'\(pattern)' is not a valid regular expression" }
            return ok ? nil : "Expected '\(jsonText(actual))' to match '\(pattern)'"
        case .include(let part):
            let text = actual.stringValue ?? actual.serialized(pretty: false)
            return text.contains(part) ? nil : "Expected '\(jsonText(actual))' to include '\(part)'"
        case .type(let min, let max):
            guard sameType(expected, actual) else {
                return "Expected \(valueOf(actual)) (\(typeOf(actual))) to be the same type as \(valueOf(expected)) (\(typeOf(expected)))"
            }
            if case .array(let items) = actual, !cascaded {
                if let min, items.count < min { return "Expected '\(jsonText(actual))' to have at least \(min) item(s)" }
                if let max, items.count > max { return "Expected '\(jsonText(actual))' to have at most \(max) item(s)" }
            }
            return nil
        case .equality, .values:
            return jsonEqual(expected, actual) ? nil
                : "Expected \(valueOf(actual)) (\(typeOf(actual))) to be equal to \(valueOf(expected)) (\(typeOf(expected)))"
        case .null:
            if case .null = actual { return nil }
            return "Expected \(valueOf(actual)) (\(typeOf(actual))) to be a null value"
        case .integer:
            if case .int = actual { return nil }
            return "Expected \(valueOf(actual)) (\(typeOf(actual))) to be an integer"
        case .decimal:
            if case .double = actual { return nil }
            return "Expected \(valueOf(actual)) (\(typeOf(actual))) to be a decimal number"
        case .number:
            switch actual { case .int, .double: return nil; default: break }
            return "Expected \(valueOf(actual)) (\(typeOf(actual))) to be a number"
        case .date(let f), .time(let f), .timestamp(let f):
            let text = jsonText(actual)
            let (format, what) = dateFormat(rule, f)
            if let why = DateTimePattern.validate(text, format: format) {
                return "Expected '\(text)' to match a \(what) pattern of '\(format)': \(why)"
            }
            return nil
        case .boolean:
            if case .bool = actual { return nil }
            if case .string(let s) = actual, s == "true" || s == "false" { return nil }
            return "Expected \(valueOf(actual)) (\(typeOf(actual))) to match a boolean"
        case .notEmpty:
            switch actual {
            case .null: return "Expected non-empty value but got a NULL"
            case .string(let s) where s.isEmpty: return "Expected '' (String) to not be empty"
            case .array(let a) where a.isEmpty: return "Expected [] (Array) to not be empty"
            case .object(let o) where o.isEmpty: return "Expected {} (Object) to not be empty"
            default: return nil
            }
        case .semver:
            guard case .string(let s) = actual else {
                return "Expected something that matches a semantic version, but got '\(actual.serialized(pretty: false))'"
            }
            return Semver.isValid(s) ? nil : "'\(s)' is not a valid semantic version"
        case .contentType(let type):
            let bytes: [UInt8]
            if case .string(let s) = actual {
                bytes = Data(base64Encoded: s).map { Array($0) } ?? Array(s.utf8)
            } else {
                bytes = Array(actual.serialized(pretty: false).utf8)
            }
            return MagicBytes.check(bytes, expected: type).map { "Failed to match data to have a content type of '\(type)': \($0)" }
        case .statusCode(let cls):
            guard let n = actual.intValue else { return "Unable to match \(valueOf(actual)) using statusCode" }
            return cls.contains(n) ? nil : "Expected status code \(n) to be a \(cls.name)"
        case .eachKey, .eachValue, .arrayContains:
            return nil
        }
    }

    /// The date/time format a rule uses (its own or the default) and what it is called.
    static func dateFormat(_ rule: MatchingRule, _ format: String) -> (String, String) {
        switch rule {
        case .date: return (format.isEmpty ? "yyyy-MM-dd" : format, "date")
        case .time: return (format.isEmpty ? "HH:mm:ss" : format, "time")
        default: return (format.isEmpty ? "yyyy-MM-dd'T'HH:mm:ssXXX" : format, "timestamp")
        }
    }

    // MARK: Strings (headers, query values, paths, XML text and attributes)

    /// `rule` applied to a string value.
    static func check(_ rule: MatchingRule, expected: String, actual: String, cascaded: Bool) -> String? {
        switch rule {
        case .regex(let pattern):
            guard let ok = PactRegex.wholeMatch(pattern, actual) else { return "'\(pattern)' is not a valid regular expression" }
            return ok ? nil : "Expected '\(actual)' to match '\(pattern)'"
        case .equality, .values:
            return expected == actual ? nil : "Expected '\(actual)' to be equal to '\(expected)'"
        case .type: return nil
        case .include(let part):
            return actual.contains(part) ? nil : "Expected '\(actual)' to include '\(part)'"
        case .number, .decimal:
            return Double(actual) != nil ? nil : "Expected '\(actual)' to match a number"
        case .integer:
            return UInt64(actual) != nil ? nil : "Expected '\(actual)' to match an integer number"
        case .date(let f), .time(let f), .timestamp(let f):
            let (format, what) = dateFormat(rule, f)
            return DateTimePattern.validate(actual, format: format) == nil ? nil : "Expected '\(actual)' to match a \(what) pattern of '\(format)'"
        case .boolean:
            return actual == "true" || actual == "false" ? nil : "Expected '\(actual)' to match a boolean"
        case .statusCode(let cls):
            guard let n = Int(actual) else { return "Unable to match '\(actual)' using statusCode" }
            return cls.contains(n) ? nil : "Expected status code \(n) to be a \(cls.name)"
        case .notEmpty:
            return actual.isEmpty ? "Expected '' to not be empty" : nil
        case .semver:
            return Semver.isValid(actual) ? nil : "'\(actual)' is not a valid semantic version"
        case .contentType(let type):
            return MagicBytes.check(Array(actual.utf8), expected: type)
        case .null, .eachKey, .eachValue, .arrayContains:
            return !cascaded || rule.cascades ? "Unable to match '\(actual)' using \(rule.name)" : nil
        }
    }

    // MARK: Status codes

    /// `rule` applied to a response status.
    static func check(_ rule: MatchingRule, status expected: Int, actual: Int) -> String? {
        switch rule {
        case .statusCode(let cls):
            return cls.contains(actual) ? nil : "Expected status code \(actual) to be a \(cls.name)"
        case .equality:
            return expected == actual ? nil : "Expected \(actual) to be equal to \(expected)"
        case .type, .number, .integer: return nil
        case .regex(let pattern):
            return PactRegex.wholeMatch(pattern, String(actual)) == true ? nil : "Expected \(actual) to match '\(pattern)'"
        case .include(let s):
            return String(actual).contains(s) ? nil : "Expected \(actual) to include '\(s)'"
        case .decimal: return "Expected \(actual) to match a decimal number"
        default: return "Unable to match \(actual) using \(rule.name)"
        }
    }

    /// A rule list applied with its AND/OR logic; the messages of the rules that failed.
    static func apply(_ list: RuleList, _ check: (MatchingRule) -> String?) -> [String] {
        let results = list.rules.map(check)
        switch list.logic {
        case .and: return results.compactMap { $0 }
        case .or: return results.contains { $0 == nil } ? [] : results.compactMap { $0 }
        }
    }

    // MARK: Formatting like the official verifier

    /// Whether two JSON values have the same type (all numbers are one type).
    static func sameType(_ a: JSON, _ b: JSON) -> Bool {
        switch (a, b) {
        case (.array, .array), (.bool, .bool), (.null, .null), (.object, .object), (.string, .string): return true
        case (.int, .int), (.int, .double), (.double, .int), (.double, .double): return true
        default: return false
        }
    }

    /// JSON equality with object keys in any order and integers apart from decimals.
    static func jsonEqual(_ a: JSON, _ b: JSON) -> Bool {
        switch (a, b) {
        case (.object(let x), .object(let y)):
            guard x.count == y.count else { return false }
            var index: [String: JSON] = [:]
            for (k, v) in y { index[k] = v }
            return x.allSatisfy { k, v in index[k].map { jsonEqual(v, $0) } ?? false }
        case (.array(let x), .array(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { jsonEqual($0, $1) }
        default:
            return a == b
        }
    }

    /// `Integer`, `String`, ... as the official verifier names types.
    static func typeOf(_ v: JSON) -> String {
        switch v {
        case .object: return "Object"
        case .array: return "Array"
        case .null: return "Null"
        case .bool: return "Boolean"
        case .int: return "Integer"
        case .double: return "Decimal"
        case .string: return "String"
        }
    }

    /// A value for a message: strings in single quotes, the rest as JSON.
    static func valueOf(_ v: JSON) -> String {
        if case .string(let s) = v { return "'\(s)'" }
        return v.serialized(pretty: false)
    }

    /// A value as plain text: strings bare, null empty, the rest as JSON.
    static func jsonText(_ v: JSON) -> String {
        switch v {
        case .string(let s): return s
        case .null: return ""
        default: return v.serialized(pretty: false)
        }
    }
}

/// Semantic versions (semver.org 2.0.0): `MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]`.
enum Semver {
    /// Whether `s` is a semantic version.
    static func isValid(_ s: String) -> Bool {
        var rest = Substring(s)
        var build: Substring?
        if let plus = rest.firstIndex(of: "+") {
            build = rest[rest.index(after: plus)...]
            rest = rest[..<plus]
        }
        var pre: Substring?
        if let dash = rest.firstIndex(of: "-") {
            pre = rest[rest.index(after: dash)...]
            rest = rest[..<dash]
        }
        let core = rest.split(separator: ".", omittingEmptySubsequences: false)
        guard core.count == 3, core.allSatisfy(numeric) else { return false }
        func ident(_ part: Substring) -> Bool {
            !part.isEmpty && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
        func numeric(_ part: Substring) -> Bool {
            !part.isEmpty && part.allSatisfy { $0.isASCII && $0.isNumber } && (part == "0" || part.first != "0")
        }
        if let pre {
            let ids = pre.split(separator: ".", omittingEmptySubsequences: false)
            guard ids.allSatisfy(ident) else { return false }
            guard ids.allSatisfy({ !$0.allSatisfy(\.isNumber) || numeric($0) }) else { return false }
        }
        if let build {
            guard build.split(separator: ".", omittingEmptySubsequences: false).allSatisfy(ident) else { return false }
        }
        return true
    }
}

/// Recognises common binary formats by their first bytes, for the `contentType` matcher.
enum MagicBytes {
    /// The media type the bytes look like.
    static func detect(_ b: [UInt8]) -> String {
        func starts(_ p: [UInt8]) -> Bool { b.count >= p.count && Array(b.prefix(p.count)) == p }
        if starts([0x89, 0x50, 0x4E, 0x47]) { return "image/png" }
        if starts([0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if starts(Array("GIF8".utf8)) { return "image/gif" }
        if starts(Array("%PDF".utf8)) { return "application/pdf" }
        if starts([0x50, 0x4B, 0x03, 0x04]) { return "application/zip" }
        if starts([0x1F, 0x8B]) { return "application/gzip" }
        if starts(Array("RIFF".utf8)), b.count >= 12, Array(b[8..<12]) == Array("WEBP".utf8) { return "image/webp" }
        guard let text = String(validating: b, as: UTF8.self) else { return "application/octet-stream" }
        let t = MediaType.sniff(Substring(text))
        return t == .text ? "text/plain" : t.essence
    }

    /// Nil when `bytes` look like `expected`, else why not.
    static func check(_ bytes: [UInt8], expected: String) -> String? {
        let detected = detect(bytes)
        let want = MediaType(expected)?.essence ?? expected.lowercased()
        if detected == want { return nil }
        if detected == "text/plain", let m = MediaType(want), m.isText { return nil }
        return "Expected binary contents to have content type '\(want)' but detected contents was '\(detected)'"
    }
}
