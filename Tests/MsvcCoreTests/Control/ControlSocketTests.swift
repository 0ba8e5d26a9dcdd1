import Foundation
import MsvcTestSupport
import Testing

@testable import MsvcCore

/// A real supervisor behind its real socket, fed hostile and careless clients.
@Suite(.serialized, .timeLimit(.minutes(3))) struct ControlSocketTests {
    static let yaml = """
        services:
          idle: { command: sleep 100000 }
          chatty: { command: sh -c 'i=0; while true; do i=$((i+1)); echo "line $i"; sleep 0.01; done' }
        """

    @Test func badRequests_getErrorAnswers_andTheStackRunsOn() async throws {
        let stack = try await SocketStack(Self.yaml)
        #expect(try await stack.waitRunning())
        let before = try await stack.pids()
        let nested = String(repeating: "[", count: 100_000)
        let bad: [(String, String)] = [
            (#"{"op":"logs","tail":-5}"#, "usage"),
            (#"{"op":"follow","tail":-1}"#, "usage"),
            (#"{"op":"logs","tail":99999999999999999999999}"#, "usage"),
            (#"{"op":"logs","tail":"ten"}"#, "usage"),
            (#"{"op":"logs","services":{"a":1}}"#, "usage"),
            (#"{"op":"scale","service":"idle","replicas":-1}"#, "usage"),
            (#"{"op":"scale","service":"idle","replicas":1000}"#, "usage"),
            (#"{"op":"scale","service":"idle","replicas":"2"}"#, "usage"),
            (#"{"op":"wait","timeout_ms":-10}"#, "usage"),
            (#"{"op":"shutdown","timeout_ms":99999999999999}"#, "usage"),
            (#"{"op":"stop","services":["nope"]}"#, "unknownService"),
            (#"{"op":"logs","services":["chatyy"]}"#, "unknownService"),
            (#"{"op":"logs","grep":"(unclosed"}"#, "usage"),
            (#"{"op":"launch-missiles"}"#, "usage"),
            (#"{"op":null}"#, "usage"),
            ("", "usage"),
            ("garbage", "usage"),
            ("\u{7}\u{1}{", "usage"),
            (nested, "usage"),
            ("[]", "usage"),
            ("{}", "usage"),
            ("null", "usage"),
        ]
        let socket = try RawSocket(stack.socket)
        for (line, kind) in bad {
            #expect(socket.write(line + "\n"))
            let answer = await offPool { socket.readJSON() }
            #expect(answer?["ok"]?.boolValue == false, "\(line.prefix(60)): \(String(describing: answer))")
            #expect(answer?["kind"]?.stringValue == kind, "\(line.prefix(60)): \(String(describing: answer))")
        }
        // Not UTF-8.
        #expect(socket.write(Array(#"{"op":"logs","grep":""#.utf8) + [0xC3, 0x28, 0xFF] + Array("\"}\n".utf8)))
        let utf8 = await offPool { socket.readJSON() }
        #expect(utf8?["error"]?.stringValue == "the request is not valid UTF-8")
        // The unknown service gets a suggestion, as from the CLI.
        #expect(socket.write(#"{"id":4,"op":"restart","services":["chatyy"]}"# + "\n"))
        let suggestion = await offPool { socket.readJSON() }
        #expect(suggestion?["id"]?.intValue == 4)
        #expect(suggestion?["error"]?.stringValue?.contains("did you mean \"chatty\"?") == true)
        // The same connection still serves a good request, and nothing was touched.
        #expect(socket.write(#"{"id":9,"op":"snapshot"}"# + "\n"))
        let good = await offPool { socket.readJSON() }
        #expect(good?["id"]?.intValue == 9 && good?["ok"]?.boolValue == true)
        #expect(try await stack.pids() == before)
        await stack.stop()
    }

    @Test func aTwentyMegabyteLine_isRefused_andTheServerLivesOn() async throws {
        let stack = try await SocketStack(Self.yaml)
        let socket = try RawSocket(stack.socket)
        let huge = Array(#"{"op":"logs","grep":""#.utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: 20 << 20)
        // Written from a thread of its own: the server stops reading after 1 MiB.
        let writer = Task.detached { socket.write(huge + Array("\"}\n".utf8)) }
        let answer = await offPool { socket.readJSON(timeout: 20) }
        #expect(answer?["ok"]?.boolValue == false)
        #expect(answer?["error"]?.stringValue == "a request line is longer than 1048576 bytes")
        #expect(await offPool { socket.closedByPeer(timeout: 10) })
        _ = await writer.value
        #expect(try await stack.client.snapshot().services.count == 2)
        await stack.stop()
    }

    @Test func halfOpenAndIdleConnections_neitherBlockNorPileUp() async throws {
        let stack = try await SocketStack(Self.yaml)
        // A second server on the same stack, with a short request timeout to watch it act.
        let path = stack.dir.path + "/.msvc/run/t.sock"
        // (Short enough to watch, long enough that this test's own requests are never cut on a
        // loaded machine.)
        let server = try await ControlServer.bind(path: path, requestTimeout: .seconds(2))
        let serving = Task { try? await server.run(stack.runtime.supervisor) }
        let idle = try (0..<20).map { _ in try RawSocket(path) }
        let partial = try (0..<10).map { _ in try RawSocket(path) }
        for s in partial { s.write(#"{"op":"snaps"#) }
        // A request followed by the end of input is still answered (nc -N style).
        let halfClosed = try RawSocket(path)
        halfClosed.write(#"{"op":"snapshot"}"#)
        halfClosed.shutdownWrite()
        let answer = await offPool { halfClosed.readJSON() }
        #expect(answer?["ok"]?.boolValue == true)
        // Meanwhile the stack answers at once.
        let t0 = ContinuousClock.now
        _ = try await ControlClient(path: path, stackDirectory: stack.dir.path).snapshot()
        #expect(ContinuousClock.now - t0 < .seconds(1))
        // Idle and unfinished connections are closed after the timeout.
        for s in idle + partial { #expect(await offPool { s.closedByPeer(timeout: 10) }) }
        server.close()
        _ = await serving.value
        await stack.stop()
    }

    @Test func tooManyConnections_getAnAnswer_andSlotsComeBack() async throws {
        let stack = try await SocketStack(Self.yaml)
        var held: [RawSocket] = []
        for _ in 0..<ControlLimits.connections { held.append(try RawSocket(stack.socket)) }
        // Make sure the server serves every one of them before the next one comes: an answer on
        // each. (Connections are set up on either event loop, so they may reach the server out
        // of order; an answer on the first alone proved nothing about the last.)
        for s in held { s.write(#"{"op":"snapshot"}"# + "\n") }
        for s in held { #expect(await offPool { s.readJSON() }?["ok"]?.boolValue == true) }
        // (On a loaded machine the server may still be taking the held connections, and its
        // answer to the extra one may take more than a second.)
        let t0 = Date()
        var seen: [String] = []
        var fates: [String: Int] = [:]  // what became of the held connections, at the first miss
        let refused = await eventually(30) {
            let extra: RawSocket
            do { extra = try RawSocket(stack.socket) } catch {
                seen.append(String(format: "%.1fs connect: %@", Date().timeIntervalSince(t0), "\(error)"))
                return false
            }
            let answer = await offPool { extra.readJSON(timeout: 5) }
            seen.append(String(format: "%.1fs answer: %@", Date().timeIntervalSince(t0), answer.map { "\($0)" } ?? "none (\(extra.ended))"))
            if fates.isEmpty {
                fates = Dictionary(grouping: held.enumerated().map { $0.element.fate == "ok" ? "ok" : "#\($0.offset) \($0.element.fate)" }, by: { $0 }).mapValues(\.count)
            }
            return answer?["error"]?.stringValue?.contains("too many connections") == true
        }
        #expect(refused, "held: \(fates); attempts: \(seen.suffix(8)); server connections (open, accepted): \(String(describing: stack.runtime.controlConnectionCounts)); \(PoolLag.report())")
        held.removeAll()
        #expect(await eventually(10) { (try? await stack.client.snapshot()) != nil })
        await stack.stop()
    }

    @Test func follow_streamsABacklogOver16MiB_inBoundedLines() async throws {
        // 400 lines of 60,000 bytes: 24 MB stored, more than one answer line could ever hold.
        let stack = try await SocketStack("""
            services:
              big:
                command: [python3, big.py]
                restart: "no"
            """, files: ["big.py": "import sys\nfor i in range(400): sys.stdout.write(str(i).rjust(5, '0') + 'x' * 59995 + '\\n')\n"])
        #expect(await eventually(30) { ((try? stack.runtime.hub.query(LogQuery(services: ["big"])))?.filter { $0.stream == .stdout }.count ?? 0) == 400 })
        let socket = try RawSocket(stack.socket)
        socket.write(#"{"op":"follow","services":["big"]}"# + "\n")
        let (count, longest) = await offPool { () -> (Int, Int) in
            var count = 0, longest = 0
            while count < 400, let line = socket.readLine(timeout: 20) {
                longest = max(longest, line.utf8.count)
                let texts = (try? JSON.parse(line))?["records"]?.arrayValue?.compactMap { $0["text"]?.stringValue } ?? []
                count += texts.filter { $0.count == 60_000 }.count
            }
            return (count, longest)
        }
        #expect(count == 400)
        #expect(longest < 1 << 20, "an answer line of \(longest) bytes")
        // The client API reads it the same way.
        var got = 0
        for try await event in try await stack.client.follow(LogQuery(services: ["big"])) {
            if case .records(let batch) = event { got += batch.filter { $0.stream == .stdout }.count }
            if got == 400 { break }
        }
        #expect(got == 400)
        #expect(try await stack.client.logs(LogQuery(services: ["big"])).filter { $0.stream == .stdout }.count == 400)
        await stack.stop()
    }

    @Test func slowGrep_runsOutOfBudgetWithAnError_whilePsStaysFast() async throws {
        let stack = try await SocketStack("""
            services:
              a: { command: [python3, lines.py] }
            """, files: ["lines.py": "import time\nprint('\\n'.join(['a' * 22 + '!'] * 30000), flush=True)\ntime.sleep(100000)\n"])
        #expect(await eventually(30) { ((try? stack.runtime.hub.query(LogQuery(services: ["a"])))?.count ?? 0) >= 10_000 }) // the ring keeps 10,000
        stack.runtime.hub.queryBudget = .milliseconds(300)
        let client = stack.client
        let grep = Task { () -> Result<[LogRecord], any Error> in
            do { return .success(try await client.logs(LogQuery(grep: "^(a+)+$"))) } catch { return .failure(error) }
        }
        var latencies: [Duration] = []
        for _ in 0..<15 {
            let t0 = ContinuousClock.now
            _ = try await client.snapshot()
            latencies.append(ContinuousClock.now - t0)
            try await Task.sleep(for: .milliseconds(20))
        }
        latencies.sort()
        #expect(latencies[latencies.count / 2] < .milliseconds(50), "ps latencies \(latencies)")
        let started = ContinuousClock.now
        switch await grep.value {
        case .success(let r): #expect(r.isEmpty)
        case .failure(let e):
            #expect((e as? ControlError).map { if case .invalid(let m) = $0 { m.contains("ran out of its 300ms budget") } else { false } } == true, "\(e)")
        }
        #expect(ContinuousClock.now - started < .seconds(5))
        await stack.stop()
    }

    @Test func errorKinds_andDidYouMean_crossTheSocket() async throws {
        let stack = try await SocketStack(Self.yaml)
        let client = stack.client
        for call in [
            { try await client.stop(["chaty"]) }, { try await client.restart(["chaty"]) }, { try await client.start(["chaty"]) },
            { try await client.scale("chaty", to: 1) },
        ] as [@Sendable () async throws -> ActionResult] {
            await #expect { try await call() } throws: { error in
                if case .unknownService(let m) = error as? ControlError { return m.hasSuffix("did you mean \"chatty\"?") }
                return false
            }
        }
        await #expect(throws: ControlError.self) { try await client.logs(LogQuery(services: ["chaty"])) }
        await #expect(throws: ControlError.usage("replicas must be 0 to 256, not 1000")) { try await client.scale("idle", to: 1000) }
        await #expect(throws: ControlError.usage("replicas must be 0 to 256, not -1")) { try await client.scale("idle", to: -1) }
        await stack.stop()
    }

    @Test func changes_comeAtOnce_onEachChange_paced_andEndWithTheStack() async throws {
        let stack = try await SocketStack(Self.yaml)
        #expect(try await stack.waitRunning())
        for control in [stack.client as any StackControl, stack.runtime.supervisor] {
            var it = try await control.changes().makeAsyncIterator()
            let t0 = ContinuousClock.now
            #expect(try await it.next() != nil)
            #expect(ContinuousClock.now - t0 < .milliseconds(500))
            // Without a change, a refresh about once a second.
            // Judged over three intervals: one late delivery on a loaded machine shortens the
            // next interval but not their mean.
            var times: [ContinuousClock.Instant] = []
            for _ in 0..<4 {
                #expect(try await it.next() != nil)
                times.append(.now)
            }
            let mean = (times[3] - times[0]) / 3
            #expect(mean > .milliseconds(700) && mean < .milliseconds(1600), "\(times)")
            // A change comes through well before the refresh.
            _ = try await stack.runtime.supervisor.stop(["idle"])
            let stopped = ContinuousClock.now
            while let s = try await it.next(), s.services.first(where: { $0.name == "idle" })?.replicas.first?.state != .stopped {}
            #expect(ContinuousClock.now - stopped < .milliseconds(600))
            _ = try await stack.runtime.supervisor.start(["idle"])
        }
        // Under churn (scaling up and down), at most about ten a second.
        var it = try await stack.client.changes().makeAsyncIterator()
        let churn = Task {
            for i in 0..<20 { _ = try? await stack.runtime.supervisor.scale("idle", to: i % 2 == 0 ? 3 : 1) }
        }
        let start = ContinuousClock.now
        var count = 0
        while ContinuousClock.now - start < .seconds(2), try await it.next() != nil { count += 1 }
        _ = await churn.value
        #expect(count <= 22, "\(count) snapshots in 2 s")
        // The stream ends with the stack.
        let ending = Task {
            var n = 0
            while try await it.next() != nil { n += 1 }
            return n
        }
        await stack.stop()
        _ = try await ending.value
    }
}
