import Foundation
import MsvcCore
import MsvcTestSupport
import Testing

/// init → new → validate → up --wait → /healthz and /metrics → the service's tests → down,
/// for every built-in template whose toolchain is installed.
@Suite(.serialized) struct ScaffoldEndToEndTests {
    static func has(_ program: String) -> Bool {
        (try? Shell.run("/bin/sh", ["-c", "command -v \(program)"], cwd: "/").status == 0) ?? false
    }

    @Test(.enabled(if: has("python3"))) func pythonHTTP() async throws { try await run("python-http", service: "orders") }
    @Test(.enabled(if: has("node"))) func nodeHTTP() async throws { try await run("node-http", service: "orders") }
    @Test(.enabled(if: has("go"))) func goHTTP() async throws { try await run("go-http", service: "orders") }
    @Test(.enabled(if: has("python3"))) func pythonWorker() async throws { try await run("python-worker", service: "jobs", http: false) }

    /// The slowest test: the first build of Hummingbird takes minutes; the build folder is
    /// shared under the system temp folder so later runs are incremental.
    @Test(.enabled(if: has("swift")), .timeLimit(.minutes(40)))
    func swiftHummingbird() async throws {
        let base = NSTemporaryDirectory() + "msvc-scaffold-e2e-swift-hummingbird"
        try? FileManager.default.removeItem(atPath: base + "/project")
        try FileManager.default.createDirectory(atPath: base + "/build", withIntermediateDirectories: true)
        try await run("swift-hummingbird", service: "orders", project: base + "/project") { folder in
            // Same path every run + a shared .build = an incremental build.
            try FileManager.default.createSymbolicLink(atPath: folder + "/.build", withDestinationPath: base + "/build")
            // At the lowest priority: a cold build takes both cores for minutes, and the rest of
            // the suite runs beside it with timing-sensitive waits.
            let build = try await Shell.run("/bin/sh", ["-c", "nice -n 19 swift build --build-tests 2>&1 | tail -20"], cwd: folder, timeout: 30 * 60)
            #expect(build.status == 0, "\(build.stdout)")
        }
    }

    func run(_ template: String, service: String, http: Bool = true, project: String? = nil,
             prepare: (String) async throws -> Void = { _ in }) async throws {
        let temp = try TemporaryDirectory(prefix: "msvc-scaffold-e2e")
        let dir = project ?? temp.path + "/" + template
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        func msvc(_ args: [String], timeout: Double = 60) async throws -> CommandResult {
            try await MsvcBinary.run(args, cwd: dir, timeout: timeout)
        }
        #expect(try await msvc(["init"]).status == 0)
        let new = try await msvc(["new", service, "-t", template])
        try #require(new.status == 0, "\(new.stdout)\(new.stderr)")
        let validate = try await msvc(["validate"])
        #expect(validate.status == 0, "\(validate.stdout)\(validate.stderr)")
        let folder = dir + "/services/" + service
        try await prepare(folder)
        // Always `down` and check for leftovers, whether the steps pass or not.
        var failure: (any Error)?
        do {
            let up = try await msvc(["up", "-d", "--wait", "--timeout", "10m"], timeout: 11 * 60)
            try #require(up.status == 0, "\(up.stdout)\(up.stderr)")
            let ps = try await msvc(["ps", "--json"])
            let doc = try JSONSerialization.jsonObject(with: Data(ps.stdout.utf8)) as? [String: Any]
            let entry = (doc?["services"] as? [[String: Any]] ?? []).first { $0["name"] as? String == service }
            let replica = (entry?["replicas"] as? [[String: Any]])?.first
            #expect(replica?["health"] as? String == "healthy", "\(ps.stdout)")
            #expect(replica?["restarts"] as? Int == 0, "restarted while starting: \(ps.stdout)")
            if http {
                let port = try #require(entry?["port"] as? Int, "\(ps.stdout)")
                let client = HTTPClient()
                let health = try await client.send(HTTPRequest(port: port, target: "/healthz", headers: [("X-Request-ID", "e2e-1")]), timeout: .seconds(10))
                #expect(health.status == 200)
                #expect(health.header("X-Request-ID") == "e2e-1")
                let metrics = try await client.send(HTTPRequest(port: port, target: "/metrics"), timeout: .seconds(10))
                #expect(metrics.status == 200)
                #expect(prometheusProblems(metrics.text).isEmpty, "\(prometheusProblems(metrics.text))\n\(metrics.text)")
            }
            let loaded = try ConfigLoader.load(path: dir + "/msvc.yaml")
            let test = try #require(loaded.config.services[service]?.test)
            let tests = try await Shell.run("/usr/bin/nice", ["-n", "19", "/bin/sh", "-c", test + " 2>&1"], cwd: folder, timeout: 30 * 60)
            #expect(tests.status == 0, "\(test):\n\(tests.stdout)")
        } catch {
            failure = error
        }
        let down = try? await msvc(["down"])
        #expect(down?.status == 0, "\(down?.stderr ?? "")")
        let clean = await eventually(15, interval: 0.1) { processes(under: dir).isEmpty }
        #expect(clean, "left running: \(processes(under: dir))")
        if let failure { throw failure }
    }
}

/// Lines of a Prometheus text exposition that do not parse (empty when it is well formed).
func prometheusProblems(_ text: String) -> [String] {
    var problems: [String] = []
    var samples = 0
    for line in text.split(separator: "\n") {
        if line.hasPrefix("# HELP ") || line.hasPrefix("# TYPE ") { continue }
        if line.wholeMatch(of: /[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="[^"]*",?)*\})? -?[0-9.eE+-]+( [0-9]+)?/) != nil {
            samples += 1
        } else {
            problems.append(String(line))
        }
    }
    if samples == 0 { problems.append("no samples") }
    return problems
}

/// Processes whose working folder is inside `dir` (found by scanning /proc).
func processes(under dir: String) -> [String] {
    let real = URL(fileURLWithPath: dir).resolvingSymlinksInPath().path
    var out: [String] = []
    for pid in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] where Int(pid) != nil {
        guard let cwd = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/cwd"),
              cwd == real || cwd.hasPrefix(real + "/") else { continue }
        let cmd = (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8))?.replacingOccurrences(of: "\0", with: " ") ?? ""
        out.append("\(pid) \(cmd)")
    }
    return out
}
