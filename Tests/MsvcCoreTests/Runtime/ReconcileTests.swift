import Foundation
import MsvcCore
import MsvcTestSupport
import Testing

/// `msvc up` on a running stack applies msvc.yaml: add, change, remove, scale; the rest keeps its pids.
@Suite(.serialized) struct ReconcileTests {
    static let before = """
        services:
          keep:
            command: python3 server.py
            port: auto
            health: { http: /healthz, interval: 100ms }
          change:
            command: python3 server.py
            port: auto
            env: { COLOUR: blue }
            health: { http: /healthz, interval: 100ms }
          legacy:
            command: sleep 1000
          worker:
            command: sleep 1001
            env_file: [worker.env]
        """

    static let after = """
        services:
          keep:
            command: python3 server.py
            port: auto
            health: { http: /healthz, interval: 100ms }
            labels: { team: web }          # not a reason to restart
            restart: always                # applied in place
          change:
            command: python3 server.py
            port: auto
            env: { COLOUR: green }
            health: { http: /healthz, interval: 100ms }
          catalog:
            command: python3 server.py
            port: auto
            health: { http: /healthz, interval: 100ms }
          worker:
            command: sleep 1001
            env_file: [worker.env]
            replicas: 2
        """

    @Test func apply_startsNew_restartsChanged_stopsRemoved_scales_andLeavesTheRestAlone() async throws {
        let f = try RuntimeFixture(Self.before)
        try f.dir.write("worker.env", "MODE=a\n")
        let rt = try f.runtime()
        try await rt.start()
        let task = Task { await rt.run() }
        defer { task.cancel() }
        #expect(await rt.waitUntilReady(timeout: .seconds(30)) == .ready)
        let keep = await rt.pid("keep"), change = await rt.pid("change"), worker = await rt.pid("worker")
        let legacy = try #require(await rt.pid("legacy"))

        try f.dir.write("msvc.yaml", Self.after)
        let result = try await rt.supervisor.apply(file: f.dir.path + "/msvc.yaml", services: [], profiles: [], environment: [:])
        #expect(result.summary == "stopped legacy; started catalog; scaled worker from 1 to 2; restarted change (env changed)", "\(result.summary)")
        #expect(result.unchanged == ["keep"])
        #expect(await rt.waitUntilReady(timeout: .seconds(30)) == .ready)
        let s = try await rt.supervisor.snapshot()
        #expect(s.services.map(\.name) == ["keep", "change", "catalog", "worker"])
        #expect(s.replica("keep")?.pid == keep, "an untouched service was restarted")
        #expect(s.replica("worker", 1)?.pid == worker, "scaling restarted the first replica")
        #expect(s.replica("worker", 2)?.pid != nil)
        #expect(s.replica("change")?.pid != change && s.replica("change")?.pid != nil)
        #expect(kill(legacy, 0) != 0, "legacy still runs")

        // An edited env file is a changed definition too; the same file again changes nothing.
        let again = try await rt.supervisor.apply(file: f.dir.path + "/msvc.yaml", services: [], profiles: [], environment: [:])
        #expect(again.summary == "nothing to change: 4 services up to date")
        try f.dir.write("worker.env", "MODE=b\n")
        let edited = try await rt.supervisor.apply(file: f.dir.path + "/msvc.yaml", services: [], profiles: [], environment: [:])
        #expect(edited.summary == "restarted worker (env changed)")
        task.cancel()
        await task.value
    }

    @Test func apply_ofAnInvalidFileOrUnknownProfile_changesNothing() async throws {
        let f = try RuntimeFixture(Self.before)
        try f.dir.write("worker.env", "MODE=a\n")
        let rt = try f.runtime()
        try await rt.start()
        let task = Task { await rt.run() }
        defer { task.cancel() }
        #expect(await rt.waitUntilReady(timeout: .seconds(30)) == .ready)
        let pids = try await rt.supervisor.snapshot().services.flatMap(\.replicas).map(\.pid)

        try f.dir.write("msvc.yaml", "services:\n  keep: { command: [}\n")
        await #expect(throws: ControlError.self) {
            try await rt.supervisor.apply(file: f.dir.path + "/msvc.yaml", services: [], profiles: [], environment: [:])
        }
        try f.dir.write("msvc.yaml", Self.after.replacingOccurrences(of: "command: sleep 1001", with: "command: no-such-program-msvc"))
        do {
            _ = try await rt.supervisor.apply(file: f.dir.path + "/msvc.yaml", services: [], profiles: [], environment: [:])
            Issue.record("applied a file whose program is missing")
        } catch {
            #expect("\(error)".contains("no-such-program-msvc"))
        }
        #expect(try await rt.supervisor.snapshot().services.flatMap(\.replicas).map(\.pid) == pids)
        task.cancel()
        await task.value
    }
}
