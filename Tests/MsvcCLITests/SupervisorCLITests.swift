import Foundation
import MsvcCore
import MsvcTestSupport
import Testing

/// Runs `msvc down` when a test leaves a stack behind: in the background (see `Teardown`), and
/// the folder is kept until it has run.
func downQuietly(_ dir: TemporaryDirectory) {
    Teardown.inBackground { _ = try? MsvcBinary.run(["down", "--timeout", "2s"], cwd: dir.path) }
}

@Suite(.serialized) struct SupervisorCLITests {
    @Test func upWait_returnsZeroWhenHealthy_andControlCommandsAct() async throws {
        let dir = try TemporaryDirectory()
        defer { downQuietly(dir) }
        try dir.write("msvc.yaml", """
            name: ctl
            services:
              api:
                command: python3 -m http.server --bind 127.0.0.1 ${PORT}
                port: auto
                health: { http: /, interval: 100ms }
              worker:
                command: sh -c 'i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.05; done'
            """)
        let up = try await MsvcBinary.run(["up", "--wait", "--timeout", "20s"], cwd: dir.path)
        #expect(up.status == 0, "\(up.stderr)")
        #expect(up.stderr.contains("all services are ready"))

        let ps = try await MsvcBinary.run(["ps", "--json"], cwd: dir.path)
        #expect(ps.status == 0, "\(ps.stderr)")
        let doc = try JSON.parse(ps.stdout)
        let services = try #require(doc["services"]?.arrayValue)
        #expect(services.compactMap { $0["name"]?.stringValue } == ["api", "worker"])
        #expect(services[0]["replicas"]?.arrayValue?.first?["health"]?.stringValue == "healthy")
        #expect(services[1]["replicas"]?.arrayValue?.first?["state"]?.stringValue == "running")

        let table = try await MsvcBinary.run(["ps"], cwd: dir.path)
        #expect(table.stdout.hasPrefix("SERVICE"))
        #expect(table.stdout.contains("api ") && table.stdout.contains("healthy"))

        #expect(await eventually(30) { (try? await MsvcBinary.run(["logs", "worker", "-n", "3"], cwd: dir.path).stdout.components(separatedBy: "tick").count) ?? 0 >= 4 })
        let logs = try await MsvcBinary.run(["logs", "worker", "-n", "3", "--json"], cwd: dir.path)
        let records = try #require(try JSON.parse(logs.stdout).arrayValue)
        #expect(records.count == 3)
        #expect(records.allSatisfy { $0["service"]?.stringValue == "worker" })
        let grep = try await MsvcBinary.run(["logs", "--grep", "^tick 1$", "--json"], cwd: dir.path)
        #expect(try JSON.parse(grep.stdout).arrayValue?.compactMap { $0["text"]?.stringValue } == ["tick 1"])

        let stop = try await MsvcBinary.run(["stop", "worker", "--json"], cwd: dir.path)
        #expect(stop.status == 0)
        #expect(try await JSON.parse(MsvcBinary.run(["ps", "--json"], cwd: dir.path).stdout)["services"]?.arrayValue?[1]["replicas"]?.arrayValue?.first?["state"]?.stringValue == "stopped")
        #expect(try await MsvcBinary.run(["start", "worker"], cwd: dir.path).status == 0)
        #expect(await eventually(30) { (try? await MsvcBinary.run(["ps", "--json"], cwd: dir.path).stdout.contains("\"running\"")) ?? false })

        let scale = try await MsvcBinary.run(["scale", "api=2"], cwd: dir.path)
        #expect(scale.status == 0, "\(scale.stderr)")
        #expect(scale.stderr.contains("api scaled from 1 to 2"))
        #expect(await eventually(30) {
            let d = try? await JSON.parse(MsvcBinary.run(["ps", "--json"], cwd: dir.path).stdout)
            return d?["services"]?.arrayValue?[0]["replicas"]?.arrayValue?.allSatisfy { $0["health"]?.stringValue == "healthy" } == true
                && d?["services"]?.arrayValue?[0]["replicas"]?.arrayValue?.count == 2
        })
        let restart = try await MsvcBinary.run(["restart", "api"], cwd: dir.path)
        #expect(restart.status == 0)
        let unknown = try await MsvcBinary.run(["stop", "nope"], cwd: dir.path)
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("unknown service \"nope\""))

        let down = try await MsvcBinary.run(["down"], cwd: dir.path)
        #expect(down.status == 0, "\(down.stderr)")
        #expect(down.stderr.contains("stopped 2 services"))
        let after = try await MsvcBinary.run(["ps"], cwd: dir.path)
        #expect(after.status == 1)
        #expect(after.stderr.contains("no stack is running"))
    }

    @Test func upWait_failsNamingTheServiceAndWhy() async throws {
        let dir = try TemporaryDirectory()
        defer { downQuietly(dir) }
        try dir.write("msvc.yaml", """
            services:
              ok: { command: sleep 1000 }
              bad:
                command: sh -c 'echo cannot open config >&2; exit 2'
                max_restarts: 1
                backoff: { initial: 50ms }
            """)
        let up = try await MsvcBinary.run(["up", "--wait", "--timeout", "20s"], cwd: dir.path)
        #expect(up.status == 1)
        #expect(up.stderr.contains("error: bad failed: exited with code 2 after 1 restart; left stopped; last output: cannot open config"), "\(up.stderr)")
    }

    @Test func upWait_timesOutNamingWhatIsNotReady() async throws {
        let dir = try TemporaryDirectory()
        defer { downQuietly(dir) }
        try dir.write("msvc.yaml", """
            services:
              slow: { command: sleep 1000, port: auto, health: { tcp: true, interval: 100ms } }
            """)
        let up = try await MsvcBinary.run(["up", "--wait", "--timeout", "1s"], cwd: dir.path)
        #expect(up.status == 1)
        #expect(up.stderr.contains("not ready after 1s: slow unhealthy: tcp"), "\(up.stderr)")
    }

    @Test func takenPort_isReportedBeforeStartWithItsHolder() async throws {
        let dir = try TemporaryDirectory()
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = ["python3", "-c", "import socket,time; s=socket.socket(); s.bind(('127.0.0.1',0)); s.listen(); print(s.getsockname()[1], flush=True); time.sleep(60)"]
        let out = Pipe()
        holder.standardOutput = out
        try holder.run()
        // SIGKILL: a child of Foundation's Process inherits the signal mask of the thread that
        // started it, and SIGTERM may be blocked there.
        defer { kill(holder.processIdentifier, SIGKILL); holder.waitUntilExit() }
        let port = Int(String(decoding: out.fileHandleForReading.availableData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))!
        try dir.write("msvc.yaml", "services:\n  api: { command: sleep 1000, port: \(port) }\n")
        let up = try await MsvcBinary.run(["up", "--no-tui"], cwd: dir.path, timeout: 20)
        #expect(up.status == 1)
        #expect(up.stderr.contains("error: port \(port) for api is already in use by pid \(holder.processIdentifier) ("), "\(up.stderr)")
        #expect(up.stderr.contains("python3 -c import socket"), "the holder's command line is shown")
        #expect(up.stderr.contains("; stop it or change the port"))
    }

    @Test func upDetached_worksWhenMsvcIsFoundThroughPATH() async throws {
        let dir = try TemporaryDirectory()
        defer { downQuietly(dir) }
        try dir.write("msvc.yaml", "services:\n  a: { command: sleep 1000 }\n")
        let bin = (MsvcBinary.path as NSString).deletingLastPathComponent
        let path = bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        // As an installed user runs it: a bare `msvc`, so argv[0] is not a path.
        let up = try await Shell.run("msvc", ["up", "-d"], cwd: dir.path, environment: ["PATH": path])
        #expect(up.status == 0, "\(up.stderr)")
        #expect(try await MsvcBinary.run(["ps"], cwd: dir.path).status == 0)
    }

    @Test func logs_nameEveryReplicaOfAReplicatedServiceAsPsDoes() async throws {
        let dir = try TemporaryDirectory()
        defer { downQuietly(dir) }
        try dir.write("msvc.yaml", """
            name: reps
            services:
              one: { command: 'echo "hi from $MSVC_REPLICA"; exec sleep 1000', shell: true, replicas: 2 }
              solo: { command: 'echo alone; exec sleep 1000', shell: true }
            """)
        let up = try await MsvcBinary.run(["up", "-d", "--wait", "--timeout", "20s"], cwd: dir.path)
        #expect(up.status == 0, "\(up.stderr)")
        var text = ""
        #expect(await eventually(30) {
            text = (try? await MsvcBinary.run(["logs"], cwd: dir.path).stdout) ?? ""
            return text.contains("hi from 1") && text.contains("hi from 2") && text.contains("alone")
        }, "\(text)")
        let lines = text.split(separator: "\n").filter { $0.contains(" | ") }
        #expect(lines.contains { $0.hasPrefix("one.1 | hi from 1") }, "\(text)")
        #expect(lines.contains { $0.hasPrefix("one.2 | hi from 2") }, "\(text)")
        #expect(lines.contains { $0.hasPrefix("solo  | alone") }, "\(text)")
        let ps = try await MsvcBinary.run(["ps"], cwd: dir.path).stdout
        #expect(ps.contains("one.1") && ps.contains("one.2"), "\(ps)")
    }

    @Test func missingProgram_exits69() async throws {
        let dir = try TemporaryDirectory()
        try dir.write("msvc.yaml", "services:\n  api: { command: definitely-not-installed-xyz }\n")
        let up = try await MsvcBinary.run(["up", "--no-tui"], cwd: dir.path, timeout: 20)
        #expect(up.status == 69)
        #expect(up.stderr.contains("api: program \"definitely-not-installed-xyz\" not found in PATH"))
    }
}
