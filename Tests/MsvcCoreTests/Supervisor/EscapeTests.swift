import CMsvcSys
import Foundation
import Glibc
import Testing

@testable import MsvcCore

/// Processes that leave their process group (`setsid`, `setpgid`, a `set -m` job, a daemon whose
/// parent exits) still end with their service, under both containments.
@Suite("Supervisor: escaped processes")
struct SupervisorEscapeTests {
    /// The containments this machine can test: tracking always, cgroups where msvc may make one.
    static let modes: [EscapeMode] = ProcessContainment.probe() == .descendantTracking ? [.tracking] : [.cgroup, .tracking]

    @Test(arguments: modes, EscapePattern.allCases)
    func stop_endsTheEscapedProcessToo(mode: EscapeMode, pattern: EscapePattern) async throws {
        try await withEscapeLauncher(mode) { f in
            let p = try await f.launch(pattern)
            #expect(await f.eventually { f.running().count == pattern.processes }, "\(f.running())")
            let outcome = await p.stop(timeout: .seconds(5))
            #expect(outcome.groupGone)
            #expect(f.running().isEmpty, "left running after stop: \(f.running())")
        }
    }

    @Test(arguments: modes)
    func killGroup_endsEveryEscapedProcess(mode: EscapeMode) async throws {
        try await withEscapeLauncher(mode) { f in
            var launched: [LaunchedProcess] = []
            for pattern in EscapePattern.allCases { launched.append(try await f.launch(pattern)) }
            let total = EscapePattern.allCases.map(\.processes).reduce(0, +)
            #expect(await f.eventually { f.running().count == total }, "\(f.running())")
            for p in launched { p.killGroup() }
            #expect(await f.eventually(2) { f.running().isEmpty }, "left running: \(f.running())")
            for p in launched { #expect(await p.waitForGroupExit(timeout: .seconds(2))) }
        }
    }

    @Test(arguments: modes)
    func watchdog_whenMsvcDies_endsEveryEscapedProcess(mode: EscapeMode) async throws {
        try await withEscapeLauncher(mode) { f in
            var launched: [LaunchedProcess] = []
            for pattern in EscapePattern.allCases { launched.append(try await f.launch(pattern)) }
            let total = EscapePattern.allCases.map(\.processes).reduce(0, +)
            // Under tracking, the watchdog learns of a process once msvc has found it.
            #expect(await f.eventually {
                f.running().count == total && (mode == .cgroup || launched.allSatisfy { $0.escapedProcesses.count == 1 })
            }, "\(f.running()) \(launched.map(\.escapedProcesses))")
            f.launcher.core.submit(.abandonWatchdog)
            #expect(await f.eventually(2) { f.running().isEmpty }, "left running: \(f.running())")
        }
    }

    @Test(arguments: modes)
    func shutdown_endsEveryEscapedProcess_andRemovesTheCgroup(mode: EscapeMode) async throws {
        var cgroup: String?
        try await withEscapeLauncher(mode) { f in
            cgroup = f.launcher.containment.cgroupPath
            for pattern in EscapePattern.allCases { _ = try await f.launch(pattern) }
            let total = EscapePattern.allCases.map(\.processes).reduce(0, +)
            #expect(await f.eventually { f.running().count == total }, "\(f.running())")
            await f.launcher.shutdown()
            #expect(f.running().isEmpty, "left running after shutdown: \(f.running())")
        }
        if let cgroup { #expect(!FileManager.default.fileExists(atPath: cgroup)) }
    }

    @Test(arguments: modes)
    func escapedProcesses_namesWhatLeftTheGroup_andContainmentSaysHow(mode: EscapeMode) async throws {
        try await withEscapeLauncher(mode) { f in
            switch (mode, f.launcher.containment) {
            case (.cgroup, .cgroup(let path)): #expect(FileManager.default.fileExists(atPath: path + "/cgroup.kill"))
            case (.tracking, .descendantTracking): break
            default: Issue.record("containment \(f.launcher.containment) under \(mode)")
            }
            let p = try await f.launch(.setMinusM)
            #expect(await f.eventually { p.escapedProcesses.count == 1 }, "\(f.running())")
            let escaped = try #require(p.escapedProcesses.first)
            let stat = try #require(ProcInfo.stat(of: escaped.pid))
            #expect(stat.pgrp != p.pgid && stat.startTicks == escaped.startTicks)
            if mode == .cgroup {
                let path = try #require(p.cgroupPath)
                #expect(path.hasPrefix(f.launcher.containment.cgroupPath! + "/"))
                #expect(ProcInfo.cgroup(of: escaped.pid).map { path.hasSuffix($0) } == true)
            } else {
                #expect(p.cgroupPath == nil)
            }
            _ = await p.stop(timeout: .seconds(5))
            #expect(p.escapedProcesses.isEmpty)
        }
    }

    @Test(arguments: modes)
    func groupGone_waitsForTheEscapedProcess(mode: EscapeMode) async throws {
        try await withEscapeLauncher(mode) { f in
            // The leader exits at once; the setsid'd sleep it started lives on.
            let p = try await f.launch(["sh", "-c", "setsid sleep 1000 & echo started"])
            #expect(await p.waitForExit(timeout: .seconds(5)) == .exited(0))
            #expect(await f.eventually { f.running().count == 1 })
            #expect(!(await p.waitForGroupExit(timeout: .milliseconds(300))))
            let sleeper = try #require(f.running().first)
            kill(sleeper.pid, SIGKILL)
            #expect(await p.waitForGroupExit(timeout: .seconds(2)))
        }
    }
}

