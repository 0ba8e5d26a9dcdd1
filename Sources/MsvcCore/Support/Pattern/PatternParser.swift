/// Parses msvc's pattern dialect (RE2's syntax) into a `PatternNode`. What a linear-time
/// engine cannot do (backreferences, lookaround, possessive repetition) is refused with the
/// column and what to write instead.
struct PatternParser {
    /// Largest count in `{n,m}`, as in RE2.
    static let maxCount = 1000
    /// Deepest group nesting.
    static let maxDepth = 200

    /// Flags set with `(?imsU)`; `U` (ungreedy) changes nothing when only matching lines.
    struct Flags {
        var caseInsensitive = false
        var multiLine = false
        var dotAll = false
    }

    /// The pattern, by scalar.
    let s: [Unicode.Scalar]
    /// The next scalar to read.
    var i = 0

    /// Parses a whole pattern.
    static func parse(_ pattern: String) throws(PatternError) -> PatternNode {
        var parser = PatternParser(s: Array(pattern.unicodeScalars))
        var flags = Flags()
        let node = try parser.alternation(&flags, depth: 0)
        if parser.i < parser.s.count {
            throw PatternError(at: parser.i, "unmatched ); escape it as \\) to match a parenthesis")
        }
        return node
    }

    /// The next scalar, if any.
    var peek: Unicode.Scalar? { i < s.count ? s[i] : nil }

    /// The scalar `ahead` places after the next one, if any.
    func peek(_ ahead: Int) -> Unicode.Scalar? { i + ahead < s.count ? s[i + ahead] : nil }

    // MARK: - Structure

    /// Branches separated by `|`, up to `)` or the end.
    mutating func alternation(_ flags: inout Flags, depth: Int) throws(PatternError) -> PatternNode {
        var branches = [try concat(&flags, depth: depth)]
        while peek == "|" {
            i += 1
            branches.append(try concat(&flags, depth: depth))
        }
        return branches.count == 1 ? branches[0] : .alternate(branches)
    }

    /// Atoms and their repetitions, up to `|`, `)` or the end.
    mutating func concat(_ flags: inout Flags, depth: Int) throws(PatternError) -> PatternNode {
        var items: [PatternNode] = []
        while let c = peek, c != "|", c != ")" {
            var atoms = try atom(&flags, depth: depth)
            // Repetition applies to the last atom only (`\Qab\E*` repeats the b, as in Perl).
            guard let last = atoms.popLast() else { continue }
            items += atoms
            items.append(try repetitions(of: last))
        }
        switch items.count {
        case 0: return .empty
        case 1: return items[0]
        default: return .concat(items)
        }
    }

    /// Applies `*`, `+`, `?` and `{n,m}` (each optionally lazy) after an atom; one at most.
    mutating func repetitions(of atom: PatternNode) throws(PatternError) -> PatternNode {
        var node = atom
        var previous: (text: String, position: Int)?
        while let c = peek {
            let position = i
            var bounds: (min: Int, max: Int?)
            switch c {
            case "*": bounds = (0, nil); i += 1
            case "+": bounds = (1, nil); i += 1
            case "?": bounds = (0, 1); i += 1
            case "{":
                guard let interval = try interval() else { return node }
                bounds = (interval.min, interval.max)
                i += interval.length
            default: return node
            }
            let text = String(String.UnicodeScalarView(s[position..<i]))
            if let previous {
                throw PatternError(at: position, "\(previous.text)\(text) repeats a repetition (possessive and nested repetitions are not supported); write one operator, or group the first: (?:x\(previous.text))\(text)")
            }
            if peek == "?" { i += 1 }
            node = .repetition(node, min: bounds.min, max: bounds.max, position: position)
            previous = (text, position)
        }
        return node
    }

    /// Reads `{n}`, `{n,}` or `{n,m}` at `i` without consuming it. A brace that does not start
    /// a count is a literal (as in RE2: `{"level"` needs no escape); `{,m}` is refused, since
    /// other dialects read it as `{0,m}` and RE2 as text.
    func interval() throws(PatternError) -> (min: Int, max: Int?, length: Int)? {
        var j = i + 1
        func number(_ j: inout Int) -> Int? {
            var value = 0, digits = 0
            while j < s.count, let d = Self.asciiDigit(s[j]) {
                value = min(value * 10 + d, 100_000)
                digits += 1
                j += 1
            }
            return digits > 0 ? value : nil
        }
        guard let low = number(&j) else {
            if j < s.count, s[j] == ",", j + 1 < s.count, Self.asciiDigit(s[j + 1]) != nil {
                throw PatternError(at: i, "{,n} is not a repetition here; write {0,n} for \"at most n times\", or \\{ for a literal brace")
            }
            return nil
        }
        var high: Int? = low
        if j < s.count, s[j] == "," {
            j += 1
            high = number(&j)
        }
        guard j < s.count, s[j] == "}" else {
            throw PatternError(at: i, "unfinished repetition; write {n}, {n,} or {n,m}, or \\{ for a literal brace")
        }
        let text = String(String.UnicodeScalarView(s[i...j]))
        if low > Self.maxCount || (high ?? 0) > Self.maxCount {
            throw PatternError(at: i, "repetition \(text) is over the limit of \(Self.maxCount); use a smaller count, or + or * for \"any number\"")
        }
        if let high, high < low {
            throw PatternError(at: i, "repetition \(text) has its minimum above its maximum; write {\(high),\(low)}")
        }
        return (low, high, j - i + 1)
    }

    /// The value of an ASCII digit.
    static func asciiDigit(_ c: Unicode.Scalar) -> Int? {
        c.value >= 0x30 && c.value <= 0x39 ? Int(c.value - 0x30) : nil
    }

