import Foundation
import MsvcCore
import Testing

/// Random patterns from the subset both dialects share, on random lines: msvc's engine and
/// NSRegularExpression (ICU) must agree on every line.
@Suite("pattern differential fuzzing")
struct LinePatternFuzzTests {
    static let chunks = Array(0..<4)
    static let patternsPerChunk = 1_000
    static let linesPerPattern = 24

    /// Characters where the dialects agree: no line terminators (ICU's `.` and `$` treat
    /// more of them specially), no combining marks (ICU's `\b` skips them), no letters whose
    /// full case folding differs from the simple one (ß).
    static let alphabet: [String] = ["a", "b", "c", "A", "B", "C", "0", "1", "9", " ", "-", "_", ".", "é", "É", "ж", "Ж", "٣", "\t", "x", "K", "k"]

    /// A random pattern from the shared subset.
    struct Generator {
        var rng: SplitMix64

        mutating func pick<T>(_ options: [T]) -> T { options[Int(rng.next() % UInt64(options.count))] }
        mutating func chance(_ percent: UInt64) -> Bool { rng.next() % 100 < percent }

        mutating func pattern() -> String {
            (chance(20) ? "(?i)" : "") + (chance(15) ? "^" : "") + alternation(depth: 0) + (chance(15) ? "$" : "")
        }

        mutating func alternation(depth: Int) -> String {
            (0...(depth > 1 ? 0 : Int(rng.next() % 3))).map { _ in concat(depth: depth) }.joined(separator: "|")
        }

        mutating func concat(depth: Int) -> String {
            (0..<(1 + Int(rng.next() % 4))).map { _ in piece(depth: depth) }.joined()
        }

        mutating func piece(depth: Int) -> String {
            if chance(8) { return pick(["\\b", "\\B"]) }
            let a = atom(depth: depth)
            guard chance(40) else { return a }
            let op = pick(["*", "+", "?", "{2}", "{1,}", "{0,2}", "{1,3}"])
            // ICU fails whole matches when a lazy loop's group can match empty (`(a?)*?x|b?`
            // finds nothing in "zz"), so lazy forms go on single characters only.
            return a + op + (!a.hasPrefix("(") && chance(20) ? "?" : "")
        }

        mutating func atom(depth: Int) -> String {
            switch rng.next() % 10 {
            case 0 where depth < 3: return "(" + alternation(depth: depth + 1) + ")"
            case 1 where depth < 3: return "(?:" + alternation(depth: depth + 1) + ")"
            case 2: return "."
            case 3: return pick(["\\d", "\\w", "\\s", "\\D", "\\W", "\\S"])
            case 4: return set()
            default: return literal()
            }
        }

        mutating func literal() -> String {
            let c = pick(LinePatternFuzzTests.alphabet)
            return c == "." ? "\\." : c == "\t" ? "\\t" : c
        }

        mutating func set() -> String {
            var items: [String] = []
            for _ in 0..<(1 + Int(rng.next() % 3)) {
                switch rng.next() % 4 {
                case 0: items.append(pick(["a-c", "0-9", "A-Z", "à-ÿ", "а-я"]))
                case 1: items.append(pick(["\\d", "\\w", "\\s"]))
                default: items.append(pick(["a", "b", "K", "é", "_", "ж", "x"]))
                }
            }
            return "[" + (chance(30) ? "^" : "") + items.joined() + "]"
        }

        mutating func line() -> String {
            (0..<Int(rng.next() % 13)).map { _ in pick(LinePatternFuzzTests.alphabet) }.joined()
        }
    }

    struct Report: Sendable {
        var compared = 0
        var mismatches: [String] = []
        var slowest: Duration = .zero
    }

    static func run(chunk: Int) -> Report {
        var generator = Generator(rng: SplitMix64(seed: 0x7265_6765_7870 &+ UInt64(chunk)))
        var report = Report()
        for _ in 0..<patternsPerChunk {
            let source = generator.pattern()
            let ours: LinePattern
            do { ours = try LinePattern(source) } catch {
                report.mismatches.append("/\(source)/ refused: \(error)")
                continue
            }
            guard let icu = try? NSRegularExpression(pattern: source) else {
                report.mismatches.append("/\(source)/ refused by NSRegularExpression (generator bug)")
                continue
            }
            for _ in 0..<linesPerPattern {
                let line = generator.line()
                let start = Fixtures.threadCPUTime()
                let mine = ours.matches(line)
                report.slowest = max(report.slowest, Fixtures.threadCPUTime() - start)
                let theirs = icu.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) != nil
                report.compared += 1
                if mine != theirs, report.mismatches.count < 20 {
                    report.mismatches.append("/\(source)/ on \(line.debugDescription): msvc \(mine), NSRegularExpression \(theirs)")
                }
            }
        }
        return report
    }

    @Test("msvc's engine agrees with NSRegularExpression on 96,000 random cases", .timeLimit(.minutes(5)), arguments: chunks)
    func engines_agree(_ chunk: Int) async {
        let report = await Fixtures.offPool { Self.run(chunk: chunk) }
        for m in report.mismatches { Issue.record(Comment(rawValue: m)) }
        #expect(report.compared == Self.patternsPerChunk * Self.linesPerPattern)
        #expect(report.slowest < .milliseconds(200), "slowest match took \(report.slowest) of CPU time")
    }
}
