import Foundation

/// A value generator (V3/V4), used to make a request fit the provider's current state.
public enum PactGenerator: Sendable, Equatable {
    case randomInt(min: Int, max: Int)
    case randomDecimal(digits: Int)
    case randomHexadecimal(digits: Int)
    case randomString(size: Int)
    case regex(String)
    case uuid(format: String)
    case date(format: String?)
    case time(format: String?)
    case dateTime(format: String?)
    case randomBoolean
    /// A value taken from the provider-state context: `${name}` expressions, or a bare name.
    case providerState(expression: String, dataType: String?)
    /// Only meaningful to a mock server; a provider verifier leaves the value alone.
    case mockServerURL

    /// Reads one generator object (`{"type": "RandomInt", "min": 1, "max": 9}`).
    public static func parse(_ json: JSON) throws(PactFormatError) -> PactGenerator {
        guard let type = json["type"]?.stringValue else {
            throw PactFormatError("a generator needs a \"type\", found \(json.serialized(pretty: false))")
        }
        func int(_ k: String, _ d: Int) -> Int { json[k]?.intValue ?? json[k]?.stringValue.flatMap { Int($0) } ?? d }
        switch type {
        case "RandomInt": return .randomInt(min: int("min", 0), max: int("max", Int(Int32.max)))
        case "RandomDecimal": return .randomDecimal(digits: int("digits", 10))
        case "RandomHexadecimal": return .randomHexadecimal(digits: int("digits", 10))
        case "RandomString": return .randomString(size: int("size", 10))
        case "Regex": return .regex(json["regex"]?.stringValue ?? "")
        case "Uuid": return .uuid(format: json["format"]?.stringValue ?? "lower-case-hyphenated")
        case "Date": return .date(format: json["format"]?.stringValue)
        case "Time": return .time(format: json["format"]?.stringValue)
        case "DateTime": return .dateTime(format: json["format"]?.stringValue)
        case "RandomBoolean": return .randomBoolean
        case "ProviderState":
            return .providerState(expression: json["expression"]?.stringValue ?? "", dataType: json["dataType"]?.stringValue)
        case "MockServerURL": return .mockServerURL
        default: throw PactFormatError("unknown generator type \"\(type)\"")
        }
    }

    /// A new value; `current` is the example in the pact, `context` the provider-state values.
    /// Nil leaves the example as it is (a missing context value, a mock-server-only generator).
    func generate(current: JSON, context: [String: JSON]) -> JSON? {
        var rng = SystemRandomNumberGenerator()
        switch self {
        case .randomInt(let lo, let hi): return .int(lo <= hi ? Int.random(in: lo...hi, using: &rng) : lo)
        case .randomDecimal(let digits):
            let n = max(1, digits)
            var s = String(Int.random(in: 1...9))
            for _ in 1..<n { s += String(Int.random(in: 0...9)) }
            if n > 1 { s.insert(".", at: s.index(s.startIndex, offsetBy: Int.random(in: 1..<n))) }
            return .double(Double(s) ?? 0)
        case .randomHexadecimal(let digits):
            return .string(String((0..<max(0, digits)).map { _ in "0123456789abcdef".randomElement()! }))
        case .randomString(let size):
            let chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
            return .string(String((0..<max(0, size)).map { _ in chars.randomElement()! }))
        case .regex(let pattern):
            // Keep the example when it already fits; otherwise generate from the pattern.
            if let s = current.stringValue, PactRegex.wholeMatch(pattern, s) == true { return current }
            return RegexSampler.sample(pattern).map(JSON.string)
        case .uuid(let format):
            let u = UUID().uuidString
            switch format {
            case "simple": return .string(u.replacingOccurrences(of: "-", with: "").lowercased())
            case "upper-case-hyphenated": return .string(u.uppercased())
            case "URN": return .string("urn:uuid:" + u.lowercased())
            default: return .string(u.lowercased())
            }
        case .date(let f): return .string(Self.format(Date(), f ?? "yyyy-MM-dd"))
        case .time(let f): return .string(Self.format(Date(), f ?? "HH:mm:ss"))
        case .dateTime(let f): return .string(Self.format(Date(), f ?? "yyyy-MM-dd'T'HH:mm:ssXXX"))
        case .randomBoolean: return .bool(Bool.random())
        case .mockServerURL: return nil
        case .providerState(let expression, let dataType):
            guard let value = Self.resolve(expression, context) else { return nil }
            return Self.convert(value, to: dataType)
        }
    }

