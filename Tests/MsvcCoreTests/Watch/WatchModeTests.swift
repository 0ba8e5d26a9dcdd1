import Foundation
import MsvcCore
import MsvcTestSupport
import Testing

/// Watch mode with real processes and real file edits.
@Suite(.serialized) struct WatchModeTests {
    static let versioned = """
        import http.server, os, signal, sys
        signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
        VERSION = "v1"
        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                b = VERSION.encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(b)))
                self.end_headers()
                self.wfile.write(b)
            def log_message(self, *a):
                pass
        http.server.ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), H).serve_forever()
        """

    /// Starts `yaml` in-process and waits until ready.
    static func running(_ f: RuntimeFixture) async throws -> (StackRuntime, Task<Void, Never>) {
        let rt = try f.runtime()
        try await rt.start()
        let task = Task { await rt.run() }
        #expect(await rt.waitUntilReady(timeout: .seconds(30)) == .ready)
        return (rt, task)
    }

    static func starts(_ rt: StackRuntime, _ service: String) -> Int {
        ((try? rt.hub.query(LogQuery(services: [service]))) ?? []).filter { $0.stream == .system && $0.text.hasPrefix("started: pid") }.count
    }

    @Test func aChange_restartsThatServiceOnly_andABurstGivesOneRestart() async throws {
        let f = try RuntimeFixture("""
            services:
              api: { command: sleep 1000, cwd: api, watch: true }
              other: { command: sleep 1001, cwd: other, watch: true }
              plain: { command: sleep 1002, cwd: api }
            """)
        try f.dir.write("api/main.py", "1")
        try f.dir.write("other/main.py", "1")
        let (rt, task) = try await Self.running(f)
        defer { task.cancel() }
        let before = try await rt.supervisor.snapshot()
        // 50 writes within 200 ms (the default debounce is 300 ms), through one open file on a
        // thread of their own so a busy test run cannot spread them out.
        let path = f.dir.path
        let gaps = try await offPool { () throws -> (total: Double, widest: Double) in
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path + "/api/main.py"))
            defer { try? handle.close() }
            let start = Date()
            var last = start, widest = 0.0
            for i in 0..<50 {
                try handle.seek(toOffset: 0)
                try handle.write(contentsOf: Data("\(i)\n".utf8))
                widest = max(widest, Date().timeIntervalSince(last))
                last = Date()
            }
            return (Date().timeIntervalSince(start), widest)
        }
        // The burst only tests the debounce if no pause in it was as long as the debounce.
        #expect(gaps.widest < 0.25, "the writes were spread out: \(gaps)")
        #expect(await rt.waitFor { $0.replica("api")?.pid != nil && $0.replica("api")?.pid != before.replica("api")?.pid })
        #expect(await rt.waitFor { $0.services.first { $0.name == "api" }?.watch?.state == .watching })
        try await Task.sleep(for: .milliseconds(500))
        let after = try await rt.supervisor.snapshot()
        #expect(Self.starts(rt, "api") == 2, "api started \(Self.starts(rt, "api")) times")
        #expect(after.replica("other")?.pid == before.replica("other")?.pid)
        #expect(after.replica("plain")?.pid == before.replica("plain")?.pid, "an unwatched service in the same folder restarted")
        #expect(after.services.first { $0.name == "api" }?.watch?.state == .watching)
        task.cancel()
        await task.value
    }

    @Test func ignoredPaths_causeNoRestart_andANewFolderIsWatched() async throws {
        let f = try RuntimeFixture("""
            services:
              api: { command: sleep 1003, cwd: api, watch: { debounce: 50ms, ignore: ["*.tmp", "cache/"] } }
            """)
        try f.dir.write(".gitignore", "*.pyc\ngenerated/\n")
        try f.dir.write("api/main.py", "1")
        let (rt, task) = try await Self.running(f)
        defer { task.cancel() }
        for path in ["api/x.tmp", "api/cache/a", "api/node_modules/m.js", "api/__pycache__/a.pyc", "api/b.pyc", "api/generated/x",
                     "api/.git/HEAD"] {
            try f.dir.write(path, "x")
        }
        try await Task.sleep(for: .milliseconds(800))
        #expect(Self.starts(rt, "api") == 1, "an ignored path restarted api: \((try? rt.hub.query(LogQuery(services: ["api"])).map(\.text)) ?? [])")

        // A folder created after start is watched: a file written in it restarts the service.
        try FileManager.default.createDirectory(atPath: f.dir.path + "/api/newdir/deeper", withIntermediateDirectories: true)
        try await Task.sleep(for: .milliseconds(300))
        let pid = await rt.pid("api")
        try f.dir.write("api/newdir/deeper/code.py", "x")
        #expect(await rt.waitFor { $0.replica("api")?.pid != nil && $0.replica("api")?.pid != pid })
        task.cancel()
        await task.value
    }

    @Test func aFileCreatedAndGoneWithinTheDebounce_changesNothing_scratchFilesNeverCount() async throws {
        let f = try RuntimeFixture("""
            services:
              api: { command: sleep 1004, cwd: api, watch: { debounce: 400ms } }
            """)
        try f.dir.write("api/main.py", "1")
        let (rt, task) = try await Self.running(f)
        defer { task.cancel() }
        let scratch = f.dir.path + "/api/scratch.bin"
        #expect(FileManager.default.createFile(atPath: scratch, contents: Data("x".utf8)))
        try FileManager.default.removeItem(atPath: scratch)
        // An editor's swap file lives as long as the editing does, far beyond any debounce.
        #expect(FileManager.default.createFile(atPath: f.dir.path + "/api/.main.py.swp", contents: Data("x".utf8)))
        try await Task.sleep(for: .milliseconds(1200))
        #expect(Self.starts(rt, "api") == 1, "a transient file restarted api: \((try? rt.hub.query(LogQuery(services: ["api"])).map(\.text)) ?? [])")
        // A real edit still restarts it.
        let pid = await rt.pid("api")
        try f.dir.write("api/main.py", "2")
        #expect(await rt.waitFor { $0.replica("api")?.pid != nil && $0.replica("api")?.pid != pid })
        task.cancel()
        await task.value
    }

    @Test func failedBuild_keepsTheOldVersionServing_andShowsTheError() async throws {
        let f = try RuntimeFixture("""
            services:
              web:
                command: python3 server.py
                cwd: web
                port: auto
                health: { http: /, interval: 100ms }
                build: python3 -m py_compile server.py
                watch: { action: build, debounce: 50ms }
            """)
        try f.dir.write("web/server.py", Self.versioned)
        let (rt, task) = try await Self.running(f)
        defer { task.cancel() }
        let port = try #require(try await rt.supervisor.snapshot().services[0].port)
        let pid = await rt.pid("web")
        try f.dir.write("web/server.py", Self.versioned + "\nthis is not python(\n")
        #expect(await rt.waitFor { $0.services[0].watch?.state == .buildFailed })
        let s = try await rt.supervisor.snapshot()
        #expect(s.replica("web")?.pid == pid)
        #expect(s.services[0].watch?.lastBuild == .exited(1))
        #expect(s.services[0].watch?.buildLines.contains { $0.contains("SyntaxError") } == true, "\(s.services[0].watch?.buildLines ?? [])")
        let notes = try rt.hub.query(LogQuery(services: ["web"])).map(\.text)
        #expect(notes.contains { $0.hasPrefix("watch: build failed") && $0.contains("still serving the previous version") })
        let reply = try await HTTPClient().send(HTTPRequest(port: port), timeout: .seconds(5))
        #expect(reply.text == "v1")

        // Fixed: the new version builds and takes over.
        try f.dir.write("web/server.py", Self.versioned.replacingOccurrences(of: "\"v1\"", with: "\"v2\""))
        #expect(await eventually(20) { (try? await HTTPClient().send(HTTPRequest(port: port), timeout: .seconds(2)).text) == "v2" })
        #expect(await rt.waitFor { $0.services[0].watch?.state == .watching })
        task.cancel()
        await task.value
    }

    @Test func aChangeToATwoReplicaService_under200RequestsASecond_failsNone() async throws {
        let f = try RuntimeFixture("""
            services:
              web:
                command: python3 server.py
                cwd: web
                port: auto
                replicas: 2
                health: { http: /, interval: 100ms }
                watch: { debounce: 50ms }
            """)
        try f.dir.write("web/server.py", Self.versioned)
        let (rt, task) = try await Self.running(f)
        defer { task.cancel() }
        let port = try #require(try await rt.supervisor.snapshot().services[0].port)
        let load = Task { () -> (ok: Int, failed: [String], v2: Int) in
            var ok = 0, v2 = 0
            var failed: [String] = []
            let client = HTTPClient()
            let start = ContinuousClock.now
            for i in 0..<800 {
                try? await Task.sleep(until: start + .milliseconds(5 * i))
                do {
                    let r = try await client.send(HTTPRequest(port: port, headers: [("Connection", "close")]), timeout: .seconds(5))
                    if r.status == 200 { ok += 1; if r.text == "v2" { v2 += 1 } } else { failed.append("status \(r.status)") }
                } catch {
                    failed.append("\(error)")
                }
            }
            return (ok, failed, v2)
        }
        try await Task.sleep(for: .seconds(1))
        try f.dir.write("web/server.py", Self.versioned.replacingOccurrences(of: "\"v1\"", with: "\"v2\""))
        let result = await load.value
        #expect(result.failed.isEmpty, "\(result.failed.count) failed: \(result.failed.prefix(3))")
        #expect(result.v2 > 0, "the new version never answered")
        task.cancel()
        await task.value
    }

    @Test func cascade_restartsTheListedDependentsOnly() async throws {
        let f = try RuntimeFixture("""
            services:
              lib: { command: sleep 1004, cwd: lib, watch: { debounce: 50ms, cascade: [listed] } }
              listed: { command: sleep 1005, depends_on: [lib] }
              unlisted: { command: sleep 1006, depends_on: [lib] }
            """)
        try f.dir.write("lib/x.py", "1")
        let (rt, task) = try await Self.running(f)
        defer { task.cancel() }
        let before = try await rt.supervisor.snapshot()
        try f.dir.write("lib/x.py", "2")
        #expect(await rt.waitFor { s in
            s.replica("lib")?.pid != before.replica("lib")?.pid && s.replica("listed")?.pid != before.replica("listed")?.pid
                && s.replica("lib")?.pid != nil && s.replica("listed")?.pid != nil
        })
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await rt.supervisor.snapshot().replica("unlisted")?.pid == before.replica("unlisted")?.pid)
        task.cancel()
        await task.value
    }
}
