import Foundation

/// Reads the version a project file asks for (`.nvmrc`, `engines.node`, `requires-python`,
/// `go.mod`) and picks the toolchain release line a CI job installs.
enum CIVersionRange {
    /// `N`, `N.M` or `N.M.P` (a leading `v` dropped, `.x`/`.*` parts dropped), else nil.
    static func plain(_ text: String) -> String? {
        var s = Substring(text.trimmingCharacters(in: .whitespacesAndNewlines))
        if s.hasPrefix("v") { s = s.dropFirst() }
        var parts = s.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        while let last = parts.last, parts.count > 1, last == "x" || last == "*" || last == "X" { parts.removeLast() }
        guard (1...3).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }) else { return nil }
        return parts.joined(separator: ".")
    }

    /// The release line to install for an npm-style range (`>=20 <23`, `^20.11 || ^22`):
    /// `preferred` when it satisfies the range, else the nearest newer line, else the newest
    /// older one; a single exact version (`20.11.1`, `~20.11`) that no line satisfies is
    /// used as written. nil when the range is not one this reader understands.
    static func pickNode(_ range: String, preferred: String, lines: [String]) -> String? {
        guard let alternatives = semver(range) else { return nil }
        let ok: (String) -> Bool = { line in
            let v = latest(of: line)
            return alternatives.contains { $0.allSatisfy { $0.contains(v) } }
        }
        if let line = choose(preferred: preferred, lines: lines, satisfies: ok) { return line }
        return singleVersion(range, operators: ["=", "^", "~", "v"])
    }

    /// The release line to install for a PEP 440 `requires-python` (`>=3.10,<3.13`), chosen as
    /// `pickNode` chooses; nil when the specifier is not one this reader understands.
    static func pickPython(_ spec: String, preferred: String, lines: [String]) -> String? {
        guard let clauses = pep440(spec) else { return nil }
        if let line = choose(preferred: preferred, lines: lines, satisfies: { l in clauses.allSatisfy { $0(latest(of: l)) } }) {
            return line
        }
        return singleVersion(spec, operators: ["==", "~="])
    }

    // preferred, then newer lines from the nearest, then older from the newest.
    private static func choose(preferred: String, lines: [String], satisfies: (String) -> Bool) -> String? {
        if satisfies(preferred) { return preferred }
        let p = numbers(preferred)
        let newer = lines.filter { numbers($0).lexicographicallyPrecedes(p) == false && numbers($0) != p }
            .sorted { numbers($0).lexicographicallyPrecedes(numbers($1)) }
        let older = lines.filter { numbers($0).lexicographicallyPrecedes(p) }
            .sorted { numbers($1).lexicographicallyPrecedes(numbers($0)) }
        return (newer + older).first(where: satisfies)
    }

    // A written version with one leading operator, when the whole spec is just that.
    private static func singleVersion(_ spec: String, operators: [String]) -> String? {
        var s = spec.trimmingCharacters(in: .whitespacesAndNewlines)
        for op in operators.sorted(by: { $0.count > $1.count }) where s.hasPrefix(op) {
            s = String(s.dropFirst(op.count)).trimmingCharacters(in: .whitespacesAndNewlines)
            break
        }
        guard let v = plain(s), v.contains(".") else { return nil }
        return v
    }

    /// The numeric parts of `v` (`1.25` → [1, 25]).
    static func numbers(_ v: String) -> [Int] { v.split(separator: ".").compactMap { Int($0) } }

    // A release line stands for its newest release: 22 → 22.999.999.
    private static func latest(of line: String) -> [Int] {
        let n = numbers(line)
        return n + Array(repeating: 999, count: max(0, 3 - n.count))
    }

    /// A half-open interval of versions.
    struct Bound {
        var lower: [Int]?
        var upper: [Int]?
        /// Whether `v` (three parts) lies in the interval.
        func contains(_ v: [Int]) -> Bool {
            if let lower, v.lexicographicallyPrecedes(lower) { return false }
            if let upper, !v.lexicographicallyPrecedes(upper) { return false }
            return true
        }
    }

    // node-semver ranges: `||` alternatives of space-separated comparators.
    private static func semver(_ range: String) -> [[Bound]]? {
        var result: [[Bound]] = []
        for alt in range.components(separatedBy: "||") {
            var tokens = alt.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            // `>= 20` is written with a space too.
            var i = 0
            while i < tokens.count {
                if [">=", "<=", ">", "<", "=", "^", "~"].contains(tokens[i]), i + 1 < tokens.count {
                    tokens[i] += tokens.remove(at: i + 1)
                }
                i += 1
            }
            var bounds: [Bound] = []
            if tokens.count == 3, tokens[1] == "-" {
                guard let lo = partial(tokens[0]), let hi = partial(tokens[2]) else { return nil }
                bounds.append(Bound(lower: pad(lo), upper: hi.count == 3 ? bump(hi, at: 2) : (hi.isEmpty ? nil : bump(hi, at: hi.count - 1))))
            } else {
                for t in tokens {
                    guard let b = comparator(t) else { return nil }
                    bounds.append(b)
                }
            }
            result.append(bounds)
        }
        return result
    }

    private static func comparator(_ token: String) -> Bound? {
        let ops = [">=", "<=", ">", "<", "=", "^", "~"]
        let op = ops.first { token.hasPrefix($0) } ?? ""
        guard let v = partial(String(token.dropFirst(op.count))) else { return nil }
        if v.isEmpty { return op.isEmpty || op == "=" || op == ">=" ? Bound() : nil }
        switch op {
        case "", "=": return Bound(lower: pad(v), upper: bump(v, at: v.count - 1))
        case ">=": return Bound(lower: pad(v))
        case ">": return Bound(lower: bump(v, at: v.count - 1))
        case "<": return Bound(upper: pad(v))
        case "<=": return Bound(upper: bump(v, at: v.count - 1))
        case "^":
            let first = v.firstIndex { $0 != 0 } ?? (v.count - 1)
            return Bound(lower: pad(v), upper: bump(v, at: min(first, v.count - 1)))
        case "~": return Bound(lower: pad(v), upper: bump(v, at: min(1, v.count - 1)))
        default: return nil
        }
    }

    // `20`, `20.x`, `20.11.1`, `v20`, `*` → the written numbers ([] for any).
    private static func partial(_ s: String) -> [Int]? {
        var t = Substring(s)
        if t.hasPrefix("v") { t = t.dropFirst() }
        if t.isEmpty || t == "*" || t == "x" || t == "X" { return [] }
        var out: [Int] = []
        for part in t.split(separator: ".", omittingEmptySubsequences: false) {
            if part == "x" || part == "X" || part == "*" { break }
            guard !part.isEmpty, part.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(part) else { return nil }
            out.append(n)
        }
        return out.count <= 3 ? out : nil
    }

    private static func pad(_ v: [Int]) -> [Int] { v + Array(repeating: 0, count: max(0, 3 - v.count)) }

    // The first version after every version starting with v[0...at].
    private static func bump(_ v: [Int], at: Int) -> [Int] {
        var p = Array(v.prefix(at + 1))
        p[at] += 1
        return pad(p)
    }

    // PEP 440 specifiers, comma-separated; each a test on a three-part version.
    private static func pep440(_ spec: String) -> [([Int]) -> Bool]? {
        var tests: [([Int]) -> Bool] = []
        for raw in spec.split(separator: ",") {
            let c = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            let ops = ["===", "==", "!=", "~=", ">=", "<=", ">", "<"]
            guard let op = ops.first(where: { c.hasPrefix($0) }) else { return nil }
            var text = String(c.dropFirst(op.count)).trimmingCharacters(in: .whitespacesAndNewlines)
            let star = text.hasSuffix(".*")
            if star { text.removeLast(2) }
            guard let v = plain(text).map(numbers), !v.isEmpty, star == false || op == "==" || op == "!=" else { return nil }
            let prefixMatch: ([Int]) -> Bool = { Array($0.prefix(v.count)) == v }
            switch op {
            case "==", "===": tests.append(prefixMatch)
            case "!=": tests.append { !prefixMatch($0) }
            case ">=": tests.append { !$0.lexicographicallyPrecedes(pad(v)) }
            case ">": tests.append { pad(v).lexicographicallyPrecedes($0) }
            case "<": tests.append { $0.lexicographicallyPrecedes(pad(v)) }
            case "<=": tests.append { !pad(v).lexicographicallyPrecedes($0) }
            case "~=":
                guard v.count >= 2 else { return nil }
                let head = Array(v.dropLast())
                tests.append { !$0.lexicographicallyPrecedes(pad(v)) && Array($0.prefix(head.count)) == head }
            default: return nil
            }
        }
        return tests.isEmpty ? nil : tests
    }
}
