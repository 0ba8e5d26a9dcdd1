import Foundation
@testable import MsvcCore
import Testing

/// The pattern dialect: what matches, and what is refused with which column and advice.
@Suite struct LinePatternTests {
    /// `pattern` matches each of `yes` and none of `no`.
    func check(_ pattern: String, _ yes: [String], _ no: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let p = try LinePattern(pattern)
            for text in yes { #expect(p.matches(text), "/\(pattern)/ should match \(text.debugDescription)", sourceLocation: sourceLocation) }
            for text in no { #expect(!p.matches(text), "/\(pattern)/ should not match \(text.debugDescription)", sourceLocation: sourceLocation) }
        } catch {
            Issue.record("/\(pattern)/ was refused: \(error)", sourceLocation: sourceLocation)
        }
    }

    /// `pattern` is refused at `column` with a message containing `text`.
    func refused(_ pattern: String, column: Int, _ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try LinePattern(pattern)
            Issue.record("/\(pattern)/ was accepted", sourceLocation: sourceLocation)
        } catch {
            #expect(error.column == column, "/\(pattern)/: \(error)", sourceLocation: sourceLocation)
            #expect(error.message.contains(text), "/\(pattern)/: \(error)", sourceLocation: sourceLocation)
            #expect(throws: PatternError.self, sourceLocation: sourceLocation) { try LinePattern.validate(pattern) }
        }
    }

