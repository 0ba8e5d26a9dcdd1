import Foundation
import MsvcTestSupport
import Testing

@testable import MsvcCore

/// Random and structurally mutated requests, half-open and many concurrent connections,
/// against a real stack's socket for a fixed time: every answer must be a well-formed line,
/// and afterwards the stack must answer at once with every process as it was.
@Suite(.serialized, .timeLimit(.minutes(2))) struct ControlFuzzTests {
    /// How long the fuzzing runs (CI stays well under 30 s with start and stop).
    static let duration: Double = 12
    static let workers = 6

    /// Valid requests to mutate (none that changes the stack when it stays valid).
    static let seeds: [JSON] = [
        #"{"id":1,"op":"snapshot"}"#, #"{"id":2,"op":"logs","services":["chatty"],"tail":5}"#,
        #"{"id":3,"op":"logs","tail":3,"grep":"line [0-9]+","since":1714400000.5}"#,
        #"{"id":4,"op":"follow","services":["chatty"],"tail":2}"#, #"{"id":5,"op":"changes"}"#,
        #"{"id":6,"op":"wait","timeout_ms":50}"#, #"{"id":7,"op":"scale","service":"nope","replicas":2}"#,
        #"{"id":8,"op":"stop","services":["nope"]}"#, #"{"id":9,"op":"apply","file":"/nonexistent/msvc.yaml","services":[]}"#,
    ].map { try! JSON.parse($0) }

    static let values: [JSON] = [
        .null, .bool(true), .int(-1), .int(0), .int(Int.max), .int(Int.min), .double(1e308), .double(-0.5), .double(1e-300),
        .string(""), .string("nope"), .string("chatty"), .string(String(repeating: "z", count: 5000)), .string("(a+)+$"),
        .string("\u{0}\u{FFFF}é"), .array([]), .array([.int(1)]), .array([.string("chatty"), .string("idle")]),
        .object([]), .object([("op", .string("snapshot"))]),
    ]

    static let keys = ["op", "id", "services", "tail", "since", "grep", "service", "replicas", "timeout_ms", "file", "profiles",
                       "environment", "x", ""]

    static let ops = ControlRequest.operations + ["", "SNAPSHOT", "logs ", "follow\u{0}"]

    /// A structural mutation: replace, drop or add a field, change the op or the nesting.
    static func mutate(_ json: JSON, _ rng: inout SplitMix64) -> JSON {
        guard case .object(var pairs) = json else { return json }
        func pick<T>(_ a: [T]) -> T { a[Int(rng.next() % UInt64(a.count))] }
        for _ in 0...(rng.next() % 3) {
            switch rng.next() % 6 {
            case 0 where !pairs.isEmpty: pairs[Int(rng.next() % UInt64(pairs.count))].1 = pick(values)
            case 1 where !pairs.isEmpty: pairs.remove(at: Int(rng.next() % UInt64(pairs.count)))
            case 2: pairs.append((pick(keys), pick(values)))
            case 3: pairs.removeAll { $0.0 == "op" }; pairs.insert(("op", .string(pick(ops))), at: 0)
            case 4: return .array([.object(pairs)])
            default: pairs.append((pick(keys), .object([(pick(keys), pick(values))])))
            }
        }
        return .object(pairs)
    }

    /// A byte-level mutation of a request line.
    static func mangle(_ bytes: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var b = bytes
        for _ in 0...(rng.next() % 4) {
            let at = b.isEmpty ? 0 : Int(rng.next() % UInt64(b.count))
            switch rng.next() % 5 {
            case 0 where !b.isEmpty: b[at] ^= UInt8(1) << UInt8(rng.next() % 8)
            case 1 where !b.isEmpty: b.removeSubrange(at..<min(b.count, at + Int(rng.next() % 8) + 1))
            case 2: b.insert(contentsOf: Array(["-1", "1e999", "\"", "{", "[", "}", ",", "\\u0000", "\u{FF}", "99999999999999999999"][Int(rng.next() % 10)].utf8), at: min(at, b.count))
            case 3: b.insert(UInt8(truncatingIfNeeded: rng.next()), at: min(at, b.count))
            default: b = Array(b.prefix(at))
            }
        }
        return b.filter { $0 != 0x0A }
    }

    /// Whether a request, were it valid, would change the stack or block for long: those are
    /// turned into snapshots, so the fuzzing can check that nothing changed.
    static func harmless(_ line: [UInt8]) -> [UInt8] {
        let parsed = line.withUnsafeBytes { raw in try? ControlRequestLine.parse(raw) }
        switch parsed?.request {
        case .start?, .stop?, .restart?, .scale?, .shutdown?, .apply?: return Array(#"{"op":"snapshot"}"#.utf8)
        case .wait(let t)? where t > .milliseconds(100): return Array(#"{"op":"snapshot"}"#.utf8)
        default: return line
        }
    }

    /// Checks one answer line: JSON, with `ok` and for failures a message and a known kind.
    static func wellFormed(_ line: String) -> Bool {
        guard let json = try? JSON.parse(line), case .object = json else { return false }
        if json["records"] != nil || json["snapshot"] != nil || json["missed"] != nil || json["end"] != nil { return true }
        guard let ok = json["ok"]?.boolValue else { return false }
        if ok { return true }
        let kinds = ["usage", "unknownService", "invalid", "invalidConfig", "protocol", "notRunning"]
        return json["error"]?.stringValue?.isEmpty == false && kinds.contains(json["kind"]?.stringValue ?? "")
    }

    /// One fuzzing worker: connections with one to three requests each, closed in various ways.
    static func work(_ path: String, seed: UInt64, until deadline: Date) -> (cases: Int, bad: [String]) {
        var rng = SplitMix64(seed: seed)
        var cases = 0
        var bad: [String] = []
        while Date() < deadline {
            cases += 1
            guard let socket = try? RawSocket(path) else { bad.append("connect failed"); continue }
            let count = Int(rng.next() % 3) + 1
            for _ in 0..<count {
                var line: [UInt8]
                switch rng.next() % 4 {
                case 0: line = Array(mutate(seeds[Int(rng.next() % UInt64(seeds.count))], &rng).serialized(pretty: false).utf8)
                case 1: line = mangle(Array(seeds[Int(rng.next() % UInt64(seeds.count))].serialized(pretty: false).utf8), &rng)
                case 2: line = (0..<Int(rng.next() % 64)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }.filter { $0 != 0x0A }
                default: line = Array(mutate(mutate(seeds[Int(rng.next() % UInt64(seeds.count))], &rng), &rng).serialized(pretty: false).utf8)
                }
                line = harmless(line)
                var last = false
                switch rng.next() % 8 {
                case 0:  // half a request, then hang up
                    socket.write(Array(line.prefix(line.count / 2)))
                    last = true
                case 1:  // the request, then the end of input (still answered)
                    socket.write(line)
                    socket.shutdownWrite()
                default:
                    socket.write(line + [0x0A])
                }
                // Read an answer (or two, for streams); some connections go before reading.
                if last || rng.next() % 6 == 0 { break }
                guard let answer = socket.readLine(timeout: 5) else { break }
                if !wellFormed(answer) { bad.append("\(String(decoding: line.prefix(200), as: UTF8.self)) -> \(answer.prefix(300))") }
                if answer.contains(#""ok":true"#) && !answer.contains("result"), rng.next() % 2 == 0 {
                    if let more = socket.readLine(timeout: 2), !wellFormed(more) { bad.append("stream frame: \(more.prefix(300))") }
                }
                if answer.contains(#""ok":true"#) && !answer.contains("result") { break }  // a stream holds the connection
            }
        }
        return (cases, bad)
    }

    @Test func randomAndMutatedRequests_onManyConnections_neverHurtTheStack() async throws {
        let stack = try await SocketStack(ControlSocketTests.yaml)
        #expect(try await stack.waitRunning())
        let before = try await stack.pids()
        let deadline = Date().addingTimeInterval(Self.duration)
        let path = stack.socket
        let results = await withTaskGroup(of: (cases: Int, bad: [String]).self) { group in
            for w in 0..<Self.workers {
                group.addTask { await offPool { Self.work(path, seed: 0xC0FFEE &+ UInt64(w), until: deadline) } }
            }
            // Bursts of many connections at once, some left open a while.
            group.addTask {
                await offPool {
                    var opened = 0
                    while Date() < deadline {
                        let burst = (0..<100).compactMap { _ in try? RawSocket(path) }
                        opened += burst.count
                        for (i, s) in burst.enumerated() where i % 3 == 0 { s.write(#"{"op":"snapshot"}"# + "\n") }
                        usleep(200_000)
                    }
                    return (opened, [])
                }
            }
            var all: [(cases: Int, bad: [String])] = []
            for await r in group { all.append(r) }
            return all
        }
        let cases = results.map(\.cases).reduce(0, +)
        let bad = results.flatMap(\.bad)
        #expect(cases > 100, "only \(cases) cases ran")
        #expect(bad.isEmpty, "\(bad.count) malformed answers, first: \(bad.prefix(5))")
        // The stack is untouched and answers at once.
        let t0 = ContinuousClock.now
        var errors: [String] = []
        #expect(await eventually(10) {
            do { _ = try await stack.client.snapshot(); return true } catch {
                errors.append("\(ContinuousClock.now - t0): \(error)")
                return false
            }
        })
        #expect(ContinuousClock.now - t0 < .seconds(5), """
            errors: \(errors.prefix(3)) … \(errors.suffix(2)) (\(errors.count) in all); \
            server connections: \(String(describing: stack.runtime.controlConnectionCounts)); \(PoolLag.report())
            """)
        #expect(try await stack.pids() == before)
        await stack.stop()
    }
}
