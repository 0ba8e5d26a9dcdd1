import Foundation
import MsvcCore
import MsvcTestSupport
import Synchronization
import Testing

/// Holds a listening socket on a free 127.0.0.1 port, so nothing else can bind it.
final class HeldPort: Sendable {
    let fd: Int32
    let port: Int

    init() {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        listen(fd, 1)
        port = Int(UInt16(bigEndian: addr.sin_port))
    }

    deinit { close(fd) }
}

@Suite("suite runner on real stacks", .serialized)
struct SuiteRunnerTests {
    static func stack(port: Int, suites: String) -> String {
        """
        name: iso
        services:
          kv:
            command: python3 kv.py
            port: \(port)
            health: { http: /healthz, interval: 100ms }
          idle:
            command: python3 idle.py
            depends_on: { kv: healthy }
        tests:
        \(suites)
        """
    }

    static let isolation = """
        steps:
          - name: store
            request: { method: PUT, url: "${KV_URL}/${MSVC_SUITE}", json: { suite: "${MSVC_SUITE}" } }
            expect: { status: 201, json: { count: 1, stored: { suite: "${MSVC_SUITE}" } } }
          - name: only this suite's value is there
            run: python3 -c "import json, os, urllib.request; v = json.load(urllib.request.urlopen(os.environ['KV_URL'] + '/values')); assert list(v) == [os.environ['MSVC_SUITE']], v"
          - name: both suites run at once
            run: touch arrived-$MSVC_SUITE; for i in $(seq 300); do [ -e arrived-first ] && [ -e arrived-second ] && exit 0; sleep 0.1; done; exit 1
        """

    @Test func parallelCopies_ofAFixedPortStatefulService_doNotCollide() async throws {
        let held = HeldPort()
        let f = try SuiteFixture(Self.stack(port: held.port, suites: """
              e2e:
                - name: first
                  scenario: tests/isolation.yaml
                - name: second
                  scenario: tests/isolation.yaml
            """), files: ["tests/isolation.yaml": Self.isolation])
        let (runner, commands) = try f.runner(parallel: 2)
        let result = await runner.run(try f.plans())
        await commands.shutdown()
        for suite in result.suites {
            #expect(suite.passed, "\(ConsoleReport(color: false).render(suite).joined(separator: "\n"))")
            #expect(suite.services == ["kv", "idle"])
            #expect(suite.properties.contains { $0 == ("remapped", "kv \(held.port) -> automatic") })
        }
        for name in ["first", "second"] {
            let values = try String(contentsOfFile: f.dir.path + "/.msvc/test/\(name)/data/values.json", encoding: .utf8)
            #expect(values == "{\"\(name)\": {\"suite\": \"\(name)\"}}", "each copy has its own state folder")
        }
        #expect(processes(withToken: f.token).isEmpty, "every copy is stopped")
    }

    @Test func aSuiteTimeout_stopsTheStep_andSkipsTheRest() async throws {
        // The slow server belongs to the test, so the suite starts nothing and its 3 s are all
        // the step's, however loaded the machine is (start-up under a timeout is covered by
        // the CLI tests).
        let port = try #require(PortAllocator.allocate(avoiding: []))
        let f = try SuiteFixture("""
            name: slow
            services:
              kv:
                command: python3 kv.py
                port: auto
            tests:
              e2e:
                - name: slow
                  needs: []
                  env: { SLOW_URL: "http://127.0.0.1:\(port)" }
                  scenario: tests/slow.yaml
                  timeout: 3s
            """, files: ["tests/slow.yaml": """
            steps:
              - name: stuck
                request: { url: "${SLOW_URL}/slow" }
                timeout: 90s
              - name: after
                request: { url: "${SLOW_URL}/values" }
            """])
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = ["python3", f.dir.path + "/kv.py"]
        server.environment = f.environment.merging(["PORT": String(port), "MSVC_STATE_DIR": f.dir.path]) { _, b in b }
        // Its output goes nowhere: a server holding the test runner's pipe would keep the run open.
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { kill(server.processIdentifier, SIGKILL) }
        #expect(await eventually(30) { !PortAllocator.isFree(port) }, "the slow server listens")
        let (runner, commands) = try f.runner()
        let started = ContinuousClock.now
        let result = await runner.run(try f.plans())
        await commands.shutdown()
        #expect(ContinuousClock.now - started < .seconds(30), "the suite's 3 s cut the 60 s request short")
        let cases = try #require(result.suites.first?.cases)
        #expect(cases.map(\.name) == ["stuck", "after"])
        guard case .error(let message, let detail) = cases[0].outcome else { Issue.record("\(cases[0])"); return }
        #expect(message == "timed out after 3s")
        #expect(detail.hasPrefix("timed out after 3s while running \"stuck\""), "\(detail)")
        #expect(cases[1].outcome == .skipped(message: "not run: the suite timed out"))
        #expect(processes(withToken: f.token).filter { $0 != server.processIdentifier }.isEmpty)
    }

    @Test func cancelling_aParallelRun_leavesNothingRunning() async throws {
        let f = try SuiteFixture(Self.stack(port: 0, suites: """
              integration:
                - name: one
                  needs: [idle]
                  run: echo running one; sleep 60
                - name: two
                  needs: [idle]
                  run: echo running two; sleep 60
            """).replacingOccurrences(of: "port: 0", with: "port: auto"))
        let running = Mutex(0)
        let (runner, commands) = try f.runner(parallel: 2) { event in
            if case .running = event { running.withLock { $0 += 1 } }
        }
        let plans = try f.plans()
        let task = Task { await runner.run(plans) }
        let bothRunning = await eventually(60) {
            // Both suites' commands are up: the copies and the sleeps carry the token.
            running.withLock { $0 } == 2 && processes(withToken: f.token).count >= 6
        }
        #expect(bothRunning)
        task.cancel()
        let result = await task.value
        await commands.shutdown()
        #expect(result.interrupted)
        #expect(result.suites.allSatisfy { s in s.cases.contains { if case .error("interrupted", _) = $0.outcome { true } else { false } } })
        let left = processes(withToken: f.token)
        #expect(left.isEmpty, "left running: \(left.map { PortAllocator.commandLine(of: $0) ?? "\($0)" })")
    }

    @Test func servicesThatDoNotStart_failTheSuite_withTheirOutput() async throws {
        let f = try SuiteFixture("""
            name: broken
            services:
              db:
                command: [sh, -c, 'echo "db: cannot open the data file"; exit 3']
                restart: "no"
              api:
                command: python3 kv.py
                port: auto
                depends_on: { db: started }
            tests:
              integration:
                - name: api
                  needs: [api]
                  run: echo never
            """)
        let (runner, commands) = try f.runner()
        let result = await runner.run(try f.plans())
        await commands.shutdown()
        let suite = try #require(result.suites.first)
        #expect(!suite.passed)
        #expect(suite.cases.map(\.name) == ["start services", "echo never"])
        guard case .error(let message, _) = suite.cases[0].outcome else { Issue.record("\(suite.cases)"); return }
        #expect(message.hasPrefix("db failed: exited with code 3"), "\(message)")
        #expect(suite.cases[1].outcome == .skipped(message: "not run: its services did not start"))
        let db = try #require(suite.logs.first { $0.service == "db" })
        #expect(db.lines.contains { $0.text == "db: cannot open the data file" })
        #expect(processes(withToken: f.token).isEmpty)
    }
}
