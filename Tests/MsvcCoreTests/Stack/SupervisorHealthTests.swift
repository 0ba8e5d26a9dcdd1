import Foundation
import MsvcCore
import MsvcTestSupport
import Testing

@Suite(.serialized) struct SupervisorHealthTests {
    @Test func everyProbeKind_marksItsServiceHealthy() async throws {
        let stack = try await StackHarness("""
            services:
              http:
                command: python3 server.py
                port: auto
                health: { http: { path: /healthz, status: 200-299 }, interval: 100ms }
              tcp:
                command: python3 server.py
                port: auto
                health: { tcp: true, interval: 100ms }
              exec:
                command: sh -c 'sleep 0.3; touch ready.flag; sleep 1000'
                health: { exec: "test -f ready.flag", interval: 100ms }
              log:
                command: sh -c 'echo booting; sleep 0.3; echo "ready to serve"; sleep 1000'
                health: { log: "^ready to", interval: 100ms }
            """, files: ["server.py": httpServerScript])
        await stack.waitFor("all healthy") { s in s.services.allSatisfy { $0.replicas.allSatisfy { $0.health == .healthy } } }
        let snap = await stack.snapshot()
        #expect(snap.replica("http")?.lastProbe?.detail.hasPrefix("GET /healthz: 200 OK") == true)
        #expect(snap.replica("tcp")?.lastProbe?.detail.contains("connected") == true)
        #expect(snap.replica("exec")?.lastProbe?.detail == "exec: exited with code 0")
        #expect(snap.replica("log")?.lastProbe?.detail == "saw a line matching /^ready to/")
        await stack.stop()
    }

    @Test func failingReadiness_marksUnhealthyWithoutKilling_andLeavesTheBalancer() async throws {
        let stack = try await StackHarness("""
            services:
              api:
                command: python3 server.py
                port: auto
                replicas: 2
                health: { http: /healthz, interval: 100ms, retries: 2 }
            """, files: ["server.py": httpServerScript])
        await stack.waitFor("both healthy") { $0.services[0].replicas.allSatisfy { $0.health == .healthy } }
        let pid = await stack.replica("api", 2)?.pid
        try stack.dir.write("unready.2", "")
        await stack.waitFor("replica 2 unhealthy") { $0.replica("api", 2)?.health == .unhealthy }
        let r2 = try #require(await stack.replica("api", 2))
        #expect(r2.pid == pid, "readiness failure does not restart")
        #expect(r2.state == .running)
        let port = try #require(await stack.snapshot().services[0].port)
        var seen: [String: Int] = [:]
        for _ in 0..<10 {
            let body = try await HTTPClient().send(HTTPRequest(port: port, target: "/"), timeout: .seconds(2)).text
            seen[body, default: 0] += 1
        }
        #expect(seen == ["replica 1": 10], "an unready replica gets no connections")
        await stack.stop()
    }

    @Test func balancer_spreadsConnectionsRoundRobinAcrossReadyReplicas() async throws {
        let stack = try await StackHarness("""
            services:
              api:
                command: python3 server.py
                port: auto
                replicas: 3
                health: { http: /healthz, interval: 100ms }
            """, files: ["server.py": httpServerScript])
        await stack.waitFor("all healthy") { $0.services[0].replicas.allSatisfy { $0.health == .healthy } }
        let port = try #require(await stack.snapshot().services[0].port)
        var seen: [String: Int] = [:]
        for _ in 0..<30 {
            let body = try await HTTPClient().send(HTTPRequest(port: port, target: "/"), timeout: .seconds(2)).text
            seen[body, default: 0] += 1
        }
        #expect(seen == ["replica 1": 10, "replica 2": 10, "replica 3": 10])
        _ = try await stack.supervisor.scale("api", to: 1)
        let after = await stack.snapshot().services[0]
        #expect(after.replicas.count == 1)
        let body = try await HTTPClient().send(HTTPRequest(port: port, target: "/"), timeout: .seconds(2)).text
        #expect(body == "replica 1")
        await stack.stop()
    }

    @Test func failingLiveness_restartsTheService() async throws {
        let stack = try await StackHarness("""
            services:
              api:
                command: python3 server.py
                port: auto
                backoff: { initial: 100ms, max: 200ms }
                health: { http: /healthz, interval: 100ms }
                liveness: { http: /livez, interval: 100ms, failure_threshold: 2, start_period: 5s }
            """, files: ["server.py": httpServerScript])
        await stack.waitFor("healthy") { $0.replica("api")?.health == .healthy }
        #expect(await stack.replica("api")?.restarts == 0)
        let first = await stack.replica("api")?.pid
        try stack.dir.write("dead.1", "")
        await stack.waitFor("restarted") { s in s.replica("api").map { $0.restarts >= 1 && $0.pid != nil && $0.pid != first } ?? false }
        #expect(stack.notes("api").contains { $0.text.hasPrefix("liveness probe failed 2 times: GET /livez: 500") })
        try FileManager.default.removeItem(atPath: stack.dir.path + "/dead.1")
        await stack.stop()
    }

    @Test func crashingService_backsOffExponentially_thenCrashLoops() async throws {
        let stack = try await StackHarness("""
            services:
              bad:
                command: sh -c 'echo boom; echo oops >&2; exit 3'
                max_restarts: 3
                backoff: { initial: 100ms, max: 250ms }
            """)
        await stack.waitFor("crash-loop") { $0.replica("bad")?.state == .crashLoop }
        let bad = try #require(await stack.replica("bad"))
        #expect(bad.restarts == 3)
        #expect(bad.lastExit == .exited(3))
        #expect(bad.lastLines.suffix(2) == ["boom", "oops"])
        #expect(bad.message == "exited with code 3 after 3 restarts; left stopped")
        let delays = stack.notes("bad").compactMap { n -> String? in
            guard let r = n.text.range(of: "restarting in ") else { return nil }
            return String(n.text[r.upperBound...])
        }
        #expect(delays == ["100ms", "200ms", "250ms"])
        await stack.stop()
    }

    @Test func missingProgram_isReportedBeforeAnythingStarts() async throws {
        let dir = try TemporaryDirectory()
        try dir.write("msvc.yaml", "services:\n  a: { command: no-such-program-xyz --flag }\n  b: { command: sleep 1, cwd: missing-dir }\n")
        let loaded = try ConfigLoader.load(path: dir.path + "/msvc.yaml")
        let supervisor = StackSupervisor(loaded, options: SupervisorOptions(stateDirectory: StateDirectory.beside(configDirectory: dir.path)))
        await #expect {
            try await supervisor.prepare()
        } throws: { error in
            let text = "\(error)"
            return text.contains("a: program \"no-such-program-xyz\" not found in PATH") && text.contains("b: working directory")
        }
    }
}
