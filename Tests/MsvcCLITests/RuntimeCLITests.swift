import Foundation
import Glibc
import MsvcCore
import MsvcTestSupport
import Testing

/// The running stack through the real binary: reconcile, rolling restarts, the balancer,
/// the instance lock, `--wait` failing fast, and churn.
@Suite(.serialized) struct RuntimeCLITests {
    static let server = """
        import http.server, os, sys, signal
        signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = ("pid " + str(os.getpid()) + " " + os.environ.get("COLOUR", "")).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, *a):
                pass
        http.server.HTTPServer(("127.0.0.1", int(os.environ["PORT"])), H).serve_forever()
        """

    static func stack(_ dir: TemporaryDirectory, _ yaml: String) throws {
        try dir.write("server.py", server)
        try dir.write("msvc.yaml", yaml)
    }

    static func ps(_ dir: TemporaryDirectory) async throws -> StackSnapshot {
        let out = try await MsvcBinary.run(["ps", "--json"], cwd: dir.path)
        return try #require(Wire.snapshot(try JSON.parse(out.stdout)), "ps: \(out.stderr)")
    }

    @Test func upOnARunningStack_appliesTheFile_andSaysWhatItDid() async throws {
        let dir = try TemporaryDirectory()
        defer { downQuietly(dir) }
        try Self.stack(dir, """
            services:
              api: { command: python3 server.py, port: auto, health: { http: /, interval: 100ms } }
              legacy: { command: sleep 1000 }
            """)
        #expect(try await MsvcBinary.run(["up", "--wait", "--timeout", "30s"], cwd: dir.path).status == 0)
        let apiPID = try await Self.ps(dir).replica("api")?.pid
        try dir.write("msvc.yaml", """
            services:
              api: { command: python3 server.py, port: auto, health: { http: /, interval: 100ms } }
              catalog: { command: python3 server.py, port: auto, env: { COLOUR: red }, health: { http: /, interval: 100ms } }
            """)
        let up = try await MsvcBinary.run(["up", "--wait", "--timeout", "30s"], cwd: dir.path)
        #expect(up.status == 0, "\(up.stderr)")
        #expect(up.stderr.contains("stopped legacy; started catalog"), "\(up.stderr)")
        #expect(up.stderr.contains("all services are ready"))
        let s = try await Self.ps(dir)
        #expect(s.services.map(\.name) == ["api", "catalog"])
        #expect(s.replica("api")?.pid == apiPID)
        let again = try await MsvcBinary.run(["up", "-d"], cwd: dir.path)
        #expect(again.stderr.contains("nothing to change"), "\(again.stderr)")
    }

    @Test func restartOfATwoReplicaService_under500Requests_failsNone() async throws {
        let dir = try TemporaryDirectory()
        defer { downQuietly(dir) }
        try Self.stack(dir, """
            services:
              api:
                command: python3 server.py
                port: auto
                replicas: 2
                health: { http: /, interval: 100ms }
            """)
        #expect(try await MsvcBinary.run(["up", "--wait", "--timeout", "30s"], cwd: dir.path).status == 0)
        let port = try #require(try await Self.ps(dir).services.first?.port)
        let before = Set(try await Self.ps(dir).services[0].replicas.compactMap(\.pid))
        let load = Task { () -> (ok: Int, failed: [String]) in
            var ok = 0
            var failed: [String] = []
            let client = HTTPClient()
            while ok + failed.count < 500 || !Task.isCancelled {
                if Task.isCancelled && ok + failed.count >= 500 { break }
                do {
                    let r = try await client.send(HTTPRequest(port: port, target: "/", headers: [("Connection", "close")]), timeout: .seconds(5))
                    if r.status == 200 { ok += 1 } else { failed.append("status \(r.status)") }
                } catch {
                    failed.append("\(error)")
                }
            }
            return (ok, failed)
        }
        for _ in 0..<2 {
            let restart = try await MsvcBinary.run(["restart", "api"], cwd: dir.path)
            #expect(restart.status == 0, "\(restart.stderr)")
        }
        load.cancel()
        let result = await load.value
        #expect(result.ok >= 500)
        #expect(result.failed.isEmpty, "\(result.failed.count) failed: \(result.failed.prefix(5))")
        let after = Set(try await Self.ps(dir).services[0].replicas.compactMap(\.pid))
        #expect(after.count == 2 && after.isDisjoint(with: before), "replicas were not replaced: \(before) → \(after)")
    }

