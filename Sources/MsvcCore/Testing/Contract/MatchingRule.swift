/// Why a pact file could not be read.
public struct PactFormatError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, with where when known.
    public var message: String
    /// Where in the file the problem is, as far as known (the position is found from it).
    var location: [JSONLocator.Step] = []
    /// Creates the error.
    public init(_ message: String) { self.message = message }
    /// Creates the error for the value at `location`.
    init(_ message: String, at location: [JSONLocator.Step]) {
        self.message = message
        self.location = location
    }
    public var description: String { message }

    /// The same error, located inside the value at `prefix`.
    func inside(_ prefix: [JSONLocator.Step]) -> PactFormatError {
        PactFormatError(message, at: prefix + location)
    }
}

/// The status class a V4 `statusCode` matcher accepts.
public enum StatusClass: Sendable, Equatable {
    case information, success, redirect, clientError, serverError, nonError, error
    case codes([Int])

    /// Whether `status` belongs to the class.
    public func contains(_ status: Int) -> Bool {
        switch self {
        case .information: return (100...199).contains(status)
        case .success: return (200...299).contains(status)
        case .redirect: return (300...399).contains(status)
        case .clientError: return (400...499).contains(status)
        case .serverError: return (500...599).contains(status)
        case .nonError: return status < 400
        case .error: return status >= 400
        case .codes(let c): return c.contains(status)
        }
    }

    /// The name as written in a pact.
    public var name: String {
        switch self {
        case .information: return "info"
        case .success: return "success"
        case .redirect: return "redirect"
        case .clientError: return "clientError"
        case .serverError: return "serverError"
        case .nonError: return "nonError"
        case .error: return "error"
        case .codes(let c): return c.map(String.init).joined(separator: ", ")
        }
    }
}

