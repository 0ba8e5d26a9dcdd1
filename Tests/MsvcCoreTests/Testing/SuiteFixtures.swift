import Foundation
import MsvcCore
import MsvcTestSupport

/// A small stateful HTTP service for suite tests: it keeps values in
/// `$MSVC_STATE_DIR/values.json`, so two copies that shared a folder would see each other's.
let kvServiceScript = """
    import http.server, json, os, sys, signal, time
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    path = os.path.join(os.environ["MSVC_STATE_DIR"], "values.json")
    def load():
        try:
            with open(path) as f: return json.load(f)
        except FileNotFoundError:
            return {}
    class H(http.server.BaseHTTPRequestHandler):
        def reply(self, code, obj):
            body = json.dumps(obj).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        def do_GET(self):
            if self.path == "/healthz": return self.reply(200, {"ok": True})
            if self.path == "/values": return self.reply(200, load())
            if self.path == "/slow":
                time.sleep(60)
            self.reply(404, {"error": "no route " + self.path})
        def do_PUT(self):
            key = self.path.strip("/")
            n = int(self.headers.get("Content-Length") or 0)
            values = load()
            values[key] = json.loads(self.rfile.read(n))
            with open(path, "w") as f: json.dump(values, f)
            print("stored", key, flush=True)
            self.reply(201, {"key": key, "stored": values[key], "count": len(values)})
        def log_message(self, *a): pass
    print("kv listening on", os.environ["PORT"], "state", os.environ["MSVC_STATE_DIR"], flush=True)
    http.server.HTTPServer(("127.0.0.1", int(os.environ["PORT"])), H).serve_forever()
    """

/// Processes whose environment holds `token` (`MSVC_TEST_TOKEN=...`), found through /proc.
func processes(withToken token: String) -> [Int32] {
    let needle = Array("MSVC_TEST_TOKEN=\(token)".utf8)
    var found: [Int32] = []
    for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
        guard let pid = Int32(entry), pid != getpid(),
              let data = FileManager.default.contents(atPath: "/proc/\(entry)/environ") else { continue }
        let bytes = [UInt8](data)
        for variable in bytes.split(separator: 0) where Array(variable) == needle { found.append(pid) }
    }
    return found
}

/// A stack in a temporary folder, its suites planned and ready to run in-process.
struct SuiteFixture {
    let dir: TemporaryDirectory
    let loaded: LoadedStack
    let token = UUID().uuidString

    init(_ yaml: String, files: [String: String] = [:]) throws {
        dir = try TemporaryDirectory(prefix: "msvc-suites")
        try dir.write("kv.py", kvServiceScript)
        try dir.write("idle.py", "import signal, time\nsignal.signal(signal.SIGTERM, lambda *a: exit(0))\nprint('idle up', flush=True)\ntime.sleep(3600)\n")
        for (path, text) in files { try dir.write(path, text) }
        try dir.write("msvc.yaml", yaml)
        loaded = try ConfigLoader.load(path: dir.path + "/msvc.yaml")
    }

    var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["MSVC_TEST_TOKEN"] = token
        return env
    }

    func plans(_ selection: SuiteSelection = SuiteSelection(), timeout: Duration = .seconds(60)) throws -> [SuitePlan] {
        try SuitePlanner(loaded: loaded, defaultTimeout: timeout, environment: environment).plan(selection)
    }

    /// A runner on isolated copies, with its command runner (shut it down after).
    func runner(parallel: Int = 1, progress: @escaping @Sendable (SuiteProgress) -> Void = { _ in }) throws -> (SuiteRunner, CommandRunner) {
        var options = SuiteRunOptions(source: .isolated(RuntimeSuiteLauncher()), environment: environment)
        options.parallel = parallel
        options.progress = progress
        let commands = try CommandRunner()
        return (SuiteRunner(loaded: loaded, options: options, commands: commands), commands)
    }
}
