import Foundation
import MsvcCore
import MsvcTestSupport
import Testing

/// Runs a program with posix_spawn and waitpid, output through temporary files. Foundation's
/// `Process` sometimes never notices a child's exit once `msvc up -d` has left a detached
/// grandchild behind (the child stays a zombie and the test hangs), so these tests avoid it.
enum Spawn {
    struct Result: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ args: [String], cwd: String, environment: [String: String] = [:], timeout: Double = 30) -> Result {
        // sh changes folder first: posix_spawn has no portable chdir action.
        let args = ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", cwd] + args
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("msvc-spawn-\(UUID().uuidString)").path
        let err = out + ".err"
        defer { unlink(out); unlink(err) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        env.removeValue(forKey: "MSVC_FILE")
        for (k, v) in environment { env[k] = v }
        var cenv = env.map { strdup("\($0.key)=\($0.value)") }
        cenv.append(nil)
        var cargs = args.map { strdup($0) }
        cargs.append(nil)
        defer { cargs.forEach { free($0) }; cenv.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawnp(&pid, args[0], &actions, nil, cargs, cenv) == 0 else {
            return Result(status: 127, stdout: "", stderr: "cannot run \(args[0])")
        }
        var status: Int32 = 0
        let deadline = Date().addingTimeInterval(timeout)
        while waitpid(pid, &status, WNOHANG) == 0 {
            if Date() > deadline { kill(pid, SIGKILL) }
            usleep(2_000)
        }
        let code = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return Result(status: code, stdout: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
                             stderr: (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
    }

    static func msvc(_ args: [String], cwd: String, timeout: Double = 60) -> Result {
        run([MsvcBinary.path] + args, cwd: cwd, timeout: timeout)
    }

    /// `run`, awaited off the cooperative pool (see `offPool`).
    static func run(_ args: [String], cwd: String, environment: [String: String] = [:], timeout: Double = 30) async -> Result {
        await offPool { run(args, cwd: cwd, environment: environment, timeout: timeout) }
    }

    /// `msvc`, awaited off the cooperative pool.
    static func msvc(_ args: [String], cwd: String, timeout: Double = 60) async -> Result {
        await run([MsvcBinary.path] + args, cwd: cwd, timeout: timeout)
    }
}

/// A tmux server of its own, running one command in a pane of a fixed size. Everything that
/// waits is async and runs tmux off the cooperative pool (see `offPool`).
final class TmuxSession: Sendable {
    let socket = "msvc-test-\(UUID().uuidString.prefix(8))"
    let cwd: String

    init(command: String, cwd: String, width: Int = 120, height: Int = 34) throws {
        self.cwd = cwd
        let r = tmuxNow(["new-session", "-d", "-x", "\(width)", "-y", "\(height)", "-s", "t", command])
        if r.status != 0 { throw TmuxError(message: "tmux new-session failed: \(r.stderr)") }
    }

    struct TmuxError: Error { var message: String }

    /// tmux on this session's server, blocking: for `init` and `kill` (milliseconds).
    private func tmuxNow(_ args: [String]) -> Spawn.Result {
        Spawn.run(["tmux", "-L", socket, "-f", "/dev/null"] + args, cwd: cwd, timeout: 10)
    }

    @discardableResult
    func tmux(_ args: [String]) async -> Spawn.Result {
        await offPool { self.tmuxNow(args) }
    }

    /// The pane's text now.
    func capture() async -> String { await tmux(["capture-pane", "-p", "-t", "t"]).stdout }

    /// A tmux format value for the pane (`#{alternate_on}`, `#{cursor_flag}`).
    func value(_ format: String) async -> String {
        await tmux(["display-message", "-p", "-t", "t", format]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Sends keys (tmux key names: `Enter`, `PPage`, `q`, `C-c`); a key tmux could not deliver
    /// is a test failure of its own, not a mystery timeout later.
    func send(_ keys: String..., sourceLocation: SourceLocation = #_sourceLocation) async {
        let r = await tmux(["send-keys", "-t", "t"] + keys)
        #expect(r.status == 0, "tmux send-keys \(keys) failed: \(r.stderr)", sourceLocation: sourceLocation)
    }

    /// Types text literally.
    func type(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) async {
        let r = await tmux(["send-keys", "-t", "t", "-l", text])
        #expect(r.status == 0, "tmux send-keys -l failed: \(r.stderr)", sourceLocation: sourceLocation)
    }

    func resize(_ width: Int, _ height: Int) async {
        await tmux(["resize-window", "-t", "t", "-x", "\(width)", "-y", "\(height)"])
    }

    /// What the `msvc dash` processes in this pane are doing: each thread's state and kernel
    /// wait channel, and backtraces when gdb is installed. Attached to failures, so a dashboard
    /// that stops responding in CI says where it stopped.
    func diagnose() async -> String {
        let panePID = await value("#{pane_pid}")
        var out = "pane pid \(panePID)\n"
        let pids = await Spawn.run(["pgrep", "-f", "\(MsvcBinary.path) dash"], cwd: "/").stdout
            .split(separator: "\n").compactMap { Int32($0) }
        for pid in pids {
            out += "msvc dash pid \(pid):\n"
            let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
            for tid in tasks.sorted() {
                let base = "/proc/\(pid)/task/\(tid)"
                let comm = ((try? String(contentsOfFile: base + "/comm", encoding: .utf8)) ?? "?").trimmingCharacters(in: .whitespacesAndNewlines)
                let stat = (try? String(contentsOfFile: base + "/stat", encoding: .utf8)) ?? ""
                let state = stat.split(separator: ")").last?.split(separator: " ").first.map(String.init) ?? "?"
                let wchan = (try? String(contentsOfFile: base + "/wchan", encoding: .utf8)) ?? "?"
                out += "  tid \(tid) \(comm) state \(state) wchan \(wchan)\n"
            }
            if await Spawn.run(["gdb", "--version"], cwd: "/", timeout: 10).status == 0 {
                out += await Spawn.run(["gdb", "-p", "\(pid)", "-batch", "-ex", "thread apply all bt 30"], cwd: "/", timeout: 60).stdout
            }
        }
        return out
    }

    /// Waits until the pane shows what `condition` wants; returns the last capture.
    @discardableResult
    func waitFor(_ seconds: Double = 20, _ what: String = "", _ condition: (String) -> Bool) async -> (ok: Bool, screen: String) {
        var last = ""
        let ok = await eventually(seconds, interval: 0.05) {
            last = await capture()
            return condition(last)
        }
        return (ok, last)
    }

    /// Ends the session and the server (tmux 3.3a's kill-server alone can leave the server up).
    /// Synchronous, for `defer`: it takes milliseconds.
    func kill() {
        _ = tmuxNow(["kill-session", "-t", "t"])
        _ = tmuxNow(["kill-server"])
    }
}

/// The real binary in tmux, attached to a detached stack.
@Suite(.serialized) struct DashboardTmuxTests {
    static let stack = """
        name: dashtest
        services:
          api:
            command: 'exec python3 -u -m http.server "$PORT" --bind 127.0.0.1'
            shell: true
            port: auto
            health: { tcp: true, interval: 250ms }
          flaky:
            command: 'echo "flaky starting"; if [ -f ok ]; then echo "flaky ready"; exec sleep 1000; fi; echo "boom: missing ok file" >&2; exit 3'
            shell: true
            restart: always
            max_restarts: 1000
            backoff: { initial: 200ms, max: 1s }
          worker:
            command: 'while true; do echo "{\\"level\\":\\"warn\\",\\"msg\\":\\"queue slow\\",\\"depth\\":3}"; echo "INFO tick"; sleep 0.3; done'
            shell: true
            health: { log: "tick" }
        """

    static var hasTmux: Bool { Spawn.run(["tmux", "-V"], cwd: "/", timeout: 5).status == 0 }

    func row(_ screen: String, _ name: String) -> String {
        screen.split(separator: "\n").first { $0.contains(" \(name) ") && ($0.hasPrefix("  ") || $0.hasPrefix("▶")) }.map(String.init) ?? ""
    }

    @Test(.enabled(if: hasTmux)) func dash_attachesToADetachedStack_keysAct_andLeavesItRunning() async throws {
        let dir = try TemporaryDirectory(prefix: "msvc-dash")
        try dir.write("msvc.yaml", Self.stack)
        let up = await Spawn.msvc(["up", "-d"], cwd: dir.path)
        try #require(up.status == 0, "\(up.stderr)")
        defer { downQuietly(dir) }
        let command = "env -u NO_COLOR TERM=xterm-256color '\(MsvcBinary.path)' dash; echo DASH-EXIT=$?; exec sleep 600"
        let t = try TmuxSession(command: command, cwd: dir.path)
        defer { t.kill() }

        // The table shows the states as services start and crash.
        var w = await t.waitFor(30) { row($0, "api").contains("running") && row($0, "worker").contains("running") }
        #expect(w.ok, "services never showed running:\n\(w.screen)")
        w = await t.waitFor(20) { s in ["backoff", "exited(3)", "crash"].contains { row(s, "flaky").contains($0) } }
        #expect(w.ok, "flaky never showed its crash:\n\(w.screen)")
        #expect(w.screen.contains("dashtest") && w.screen.contains("socket:"))

        // Select flaky with the filter; its crash panel shows the exit and the last output.
        await t.send("/")
        await t.type("fla")
        await t.send("Enter")
        w = await t.waitFor(10) { $0.contains("filter:\"fla\"") && !row($0, "api").contains("running") }
        #expect(w.ok, "filter did not narrow the table:\n\(w.screen)")
        // The dashboard opens on all services' logs; a shows the selected one's, with its crash panel.
        await t.send("a")
        w = await t.waitFor(10) { $0.contains("exited with code 3") && $0.contains("boom: missing ok file") }
        #expect(w.ok, "no crash panel:\n\(w.screen)")

        // It recovers.
        try dir.write("ok", "")
        w = await t.waitFor(20) { row($0, "flaky").contains("running") }
        #expect(w.ok, "flaky never recovered:\n\(w.screen)")

        // Stop, start, restart, scale, with the result in the status line.
        await t.send("x")
        w = await t.waitFor(15) { row($0, "flaky").contains("stopped") }
        #expect(w.ok, "stop did not show:\n\(w.screen)")
        await t.send("x")
        w = await t.waitFor(15) { row($0, "flaky").contains("running") }
        #expect(w.ok, "start did not show:\n\(w.screen)")
        await t.send("r")
        w = await t.waitFor(15) { $0.contains("✓") && $0.lowercased().contains("restart") }
        #expect(w.ok, "restart result missing:\n\(w.screen)")
        await t.send("+")
        w = await t.waitFor(15) { row($0, "flaky").contains("2/2") }
        #expect(w.ok, "scale up did not show:\n\(w.screen)")
        await t.send("-")
        w = await t.waitFor(15) { row($0, "flaky").contains("1/1") }
        #expect(w.ok, "scale down did not show:\n\(w.screen)")

        // Clear the filter, merge all logs, search, level filter.
        await t.send("Escape")
        await t.send("a")
        w = await t.waitFor(10) { $0.contains("logs: all services") && $0.contains("worker │") }
        #expect(w.ok, "merged view missing:\n\(w.screen)")
        await t.send("s")
        await t.type("queue")
        await t.send("Enter")
        w = await t.waitFor(10) { $0.contains("search \"queue\"") && $0.contains("match ") }
        #expect(w.ok, "search did not report a match:\n\(w.screen)")
        await t.send("l", "l", "l")
        w = await t.waitFor(10) { $0.contains("level≥warn") }
        #expect(w.ok, "level filter missing:\n\(w.screen)")

        // Resize to 80×24 and back.
        await t.resize(80, 24)
        w = await t.waitFor(10) { s in
            let lines = s.split(separator: "\n", omittingEmptySubsequences: false)
            return lines.count <= 25 && s.contains("SERVICE") && s.contains("flaky") && !s.contains("REPLICAS")
        }
        #expect(w.ok, "compact layout missing after resize:\n\(w.screen)")
        await t.resize(120, 34)
        w = await t.waitFor(10) { $0.contains("REPLICAS") }
        #expect(w.ok, "full layout missing after resize back:\n\(w.screen)")

        // q detaches, restores the terminal, and the stack keeps running.
        await t.send("q")
        w = await t.waitFor(10) { $0.contains("DASH-EXIT=0") }
        let diagnosis = w.ok ? "" : await t.diagnose()
        #expect(w.ok, "dash did not exit cleanly:\n\(w.screen)\n\(diagnosis)")
        #expect(await t.value("#{alternate_on}") == "0", "still in the alternate screen")
        #expect(await t.value("#{cursor_flag}") == "1", "cursor left hidden")
        let ps = await Spawn.msvc(["ps"], cwd: dir.path)
        #expect(ps.status == 0 && ps.stdout.contains("api"), "stack not running after detach: \(ps.stderr)")
    }

    @Test(.enabled(if: hasTmux)) func dash_restoresTheTerminal_onCtrlCAndSIGTERM() async throws {
        let dir = try TemporaryDirectory(prefix: "msvc-dash")
        try dir.write("msvc.yaml", """
            name: tiny
            services:
              one: { command: 'while true; do echo "tick ünïcødé 日本"; sleep 0.2; done', shell: true }
            """)
        let up = await Spawn.msvc(["up", "-d"], cwd: dir.path)
        try #require(up.status == 0, "\(up.stderr)")
        defer { downQuietly(dir) }
        // The shell waits for Enter between the two dashboards: otherwise the second one can take
        // over the screen before a capture has seen the first one's exit line.
        let command = "NO_COLOR=1 '\(MsvcBinary.path)' dash; echo DASH-EXIT=$?; read -r _; NO_COLOR=1 '\(MsvcBinary.path)' dash; echo SECOND-EXIT=$?; exec sleep 600"
        let t = try TmuxSession(command: command, cwd: dir.path, width: 80, height: 24)
        defer { t.kill() }
        var w = await t.waitFor(20) { $0.contains("tick ünïcødé 日本") && $0.contains("running") }
        #expect(w.ok, "dashboard never showed the wide-character line:\n\(w.screen)")
        await t.send("C-c")
        w = await t.waitFor(10) { $0.contains("DASH-EXIT=0") }
        let diagnosis = w.ok ? "" : await t.diagnose()
        #expect(w.ok, "Ctrl-C did not leave cleanly:\n\(w.screen)\n\(diagnosis)")
        #expect(await t.value("#{alternate_on}") == "0", "still in the alternate screen after Ctrl-C")
        await t.send("Enter")
        w = await t.waitFor(20) { $0.contains("tick") && $0.contains("running") && $0.contains("SERVICE") }
        #expect(w.ok, "second dashboard did not start:\n\(w.screen)")
        let pid = Optional(await Spawn.run(["pgrep", "-n", "-f", "\(MsvcBinary.path) dash"], cwd: "/").stdout)
            .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        try #require(pid != nil, "no msvc dash process found")
        kill(pid!, SIGTERM)
        w = await t.waitFor(10) { $0.contains("SECOND-EXIT=") }
        let diagnosis2 = w.ok ? "" : await t.diagnose()
        #expect(w.ok, "SIGTERM did not end the dashboard:\n\(w.screen)\n\(diagnosis2)")
        #expect(await t.value("#{alternate_on}") == "0", "still in the alternate screen")
        #expect(await Spawn.msvc(["ps"], cwd: dir.path).status == 0, "stack not running after detach")
    }
}