    @Test func halfClosedHTTP10Request_throughTheBalancer_getsTheWholeReply() async throws {
        let dir = try TemporaryDirectory()
        defer { downQuietly(dir) }
        try Self.stack(dir, "services:\n  api: { command: python3 server.py, port: auto, health: { http: /, interval: 100ms } }\n")
        #expect(try await MsvcBinary.run(["up", "--wait", "--timeout", "30s"], cwd: dir.path).status == 0)
        let s = try await Self.ps(dir)
        let balanced = try #require(s.services[0].port)
        let direct = try #require(s.replica("api")?.ports[""])
        let viaBalancer = await offPool { Self.halfClosedRequest(port: balanced) }
        let straight = await offPool { Self.halfClosedRequest(port: direct) }
        #expect(straight.hasPrefix("HTTP/1.0 200"), "direct: \(straight)")
        #expect(viaBalancer.hasPrefix("HTTP/1.0 200") && viaBalancer.hasSuffix("pid \(s.replica("api")!.pid!) "), "through the balancer: \(viaBalancer.debugDescription)")
    }

    /// Sends `GET / HTTP/1.0`, shuts the write side, reads until the server closes.
    static func halfClosedRequest(port: Int) -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { return "connect failed" }
        var tv = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let request = Array("GET / HTTP/1.0\r\nHost: x\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        shutdown(fd, Int32(SHUT_WR))
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { break }
            reply += buffer[0..<n]
        }
        return String(decoding: reply, as: UTF8.self)
    }

    @Test func twoUpsAtTheSameMoment_runOneStack_andDownLeavesNothing() async throws {
        for attempt in 0..<8 {
            let dir = try TemporaryDirectory()
            defer { downQuietly(dir) }
            try Self.stack(dir, "services:\n  one: { command: sleep 1000 }\n  two: { command: sleep 1001 }\n")
            async let a = MsvcBinary.run(["up", "-d"], cwd: dir.path)
            async let b = MsvcBinary.run(["up", "-d"], cwd: dir.path)
            let (ra, rb) = try await (a, b)
            #expect(ra.status == 0 && rb.status == 0, "attempt \(attempt): \(ra.stderr) / \(rb.stderr)")
            let s = try await Self.ps(dir)
            #expect(s.services.flatMap(\.replicas).count == 2)
            let pids = s.services.flatMap(\.replicas).compactMap(\.pid)
            let supervisors = Self.supervisors(of: dir.path)
            #expect(supervisors.count == 1, "attempt \(attempt): supervisors \(supervisors)")
            #expect(try await MsvcBinary.run(["down"], cwd: dir.path).status == 0)
            #expect(pids.allSatisfy { kill($0, 0) != 0 }, "attempt \(attempt): services left after down")
            #expect(await eventually(5) { Self.supervisors(of: dir.path).isEmpty }, "attempt \(attempt): supervisors left")
        }
    }

    /// Pids of `msvc up --internal-detached` supervisors for the stack in `path`; their
    /// watchdogs (forked children with the same command line) are not counted.
    static func supervisors(of path: String) -> [Int32] {
        var parents: [Int32: Int32] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"),
                  let status = try? String(contentsOfFile: "/proc/\(entry)/status", encoding: .utf8) else { continue }
            let line = String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
            guard line.contains("--internal-detached"), line.contains(path) else { continue }
            let ppid = status.split(separator: "\n").first { $0.hasPrefix("PPid:") }.flatMap { Int32($0.dropFirst(5).trimmingCharacters(in: .whitespaces)) }
            parents[pid] = ppid ?? 0
        }
        return parents.filter { parents[$0.value] == nil }.map(\.key).sorted()
    }

    @Test func upWait_failsFast_withTheReason() async throws {
        let dir = try TemporaryDirectory()
        defer { downQuietly(dir) }
        // A missing program: exit 69 at once, naming it.
        try Self.stack(dir, "services:\n  api: { command: nosuch-program-msvc-test --flag }\n")
        let started = Date()
        let missing = try await MsvcBinary.run(["up", "--wait", "--timeout", "60s"], cwd: dir.path)
        #expect(missing.status == 69, "\(missing.stderr)")
        #expect(missing.stderr.contains("nosuch-program-msvc-test"))

        // A one-shot that fails: its exit and last line of output.
        try Self.stack(dir, """
            services:
              migrate:
                command: [sh, -c, 'echo "migration 7 failed: table exists"; exit 3']
                restart: "no"
            """)
        let oneShot = try await MsvcBinary.run(["up", "--wait", "--timeout", "60s"], cwd: dir.path)
        #expect(oneShot.status == 1)
        #expect(oneShot.stderr.contains("exited with code 3") && oneShot.stderr.contains("migration 7 failed: table exists"), "\(oneShot.stderr)")
        _ = try await MsvcBinary.run(["down"], cwd: dir.path)

        // A service failing the same way again and again: reported as a crash loop, long before the timeout.
        try Self.stack(dir, """
            services:
              api:
                command: [sh, -c, 'echo "cannot bind: address in use" >&2; exit 1']
                backoff: { initial: 100ms }
            """)
        let loop = try await MsvcBinary.run(["up", "--wait", "--timeout", "60s"], cwd: dir.path)
        #expect(loop.status == 1)
        #expect(loop.stderr.contains("crash-looping") && loop.stderr.contains("cannot bind: address in use"), "\(loop.stderr)")
        #expect(Date().timeIntervalSince(started) < 30, "took \(Date().timeIntervalSince(started)) s")
    }

    @Test func unknownProfile_isAUsageErrorWithASuggestion() async throws {
        let dir = try TemporaryDirectory()
        try Self.stack(dir, "services:\n  api: { command: sleep 1000 }\n  loadgen: { command: sleep 1000, profiles: [load] }\n")
        let r = try await MsvcBinary.run(["up", "--profile", "laod", "-d"], cwd: dir.path)
        #expect(r.status == 64)
        #expect(r.stderr.contains("unknown profile \"laod\"; did you mean \"load\"?"), "\(r.stderr)")
        #expect(!InstanceLock.isHeld(StateDirectory.beside(configDirectory: dir.path)))
    }

    @Test func scaleUpAndDownAtOnce_andInCycles_neverKillTheSupervisor() async throws {
        let dir = try TemporaryDirectory()
        defer { downQuietly(dir) }
        try Self.stack(dir, "services:\n  web: { command: python3 server.py, port: auto, health: { http: /, interval: 100ms } }\n")
        #expect(try await MsvcBinary.run(["up", "--wait", "--timeout", "30s"], cwd: dir.path).status == 0)
        for cycle in 0..<6 {
            async let up = MsvcBinary.run(["scale", "web=5"], cwd: dir.path)
            async let down = MsvcBinary.run(["scale", "web=1"], cwd: dir.path)
            let (u, d) = try await (up, down)
            #expect(u.status == 0 && d.status == 0, "cycle \(cycle): \(u.stderr) \(d.stderr)")
            let restart = try await MsvcBinary.run(["restart", "web"], cwd: dir.path)
            #expect(restart.status == 0, "cycle \(cycle): \(restart.stderr)")
        }
        _ = try await MsvcBinary.run(["scale", "web=1"], cwd: dir.path)
        let s = try await Self.ps(dir)
        #expect(s.services[0].replicas.count == 1)
        #expect(await eventually(20) { (try? await Self.ps(dir).replica("web")?.health) == .healthy })
        #expect(Leftovers.servers(in: dir.path) == 1, "processes: \(Leftovers.servers(in: dir.path))")
    }

    @Test func outOfRangeScale_exitsAsAUsageError_eitherWay() async throws {
        let dir = try TemporaryDirectory()
        defer { downQuietly(dir) }
        try Self.stack(dir, "services:\n  web: { command: sleep 1000 }\n")
        #expect(try await MsvcBinary.run(["up", "-d"], cwd: dir.path).status == 0)
        let big = try await MsvcBinary.run(["scale", "web=1000"], cwd: dir.path)
        let negative = try await MsvcBinary.run(["scale", "web=-1"], cwd: dir.path)
        #expect(big.status == 64 && negative.status == 64, "\(big.status) \(big.stderr) / \(negative.status) \(negative.stderr)")
        let unknown = try await MsvcBinary.run(["scale", "wbe=2"], cwd: dir.path)
        #expect(unknown.status == 64 && unknown.stderr.contains("did you mean \"web\"?"), "\(unknown.stderr)")
    }

    @Test func logsWithoutARunningStack_readTheStoredFiles() async throws {
        let dir = try TemporaryDirectory()
        defer { downQuietly(dir) }
        try Self.stack(dir, """
            services:
              api:
                command: [sh, -c, 'for i in 1 2 3; do echo "line $i"; echo "oops $i" >&2; done; sleep 1000']
              api-two:
                command: [sh, -c, 'echo "other service"; sleep 1000']
            """)
        #expect(try await MsvcBinary.run(["up", "-d"], cwd: dir.path).status == 0)
        #expect(await eventually(20) { (try? String(contentsOfFile: dir.path + "/.msvc/logs/api.log", encoding: .utf8))?.contains("oops 3") == true })
        #expect(try await MsvcBinary.run(["down"], cwd: dir.path).status == 0)

        let all = try await MsvcBinary.run(["logs", "api", "--json"], cwd: dir.path)
        #expect(all.status == 0, "\(all.stderr)")
        let texts = try #require(JSON.parse(all.stdout).arrayValue).compactMap { $0["text"]?.stringValue }
        #expect(["line 1", "line 2", "line 3", "oops 1", "oops 2", "oops 3"].allSatisfy(texts.contains), "\(texts)")
        #expect(!texts.contains("other service"), "api's query read api-two's file")
        let streams = try #require(JSON.parse(all.stdout).arrayValue).filter { $0["text"]?.stringValue == "oops 2" }.compactMap { $0["stream"]?.stringValue }
        #expect(streams == ["stderr"])

        let tail = try await MsvcBinary.run(["logs", "api", "-n", "2", "--grep", "^oops"], cwd: dir.path)
        #expect(tail.stdout == "api     ! oops 2\napi     ! oops 3\n", "\(tail.stdout)")
        try await Task.sleep(for: .milliseconds(1100))
        let recent = try await MsvcBinary.run(["logs", "--since", "1s"], cwd: dir.path)
        #expect(recent.status == 0 && recent.stdout.isEmpty, "\(recent.stdout)")
        let follow = try await MsvcBinary.run(["logs", "-f"], cwd: dir.path)
        #expect(follow.status == 1 && follow.stderr.contains("no stack is running"), "\(follow.stderr)")
        let negative = try await MsvcBinary.run(["logs", "-n", "-3"], cwd: dir.path)
        #expect(negative.status == 64, "\(negative.stderr)")
    }

    @Test func autoPorts_areReusedOnTheNextUp_andPortAndURLPrintThem() async throws {
        let dir = try TemporaryDirectory()
        defer { downQuietly(dir) }
        try Self.stack(dir, """
            services:
              api: { command: python3 server.py, port: auto, ports: { admin: auto }, health: { http: /, interval: 100ms } }
            """)
        #expect(try await MsvcBinary.run(["up", "--wait", "--timeout", "30s"], cwd: dir.path).status == 0)
        let port = try await MsvcBinary.run(["port", "api"], cwd: dir.path)
        let admin = try await MsvcBinary.run(["port", "api", "admin"], cwd: dir.path)
        let url = try await MsvcBinary.run(["url", "api"], cwd: dir.path)
        let first = try #require(Int(port.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(url.stdout == "http://127.0.0.1:\(first)\n")
        #expect(try await Self.ps(dir).services[0].port == first)
        #expect(try await MsvcBinary.run(["down"], cwd: dir.path).status == 0)
        #expect(try await MsvcBinary.run(["up", "--wait", "--timeout", "30s"], cwd: dir.path).status == 0)
        #expect(try await MsvcBinary.run(["port", "api"], cwd: dir.path).stdout == port.stdout, "the auto port changed between runs")
        #expect(try await MsvcBinary.run(["port", "api", "admin"], cwd: dir.path).stdout == admin.stdout)
        let typo = try await MsvcBinary.run(["url", "apu"], cwd: dir.path)
        #expect(typo.status == 64 && typo.stderr.contains("did you mean \"api\"?"))
        let json = try JSON.parse(try await MsvcBinary.run(["port", "api", "--json"], cwd: dir.path).stdout)
        #expect(json["port"]?.intValue == first)
        _ = try await MsvcBinary.run(["down"], cwd: dir.path)
        let stopped = try await MsvcBinary.run(["port", "api"], cwd: dir.path)
        #expect(stopped.status == 1 && stopped.stderr.contains("no stack is running"))
    }

    @Test func serviceExitingAtOnce_keepsBeingRestarted_atTheMinimumBackoff() async throws {
        let dir = try TemporaryDirectory()
        defer { downQuietly(dir) }
        try Self.stack(dir, """
            services:
              flap: { command: "true", restart: always, max_restarts: 1000, backoff: { initial: 0ms, max: 0ms } }
            """)
        #expect(try await MsvcBinary.run(["up", "-d"], cwd: dir.path).status == 0)
        try await Task.sleep(for: .seconds(3))
        let restarts = try await Self.ps(dir).replica("flap")?.restarts ?? 0
        // Restarts continue (0ms used to stop after one) but never faster than every 100 ms.
        #expect(restarts >= 8 && restarts <= 32, "restarts in 3 s: \(restarts)")
    }
}

extension Leftovers {
    /// Live `python3 server.py` processes working in `path`.
    static func servers(in path: String) -> Int {
        processes(containing: path).filter { (PortAllocator.commandLine(of: $0) ?? "").contains("server.py") }.count
    }
}