    /// A date in a Java-style pattern, UTC.
    static func format(_ date: Date, _ pattern: String) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = pattern.replacingOccurrences(of: "XXX", with: "xxx")
        return f.string(from: date)
    }

    /// `${name}` expressions replaced from `context`; a single expression keeps its JSON type.
    static func resolve(_ expression: String, _ context: [String: JSON]) -> JSON? {
        guard expression.contains("${") else { return context[expression] }
        var parts: [JSON] = []
        var rest = Substring(expression)
        while let start = rest.range(of: "${") {
            if start.lowerBound > rest.startIndex { parts.append(.string(String(rest[..<start.lowerBound]))) }
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else { return nil }
            let key = String(rest[start.upperBound..<end])
            guard let v = context[key] else { return nil }
            parts.append(v)
            rest = rest[rest.index(after: end)...]
        }
        if !rest.isEmpty { parts.append(.string(String(rest))) }
        if parts.count == 1 { return parts[0] }
        return .string(parts.map(ValueRules.jsonText).joined())
    }

    /// A value converted to a generator's `dataType`.
    static func convert(_ v: JSON, to dataType: String?) -> JSON {
        switch dataType?.uppercased() {
        case "STRING": return .string(ValueRules.jsonText(v))
        case "INTEGER": return v.intValue.map(JSON.int) ?? v.stringValue.flatMap { Int($0) }.map(JSON.int) ?? v
        case "DECIMAL", "FLOAT": return v.doubleValue.map(JSON.double) ?? v.stringValue.flatMap { Double($0) }.map(JSON.double) ?? v
        case "BOOLEAN": return v.boolValue.map(JSON.bool) ?? v.stringValue.map { JSON.bool($0 == "true") } ?? v
        default: return v
        }
    }

    /// Generators that make sense when verifying a provider (not the mock-server-only ones).
    var appliesToProvider: Bool { if case .mockServerURL = self { return false } else { return true } }
}

/// Generators of a request or response, by category (`path`, `header`, `query`, `body`, `status`).
public struct PactGenerators: Sendable, Equatable {
    /// Category name → (path or name, generator).
    public var categories: [String: [(path: DocPath, generator: PactGenerator)]] = [:]

    /// Creates an empty set.
    public init() {}

    public static func == (a: PactGenerators, b: PactGenerators) -> Bool {
        a.categories.keys == b.categories.keys && a.categories.allSatisfy { k, v in
            b.categories[k].map { $0.elementsEqual(v, by: { $0.path == $1.path && $0.generator == $1.generator }) } ?? false
        }
    }

    /// True when there are none.
    public var isEmpty: Bool { categories.values.allSatisfy(\.isEmpty) }

    /// Reads `generators`.
    public static func parse(_ json: JSON?) throws(PactFormatError) -> PactGenerators {
        var g = PactGenerators()
        guard case .object(let pairs)? = json else { return g }
        for (category, value) in pairs {
            let name = category.lowercased() == "headers" ? "header" : category.lowercased()
            guard case .object(let entries) = value else { continue }
            if value["type"] != nil {
                g.categories[name, default: []].append((.empty, try PactGenerator.parse(value)))
                continue
            }
            for (key, gen) in entries {
                let path: DocPath = name == "body" ? try DocPath(parsing: key.hasPrefix("$") ? key : "$." + key)
                    : DocPath(tokens: [.root, .field(key)])
                g.categories[name, default: []].append((path, try PactGenerator.parse(gen)))
            }
        }
        return g
    }
}

/// Makes a string that matches a simple regular expression, for the Regex generator.
enum RegexSampler {
    /// A sample for patterns made of literals, classes (`\d`, `\w`, `[a-z]`), and quantifiers;
    /// nil for anything more complex.
    static func sample(_ pattern: String) -> String? {
        var out = ""
        var chars = Array(pattern)
        if chars.first == "^" { chars.removeFirst() }
        if chars.last == "$" { chars.removeLast() }
        var i = 0
        while i < chars.count {
            var choices: [Character]
            let c = chars[i]
            i += 1
            switch c {
            case "\\":
                guard i < chars.count else { return nil }
                let e = chars[i]
                i += 1
                switch e {
                case "d": choices = Array("0123456789")
                case "w": choices = Array("abcdefghijklmnopqrstuvwxyz0123456789")
                case "s": choices = [" "]
                default: choices = [e]
                }
            case "[":
                var set: [Character] = []
                while i < chars.count, chars[i] != "]" {
                    if i + 2 < chars.count, chars[i + 1] == "-", chars[i + 2] != "]",
                       let lo = chars[i].unicodeScalars.first?.value, let hi = chars[i + 2].unicodeScalars.first?.value, lo <= hi {
                        for v in lo...hi { if let u = Unicode.Scalar(v) { set.append(Character(u)) } }
                        i += 3
                    } else if chars[i] == "\\", i + 1 < chars.count {
                        set += chars[i + 1] == "d" ? Array("0123456789") : [chars[i + 1]]
                        i += 2
                    } else {
                        set.append(chars[i])
                        i += 1
                    }
                }
                guard i < chars.count, !set.isEmpty, set.first != "^" else { return nil }
                i += 1
                choices = set
            case "(", ")", "|", "*", "+", "?", "{", "}", "^", "$": return nil
            case ".": choices = Array("abcdefghijklmnopqrstuvwxyz")
            default: choices = [c]
            }
            var count = 1
            if i < chars.count {
                switch chars[i] {
                case "+": count = 1; i += 1
                case "*": count = 1; i += 1
                case "?": count = 1; i += 1
                case "{":
                    guard let close = chars[i...].firstIndex(of: "}") else { return nil }
                    let inside = String(chars[(i + 1)..<close]).split(separator: ",", omittingEmptySubsequences: false)
                    guard let n = Int(inside.first ?? "") else { return nil }
                    count = n
                    i = close + 1
                default: break
                }
            }
            for _ in 0..<count { out.append(choices.randomElement()!) }
        }
        return PactRegex.wholeMatch(pattern, out) == true ? out : nil
    }
}