    @Test func literals_matchAnywhere() {
        check("error", ["error", "an error here", "errors"], ["", "ERROR", "erro r"])
        check("", ["", "anything"], [])
        check("café", ["le café noir"], ["cafe"])
        check("a.c", ["abc", "a-c", "aéc"], ["ac", "a\nc"])
        check("(?s)a.c", ["a\nc"], [])
        check(#"\.\*\(\)\[\]\{\}\|\\\^\$\+\?"#, [#".*()[]{}|\^$+?"#], [])
        check(#"{"level":"error"}"#, [#"{"level":"error"} boom"#], [#"{"level":"info"}"#])
        check("}a]", ["}a]"], [])
        check(#"\Q.*?\E+"#, [".*?", ".*??"], ["abc"])
    }

    @Test func escapes_writeCharactersByCode() {
        check(#"\x41\x{263A}\x{1F600}"#, ["A☺😀"], ["A☺"])
        check(#"\t\n\r\f\v\a\0\012"#, ["\t\n\r\u{0C}\u{0B}\u{07}\u{00}\n"], [])
    }

    @Test func classes_rangesNegationAndShorthands() {
        check("^[a-c]+$", ["abcab"], ["abd", ""])
        check("^[^0-9]+$", ["abc", "é"], ["a1"])
        check("^[]a]+$", ["]a]"], ["b"])
        check("^[^]a]$", ["b"], ["]", "a"])
        check("^[a-]+$", ["a-a"], ["b"])
        check("^[-a]+$", ["-a"], ["b"])
        check(#"^[\d.]+$"#, ["1.5", "٣"], ["a"])
        check(#"^\d+$"#, ["123", "٣٤"], ["12a", "²"])
        check(#"^\w+$"#, ["abc_1", "café", "日本語", "e\u{301}"], ["a-b", "a b"])
        check(#"^\s+$"#, [" \t", "\u{A0}", "\u{2028}"], ["a"])
        check(#"^\D\W\S$"#, ["a-b"], ["1-b", "aab", "a- "])
        check(#"^[^\d\s]+$"#, ["abc"], ["a1", "a b"])
        check("^[[:alpha:]]+$", ["abcXYZ"], ["é", "a1"])
        check("^[[:^digit:][:space:]]+$", ["a b"], ["1"])
        check(#"^\pL+$"#, ["abc", "日本"], ["1"])
        check(#"^\p{Lu}\p{Ll}+$"#, ["Hello", "Élan"], ["hello"])
        check(#"^\PL+$"#, ["123 -"], ["a"])
        check(#"^\p{^N}$"#, ["a"], ["1"])
        check(#"^\p{Any}$"#, ["x", "\n"], [""])
    }

    @Test func anchorsAndBoundaries() {
        check("^tick 1$", ["tick 1"], ["tick 10", "a tick 1"])
        check(#"\bcat\b"#, ["a cat.", "cat"], ["concat", "cats"])
        check(#"\Bcat"#, ["concat"], ["cat"])
        check(#"\bé"#, [" é"], ["aé"])
        check("(?m)^b$", ["a\nb\nc"], ["ab"])
        check("^b$", [], ["a\nb"])
        check(#"\Aab\z"#, ["ab"], ["ab\n", "xab"])
        check("a^b", [], ["ab", "a^b"])
        check("^*a", ["a"], [])
    }

    @Test func groupsAlternationAndRepetition() {
        check("(foo|bar)baz", ["barbaz", "xfoobaz"], ["bazfoo"])
        check("^(?:ab)+c$", ["ababc"], ["abac"])
        check("^(?P<x>a)(?<y>b)$", ["ab"], [])
        check("^a{3}$", ["aaa"], ["aa", "aaaa"])
        check("^a{2,3}$", ["aa", "aaa"], ["a", "aaaa"])
        check("^a{2,}$", ["aa", "aaaaaaa"], ["a"])
        check("^a{0}b$", ["b"], ["ab"])
        check("^a+?b*?c??d{1,2}?$", ["ad", "abbcdd"], ["bd"])
        check("^(a|)+$", ["", "aaa"], ["b"])
        check("^(a*)*$", ["", "aa"], ["ab"])
        check("x|", ["", "anything"], [])
    }

    @Test func flags_caseInsensitivityAndScopes() {
        check("(?i)error", ["ERROR", "Error"], ["err"])
        check("(?i)k", ["K", "\u{212A}"], ["x"])
        check("(?i)\u{212A}", ["k", "K"], [])
        check("(?i)[^k]", ["x"], ["K", "\u{212A}"])
        check("(?i)straẞe", ["STRASSE".lowercased().replacingOccurrences(of: "ss", with: "ß"), "STRAẞE"], ["strasse"])
        check("(?i)[a-c]+x", ["ABCX"], [])
        check("(?i)жук", ["ЖУК"], [])
        check(#"(?i)\p{Lu}"#, ["a"], ["1"])
        check("a(?i)b", ["aB"], ["AB"])
        check("(?i:a)b", ["Ab"], ["AB"])
        check("(?i)a(?-i)b", ["Ab"], ["AB"])
        check("(a(?i)b)c", ["aBc"], ["aBC"])
        check("(?U)a+", ["aa"], [])
    }

    @Test func unsupportedConstructs_areRefusedWithColumnAndAdvice() {
        refused("(a)\\1", column: 4, "backreference \\1 is not supported")
        refused("(?=x)", column: 1, "lookahead")
        refused("a(?!x)", column: 2, "negative lookahead")
        refused("(?<=a)b", column: 1, "lookbehind")
        refused("(?<!a)b", column: 1, "lookbehind")
        refused("(?>a)", column: 1, "atomic group")
        refused("(?P=n)", column: 1, "backreference")
        refused("\\k<n>", column: 1, "backreference")
        refused("a**", column: 3, "repeats a repetition")
        refused("a*+", column: 3, "possessive")
        refused("a{2}{3}", column: 5, "repeats a repetition")
        refused("*a", column: 1, "nothing to repeat")
        refused("a|+", column: 3, "nothing to repeat")
        refused("(?i)*", column: 5, "nothing to repeat")
        refused("{2}", column: 1, "nothing to repeat")
        refused("a{,3}", column: 2, "write {0,n}")
        refused("a{2,x}", column: 2, "unfinished repetition")
        refused("a{1001}", column: 2, "over the limit of 1000")
        refused("a{3,2}", column: 2, "write {2,3}")
        refused("[z-a]", column: 2, "reversed")
        refused(#"[\d-z]"#, column: 2, "cannot start at a class")
        refused(#"[a-\d]"#, column: 4, "cannot end at a class")
        refused("ab[c", column: 3, "never closed")
        refused("x(abc", column: 2, "never closed")
        refused("abc)", column: 4, "unmatched )")
        refused("abc\\", column: 4, "lone \\")
        refused(#"\p{Greek}"#, column: 1, "for a script write its range")
        refused(#"\Z"#, column: 1, "write \\z")
        refused(#"\u263a"#, column: 1, "\\x{263A}")
        refused(#"\e"#, column: 1, "not supported")
        refused(#"\q"#, column: 1, "unknown escape")
        refused(#"[\b]"#, column: 2, "\\x08")
        refused("(?x)a b", column: 3, "free spacing")
        refused("(?z)", column: 3, "unknown group")
        refused("(?)", column: 1, "empty flag group")
        refused("[[:alfa:]]", column: 2, "unknown class")
        refused(#"\x{110000}"#, column: 1, "not a Unicode scalar")
        refused(#"\xZ1"#, column: 1, "two hex digits")
        refused("é(?#c)", column: 2, "comment")
        refused("(a{1000}){1000}", column: 10, "too large")
        refused(String(repeating: "(", count: 300), column: 201, "nested more than 200")
    }

    @Test func columns_countScalarsNotBytes() {
        refused("日本語\\1", column: 4, "backreference")
    }

    /// Patterns that take exponential time in a backtracking engine take linear time here.
    @Test(.timeLimit(.minutes(1))) func catastrophicPatterns_finishInLinearTime() throws {
        let cases: [(String, String, Bool)] = [
            ("(a+)+$", String(repeating: "a", count: 50_000) + "b", false),
            ("(x+x+)+y", String(repeating: "x", count: 50_000), false),
            ("(a|aa)*c", String(repeating: "a", count: 50_000), false),
            ("(.*a){20}", String(repeating: "a", count: 19) + String(repeating: "b", count: 50_000), false),
            ("^(\\w+\\s?)*$", String(repeating: "word ", count: 10_000) + "!", false),
            ("(a|b)*a(a|b){12}", String(repeating: "ab", count: 25_000), true),
        ]
        for (pattern, text, expected) in cases {
            let p = try LinePattern(pattern)
            let start = ContinuousClock.now
            #expect(p.matches(text) == expected, "/\(pattern)/")
            let elapsed = ContinuousClock.now - start
            // 50,000 scalars: a backtracking engine needs years; a debug build of ours well under a second.
            #expect(elapsed < .seconds(5), "/\(pattern)/ took \(elapsed)")
        }
    }

    /// Patterns whose DFA outgrows the cache (2^13 states here: which of the last 13 letters
    /// were a's) drop to a plain NFA for the rest of the line: same answers.
    @Test func cacheOverflow_fallsBackToTheNFA_withTheSameAnswers() async throws {
        // Seconds of CPU in a debug build: off the cooperative pool (see `Fixtures.offPool`).
        let results = try await Fixtures.offPool { () -> Result<[(pattern: String, mismatches: [Int], resets: Int, outcomes: Int)], any Error> in
            Result {
                var rng = SplitMix64(seed: 42)
                var out: [(pattern: String, mismatches: [Int], resets: Int, outcomes: Int)] = []
                // (ICU needs 40 s for (a|b)*a(a|b){12}c on one such line, so the prefix is left out.)
                for pattern in [#"a(a|b){12}(c|\b)"#, "(?i)A[ab]{12}(C|$| )", #"a[ab]{12}\b"#, "(?m)a[ab]{12}(c?$| )"] {
                    let ours = try LinePattern(pattern)
                    let icu = try NSRegularExpression(pattern: pattern)
                    var seen = Set<Bool>()
                    var mismatches: [Int] = []
                    for n in 0..<4 {
                        func letters(_ count: Int) -> String { String((0..<count).map { _ in rng.next() % 2 == 0 ? "a" : "b" }) }
                        // Even lines end so that every pattern matches; odd ones so that none does.
                        let line = letters(4_000) + (n % 2 == 0 ? "a" : "b") + letters(12) + ["c", " ", ""][n % 3]
                        let expected = icu.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) != nil
                        seen.insert(expected)
                        if ours.matches(line) != expected { mismatches.append(n) }
                    }
                    out.append((pattern, mismatches, ours.cacheResets, seen.count))
                }
                return out
            }
        }.get()
        #expect(results.count == 4)
        for r in results {
            #expect(r.mismatches.isEmpty, "/\(r.pattern)/ differs from ICU on lines \(r.mismatches)")
            #expect(r.resets > 2, "/\(r.pattern)/ should have outgrown the DFA cache")
            #expect(r.outcomes == 2, "/\(r.pattern)/: lines should both match and not")
        }
    }

    @Test func oneInstance_isSafeToShareAcrossThreads() async throws {
        let p = try LinePattern(#"(?i)\bfail(ed|ure)\b \d+"#)
        let lines = (0..<2_000).map { $0 % 3 == 0 ? "job \($0) FAILED \($0)" : "job \($0) ok" }
        let counts = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<4 { group.addTask { lines.filter(p.matches).count } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(counts == Array(repeating: 667, count: 4))
    }
}
