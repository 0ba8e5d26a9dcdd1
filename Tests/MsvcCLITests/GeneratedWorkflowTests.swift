import Foundation
import MsvcCore
import MsvcTestSupport
import Testing

/// `msvc ci generate --provider github` on a fresh copy of examples/shop, and every job of
/// the workflow it writes run here as GitHub would run it (see `GitHubWorkflowRunner`): the
/// service jobs' builds and tests, the suite jobs' real msvc install step (ci.msvc.install
/// puts the msvc under test on PATH), builds and `msvc test`, and the gate. Suite jobs run on
/// this machine rather than in their container. Needs bash, git, python3 and node; outside CI
/// it is skipped without them, in CI (CI=true) it fails and says what is missing.
@Suite("generated GitHub workflow on examples/shop", .serialized)
struct GeneratedWorkflowTests {
    static let tools = ["bash", "git", "python3", "node"]
    static var missing: [String] { tools.filter { GitHubWorkflowRunner.onPath($0) == nil } }
    static var runnable: Bool { missing.isEmpty || ProcessInfo.processInfo.environment["CI"] != nil }

    /// A fresh copy of the shop as a git repository, with `ci.msvc` saying where msvc is.
    static func shop() async throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory(prefix: "msvc-workflow")
        let source = packageRoot() + "/examples/shop"
        let copy = try await Shell.run("/bin/sh", ["-c", "tar -C '\(source)' --exclude=.msvc --exclude=__pycache__ -cf - . | tar -C '\(dir.path)' -xf -"],
                                       cwd: dir.path)
        #expect(copy.status == 0, "\(copy.stderr)")
        // What a project without msvc releases would write: a command that puts msvc on PATH.
        let bin = (MsvcBinary.path as NSString).deletingLastPathComponent
        let yaml = try dir.read("msvc.yaml")
        try dir.write("msvc.yaml", yaml + "\nci:\n  provider: github\n  msvc:\n    install: export PATH=\"\(bin):$PATH\"\n")
        return dir
    }

    @Test(.enabled(if: runnable, "needs bash, git, python3 and node on PATH"))
    func everyJob_runsAsGenerated_inNeedsOrder_andPasses() async throws {
        try #require(Self.missing.isEmpty, "not on PATH: \(Self.missing.joined(separator: ", ")); .ci/run installs them")
        let dir = try await Self.shop()
        let generate = try await MsvcBinary.run(["ci", "generate"], cwd: dir.path)
        #expect(generate.status == 0, "\(generate.stderr)")
        let git = try await Shell.run("/bin/sh", ["-c", "git init -q && git add -A && git -c user.name=msvc -c user.email=msvc@localhost commit -qm shop"],
                                      cwd: dir.path)
        try #require(git.status == 0, "\(git.stderr)")

        let token = UUID().uuidString
        let outside = try TemporaryDirectory(prefix: "msvc-workflow-out")
        var runner = try GitHubWorkflowRunner(file: dir.path + "/.github/workflows/msvc.yml", workspace: dir.path, outside: outside.path)
        // The install step would apt-get what this machine lacks; fail instead of changing it.
        try outside.write("bin/apt-get", "#!/bin/sh\necho \"apt-get $*: this machine lacks what the suites need\" >&2\nexit 1\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: outside.path + "/bin/apt-get")
        runner.environment = ["MSVC_TEST_TOKEN": token, "PATH": outside.path + "/bin:" + (ProcessInfo.processInfo.environment["PATH"] ?? "")]
        #expect(try runner.ordered().map(\.id) == [
            "msvc-changes", "payments", "inventory", "orders", "gateway", "worker",
            "msvc-contract", "msvc-integration", "msvc-e2e", "msvc-ci",
        ])
        try await runner.runAll(stepTimeout: 300)

        for step in runner.log where (step.result?.status ?? 0) != 0 {
            let r = step.result!
            Issue.record("\(step.job) / \(step.step) exited \(r.status):\n\(r.stdout.suffix(3000))\(r.stderr.suffix(3000))")
        }
        #expect(runner.results.filter { $0.value != "success" }.isEmpty, "\(runner.results)")
        #expect(runner.results.count == 10)
        let ran = Set(runner.log.filter { $0.result != nil }.map { "\($0.job)/\($0.step)" })
        for expected in ["payments/build", "payments/test", "inventory/test", "worker/test", "msvc-e2e/install msvc",
                         "msvc-e2e/build services", "msvc-contract/msvc test contract", "msvc-ci/check required jobs"] {
            #expect(ran.contains(expected), "\(expected) did not run: \(ran.sorted())")
        }
        let gate = runner.log.last { $0.job == "msvc-ci" }?.result?.stdout ?? ""
        #expect(gate.contains("every required job passed or was skipped: success success"), "\(gate)")
        // Each suite job starts from a clean checkout, so each ran the install command itself.
        let installs = runner.log.filter { $0.step == "install msvc" }.compactMap { $0.result?.stdout }
        #expect(installs.count == 3 && installs.allSatisfy { $0.contains(Msvc.version) }, "the installed msvc answers --version: \(installs)")
        #expect(try outside.read("artifacts/junit-e2e/reports/e2e.txt").contains("e2e checkout  passed"))
        for kind in ["contract", "integration", "e2e"] {
            #expect(FileManager.default.fileExists(atPath: outside.path + "/artifacts/junit-\(kind)/reports/\(kind).xml"), "no JUnit report for \(kind)")
        }
        #expect(try outside.read("step-summary.md").contains("### end-to-end tests"))
        #expect(Self.processes(with: token).isEmpty, "left running: \(Self.processes(with: token))")
    }

    @Test(.enabled(if: runnable, "needs bash, git, python3 and node on PATH"))
    func aFailingServiceTest_failsItsJob_skipsTheSuites_andFailsTheGate() async throws {
        try #require(Self.missing.isEmpty, "not on PATH: \(Self.missing.joined(separator: ", ")); .ci/run installs them")
        let dir = try TemporaryDirectory(prefix: "msvc-workflow-fail")
        try dir.write("msvc.yaml", """
            name: failing
            services:
              api: { command: python3 -m http.server, cwd: api, test: "python3 -c 'import sys; sys.exit(3)'", language: python }
            tests:
              e2e: [{ name: smoke, needs: all, run: "true" }]
            ci: { msvc: { install: "false" } }
            """)
        try dir.write("api/requirements.txt", "# nothing yet\n")
        #expect(try await MsvcBinary.run(["ci", "generate", "--provider", "github"], cwd: dir.path).status == 0)
        let outside = try TemporaryDirectory(prefix: "msvc-workflow-out")
        var runner = try GitHubWorkflowRunner(file: dir.path + "/.github/workflows/msvc.yml", workspace: dir.path, outside: outside.path)
        try await runner.runAll(stepTimeout: 60)
        #expect(runner.results == ["msvc-changes": "success", "api": "failure", "msvc-e2e": "skipped", "msvc-ci": "failure"])
        let gate = runner.log.last { $0.job == "msvc-ci" }?.result
        #expect(gate?.status == 1 && gate?.stdout.contains("a required job did not pass: failure") == true, "\(gate?.stdout ?? "")")
    }

    @Test func generatedShopWorkflow_installsNothing_andSaysSo() async throws {
        let dir = try await Self.shop()
        let r = try await MsvcBinary.run(["ci", "generate", "--out", "-"], cwd: dir.path)
        #expect(r.status == 0, "\(r.stderr)")
        // The shop uses the standard library only: no lock files, so no install step anywhere.
        #expect(!r.stdout.contains("install dependencies") && !r.stdout.contains("pip install") && !r.stdout.contains("npm "))
        #expect(r.stdout.contains("  # inventory: Node.js 22 (msvc's default); nothing to install (no package.json).\n"), "\(r.stdout)")
        #expect(r.stdout.contains("  # payments: Python 3.13 (msvc's default); nothing to install (no requirements.txt or\n  # pyproject.toml).\n"))
    }

    /// Processes whose environment carries `MSVC_TEST_TOKEN=token`.
    static func processes(with token: String) -> [String] {
        let needle = Array("MSVC_TEST_TOKEN=\(token)".utf8)
        return ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).filter { entry in
            guard Int32(entry) != nil, let data = FileManager.default.contents(atPath: "/proc/\(entry)/environ") else { return false }
            return [UInt8](data).split(separator: 0).contains { Array($0) == needle }
        }
    }
}
