import Foundation
import MsvcCore
import MsvcTestSupport
import Testing

@Suite(.serialized) struct SupervisorOrderingTests {
    @Test func dependsOn_eachConditionGatesTheStartOfTheDependent() async throws {
        let stack = try await StackHarness("""
            services:
              job:
                command: sh -c 'sleep 0.3; echo migrated'
                restart: "no"
              api:
                command: python3 server.py
                port: auto
                health: { http: /healthz, interval: 100ms }
                depends_on: { job: completed }
              web:
                command: sleep 1000
                depends_on: { api: healthy }
              sidecar:
                command: sleep 1000
                depends_on: [web]
            """, files: ["server.py": httpServerScript])
        await stack.waitFor("sidecar running") { $0.replica("sidecar")?.state == .running }
        let seq = { (service: String, prefix: String) -> UInt64 in
            stack.notes(service).first { $0.text.hasPrefix(prefix) }?.seq ?? 0
        }
        #expect(seq("job", "exited with code 0") > 0)
        #expect(seq("api", "started") > seq("job", "exited with code 0"), "completed gates api")
        #expect(seq("web", "started") > seq("api", "healthy"), "healthy gates web")
        #expect(seq("sidecar", "started") > seq("web", "started"), "started gates sidecar")
        await stack.stop()
    }

    @Test func failedDependency_keepsDependentsFromStartingAndSaysWhy() async throws {
        let stack = try await StackHarness("""
            services:
              job: { command: sh -c 'exit 4', restart: "no" }
              api: { command: sleep 1000, depends_on: { job: completed } }
            """)
        await stack.waitFor("api failed") { $0.replica("api")?.state == .failed }
        let api = try #require(await stack.replica("api"))
        #expect(api.message == "dependency failed: job exited with code 4")
        #expect(api.pid == nil)
        await stack.stop()
    }

    @Test func independentServices_startInParallel() async throws {
        // None of the six can become healthy until the test says so: if starting one waited for
        // another, they would not all be running (with a pid) while still unhealthy.
        var yaml = "services:\n"
        for i in 1...6 { yaml += "  s\(i): { command: sleep 1000, health: { exec: test -f go, interval: 100ms } }\n" }
        let stack = try await StackHarness(yaml)
        await stack.waitFor("all started, none healthy yet") {
            $0.services.allSatisfy { $0.replicas.allSatisfy { $0.state == .running && $0.pid != nil && $0.health != .healthy } }
        }
        try stack.dir.write("go", "")
        await stack.waitFor("all healthy") { $0.services.allSatisfy { $0.replicas.allSatisfy { $0.health == .healthy } } }
        await stack.stop()
        let snap = await stack.snapshot()
        #expect(snap.services.allSatisfy { $0.replicas.allSatisfy { $0.state == .stopped } })
    }

    @Test func twoInstances_runSideBySideInOneProcess() async throws {
        let yaml = """
            services:
              api:
                command: sh -c 'echo "data $MSVC_STATE_DIR"; exec python3 server.py'
                port: auto
                health: { http: /healthz, interval: 100ms }
            """
        let a = try await StackHarness(yaml, files: ["server.py": httpServerScript])
        let b = try await StackHarness(yaml, files: ["server.py": httpServerScript])
        for s in [a, b] { await s.waitFor("healthy") { $0.replica("api")?.health == .healthy } }
        let portA = await a.snapshot().services[0].port, portB = await b.snapshot().services[0].port
        #expect(portA != nil && portB != nil && portA != portB)
        for s in [a, b] {
            // Each instance has its own data folder.
            #expect(s.lines("api").contains { $0.text == "data \(s.dir.path)/.msvc/data" }, "\(s.lines("api").map(\.text))")
        }
        await a.stop()
        #expect(await b.replica("api")?.health == .healthy, "stopping one instance leaves the other alone")
        await b.stop()
    }
}

@Suite struct SupervisorStartTimeVariableTests {
    @Test func processSeesStartTimeValues_andLiteralDollarsExactlyAsWritten() async throws {
        let stack = try await StackHarness("""
            services:
              a:
                command: sh -c 'echo "port=${PORT} literal=$${HOME} pid=$$$$ upstream=$UPSTREAM"; exec sleep 1000'
                port: auto
                env: { UPSTREAM: "${B_URL}/v1" }
              b: { command: sleep 1000, port: auto }
            """)
        // The line can arrive before the supervisor has recorded the pid: wait for both.
        await stack.waitFor("output and pid") { s in
            s.replica("a")?.pid != nil && stack.lines("a").contains { $0.text.hasPrefix("port=") }
        }
        let snap = await stack.snapshot()
        let port = try #require(snap.replica("a")?.ports[""])
        let bPort = try #require(snap.services.first { $0.name == "b" }?.port)
        let line = try #require(stack.lines("a").first { $0.text.hasPrefix("port=") }).text
        let pid = try #require(snap.replica("a")?.pid)
        // The shell expands the literal ${HOME} itself and $$ to its own pid.
        let home = ProcessInfo.processInfo.environment["HOME"] ?? ""
        #expect(line == "port=\(port) literal=\(home) pid=\(pid) upstream=http://127.0.0.1:\(bPort)/v1")
        await stack.stop()
    }
}
