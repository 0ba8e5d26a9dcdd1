/// One step of a matching-rule path expression (`$.items[*].id`).
public enum PathToken: Sendable, Hashable {
    /// `$`.
    case root
    /// A key: `.name` or `['name']`.
    case field(String)
    /// An array index: `[2]`.
    case index(Int)
    /// `.*`: any key or index.
    case star
    /// `[*]`: any index.
    case starIndex
}

/// A matching-rule path (`$.a[0].b`, `$['x.y']`), as the Pact specification defines it, with the
/// weighting used to pick the most specific rule for a value.
public struct DocPath: Sendable, Hashable, CustomStringConvertible {
    /// The tokens, root first (empty for the path and status categories).
    public var tokens: [PathToken]

    /// Creates a path from tokens.
    public init(tokens: [PathToken]) { self.tokens = tokens }

    /// The empty path (rules on the request path or the response status).
    public static let empty = DocPath(tokens: [])
    /// `$`.
    public static let root = DocPath(tokens: [.root])

    /// Parses an expression; a path that does not start with `$` but with a name is taken as
    /// `$.name` (header and query rule keys).
    public init(parsing text: String) throws(PactFormatError) {
        var tokens: [PathToken] = []
        let chars = Array(text)
        var i = 0
        func fail(_ why: String) -> PactFormatError { PactFormatError("invalid matching rule path \"\(text)\": \(why)") }
        func isIdent(_ c: Character) -> Bool {
            c.isLetter || c.isNumber || c == "_" || c == "-" || c == ":" || c == "#" || c == "@"
        }
        func identifier() throws(PactFormatError) -> String {
            var id = ""
            while i < chars.count, isIdent(chars[i]) { id.append(chars[i]); i += 1 }
            if i < chars.count, chars[i] != ".", chars[i] != "[", chars[i] != "'" {
                throw fail("\"\(chars[i])\" is not allowed in a name at index \(i); write it as ['...']")
            }
            return id
        }
        guard !chars.isEmpty else { self.tokens = []; return }
        if chars[0] == "$" {
            tokens.append(.root)
            i = 1
        } else if chars[0].isLetter || chars[0].isNumber {
            tokens.append(.root)
            tokens.append(.field(try identifier()))
        } else {
            throw fail("it must start with \"$\"")
        }
        while i < chars.count {
            let c = chars[i]
            i += 1
            if c == "." {
                guard i < chars.count else { throw fail("a name must follow \".\"") }
                if chars[i] == "*" {
                    tokens.append(.star)
                    i += 1
                } else if isIdent(chars[i]) {
                    tokens.append(.field(try identifier()))
                } else {
                    throw fail("expected a name or \"*\" at index \(i)")
                }
            } else if c == "[" {
                guard i < chars.count else { throw fail("unterminated \"[\"") }
                if chars[i] == "'" {
                    i += 1
                    var id = ""
                    while i < chars.count, chars[i] != "'" { id.append(chars[i]); i += 1 }
                    guard i < chars.count else { throw fail("unterminated string") }
                    guard !id.isEmpty else { throw fail("empty name in ['']") }
                    i += 1
                    tokens.append(.field(id))
                } else if chars[i] == "*" {
                    i += 1
                    tokens.append(.starIndex)
                } else if chars[i].isNumber {
                    var digits = ""
                    while i < chars.count, chars[i].isNumber { digits.append(chars[i]); i += 1 }
                    guard let n = Int(digits) else { throw fail("index too large") }
                    tokens.append(.index(n))
                } else {
                    throw fail("an index is a number, \"*\" or a quoted name, found \"\(chars[i])\"")
                }
                guard i < chars.count, chars[i] == "]" else { throw fail("expected \"]\"") }
                i += 1
            } else {
                throw fail("expected \".\" or \"[\" at index \(i - 1), found \"\(c)\"")
            }
        }
        self.tokens = tokens
    }

    /// A path one step longer: numeric keys become indexes, as Pact's own paths do.
    public func appending(_ key: String) -> DocPath {
        var copy = self
        if key == "*" {
            copy.tokens.append(.star)
        } else if key == "[*]" {
            copy.tokens.append(.starIndex)
        } else if let n = Int(key), n >= 0, key.allSatisfy(\.isASCII) {
            copy.tokens.append(.index(n))
        } else {
            copy.tokens.append(.field(key))
        }
        return copy
    }

    /// A path one index longer.
    public func appending(index: Int) -> DocPath {
        var copy = self
        copy.tokens.append(.index(index))
        return copy
    }

    /// The path as strings (`["$", "items", "0"]`), the form rules are weighed against.
    public var fragments: [String] {
        tokens.map { t in
            switch t {
            case .root: return "$"
            case .field(let f): return f
            case .index(let n): return String(n)
            case .star: return "*"
            case .starIndex: return "[*]"
            }
        }
    }

    /// The first field name (a header or query parameter name).
    public var firstField: String? {
        for t in tokens { if case .field(let f) = t { return f } }
        return nil
    }

    /// The weight of this rule path against a concrete value path (Pact's matcher selection:
    /// `$` and exact names or indexes weigh 2, `*` weighs 1, a miss makes the product 0),
    /// and the number of tokens in this rule path.
    public func weight(against path: [String]) -> (weight: Int, length: Int) {
        guard path.count >= tokens.count else { return (0, tokens.count) }
        var w = 1
        for (token, fragment) in zip(tokens, path) {
            w *= Self.tokenWeight(token, fragment)
            if w == 0 { break }
        }
        return (w, tokens.count)
    }

    /// The weight of one rule token against one path fragment.
    static func tokenWeight(_ token: PathToken, _ fragment: String) -> Int {
        switch token {
        case .root: return fragment == "$" ? 2 : 0
        case .field(let name): return fragment == name ? 2 : 0
        case .index(let n): return Int(fragment) == n && fragment.allSatisfy(\.isNumber) ? 2 : 0
        case .starIndex: return fragment == "[*]" || (!fragment.isEmpty && fragment.allSatisfy { $0.isASCII && $0.isNumber }) ? 1 : 0
        case .star: return 1
        }
    }

    public var description: String {
        var out = ""
        for t in tokens {
            switch t {
            case .root: out += "$"
            case .field(let f):
                if !f.isEmpty, f.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == ":" || $0 == "#" || $0 == "@" }) {
                    out += out.isEmpty ? f : "." + f
                } else {
                    out += "['" + f + "']"
                }
            case .index(let n): out += "[\(n)]"
            case .star: out += ".*"
            case .starIndex: out += "[*]"
            }
        }
        return out
    }
}
