import Foundation
import MsvcCore
import MsvcTestSupport

/// A small project for `msvc test`: a stateful, eventually consistent store on a fixed port,
/// a front service that forwards to it, unit tests that pass and fail, and suites of every kind.
struct TestProject {
    let dir: TemporaryDirectory
    let token = UUID().uuidString

    /// The store keeps values in `$MSVC_STATE_DIR` and shows a new one only 2 s after it
    /// was written, so a read-back needs retries.
    static let store = """
        import http.server, json, os, sys, signal, time
        signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
        path = os.path.join(os.environ["MSVC_STATE_DIR"], "store.json")
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
                items = load()
                key = self.path.rsplit("/", 1)[-1]
                if self.path == "/items": return self.reply(200, {"count": len(items)})
                item = items.get(key)
                if item is None or time.time() < item["visible_at"]:
                    print("read", key, "not visible yet", flush=True)
                    return self.reply(404, {"error": "no item " + key})
                self.reply(200, {"id": key, "name": item["name"], "qty": item["qty"]})
            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(n) or b"{}")
                items = load()
                key = "item-%d" % (len(items) + 1)
                items[key] = {"name": body.get("name"), "qty": body.get("qty", 1), "visible_at": time.time() + 2.0}
                with open(path, "w") as f: json.dump(items, f)
                print("stored", key, flush=True)
                self.reply(201, {"id": key, "status": "pending", "qty": body.get("qty", 1)})
            def log_message(self, *a): pass
        print("store listening", flush=True)
        http.server.HTTPServer(("127.0.0.1", int(os.environ["PORT"])), H).serve_forever()
        """

    /// Forwards every request to the store (STORE_URL from discovery).
    static let front = """
        import http.server, os, sys, signal, urllib.request, urllib.error
        signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
        store = os.environ["STORE_URL"]
        class H(http.server.BaseHTTPRequestHandler):
            def forward(self):
                if self.path == "/healthz":
                    self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers(); return
                n = int(self.headers.get("Content-Length") or 0)
                req = urllib.request.Request(store + self.path, data=self.rfile.read(n) if n else None, method=self.command,
                                             headers={"Content-Type": "application/json"})
                try:
                    with urllib.request.urlopen(req, timeout=5) as r: code, body = r.status, r.read()
                except urllib.error.HTTPError as e:
                    code, body = e.code, e.read()
                print("front", self.command, self.path, code, flush=True)
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            do_GET = do_POST = forward
            def log_message(self, *a): pass
        http.server.HTTPServer(("127.0.0.1", int(os.environ["PORT"])), H).serve_forever()
        """

    static let checkout = """
        name: checkout
        steps:
          - name: place an order through the front
            request:
              method: POST
              url: ${FRONT_URL}/items
              headers: { Content-Type: application/json }
              json: { name: widget, qty: 2 }
            expect:
              status: 201
              json: { id: { $match: "item-[0-9]+" }, status: pending, qty: { $type: integer } }
            capture: { item: $.id, qty: $.qty }
          - name: read it back
            request: { url: "${FRONT_URL}/items/${item}" }
            expect: { status: 200, json: { id: "${item}", name: widget, qty: "${qty}" } }
            retry: { attempts: 100, interval: 100ms }
          - name: the store has it
            run: python3 tests/check_store.py 1
        """

    static let broken = """
        name: broken
        steps:
          - name: place an order
            request: { method: POST, url: "${FRONT_URL}/items", json: { name: gadget } }
            capture: { item: $.id }
          - name: read it back at once
            request: { url: "${FRONT_URL}/items/${item}" }
            expect: { status: 200, json: { name: gizmo } }
            retry: { attempts: 2, interval: 50ms }
          - name: never reached
            request: { url: "${FRONT_URL}/items" }
        """

    init(fixedPort: Int, extraSuites: String = "") throws {
        dir = try TemporaryDirectory(prefix: "msvc-test-cli")
        try dir.write("store.py", Self.store)
        try dir.write("front.py", Self.front)
        try dir.write("tests/e2e/checkout.yaml", Self.checkout)
        try dir.write("tests/e2e/broken.yaml", Self.broken)
        try dir.write("tests/check_store.py", """
            import json, os, sys, urllib.request
            print("MSVC_SUITE=" + os.environ["MSVC_SUITE"], "state", "fresh" if not os.listdir(os.environ["MSVC_STATE_DIR"]) else "used")
            body = json.load(urllib.request.urlopen(os.environ["STORE_URL"] + "/items"))
            print("store answered", body)
            sys.exit(0 if body == {"count": int(sys.argv[1])} else 1)
            """)
        try dir.write("store/tests.sh", "echo store unit tests ok\n")
        try dir.write("front/tests.sh", "echo 'front: test_forward FAILED: expected 200, got 502' >&2\nexit 1\n")
        try dir.write("msvc.yaml", """
            name: shopette
            services:
              store:
                command: python3 store.py
                port: \(fixedPort)
                health: { http: /healthz, interval: 100ms }
                test: sh store/tests.sh
              front:
                command: python3 front.py
                port: auto
                depends_on: { store: healthy }
                health: { http: /healthz, interval: 100ms }
                test: sh front/tests.sh
            tests:
              integration:
                - name: store-empty
                  needs: [store]
                  run: python3 tests/check_store.py 0
                - name: store-full
                  needs: [store]
                  run: python3 tests/check_store.py 5
              e2e:
                - name: checkout
                  scenario: tests/e2e/checkout.yaml
                - name: broken
                  scenario: tests/e2e/broken.yaml
            \(extraSuites)
            """)
    }

    var environment: [String: String] { ["MSVC_TEST_TOKEN": token] }

    /// Runs msvc with the token in its environment, so every process it starts can be found.
    func msvc(_ args: [String], timeout: Double = 120) async throws -> CommandResult {
        try await MsvcBinary.run(args, cwd: dir.path, environment: environment, timeout: timeout)
    }

    /// Processes started by this project's msvc runs that are still alive.
    func leftovers() -> [String] {
        let needle = Array("MSVC_TEST_TOKEN=\(token)".utf8)
        var found: [String] = []
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), let data = FileManager.default.contents(atPath: "/proc/\(entry)/environ") else { continue }
            // A zombie has no environment left; only live processes count.
            if [UInt8](data).split(separator: 0).contains(where: { Array($0) == needle }) {
                found.append("\(pid) \(PortAllocator.commandLine(of: pid) ?? "?")")
            }
        }
        return found
    }
}

/// A running msvc whose output goes to files, for tests that signal it mid-run.
final class LiveMsvc: @unchecked Sendable {
    // Process is not Sendable; after run() it is only read (isRunning, terminationStatus, pid).
    let process: Process
    let outPath: String
    let errPath: String

    init(_ args: [String], cwd: String, environment: [String: String]) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: MsvcBinary.path)
        process.arguments = args
        process.currentDirectoryURL = URL(fileURLWithPath: cwd)
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        for (k, v) in environment { env[k] = v }
        process.environment = env
        outPath = cwd + "/.live-stdout"
        errPath = cwd + "/.live-stderr"
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: outPath)
        process.standardError = FileHandle(forWritingAtPath: errPath)
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    var stdout: String { (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "" }

    /// Waits for the exit off the cooperative pool; nil when it runs past `seconds`.
    func wait(_ seconds: Double) async -> Int32? {
        let process = self.process
        let exited = await offPool { waitUntil(seconds, interval: 0.05) { !process.isRunning } }
        return exited ? process.terminationStatus : nil
    }
}
