import Foundation
import MsvcCore
import MsvcTestSupport
import Testing

@Suite("msvc test: keep-up, reuse and Ctrl-C", .serialized)
struct TestKeepUpTests {
    @Test func keepUp_leavesTheCopyReachable_reuseTestsIt_andDownStopsIt() async throws {
        let fixed = PortAllocator.allocate(avoiding: []) ?? 18_081
        let p = try TestProject(fixedPort: fixed)
        defer { downQuietly(p.dir) }
        let kept = try await p.msvc(["test", "e2e", "--suite", "checkout", "--keep-up"])
        #expect(kept.status == 0, "\(kept.stdout)\(kept.stderr)")
        #expect(kept.stderr.contains("left running (msvc pid "))
        #expect(kept.stderr.contains("state folder .msvc/test/keep-up/"))
        #expect(kept.stderr.contains("msvc ps, msvc logs and msvc test --reuse reach it; msvc down stops it"))

        let ps = try await p.msvc(["ps", "--json"])
        #expect(ps.status == 0, "\(ps.stderr)")
        let services = try JSON.parse(ps.stdout)["services"]?.arrayValue ?? []
        #expect(services.compactMap { $0["name"]?.stringValue } == ["store", "front"])
        let storePort = try #require(services.first?["port"]?.intValue)
        #expect(storePort != fixed, "the kept copy runs on its own ports")
        #expect(kept.stderr.contains("store  http://127.0.0.1:\(storePort)"))

        // The data the suite left is there to look at, and a reuse run sees it.
        let reuse = try await p.msvc(["test", "integration", "--suite", "store-empty", "--reuse"])
        #expect(reuse.status == 1, "the checkout left an item in the kept store: \(reuse.stdout)")
        #expect(reuse.stdout.contains("store answered {'count': 1}"))
        let logs = try await p.msvc(["logs", "store", "-n", "50"])
        #expect(logs.stdout.contains("stored item-1"))

        let up = try await p.msvc(["up", "--no-tui"], timeout: 20)
        #expect(up.status != 0, "a second stack is refused while the kept one runs")
        #expect(up.stderr.contains("a test copy left running by msvc test --keep-up"), "\(up.stderr)")

        let again = try await p.msvc(["test", "e2e", "--suite", "checkout", "--keep-up"])
        #expect(again.status == 1)
        #expect(again.stderr.contains("a stack is already running from msvc.yaml"))

        let down = try await p.msvc(["down"])
        #expect(down.status == 0, "\(down.stderr)")
        #expect(await eventually(10) { p.leftovers().isEmpty }, "\(p.leftovers())")
        let after = try await p.msvc(["test", "e2e", "--suite", "checkout", "--reuse"])
        #expect(after.status == 1)
        #expect(after.stderr.contains("no stack is running from msvc.yaml"))
    }

    @Test func ctrlC_duringAParallelRun_stopsEveryCopy() async throws {
        let p = try TestProject(fixedPort: PortAllocator.allocate(avoiding: []) ?? 18_082, extraSuites: """
                - name: long-a
                  run: echo a is running; sleep 60
                - name: long-b
                  run: echo b is running; sleep 60
            """)
        let run = try LiveMsvc(["test", "e2e", "--suite", "long-a", "--suite", "long-b", "--parallel", "2", "--junit", "r.xml"],
                               cwd: p.dir.path, environment: p.environment)
        let bothRunning = await eventually(60) {
            run.stderr.contains("long-a: running") && run.stderr.contains("long-b: running")
                && p.leftovers().filter { $0.split(separator: " ", maxSplits: 1).last == "sleep 60" }.count == 2
        }
        #expect(bothRunning, "\(run.stderr)")
        #expect(p.leftovers().filter { $0.hasSuffix("python3 store.py") }.count == 2, "each suite runs its own copy: \(p.leftovers())")
        kill(run.process.processIdentifier, SIGINT)
        let status = await run.wait(30)
        #expect(status == 1, "\(run.stderr)")
        #expect(run.stderr.contains("stopping every suite (press Ctrl-C again to kill at once)"))
        #expect(run.stdout.contains("(interrupted)"))
        #expect(run.stdout.contains("✗ echo a is running; sleep 60") && run.stdout.contains("interrupted"))
        let left = p.leftovers()
        #expect(left.isEmpty, "left running after Ctrl-C: \(left)")
        let report = try p.dir.read("r.xml")
        #expect(report.contains("<error message=\"interrupted\""), "the report is written for an interrupted run")
    }
}
