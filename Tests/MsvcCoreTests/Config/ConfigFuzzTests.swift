import Foundation
import MsvcCore
import Testing

/// Mutates every fixture over and over and loads the result: the loader must never crash,
/// hang, or throw without saying why.
@Suite("config loader fuzzing")
struct ConfigFuzzTests {
    /// Chunks run in parallel; chunks x perChunk is the total.
    static let chunks = Array(0..<8)
    static let perChunk = 12_500
    /// No single load of a mutated small file may use more CPU time than this (debug build).
    static let slowest = Duration.seconds(1)

    /// The committed fixtures, valid and invalid, as seeds for mutation.
    static let seeds: [[UInt8]] = (Fixtures.yamlFiles(in: "valid") + Fixtures.yamlFiles(in: "invalid")).map(Fixtures.bytes)

    /// Tokens that mean something to YAML, interpolation or the loader.
    static let tokens: [[UInt8]] = [
        ":", ": ", "-", "- ", "[", "]", "{", "}", ",", "&a ", "*a", "&b ", "*b", "<<: *a", "${", "}", "${X}",
        "${A:-", "$$", "\t", "\n", "\n  ", "\n    ", "'", "\"", "#", "|", ">", "!", "!!str ", "?", "%", "@",
        "\\", "---\n", "...\n", "~", "null", "true", "0", "-1", "70000", "auto", "1s", "5x", "depends_on: [",
        "services:\n", "command: ", "health: ", "\u{7}", "\u{0}", "\u{FEFF}", "é", "\r\n", "\u{85}",
    ].map { Array($0.utf8) }

    /// Applies one to four random edits.
    static func mutate(_ input: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var bytes = input
        for _ in 0...(Int(rng.next() % 4)) {
            let at = bytes.isEmpty ? 0 : Int(rng.next() % UInt64(bytes.count + 1))
            switch rng.next() % 8 {
            case 0 where !bytes.isEmpty:  // flip a bit
                let i = min(at, bytes.count - 1)
                bytes[i] ^= UInt8(1) << UInt8(rng.next() % 8)
            case 1 where !bytes.isEmpty:  // delete a run
                let length = Int(rng.next() % 16) + 1
                bytes.removeSubrange(at..<min(bytes.count, at + length))
            case 2, 3:  // insert a significant token
                bytes.insert(contentsOf: tokens[Int(rng.next() % UInt64(tokens.count))], at: at)
            case 4:  // insert a random byte
                bytes.insert(UInt8(truncatingIfNeeded: rng.next()), at: at)
            case 5:  // duplicate a line
                let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
                let line = lines[Int(rng.next() % UInt64(lines.count))]
                bytes.insert(contentsOf: Array(line) + [0x0A], at: at)
            case 6:  // truncate
                bytes.removeSubrange(at...)
            default:  // swap two bytes
                guard bytes.count > 1 else { continue }
                let other = Int(rng.next() % UInt64(bytes.count))
                bytes.swapAt(min(at, bytes.count - 1), other)
            }
        }
        return bytes
    }

    /// What one chunk of fuzzing saw.
    struct Report: Sendable {
        var loaded = 0
        var rejected = 0
        var problems: [String] = []
        var slowest: Duration = .zero
        var slowestInput: [UInt8] = []
    }

    /// Loads `perChunk` mutated inputs from a seed of its own.
    static func run(chunk: Int) -> Report {
        var rng = SplitMix64(seed: 0x6D73_7663 &+ UInt64(chunk))
        var report = Report()
        for _ in 0..<perChunk {
            let input = mutate(seeds[Int(rng.next() % UInt64(seeds.count))], &rng)
            let start = Fixtures.threadCPUTime()
            do {
                _ = try ConfigLoader.load(bytes: input, file: "msvc.yaml", context: Fixtures.context)
                report.loaded += 1
            } catch {
                report.rejected += 1
                let errors = error.diagnostics.filter { $0.severity == .error }
                if errors.isEmpty || errors.contains(where: { $0.mark.line < 1 || $0.mark.column < 1 || $0.message.isEmpty }) {
                    report.problems.append("bad diagnostics for input \(Array(input.prefix(200))): \(error)")
                }
            }
            let elapsed = Fixtures.threadCPUTime() - start
            if elapsed > report.slowest { (report.slowest, report.slowestInput) = (elapsed, input) }
        }
        return report
    }

    // The time limit only catches a hang; the per-input bound (`slowest`) is on thread CPU time,
    // so a machine busy with other tests (a cold Swift build beside the suite) cannot fail it.
    @Test("the loader survives 100,000 mutated configs", .timeLimit(.minutes(10)), arguments: chunks)
    func loader_survivesMutatedConfigs(_ chunk: Int) async throws {
        #expect(Self.chunks.count * Self.perChunk >= 100_000)
        #expect(Self.seeds.count >= 60)
        let report = await Fixtures.offPool { Self.run(chunk: chunk) }
        for problem in report.problems { Issue.record(Comment(rawValue: problem)) }
        #expect(report.loaded + report.rejected == Self.perChunk)
        #expect(report.rejected > 0 && report.loaded > 0, "mutations should both break and keep configs")
        #expect(report.slowest < Self.slowest,
                "slowest input took \(report.slowest) of CPU time: \(String(decoding: report.slowestInput, as: UTF8.self))")
    }

    @Test func mutate_isDeterministic() {
        var a = SplitMix64(seed: 7), b = SplitMix64(seed: 7)
        let seed = Array("services:\n  a:\n    command: x\n".utf8)
        for _ in 0..<100 { #expect(Self.mutate(seed, &a) == Self.mutate(seed, &b)) }
    }
}