/// One matching rule of the Pact specification (V2 to V4).
public indirect enum MatchingRule: Sendable, Equatable {
    case equality
    case regex(String)
    /// `type`, with optional `min` and `max` sizes for collections.
    case type(min: Int?, max: Int?)
    case include(String)
    case integer
    case decimal
    case number
    case boolean
    case null
    case date(String)
    case time(String)
    case timestamp(String)
    case contentType(String)
    case values
    case statusCode(StatusClass)
    case notEmpty
    case semver
    /// V4 `eachKey`: rules every key of a map must match.
    case eachKey([MatchingRule])
    /// V4 `eachValue`: rules every value of a collection must match.
    case eachValue([MatchingRule])
    /// V4 `arrayContains`: each variant (an index into the expected array and its rules) must
    /// match some item of the actual array.
    case arrayContains([ArrayVariant])

    /// One `arrayContains` variant.
    public struct ArrayVariant: Sendable, Equatable {
        /// Index of the example in the expected array.
        public var index: Int
        /// Rules for the variant (body category, paths relative to the item).
        public var rules: RuleCategory
    }

    /// Matchers that apply to the collection itself, not to each child.
    var isValuesMatcher: Bool {
        switch self {
        case .values, .eachValue, .arrayContains: return true
        default: return false
        }
    }

    /// Whether the rule also governs the children of the value it is set on.
    var cascades: Bool {
        switch self {
        case .values, .eachValue, .eachKey: return false
        default: return true
        }
    }

    /// The rule's name, as used in messages.
    public var name: String {
        switch self {
        case .equality: return "equality"
        case .regex: return "regex"
        case .type(let min, let max): return min == nil && max == nil ? "type" : "type with size limits"
        case .include: return "include"
        case .integer: return "integer"
        case .decimal: return "decimal"
        case .number: return "number"
        case .boolean: return "boolean"
        case .null: return "null"
        case .date: return "date"
        case .time: return "time"
        case .timestamp: return "datetime"
        case .contentType: return "contentType"
        case .values: return "values"
        case .statusCode: return "statusCode"
        case .notEmpty: return "notEmpty"
        case .semver: return "semver"
        case .eachKey: return "eachKey"
        case .eachValue: return "eachValue"
        case .arrayContains: return "arrayContains"
        }
    }

    /// Reads one rule object (`{"match": "regex", "regex": "\\d+"}`, or a V2 form without `match`).
    public static func parse(_ json: JSON) throws(PactFormatError) -> MatchingRule {
        guard case .object = json else { throw PactFormatError("a matching rule must be an object, found \(json.serialized(pretty: false))") }
        func num(_ key: String) -> Int? {
            switch json[key] {
            case .int(let n)?: return n >= 0 ? n : nil
            case .double(let d)?: return d >= 0 ? Int(d) : nil
            case .string(let s)?: return Int(s)
            default: return nil
            }
        }
        func text(_ key: String) -> String? {
            guard let v = json[key] else { return nil }
            if case .string(let s) = v { return s }
            if case .null = v { return "" }
            return v.serialized(pretty: false)
        }
        guard let kind = text("match") else {
            if let r = text("regex") { return .regex(r) }
            if let m = num("min") { return .type(min: m, max: num("max")) }
            if let m = num("max") { return .type(min: nil, max: m) }
            if let f = text("timestamp") { return .timestamp(f) }
            if let f = text("time") { return .time(f) }
            if let f = text("date") { return .date(f) }
            throw PactFormatError("matching rule \(json.serialized(pretty: false)) has no \"match\" field and its kind cannot be guessed")
        }
        switch kind {
        case "regex":
            guard let r = text("regex") else { throw PactFormatError("regex matcher has no \"regex\" field") }
            return .regex(r)
        case "equality": return .equality
        case "include":
            guard let v = text("value") else { throw PactFormatError("include matcher has no \"value\" field") }
            return .include(v)
        case "type": return .type(min: num("min"), max: num("max"))
        case "min", "min-type":
            guard let m = num("min") else { throw PactFormatError("min matcher has no \"min\" field") }
            return .type(min: m, max: nil)
        case "max", "max-type":
            guard let m = num("max") else { throw PactFormatError("max matcher has no \"max\" field") }
            return .type(min: nil, max: m)
        case "number": return .number
        case "integer": return .integer
        case "decimal", "real": return .decimal
        case "boolean": return .boolean
        case "null": return .null
        case "timestamp", "datetime": return .timestamp(text("format") ?? text(kind) ?? "")
        case "date": return .date(text("format") ?? text("date") ?? "")
        case "time": return .time(text("format") ?? text("time") ?? "")
        case "contentType", "content-type":
            guard let v = text("value") else { throw PactFormatError("contentType matcher has no \"value\" field") }
            return .contentType(v)
        case "values": return .values
        case "statusCode", "status-code":
            return .statusCode(try statusClass(json["status"]))
        case "notEmpty", "not-empty": return .notEmpty
        case "semver": return .semver
        case "eachKey", "each-key", "eachValue", "each-value":
            var rules: [MatchingRule] = []
            if let list = json["rules"] {
                guard case .array(let items) = list else { throw PactFormatError("\(kind) matcher: \"rules\" must be a list") }
                for item in items { rules.append(try parse(item)) }
            }
            return kind.hasPrefix("eachK") || kind == "each-key" ? .eachKey(rules) : .eachValue(rules)
        case "arrayContains", "array-contains":
            guard case .array(let variants)? = json["variants"] else {
                throw PactFormatError("arrayContains matcher needs a \"variants\" list")
            }
            var out: [ArrayVariant] = []
            for v in variants {
                let index = v["index"]?.intValue ?? 0
                var category = RuleCategory(name: "body")
                if let r = v["rules"] {
                    try category.add(v3: r)
                } else {
                    category.add(.equality, at: .empty, combine: .and)
                }
                out.append(ArrayVariant(index: index, rules: category))
            }
            return .arrayContains(out)
        case "": throw PactFormatError("matching rule kind is empty")
        default: throw PactFormatError("unknown matching rule \"\(kind)\"")
        }
    }

    /// Reads a `statusCode` matcher's `status`: a class name or a list of codes.
    static func statusClass(_ json: JSON?) throws(PactFormatError) -> StatusClass {
        switch json {
        case nil: return .success
        case .string(let s)?:
            switch s {
            case "info": return .information
            case "success": return .success
            case "redirect": return .redirect
            case "clientError": return .clientError
            case "serverError": return .serverError
            case "nonError": return .nonError
            case "error": return .error
            default: throw PactFormatError("\"\(s)\" is not a status class (info, success, redirect, clientError, serverError, nonError, error)")
            }
        case .array(let items)?:
            var codes: [Int] = []
            for i in items {
                if let n = i.intValue ?? i.stringValue.flatMap({ Int($0) }) { codes.append(n) } else {
                    throw PactFormatError("\(i.serialized(pretty: false)) is not a status code")
                }
            }
            return .codes(codes)
        default: throw PactFormatError("statusCode matcher: \"status\" must be a class name or a list of codes")
        }
    }
}