    /// One atom; several for `\Q...\E`, none for a flag group such as `(?i)`.
    mutating func atom(_ flags: inout Flags, depth: Int) throws(PatternError) -> [PatternNode] {
        let c = s[i]
        switch c {
        case "(": return try group(&flags, depth: depth)
        case "[": return [try charClass(flags)]
        case ".": i += 1; return [.any(dotAll: flags.dotAll)]
        case "^": i += 1; return [.assertion(flags.multiLine ? .beginLine : .beginText)]
        case "$": i += 1; return [.assertion(flags.multiLine ? .endLine : .endText)]
        case "*", "+", "?":
            throw PatternError(at: i, "\(c) has nothing to repeat; escape it as \\\(c) to match it literally")
        case "{":
            if let interval = try interval() {
                let text = String(String.UnicodeScalarView(s[i..<(i + interval.length)]))
                throw PatternError(at: i, "\(text) has nothing to repeat; escape the brace as \\{ to match it literally")
            }
            i += 1
            return [literal(c.value, flags)]
        case "\\": return try escape(flags)
        default:
            i += 1
            return [literal(c.value, flags)]
        }
    }

    /// A literal scalar; under `(?i)` the set of its case variants.
    func literal(_ v: UInt32, _ flags: Flags) -> PatternNode {
        guard flags.caseInsensitive else { return .scalar(v) }
        let variants = CaseOrbits.shared.variants(of: v)
        guard variants.count > 1 else { return .scalar(v) }
        var set = CharClass()
        set.add(contentsOf: variants.map { $0...$0 })
        return .set(set)
    }

    /// `( ... )`, `(?: ... )`, named groups, and flag groups; lookaround and the like are refused.
    mutating func group(_ flags: inout Flags, depth: Int) throws(PatternError) -> [PatternNode] {
        let open = i
        if depth >= Self.maxDepth {
            throw PatternError(at: open, "groups are nested more than \(Self.maxDepth) deep; simplify the pattern")
        }
        i += 1
        var inner = flags
        if peek == "?" {
            i += 1
            guard let c = peek else { throw PatternError(at: open, "this ( is never closed; add a ) or escape it as \\(") }
            let unsupported: (String, String)? = switch c {
            case "=": ("lookahead (?=...)", "match the text itself, or filter twice (msvc logs --grep A | grep B)")
            case "!": ("negative lookahead (?!...)", "filter the lines out afterwards (| grep -v)")
            case ">": ("atomic group (?>...)", "write the group without ?>: (...)")
            case "#": ("comment group (?#...)", "remove the comment")
            case "|": ("branch reset (?|...)", "write a plain group (...)")
            case "R", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "+", "&":
                ("recursion (?\(c)...)", "write the repeated part out")
            default: nil
            }
            if let (what, instead) = unsupported {
                throw PatternError(at: open, "\(what) is not supported (msvc's patterns run in linear time, without backtracking); \(instead)")
            }
            if c == "<", let n = peek(1), n == "=" || n == "!" {
                throw PatternError(at: open, "lookbehind (?<\(n)...) is not supported (msvc's patterns run in linear time, without backtracking); match the preceding text itself")
            }
            if c == "P", peek(1) == "=" {
                throw PatternError(at: open, "backreference (?P=name) is not supported (msvc's patterns run in linear time); repeat the group's pattern instead")
            }
            if c == "P", peek(1) == ">" {
                throw PatternError(at: open, "recursion (?P>name) is not supported; write the repeated part out")
            }
            if c == ":" {
                i += 1
            } else if c == "<" || (c == "P" && peek(1) == "<") {
                i += c == "P" ? 2 : 1
                let nameStart = i
                while let n = peek, n != ">" {
                    guard n.isASCII, n.properties.isAlphabetic || Self.asciiDigit(n) != nil || n == "_" else {
                        throw PatternError(at: i, "invalid character in a group name; use letters, digits and _ as in (?P<name>...)")
                    }
                    i += 1
                }
                guard peek == ">", i > nameStart else {
                    throw PatternError(at: open, "unfinished group name; write (?P<name>...)")
                }
                i += 1
            } else {
                inner = try flagGroup(open: open, flags: flags)
                if s[i - 1] == ")" {
                    flags = inner
                    return []
                }
            }
        }
        let node = try alternation(&inner, depth: depth + 1)
        guard peek == ")" else {
            throw PatternError(at: open, "this ( is never closed; add a ) or escape it as \\(")
        }
        i += 1
        return [node]
    }

    /// `(?flags)` or `(?flags:`: `i`, `m`, `s`, `U`, and `-` to turn the following ones off.
    mutating func flagGroup(open: Int, flags: Flags) throws(PatternError) -> Flags {
        var out = flags
        var on = true, sawFlag = false, sawMinus = false
        while let c = peek {
            i += 1
            switch c {
            case "i": out.caseInsensitive = on; sawFlag = true
            case "m": out.multiLine = on; sawFlag = true
            case "s": out.dotAll = on; sawFlag = true
            case "U": sawFlag = true
            case "-":
                if sawMinus { throw PatternError(at: i - 1, "a flag group has one - at most, as in (?i-s)") }
                on = false; sawMinus = true; sawFlag = false
            case ")", ":":
                guard sawFlag else { throw PatternError(at: open, "empty flag group; write flags such as (?i) or (?i:...)") }
                return out
            case "x": throw PatternError(at: i - 1, "flag x (free spacing) is not supported; remove the spaces and comments")
            default:
                throw PatternError(at: i - 1, "unknown group (?\(c)...; groups are (...), (?:...), (?P<name>...) and flags such as (?i)")
            }
        }
        throw PatternError(at: open, "this ( is never closed; add a ) or escape it as \\(")
    }
}
