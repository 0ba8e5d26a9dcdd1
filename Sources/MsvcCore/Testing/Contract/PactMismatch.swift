/// One difference between what a pact expects and what came back (or was sent).
public struct PactMismatch: Sendable, Equatable {
    /// Which part of the message differs.
    public enum Kind: String, Sendable {
        case method, path, query, header, status, body
        /// The body's content type differs, so the bodies were not compared.
        case bodyType = "body-type"
    }

    /// Which part differs.
    public var kind: Kind
    /// Where: a JSON path in the body (`$.items[0].id`), a header or query parameter name.
    public var path: String
    /// What the pact expected, as text.
    public var expected: String
    /// What came back, as text.
    public var actual: String
    /// Why they differ, in the official verifier's words.
    public var message: String

    /// Creates a mismatch.
    public init(kind: Kind, path: String, expected: String, actual: String, message: String) {
        self.kind = kind
        self.path = path
        self.expected = expected
        self.actual = actual
        self.message = message
    }
}

/// A mismatch before it is tied to a part of the message.
struct RawMismatch: Sendable, Equatable {
    /// Where.
    var path: String
    /// What was expected.
    var expected: String
    /// What came back.
    var actual: String
    /// Why they differ.
    var message: String
}

/// Matches everything inside one category (body, headers, ...): which rules apply where, and
/// whether keys the pact does not name are allowed (responses) or not (requests).
struct MatchContext: Sendable {
    /// The category's rules.
    var rules: RuleCategory
    /// Responses may carry extra keys; requests may not.
    var allowUnexpectedKeys: Bool

    /// Whether a rule applies to `path`.
    func isDefined(_ path: DocPath) -> Bool { rules.isDefined(path.fragments) }
    /// The rules that apply to `path`, by weight.
    func best(_ path: DocPath) -> RuleList { rules.best(path.fragments) }

    /// A context with other rules and the same key policy.
    func with(_ rules: RuleCategory) -> MatchContext { MatchContext(rules: rules, allowUnexpectedKeys: allowUnexpectedKeys) }

    /// Whether a type-like matcher (type, min/max) governs `path` or a parent.
    func typeMatcherDefined(_ path: DocPath) -> Bool {
        rules.matching(path.fragments).contains { e in
            e.list.rules.contains { if case .type = $0 { return true } else { return false } }
        }
    }

    /// Rules set exactly at `path` (not inherited).
    func direct(_ path: DocPath) -> [MatchingRule] { rules.exact(path.fragments).flatMap(\.rules) }

    /// Checks the keys of a map: missing keys always count; extra keys count in requests;
    /// `eachKey` rules set on the map check every key.
    func matchKeys(_ path: DocPath, expected: [String], actual: [String]) -> [RawMismatch] {
        var out: [RawMismatch] = []
        let direct = self.direct(path)
        let skipKeyCheck = direct.contains { r in
            switch r { case .values, .eachValue, .eachKey: return true; default: return false }
        }
        let actualSet = Set(actual)
        if !skipKeyCheck {
            let missing = expected.filter { !actualSet.contains($0) }
            if allowUnexpectedKeys {
                if !missing.isEmpty {
                    out.append(RawMismatch(path: path.description, expected: Self.list(expected), actual: Self.list(actual),
                                           message: "Actual map is missing the following keys: \(missing.joined(separator: ", "))"))
                }
            } else if expected.sorted() != actual.sorted() {
                out.append(RawMismatch(path: path.description, expected: Self.list(expected), actual: Self.list(actual),
                                       message: "Expected a Map with keys [\(expected.sorted().joined(separator: ", "))] but received one with keys [\(actual.sorted().joined(separator: ", "))]"))
            }
        }
        for rule in direct {
            guard case .eachKey(let keyRules) = rule else { continue }
            for sub in keyRules {
                for key in actual.sorted() {
                    if let why = ValueRules.check(sub, expected: "", actual: key, cascaded: false) {
                        out.append(RawMismatch(path: path.appending(key).description, expected: "", actual: key, message: why))
                    }
                }
            }
        }
        return out
    }

    /// Keys as `[a, b]`, sorted.
    static func list(_ keys: [String]) -> String { "[" + keys.sorted().joined(separator: ", ") + "]" }
}
