import Foundation
import MsvcCore
import MsvcTestSupport
import Testing

/// `msvc up` in a terminal: the dashboard owns the stack, asks before stopping it on `q`,
/// and stops it (nothing left running) when the user confirms.
@Suite(.serialized) struct DashboardOwnedTmuxTests {
    @Test(.enabled(if: DashboardTmuxTests.hasTmux)) func up_inATerminal_opensTheDashboard_andQuitAsksThenStops() async throws {
        let dir = try TemporaryDirectory(prefix: "msvc-own")
        try dir.write("msvc.yaml", """
            name: owned
            services:
              api: { command: sleep 1000 }
              ticker: { command: 'while true; do echo "owned tick"; sleep 0.2; done', shell: true }
            """)
        defer { downQuietly(dir) }
        let t = try TmuxSession(command: "'\(MsvcBinary.path)' up; echo UP-EXIT=$?; exec sleep 600", cwd: dir.path)
        defer { t.kill() }
        var w = await t.waitFor(30) { $0.contains("q: stop the stack or detach") && $0.contains("ticker  running") }
        #expect(w.ok, "the dashboard did not open under msvc up:\n\(w.screen)")
        // It opens on every service's logs.
        w = await t.waitFor(10) { $0.contains("owned tick") && $0.contains("logs: all services") }
        #expect(w.ok, "the merged log view shows no lines:\n\(w.screen)")
        let groups = try #require(RunRecord.read(from: dir.path + "/.msvc/run/state.json")).groups.map(\.pgid)
        #expect(groups.count == 2)
        await t.send("q")
        w = await t.waitFor(10) { $0.contains("quit") && $0.lowercased().contains("stop") }
        #expect(w.ok, "q did not ask before stopping an owned stack:\n\(w.screen)")
        #expect(await Spawn.msvc(["ps"], cwd: dir.path).status == 0, "asking must not stop anything yet")
        await t.send("y")
        w = await t.waitFor(20) { $0.contains("UP-EXIT=0") }
        #expect(w.ok, "msvc up did not end after confirming:\n\(w.screen)")
        #expect(await t.value("#{alternate_on}") == "0", "terminal not restored")
        #expect(await eventually(15) { groups.allSatisfy { ProcInfo.members(ofGroup: $0).isEmpty } }, "services left running")
        #expect(await Spawn.msvc(["ps"], cwd: dir.path).status == 1, "the stack should be gone")
    }
}