/// How the rules of one list combine.
public enum RuleLogic: String, Sendable { case and = "AND", or = "OR" }

/// The rules set on one path, and whether they were inherited from a parent path.
public struct RuleList: Sendable, Equatable {
    /// The rules, in order.
    public var rules: [MatchingRule]
    /// AND (all must match) or OR (one must).
    public var logic: RuleLogic
    /// True when the list was set on a parent of the value being matched.
    public var cascaded: Bool

    /// Creates a list.
    public init(rules: [MatchingRule] = [], logic: RuleLogic = .and, cascaded: Bool = false) {
        self.rules = rules
        self.logic = logic
        self.cascaded = cascaded
    }

    /// No rules at all.
    public var isEmpty: Bool { rules.isEmpty }
}

/// The rules of one category (`body`, `header`, `query`, `path`, `status`), by path.
public struct RuleCategory: Sendable, Equatable {
    /// The category name, lower case.
    public var name: String
    /// Rule paths in the order read, with their lists.
    public var entries: [(path: DocPath, list: RuleList)]

    /// Creates an empty category.
    public init(name: String) {
        self.name = name
        self.entries = []
    }

    public static func == (a: RuleCategory, b: RuleCategory) -> Bool {
        a.name == b.name && a.entries.elementsEqual(b.entries, by: { $0.path == $1.path && $0.list == $1.list })
    }

    /// True when the category holds no rule.
    public var isEmpty: Bool { entries.allSatisfy { $0.list.isEmpty } }

    /// Adds `rule` to the list at `path`.
    public mutating func add(_ rule: MatchingRule, at path: DocPath, combine: RuleLogic) {
        if let i = entries.firstIndex(where: { $0.path == path }) {
            entries[i].list.rules.append(rule)
        } else {
            entries.append((path, RuleList(rules: [rule], logic: combine)))
        }
    }

    /// Reads the V3/V4 layout of one category: `{"matchers": [...], "combine": "AND"}` for a
    /// single value, or a map of paths (or names) to such objects.
    public mutating func add(v3 json: JSON) throws(PactFormatError) {
        guard case .object(let pairs) = json else {
            throw PactFormatError("matching rules for \"\(name)\" must be an object")
        }
        if json["matchers"] != nil {
            try addList(json, at: .empty)
            return
        }
        for (key, value) in pairs {
            let path: DocPath
            if name == "header" || name == "query" {
                path = DocPath(tokens: [.root, .field(name == "header" ? key.lowercased() : key)])
            } else {
                path = try DocPath(parsing: key)
            }
            try addList(value, at: path)
        }
    }

    /// Reads one `{"matchers": [...], "combine": ...}` object for `path`.
    mutating func addList(_ json: JSON, at path: DocPath) throws(PactFormatError) {
        let logic: RuleLogic = json["combine"]?.stringValue?.uppercased() == "OR" ? .or : .and
        guard case .array(let items)? = json["matchers"] else {
            // A V2-style single rule object under a V3 key.
            if case .object = json, json["match"] != nil || json["regex"] != nil {
                add(try MatchingRule.parse(json), at: path, combine: logic)
            }
            return
        }
        if items.isEmpty, !entries.contains(where: { $0.path == path }) {
            entries.append((path, RuleList(rules: [], logic: logic)))
        }
        for item in items { add(try MatchingRule.parse(item), at: path, combine: logic) }
    }

    /// The rule lists whose path matches `path` (for headers and queries, by name).
    func matching(_ path: [String]) -> [(path: DocPath, list: RuleList)] {
        entries.filter { !$0.list.isEmpty && $0.path.weight(against: path).weight > 0 }
    }

