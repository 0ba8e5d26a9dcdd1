import Foundation
import MsvcCore
import MsvcTestSupport
import Synchronization
import Testing

/// `--grep` patterns run in linear time: a pattern that backtracks exponentially elsewhere
/// answers at once over a full ring, and the stack stays responsive meanwhile.
@Suite(.serialized) struct LogGrepCLITests {
    @Test(.timeLimit(.minutes(5))) func catastrophicGrep_returnsPromptly_andPsStaysResponsive() async throws {
        let dir = try TemporaryDirectory()
        defer { downQuietly(dir) }
        // Two services filling their rings (10,000 lines with msvc's notes), every line a worst
        // case for a backtracking engine on (a+)+$: many a's and then not an a.
        try dir.write("flood.py", """
            import sys, time
            name = sys.argv[1]
            for i in range(9900):
                sys.stdout.write("a" * 40 + "!\\n")
            sys.stdout.write(name + " ends with aaaa\\n")
            sys.stdout.flush()
            time.sleep(1000)
            """)
        try dir.write("msvc.yaml", """
            services:
              one: { command: python3 flood.py one }
              two: { command: python3 flood.py two }
            """)
        let up = try await MsvcBinary.run(["up", "-d", "--wait", "--timeout", "30s"], cwd: dir.path)
        #expect(up.status == 0, "\(up.stderr)")
        #expect(await eventually(60) {
            let r = try? await MsvcBinary.run(["logs", "--grep", "ends with", "--json"], cwd: dir.path)
            return (try? JSON.parse(r?.stdout ?? "").arrayValue?.count) == 2
        })

        // The supervisor's answer time without a grep, on this machine at this moment: a grep
        // that held the supervisor would add up to its whole 2 s budget to it.
        let client = ControlClient(path: dir.path + "/.msvc/run/msvc.sock", stackDirectory: dir.path)
        var baseline = Duration.zero
        for _ in 0..<10 {
            let start = ContinuousClock.now
            _ = try await client.snapshotJSON()
            baseline = max(baseline, ContinuousClock.now - start)
        }
        let slowestPs = Mutex(Duration.zero)
        let grepping = Mutex(true)
        let psTask = Task.detached {
            var count = 0
            while grepping.withLock({ $0 }) || count < 3 {
                // The supervisor's answer over its socket, timed from here: what a grep could
                // block. (Timing `msvc ps` would also time starting a process on a loaded machine.)
                let start = ContinuousClock.now
                let snapshot = try await client.snapshotJSON()
                let took = ContinuousClock.now - start
                #expect(snapshot["services"]?.arrayValue?.count == 2)
                slowestPs.withLock { $0 = max($0, took) }
                count += 1
            }
            return count
        }
        // Small answers, so the time is the pattern's, not the JSON's.
        for pattern in ["(a+)+$", "(x+x+)+y", "^(a|aa)*$", "(.*a){12}!x"] {
            let start = ContinuousClock.now
            let r = try await MsvcBinary.run(["logs", "--grep", pattern, "--json"], cwd: dir.path, timeout: 30)
            let took = ContinuousClock.now - start
            #expect(r.status == 0, "\(pattern): \(r.stderr)")
            let texts = try JSON.parse(r.stdout).arrayValue?.compactMap { $0["text"]?.stringValue } ?? []
            switch pattern {
            case "(a+)+$": #expect(texts == ["one ends with aaaa", "two ends with aaaa"] || texts == ["two ends with aaaa", "one ends with aaaa"])
            default: #expect(texts.isEmpty, "\(pattern): \(texts.prefix(3))")
            }
            // 19,800 lines through a debug build on a loaded machine; a backtracking engine
            // needs hours for one of them.
            #expect(took < .seconds(10), "msvc logs --grep '\(pattern)' took \(took)")
        }
        grepping.withLock { $0 = false }
        let polls = try await psTask.value
        #expect(polls >= 3)
        let slowest = slowestPs.withLock { $0 }
        #expect(slowest < baseline + .seconds(1), "the socket's ps answer took \(slowest) while --grep ran (\(baseline) without)")
        let ps = try await MsvcBinary.run(["ps", "--json"], cwd: dir.path)
        #expect(ps.status == 0, "\(ps.stderr)")

        let bad = try await MsvcBinary.run(["logs", "--grep", "(a)\\1"], cwd: dir.path)
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("invalid --grep pattern \"(a)\\1\" at column 4: backreference \\1 is not supported"), "\(bad.stderr)")
    }
}
