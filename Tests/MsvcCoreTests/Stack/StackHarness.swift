import Foundation
import MsvcCore
import MsvcTestSupport
import Testing

/// A stack written to a temporary folder and run in-process, with its own state folder.
final class StackHarness: @unchecked Sendable {
    // Immutable after init; the supervisor is an actor and the folder is removed once.
    let dir: TemporaryDirectory
    let supervisor: StackSupervisor
    let loaded: LoadedStack
    private let runTask: Task<Void, Never>

    init(_ yaml: String, files: [String: String] = [:], services: [String] = []) async throws {
        dir = try TemporaryDirectory(prefix: "msvc-stack")
        for (path, content) in files { try dir.write(path, content) }
        try dir.write("msvc.yaml", yaml)
        loaded = try ConfigLoader.load(path: dir.path + "/msvc.yaml")
        var options = SupervisorOptions(stateDirectory: StateDirectory.beside(configDirectory: dir.path))
        options.services = services
        supervisor = StackSupervisor(loaded, options: options)
        try await supervisor.prepare()
        let s = supervisor
        runTask = Task { await s.run() }
    }

    /// Stops the stack and waits for `run()` to end.
    func stop() async {
        await supervisor.stopAll()
        await runTask.value
    }

    func snapshot() async -> StackSnapshot { try! await supervisor.snapshot() }

    func replica(_ service: String, _ index: Int = 1) async -> ReplicaSnapshot? {
        await snapshot().services.first { $0.name == service }?.replicas.first { $0.replica == index }
    }

    /// Polls until `condition` holds for the snapshot, or fails after `seconds`.
    @discardableResult
    func waitFor(_ what: String, _ seconds: Double = 60, _ condition: (StackSnapshot) -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition(await snapshot()) { return true }
            try? await Task.sleep(for: .milliseconds(25))
        }
        let ok = condition(await snapshot())
        if !ok {
            let states = await snapshot().services.flatMap(\.replicas).map { "\($0.service).\($0.replica)=\($0.state.rawValue)/\($0.health.rawValue) \($0.message ?? "")" }
            Issue.record("timed out waiting for \(what): \(states)")
        }
        return ok
    }

    func notes(_ service: String) -> [LogRecord] {
        ((try? supervisor.hub.query(LogQuery(services: [service]))) ?? []).filter { $0.stream == .system }
    }

    func lines(_ service: String) -> [LogRecord] {
        ((try? supervisor.hub.query(LogQuery(services: [service]))) ?? []).filter { $0.stream != .system }
    }
}


/// A tiny HTTP server for test services: answers GET paths from a table, replica-aware.
let httpServerScript = """
    import http.server, os, sys, signal
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    replica = os.environ.get("MSVC_REPLICA", "1")
    class H(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/healthz":
                code = 503 if os.path.exists("unready." + replica) else 200
            elif self.path == "/livez":
                code = 500 if os.path.exists("dead." + replica) else 200
            else:
                code = 200
            body = ("replica " + replica).encode()
            self.send_response(code)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        def log_message(self, *a):
            pass
    print("listening on", os.environ["PORT"], flush=True)
    http.server.HTTPServer(("127.0.0.1", int(os.environ["PORT"])), H).serve_forever()
    """