    /// Whether any rule applies to `path` (set on it or on a parent).
    public func isDefined(_ path: [String]) -> Bool {
        if name == "path" || name == "status" { return !isEmpty }
        return entries.contains { !$0.list.isEmpty && $0.path.weight(against: path).weight > 0 }
    }

    /// The most specific rules for `path`: highest weight times path length wins
    /// (the Pact specification's matcher selection). Marked `cascaded` when set on a parent.
    public func best(_ path: [String]) -> RuleList {
        if name == "path" || name == "status" {
            return entries.first { !$0.list.isEmpty }?.list ?? RuleList()
        }
        var best: (score: Int, list: RuleList)?
        for e in entries where !e.list.isEmpty {
            let (w, len) = e.path.weight(against: path)
            guard w > 0 else { continue }
            let score = w * len
            if best == nil || score > best!.score {
                var list = e.list
                list.cascaded = len != path.count
                best = (score, list)
            }
        }
        return best?.list ?? RuleList()
    }

    /// Rules set exactly on `path` (same length), used to tell a values matcher on a map
    /// from one inherited.
    func exact(_ path: [String]) -> [RuleList] {
        entries.filter { !$0.list.isEmpty && $0.path.tokens.count == path.count && $0.path.weight(against: path).weight > 0 }.map(\.list)
    }
}

/// All matching rules of a request or a response, by category.
public struct MatchingRules: Sendable, Equatable {
    /// Categories by name (`body`, `header`, `query`, `path`, `status`).
    public var categories: [String: RuleCategory] = [:]

    /// Creates empty rules.
    public init() {}

    /// The category `name` (empty when absent).
    public func category(_ name: String) -> RuleCategory { categories[name] ?? RuleCategory(name: name) }

    /// Reads `matchingRules` in either layout: V2 keys start with `$` (`$.body.x`,
    /// `$.headers.Accept`, `$.query.q`, `$.path`); V3/V4 keys are category names.
    public static func parse(_ json: JSON?) throws(PactFormatError) -> MatchingRules {
        var rules = MatchingRules()
        guard case .object(let pairs)? = json, !pairs.isEmpty else { return rules }
        if pairs[0].0.hasPrefix("$") {
            for (key, value) in pairs {
                let (category, path) = try v2Key(key)
                var c = rules.categories[category] ?? RuleCategory(name: category)
                c.add(try MatchingRule.parse(value), at: path, combine: .and)
                rules.categories[category] = c
            }
        } else {
            for (key, value) in pairs {
                let name = canonicalCategory(key)
                guard let name else { continue }
                var c = rules.categories[name] ?? RuleCategory(name: name)
                if name == "path" || name == "status", value["matchers"] != nil {
                    try c.addList(value, at: .empty)
                } else {
                    try c.add(v3: value)
                }
                rules.categories[name] = c
            }
        }
        return rules
    }

    /// The category a key names (`headers` is `header`), nil when unknown.
    static func canonicalCategory(_ key: String) -> String? {
        switch key.lowercased() {
        case "header", "headers": return "header"
        case "body", "path", "query", "status", "method", "metadata", "contents": return key.lowercased()
        default: return nil
        }
    }

    /// Maps a V2 rule key to its category and path within it.
    static func v2Key(_ key: String) throws(PactFormatError) -> (String, DocPath) {
        if key.hasPrefix("$.body") {
            let rest = key.dropFirst(6)
            return ("body", rest.isEmpty ? .root : try DocPath(parsing: "$" + rest))
        }
        let path = try DocPath(parsing: key)
        let names: [String] = path.tokens.compactMap { if case .field(let f) = $0 { return f } else { return nil } }
        guard let first = names.first, let category = canonicalCategory(first) else {
            throw PactFormatError("\"\(key)\" is not a valid matching rule path (expected $.body..., $.headers.NAME, $.query.NAME or $.path)")
        }
        if names.count > 1 {
            return (category, DocPath(tokens: [.root, .field(category == "header" ? names[1].lowercased() : names[1])]))
        }
        return (category, .empty)
    }
}