/// Which containment a test runs under.
enum EscapeMode: String, Sendable, CustomTestStringConvertible {
    case cgroup, tracking
    /// `cgroup` or `tracking` in test names.
    var testDescription: String { rawValue }
}

/// Ways a service's processes leave its process group; each leaves one process outside it.
enum EscapePattern: String, CaseIterable, Sendable, CustomTestStringConvertible {
    /// A grandchild in a session of its own.
    case setsidGrandchild
    /// A child that made itself a group of its own.
    case regroupedChild
    /// A job-control background job (own group, same session).
    case setMinusM
    /// A daemon: its parent exits at once, so msvc adopts it.
    case daemon

    /// The pattern's name in test names.
    var testDescription: String { rawValue }

    /// The service's command.
    var command: [String] {
        switch self {
        case .setsidGrandchild: ["sh", "-c", "setsid sleep 1000 & exec sleep 1000"]
        case .regroupedChild: ["sh", "-c", "perl -e 'setpgrp(0, 0); sleep 1000' & exec sleep 1000"]
        case .setMinusM: ["bash", "-c", "set -m; sleep 1000 & wait"]
        case .daemon: ["sh", "-c", "(setsid sleep 1000 &); exec sleep 1000"]
        }
    }

    /// How many processes run once it has settled (the leader and the one that left).
    var processes: Int { 2 }
}

/// A launcher under one containment whose processes all carry a token in their environment,
/// so /proc tells which processes are this test's, wherever they went.
struct EscapeFixture {
    /// The launcher under test.
    let launcher: ProcessLauncher
    /// What every process of this fixture carries in `MSVC_ESCAPE_TEST`.
    let token: String

    /// Launches `pattern` as service `pattern` (its `MSVC_SERVICE` tells msvc whose orphans are whose).
    func launch(_ pattern: EscapePattern) async throws -> LaunchedProcess { try await launch(pattern.command, service: pattern.rawValue) }

    /// Launches `arguments` with the token and `MSVC_SERVICE` in its environment.
    func launch(_ arguments: [String], service: String = "svc") async throws -> LaunchedProcess {
        let env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "MSVC_ESCAPE_TEST": token,
                   "MSVC_SERVICE": service]
        return try await launcher.launch(LaunchSpec(arguments: arguments, environment: env, cwd: "/", source: LogSource(service: service)))
    }

    /// Every live process started with this fixture's token.
    func running() -> [ProcInfo.Stat] {
        ProcInfo.scan().filter { !$0.isZombie && ProcInfo.environment(of: $0.pid, contains: ["MSVC_ESCAPE_TEST=\(token)"]) == true }
    }

    /// Polls `condition` without holding a pool thread.
    func eventually(_ seconds: Double = 10, _ condition: @escaping () -> Bool) async -> Bool {
        let deadline = ContinuousClock().now + .seconds(seconds)
        while ContinuousClock().now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }
}

/// Runs `body` with a launcher under `mode`; whatever carries the token is killed afterwards.
func withEscapeLauncher(_ mode: EscapeMode, _ body: (EscapeFixture) async throws -> Void) async throws {
    let capture = try OutputCapture(sink: { _ in })
    var options = ProcessLauncher.Options()
    options.cgroups = mode == .cgroup
    let launcher = try ProcessLauncher(capture: capture, options: options)
    let fixture = EscapeFixture(launcher: launcher, token: UUID().uuidString)
    defer { for p in fixture.running() { kill(p.pid, SIGKILL) } }
    do {
        try await body(fixture)
    } catch {
        await launcher.shutdown()
        await capture.shutdown()
        throw error
    }
    await launcher.shutdown()
    await capture.shutdown()
}

@Suite("Supervisor: process trees")
struct SupervisorProcessTreeTests {
    @Test func descendants_sameFromChildrenFilesAndFromAScan() async throws {
        try await withEscapeLauncher(.tracking) { f in
            // Two levels below the leader, one of them in a session of its own.
            let p = try await f.launch(["sh", "-c", "sh -c 'setsid sleep 1000 & exec sleep 1000' & exec sleep 1000"])
            #expect(await f.eventually { f.running().count == 3 && f.running().allSatisfy { ProcInfo.command(of: $0.pid) == "sleep" } })
            let query = ProcessTree.Query(roots: [p.pid], group: p.pgid)
            let byScan = ProcessTree.descendants([query], childrenFiles: false)[0].map(\.pid).sorted()
            #expect(byScan == f.running().map(\.pid).filter { $0 != p.pid }.sorted())
            if ProcInfo.childrenListed {
                #expect(ProcessTree.descendants([query], childrenFiles: true)[0].map(\.pid).sorted() == byScan)
            }
            _ = await p.stop(timeout: .seconds(5))
        }
    }
}
