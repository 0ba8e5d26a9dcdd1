import Foundation
import MsvcCore
import MsvcTestSupport
import Testing

/// The embeddable runtime: start, run until cancelled, and leave nothing behind.
@Suite(.serialized) struct StackRuntimeTests {
    /// `api` serves HTTP; `slow` can only become healthy once a file exists, so a stack
    /// whose `web` waits for it stays mid-start for as long as the test wants.
    static let yaml = """
        services:
          api:
            command: python3 server.py
            port: auto
            replicas: 2
            health: { http: /healthz, interval: 100ms }
          slow:
            command: python3 server.py
            port: auto
            health: { exec: "test -f go", interval: 100ms }
          web:
            command: python3 server.py
            port: auto
            depends_on: { slow: healthy, api: healthy }
        """

    @Test func twoRuntimesInOneProcess_cancelledMidStartAndMidRun_leaveNoProcessListenerOrThread() async throws {
        let a = try RuntimeFixture(Self.yaml)
        let b = try RuntimeFixture(Self.yaml)
        try b.dir.write("go", "")  // b can finish starting; a cannot
        let ra = try a.runtime(), rb = try b.runtime()
        // (A start that fails is reported as such, not as a wait that timed out.)
        let ta = Task {
            do { try await ra.start() } catch { Issue.record("a failed to start: \(error)"); throw error }
            await ra.run()
        }
        let tb = Task {
            do { try await rb.start() } catch { Issue.record("b failed to start: \(error)"); throw error }
            await rb.run()
        }

        // a is mid-start: api and slow run, web waits for slow.
        #expect(await ra.waitFor { s in
            s.replica("api", 1)?.pid != nil && s.replica("slow")?.pid != nil && s.replica("web")?.state == .pending
        })
        // b is mid-run: everything ready.
        #expect(await rb.waitUntilReady(timeout: .seconds(30)) == .ready)
        let ports = try await (ra.supervisor.snapshot().services + rb.supervisor.snapshot().services).compactMap(\.port)
        #expect(ports.count == 6 && ports.allSatisfy(Leftovers.listening))
        #expect(Leftovers.processes(containing: a.dir.path).count >= 3)
        #expect(Leftovers.processes(containing: b.dir.path).count >= 4)

        ta.cancel()
        tb.cancel()
        _ = try await ta.value
        _ = try await tb.value

        for fixture in [a, b] {
            #expect(Leftovers.processes(containing: fixture.dir.path).isEmpty, "processes left: \(Leftovers.processes(containing: fixture.dir.path))")
            #expect(!InstanceLock.isHeld(StateDirectory.beside(configDirectory: fixture.dir.path)))
        }
        // A freed port may be taken at once by another stack of this test run, in this process
        // (then a runtime holds it again) or in an msvc started by another test.
        #expect(await eventually(3) {
            ports.allSatisfy { !Leftovers.listening($0) || PortReservations.shared.isHeld($0) || PortAllocator.owner(of: $0)?.pid != getpid() }
        }, "a balancer still listens")
        // Every thread each runtime started has ended (the sampler notices its stop within a
        // second). Other tests' stacks run in this process at the same time, so the runtimes'
        // own threads are checked, not the process's thread list.
        #expect(await ra.supervisor.threadsEnded(within: .seconds(5)))
        #expect(await rb.supervisor.threadsEnded(within: .seconds(5)))
    }

    @Test func gracefulStopOnCancel_runsEachServicesStopSignalInReverseOrder() async throws {
        let f = try RuntimeFixture("""
            services:
              db:
                command: sh -c 'trap "echo db got TERM; exit 0" TERM; echo trapped; while true; do sleep 0.05; done'
              api:
                command: sh -c 'trap "echo api got TERM; exit 0" TERM; echo trapped; while true; do sleep 0.05; done'
                depends_on: [db]
            """)
        let rt = try f.runtime()
        let task = Task { try await rt.start(); await rt.run() }
        // Both have set their trap.
        #expect(await eventually(30) { ((try? rt.hub.query(LogQuery())) ?? []).filter { $0.text == "trapped" }.count == 2 })
        task.cancel()
        _ = try await task.value
        let lines = try rt.hub.query(LogQuery()).filter { $0.text.hasSuffix("got TERM") }.map(\.service)
        #expect(lines == ["api", "db"], "stop order: \(lines)")
    }

    @Test func failureDuringStart_releasesTheLockPortsAndThreads() async throws {
        let f = try RuntimeFixture("""
            services:
              api: { command: python3 server.py, port: auto }
              gone: { command: no-such-program-msvc-test }
            """)
        let rt = try f.runtime()
        await #expect(throws: SupervisorError.self) { try await rt.start() }
        #expect(!InstanceLock.isHeld(StateDirectory.beside(configDirectory: f.dir.path)))
        #expect(await rt.supervisor.threadsEnded(within: .seconds(5)))
        // The folder is free for the next attempt.
        try f.dir.write("msvc.yaml", "services:\n  api: { command: python3 server.py, port: auto }\n")
        let again = try f.runtime()
        try await again.start()
        #expect(await again.waitUntilReady(timeout: .seconds(20)) == .ready)
        await again.stop()
    }

    @Test func secondRuntimeOnTheSameFolder_isRefusedByTheInstanceLock() async throws {
        let f = try RuntimeFixture("services:\n  one: { command: sleep 1000 }\n")
        let first = try f.runtime()
        try await first.start()
        let second = try f.runtime()
        do {
            try await second.start()
            Issue.record("a second runtime started on the same folder")
            await second.stop()
        } catch {
            guard case .alreadyRunning = error else { Issue.record("unexpected \(error)"); return }
        }
        // The first one is unharmed.
        #expect(await first.waitFor { $0.replica("one")?.state == .running })
        await first.stop()
    }

    @Test func runStateFolder_thatIsASymlinkOrForeign_isRefused() async throws {
        let f = try RuntimeFixture("services:\n  one: { command: sleep 1000 }\n")
        let elsewhere = try TemporaryDirectory(prefix: "msvc-elsewhere")
        try FileManager.default.createDirectory(atPath: f.dir.path + "/.msvc", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: f.dir.path + "/.msvc/run", withDestinationPath: elsewhere.path)
        let before = try FileManager.default.attributesOfItem(atPath: elsewhere.path)[.posixPermissions] as? Int
        let rt = try f.runtime()
        do {
            try await rt.start()
            Issue.record("started with a symlinked run folder")
            await rt.stop()
        } catch {
            #expect("\(error)".contains("symbolic link"), "\(error)")
        }
        // The link's target was not touched (no chmod, no files).
        #expect(try FileManager.default.attributesOfItem(atPath: elsewhere.path)[.posixPermissions] as? Int == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path).isEmpty)

        // A run folder others may write to is refused too.
        try FileManager.default.removeItem(atPath: f.dir.path + "/.msvc/run")
        try FileManager.default.createDirectory(atPath: f.dir.path + "/.msvc/run", withIntermediateDirectories: false)
        chmod(f.dir.path + "/.msvc/run", 0o777)
        do {
            try await rt.start()
            Issue.record("started with a world-writable run folder")
            await rt.stop()
        } catch {
            #expect("\(error)".contains("can be written by other users"), "\(error)")
        }
    }
}
