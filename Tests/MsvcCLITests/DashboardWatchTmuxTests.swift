import Foundation
import MsvcCore
import MsvcTestSupport
import Testing

/// `msvc up` in a terminal with a watched service: a failed build shows in the dashboard and
/// in `ps`, `w` turns watch off, and quitting can detach, leaving the stack running.
@Suite(.serialized) struct DashboardWatchTmuxTests {
    static let stack = """
        name: watchdash
        services:
          api:
            command: 'exec python3 -u -m http.server "$PORT" --bind 127.0.0.1'
            shell: true
            cwd: api
            port: auto
            health: { tcp: true, interval: 250ms }
            build: 'if grep -q BROKEN main.txt; then echo "error: main.txt:1: BROKEN is not allowed" >&2; exit 2; fi; echo built ok'
            watch: { action: build, debounce: 50ms }
          other: { command: 'while true; do echo "{\\"level\\":\\"info\\",\\"msg\\":\\"request\\",\\"method\\":\\"GET\\",\\"path\\":\\"/items\\",\\"status\\":200,\\"duration_ms\\":4,\\"trace\\":\\"t-991\\"}"; sleep 0.3; done', shell: true }
        """

    /// The watch state of `service` as `msvc ps --json` has it.
    static func watchState(_ dir: String, _ service: String) async -> String? {
        let ps = await Spawn.msvc(["ps", "--json"], cwd: dir)
        guard ps.status == 0, let object = try? JSONSerialization.jsonObject(with: Data(ps.stdout.utf8)) as? [String: Any],
              let services = object["services"] as? [[String: Any]],
              let svc = services.first(where: { $0["name"] as? String == service }),
              let watch = svc["watch"] as? [String: Any] else { return nil }
        return watch["state"] as? String
    }

    @Test(.enabled(if: DashboardTmuxTests.hasTmux)) func up_watchedBuildFails_markerShows_wTurnsWatchOff_andQuitDetaches() async throws {
        let dir = try TemporaryDirectory(prefix: "msvc-watchdash")
        try dir.write("msvc.yaml", Self.stack)
        try dir.write("api/main.txt", "fine\n")
        defer { downQuietly(dir) }
        let t = try TmuxSession(command: "env -u NO_COLOR TERM=xterm-256color '\(MsvcBinary.path)' up; echo UP-EXIT=$?; exec sleep 600", cwd: dir.path)
        defer { t.kill() }

        // The first view: every service's logs merged, JSON request fields inline, URLs shown.
        var w = await t.waitFor(30) { $0.contains("api ◉") && $0.contains("logs: all services") && $0.contains("GET /items 200 4ms") }
        #expect(w.ok, "the dashboard did not open on merged logs with the watch mark:\n\(w.screen)")
        w = await t.waitFor(10) { $0.contains("api http://127.0.0.1:") }
        #expect(w.ok, "no URL line:\n\(w.screen)")
        #expect(await Self.watchState(dir.path, "api") == "watching")

        // A search shows the folded field it matches.
        await t.send("s")
        await t.type("t-991")
        await t.send("Enter")
        w = await t.waitFor(10) { $0.contains("trace=t-991") }
        #expect(w.ok, "search did not show the folded field:\n\(w.screen)")
        await t.send("Escape")

        // A broken edit: the build fails, the marker and the build's lines show, ps says so.
        try dir.write("api/main.txt", "BROKEN\n")
        w = await t.waitFor(30) { $0.contains("api ✖") && $0.contains("build failed: api") && $0.contains("BROKEN is not allowed") }
        #expect(w.ok, "the failed build did not show:\n\(w.screen)")
        #expect(await Self.watchState(dir.path, "api") == "build-failed")
        let ps = await Spawn.msvc(["ps"], cwd: dir.path)
        #expect(ps.stdout.contains("WATCH") && ps.stdout.contains("build-failed"), "\(ps.stdout)")
        #expect(ps.stdout.contains("api: build failed (exited with code 2)"), "\(ps.stdout)")

        // w (api is selected: the first service) turns watch off.
        await t.send("w")
        w = await t.waitFor(15) { $0.contains("api ○") }
        #expect(w.ok, "w did not turn watch off:\n\(w.screen)")
        #expect(await eventually(10) { await Self.watchState(dir.path, "api") == "off" })

        // q offers detach; d leaves the stack running and the terminal as it was.
        await t.send("q")
        w = await t.waitFor(10) { $0.contains("detach: leave the stack running") }
        #expect(w.ok, "q did not offer detach:\n\(w.screen)")
        await t.send("d")
        w = await t.waitFor(15) { $0.contains("UP-EXIT=0") && $0.contains("left running in the background") }
        #expect(w.ok, "msvc up did not detach:\n\(w.screen)")
        #expect(await t.value("#{alternate_on}") == "0", "terminal not restored")
        let after = await Spawn.msvc(["ps"], cwd: dir.path)
        #expect(after.status == 0 && after.stdout.contains("api") && after.stdout.contains("running"), "stack not running after detach: \(after.stderr)")
    }
}
