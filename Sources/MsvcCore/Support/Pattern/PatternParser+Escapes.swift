extension PatternParser {
    /// A backslash outside `[...]`: a class, an assertion, a property, `\Q...\E`, or a literal.
    mutating func escape(_ flags: Flags) throws(PatternError) -> [PatternNode] {
        let backslash = i
        i += 1
        guard let c = peek else {
            throw PatternError(at: backslash, "the pattern ends with a lone \\; write \\\\ to match a backslash")
        }
        switch c {
        case "d", "D", "w", "W", "s", "S", "p", "P":
            var set = CharClass()
            set.properties.append(try classEscape(backslash: backslash))
            return [finish(set, flags)]
        case "b": i += 1; return [.assertion(.wordBoundary)]
        case "B": i += 1; return [.assertion(.notWordBoundary)]
        case "A": i += 1; return [.assertion(.beginText)]
        case "z": i += 1; return [.assertion(.endText)]
        case "Q":
            i += 1
            var out: [PatternNode] = []
            while let q = peek {
                if q == "\\", peek(1) == "E" { i += 2; break }
                out.append(literal(q.value, flags))
                i += 1
            }
            return out
        default:
            return [literal(try escapedScalar(backslash: backslash, inClass: false), flags)]
        }
    }

    /// `\d \D \w \W \s \S` and `\p{..}`/`\P{..}` at `i` (just after the backslash).
    mutating func classEscape(backslash: Int) throws(PatternError) -> ScalarProperty {
        let c = s[i]
        i += 1
        switch c {
        case "d": return ScalarProperty(kind: .digit)
        case "D": return ScalarProperty(kind: .digit, negated: true)
        case "w": return ScalarProperty(kind: .word)
        case "W": return ScalarProperty(kind: .word, negated: true)
        case "s": return ScalarProperty(kind: .space)
        case "S": return ScalarProperty(kind: .space, negated: true)
        default: break
        }
        var negated = c == "P"
        var name: String
        if peek == "{" {
            let open = i
            while let n = peek, n != "}" { i += 1 }
            guard peek == "}" else {
                throw PatternError(at: backslash, "\\\(c){ is never closed; write \\\(c){L} or \\\(c)L")
            }
            name = String(String.UnicodeScalarView(s[(open + 1)..<i]))
            i += 1
        } else if let n = peek {
            name = String(n)
            i += 1
        } else {
            throw PatternError(at: backslash, "\\\(c) needs a class name, as in \\\(c){L} or \\\(c)L")
        }
        if name.hasPrefix("^") {
            negated.toggle()
            name.removeFirst()
        }
        if name == "Any" { return ScalarProperty(kind: .any, negated: negated) }
        guard let mask = ScalarProperty.categoryNames[name] else {
            throw PatternError(at: backslash, "unknown Unicode class \\\(c){\(name)}; msvc knows the general categories (L, Lu, Ll, Lt, Lm, Lo, M, N, Nd, P, S, Z, C and their subcategories) and Any; for a script write its range, e.g. [\\x{370}-\\x{3FF}] for Greek")
        }
        return ScalarProperty(kind: .categories(mask), negated: negated)
    }

    /// A single scalar written with a backslash (`\n`, `\x41`, `\x{263A}`, `\052`, `\.`), at
    /// `i` just after the backslash. Everything else is refused, saying what to write.
    mutating func escapedScalar(backslash: Int, inClass: Bool) throws(PatternError) -> UInt32 {
        let c = s[i]
        i += 1
        switch c {
        case "a": return 0x07
        case "f": return 0x0C
        case "n": return 0x0A
        case "r": return 0x0D
        case "t": return 0x09
        case "v": return 0x0B
        case "x": return try hexEscape(backslash: backslash)
        case "0":
            var value: UInt32 = 0
            var digits = 0
            while digits < 2, let n = peek, n.value >= 0x30, n.value <= 0x37 {
                value = value * 8 + (n.value - 0x30)
                i += 1
                digits += 1
            }
            return value
        case "1", "2", "3", "4", "5", "6", "7", "8", "9":
            throw PatternError(at: backslash, "backreference \\\(c) is not supported (msvc's patterns run in linear time, without backtracking); repeat the group's pattern instead, or write \\x{..} for a character code")
        case "k", "g":
            throw PatternError(at: backslash, "backreference \\\(c) is not supported (msvc's patterns run in linear time, without backtracking); repeat the group's pattern instead")
        case "u", "U":
            throw PatternError(at: backslash, "\\\(c) is not an escape here; write \\x{263A} for a code point")
        case "Z":
            throw PatternError(at: backslash, "\\Z is not supported; write \\z for the end of the line, or $")
        case "b" where inClass:
            throw PatternError(at: backslash, "\\b inside [...] is not supported; write \\x08 for a backspace")
        case "Q", "E":
            let what = inClass ? "\\\(c) inside [...] is not supported" : "\\E without a \\Q before it"
            throw PatternError(at: backslash, "\(what); escape each special character with \\ instead")
        case "G", "K", "R", "X", "h", "H", "N", "C", "c", "e", "y", "Y", "o", "O":
            throw PatternError(at: backslash, "\\\(c) is not supported; see the pattern syntax in the README (log probes, --grep)")
        default:
            if c.isASCII, !c.properties.isAlphabetic, Self.asciiDigit(c) == nil {
                return c.value
            }
            if c.isASCII {
                throw PatternError(at: backslash, "unknown escape \\\(c); write \(c) without the backslash (only punctuation needs escaping)")
            }
            throw PatternError(at: backslash, "unknown escape \\\(c); write the character without the backslash")
        }
    }

    /// `\x41` (two hex digits) or `\x{263A}` (one to six), at `i` just after the `x`.
    mutating func hexEscape(backslash: Int) throws(PatternError) -> UInt32 {
        func hex(_ c: Unicode.Scalar?) -> UInt32? {
            guard let c, c.isASCII, let v = UInt32(String(c), radix: 16) else { return nil }
            return v
        }
        let usage = "write \\x41 (two hex digits) or \\x{263A}"
        if peek == "{" {
            i += 1
            var value: UInt32 = 0
            var digits = 0
            while let d = hex(peek) {
                value = value * 16 + d
                digits += 1
                i += 1
                if digits > 6 { break }
            }
            guard digits > 0, digits <= 6, peek == "}" else { throw PatternError(at: backslash, "bad \\x{...} escape; \(usage)") }
            i += 1
            guard value <= 0x10FFFF, !(0xD800...0xDFFF).contains(value) else {
                throw PatternError(at: backslash, "\\x{\(String(value, radix: 16, uppercase: true))} is not a Unicode scalar (at most 10FFFF, no surrogates)")
            }
            return value
        }
        guard let a = hex(peek), let b = hex(peek(1)) else { throw PatternError(at: backslash, "bad \\x escape; \(usage)") }
        i += 2
        return a * 16 + b
    }

    // MARK: - Sets

    /// `[...]`: scalars, ranges, class escapes and POSIX classes such as `[:alpha:]`
    /// (ASCII, as in RE2). A leading `]` is literal, as is `-` first or last.
    mutating func charClass(_ flags: Flags) throws(PatternError) -> PatternNode {
        let open = i
        i += 1
        var set = CharClass()
        if peek == "^" {
            set.negated = true
            i += 1
        }
        var first = true
        while true {
            guard let c = peek else {
                throw PatternError(at: open, "this [ is never closed; add a ] or escape it as \\[")
            }
            if c == "]", !first {
                i += 1
                break
            }
            first = false
            if c == "[", peek(1) == ":", let posix = try posixClass() {
                set.add(contentsOf: posix)
                continue
            }
            let itemStart = i
            guard let low = try classItem(into: &set) else {
                if peek == "-", let after = peek(1), after != "]" {
                    throw PatternError(at: itemStart, "a range cannot start at a class such as \\d; put - last in the set to match a dash")
                }
                continue
            }
            if peek == "-", let after = peek(1), after != "]" {
                i += 1
                let highStart = i
                var scratch = CharClass()
                guard let high = try classItem(into: &scratch) else {
                    throw PatternError(at: highStart, "a range cannot end at a class such as \\d; put - last in the set to match a dash")
                }
                guard low <= high else {
                    let text = String(String.UnicodeScalarView(s[itemStart..<i]))
                    throw PatternError(at: itemStart, "range \(text) is reversed; write the smaller end first")
                }
                set.add(low...high)
            } else {
                set.add(low)
            }
        }
        return finish(set, flags)
    }

    /// One member of a set: a scalar (returned) or a class escape (added to `set`, nil returned).
    mutating func classItem(into set: inout CharClass) throws(PatternError) -> UInt32? {
        let c = s[i]
        guard c == "\\" else {
            i += 1
            return c.value
        }
        let backslash = i
        i += 1
        guard let e = peek else {
            throw PatternError(at: backslash, "the pattern ends with a lone \\; write \\\\ to match a backslash")
        }
        if "dDwWsSpP".unicodeScalars.contains(e) {
            set.properties.append(try classEscape(backslash: backslash))
            return nil
        }
        return try escapedScalar(backslash: backslash, inClass: true)
    }

    /// `[:name:]` or `[:^name:]` at `i`; nil (nothing consumed) when no `:]` closes it.
    mutating func posixClass() throws(PatternError) -> [ClosedRange<UInt32>]? {
        var j = i + 2
        while j + 1 < s.count, !(s[j] == ":" && s[j + 1] == "]") { j += 1 }
        guard j + 1 < s.count else { return nil }
        var name = String(String.UnicodeScalarView(s[(i + 2)..<j]))
        let negated = name.hasPrefix("^")
        if negated { name.removeFirst() }
        guard let ranges = Self.posixClasses[name] else {
            throw PatternError(at: i, "unknown class [:\(name):]; known: \(Self.posixClasses.keys.sorted().joined(separator: ", "))")
        }
        i = j + 2
        return negated ? Self.complement(ranges) : ranges
    }

    /// POSIX classes, ASCII only (RE2, and grep in the C locale).
    static let posixClasses: [String: [ClosedRange<UInt32>]] = [
        "alnum": [0x30...0x39, 0x41...0x5A, 0x61...0x7A], "alpha": [0x41...0x5A, 0x61...0x7A],
        "ascii": [0x00...0x7F], "blank": [0x09...0x09, 0x20...0x20], "cntrl": [0x00...0x1F, 0x7F...0x7F],
        "digit": [0x30...0x39], "graph": [0x21...0x7E], "lower": [0x61...0x7A], "print": [0x20...0x7E],
        "punct": [0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E], "space": [0x09...0x0D, 0x20...0x20],
        "upper": [0x41...0x5A], "word": [0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A],
        "xdigit": [0x30...0x39, 0x41...0x46, 0x61...0x66],
    ]

    /// Every scalar not in the sorted, disjoint `ranges`.
    static func complement(_ ranges: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
        var out: [ClosedRange<UInt32>] = []
        var next: UInt32 = 0
        for r in ranges {
            if r.lowerBound > next { out.append(next...(r.lowerBound - 1)) }
            next = r.upperBound + 1
        }
        if next <= 0x10FFFF { out.append(next...0x10FFFF) }
        return out
    }

    /// A finished set: case-folded under `(?i)`, and a single scalar when that is all it is.
    func finish(_ set: CharClass, _ flags: Flags) -> PatternNode {
        let folded = flags.caseInsensitive ? set.caseFolded() : set
        if !folded.negated, folded.properties.isEmpty, folded.ranges.count == 1,
           folded.ranges[0].lowerBound == folded.ranges[0].upperBound {
            return .scalar(folded.ranges[0].lowerBound)
        }
        return .set(folded)
    }
}
