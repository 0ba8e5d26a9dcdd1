import Foundation
import Glibc
import Testing

@testable import MsvcCore

@Suite("Supervisor: ProcessLauncher")
struct SupervisorProcessLauncherTests {
    @Test func launch_withEnvAndCwd_seesThemAndCapturesBothStreams() async throws {
        let dir = try makeSupervisorTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try await withLauncher { f in
            let (status, _) = try await f.run(
                ["sh", "-c", "echo \"$GREETING\"; pwd; echo oops >&2"], env: ["GREETING": "hello there"], cwd: dir.path)
            #expect(status == .exited(0))
            let real = dir.resolvingSymlinksInPath().path
            #expect(f.collector.texts(LogSource(service: "svc")) == ["hello there", real])
            #expect(f.collector.texts(LogSource(service: "svc"), .stderr) == ["oops"])
        }
    }

    @Test func launch_environmentIsExactlyTheGivenOne() async throws {
        try await withLauncher { f in
            _ = try await f.run(["/usr/bin/env"], env: ["ONLY": "this"])
            #expect(f.collector.texts(LogSource(service: "svc")).sorted() == ["ONLY=this", "PATH=\(f.pathValue)"].sorted())
        }
    }

    @Test func launch_ownProcessGroup_andNotTheTestsGroup() async throws {
        try await withLauncher { f in
            let p = try await f.launch(["sleep", "1000"])
            #expect(p.pgid == p.pid)
            #expect(getpgid(p.pid) == p.pid)
            #expect(getpgid(p.pid) != getpgrp())
            let outcome = await p.stop(timeout: .seconds(5))
            #expect(outcome.exitStatus == .signaled(SIGTERM))
            #expect(outcome.groupGone && !outcome.escalated)
        }
    }

    @Test func launch_missingProgram_throwsProgramNotFound() async throws {
        try await withLauncher { f in
            let error = await #expect(throws: LaunchError.self) {
                _ = try await f.launch(["msvc-no-such-program-xyz", "--flag"])
            }
            guard case .programNotFound(let program, let searchPath?, _)? = error else {
                Issue.record("wrong error: \(String(describing: error))")
                return
            }
            #expect(program == "msvc-no-such-program-xyz")
            #expect(searchPath == f.pathValue)
            #expect(error!.description.hasPrefix("program not found: msvc-no-such-program-xyz"))
        }
    }

    @Test func launch_missingRelativeProgram_saysRelativeToCwd() async throws {
        try await withLauncher { f in
            let error = await #expect(throws: LaunchError.self) { _ = try await f.launch(["./nope.sh"], cwd: "/tmp") }
            #expect(error == .programNotFound(program: "./nope.sh", searchPath: nil, cwd: "/tmp"))
        }
    }

    @Test func launch_missingCwd_throwsCwdNotFound() async throws {
        try await withLauncher { f in
            let error = await #expect(throws: LaunchError.self) {
                _ = try await f.launch(["sh", "-c", "true"], cwd: "/nonexistent/msvc-dir")
            }
            #expect(error == .cwdNotFound("/nonexistent/msvc-dir"))
            #expect(error?.description == "cwd does not exist: /nonexistent/msvc-dir; create it or fix `cwd`")
        }
    }

    @Test func launch_cwdIsAFile_throwsCwdNotDirectory() async throws {
        try await withLauncher { f in
            let error = await #expect(throws: LaunchError.self) { _ = try await f.launch(["true"], cwd: "/etc/hostname") }
            #expect(error == .cwdNotDirectory("/etc/hostname"))
        }
    }

    @Test func launch_nonExecutableFile_throwsPermissionDenied() async throws {
        let dir = try makeSupervisorTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = dir.appendingPathComponent("app.sh")
        try "#!/bin/sh\necho hi\n".write(to: script, atomically: true, encoding: .utf8)
        try await withLauncher { f in
            let error = await #expect(throws: LaunchError.self) { _ = try await f.launch(["./app.sh"], cwd: dir.path) }
            #expect(error == .permissionDenied(path: "./app.sh"))
        }
    }

    @Test func launch_missingInterpreter_saysSo() async throws {
        let dir = try makeSupervisorTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = dir.appendingPathComponent("app")
        try "#!/nonexistent/interpreter\n".write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        try await withLauncher { f in
            let error = await #expect(throws: LaunchError.self) { _ = try await f.launch([script.path]) }
            #expect(error == .interpreterNotFound(program: script.path))
        }
    }

    @Test func launch_emptyOrInvalidCommand_throwsBeforeForking() async throws {
        try await withLauncher { f in
            await #expect(throws: LaunchError.emptyCommand) { _ = try await f.launch([]) }
            await #expect(throws: LaunchError.self) { _ = try await f.launch(["sh"], env: ["A=B": "x"]) }
        }
    }

    @Test func exitStatus_reportsCodesAndSignals() async throws {
        try await withLauncher { f in
            let (code, _) = try await f.run(["sh", "-c", "exit 3"])
            #expect(code == .exited(3))
            let (killed, _) = try await f.run(["sh", "-c", "kill -KILL $$"])
            #expect(killed == .signaled(SIGKILL))
            #expect(killed?.description == "killed by SIGKILL")
        }
    }

    @Test func child_hasNullStdin_noInheritedFds_andCleanSignals() async throws {
        try await withLauncher { f in
            let (status, _) = try await f.run(["sh", "-c", "cat; echo stdin-done"])
            #expect(status == .exited(0))
            #expect(f.collector.texts(LogSource(service: "svc")) == ["stdin-done"])

            let fds = LogSource(service: "fds")
            // `ls` opens one directory descriptor of its own (3); anything more leaked from msvc.
            _ = try await f.run(["ls", "/proc/self/fd"], source: fds)
            #expect(f.collector.texts(fds) == ["0", "1", "2", "3"])

            let sigs = LogSource(service: "sigs")
            _ = try await f.run(["grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status"], source: sigs)
            #expect(f.collector.texts(sigs) == ["SigBlk:\t0000000000000000", "SigIgn:\t0000000000000000"])
        }
    }

    @Test func launch_afterShutdown_throwsLauncherStopped() async throws {
        let capture = try OutputCapture(sink: { _ in })
        let launcher = try ProcessLauncher(capture: capture)
        await launcher.shutdown()
        await #expect(throws: LaunchError.launcherStopped) {
            _ = try await launcher.launch(LaunchSpec(arguments: ["true"], environment: [:], cwd: "/", source: .init(service: "x")))
        }
        await capture.shutdown()
    }

    @Test func shutdown_killsEverythingStillRunning() async throws {
        var pgids: [Int32] = []
        try await withLauncher { f in
            for i in 1...3 {
                let p = try await f.launch(["sh", "-c", "sleep 1000 & sleep 1000"], source: .init(service: "s", replica: i))
                pgids.append(p.pgid)
            }
            #expect(await pollUntil { pgids.allSatisfy { sleepers(in: $0) == 2 } })
        }
        #expect(await pollUntil(timeout: .seconds(2)) { pgids.allSatisfy { liveMembers(of: $0).isEmpty } })
    }

    @Test func twoLaunchers_areIndependent() async throws {
        try await withLauncher { a in
            let survivor = try await a.launch(["sleep", "1000"])
            try await withLauncher { b in
                let p = try await b.launch(["sleep", "1000"])
                #expect(a.launcher.watchdogPID != nil && a.launcher.watchdogPID != b.launcher.watchdogPID)
                #expect(p.pgid != survivor.pgid)
            }
            // Shutting b down must leave a's process alone.
            #expect(survivor.exitStatus == nil)
            #expect(liveMembers(of: survivor.pgid).count == 1)
        }
    }

    @Test func fiftyServices_launchConcurrently_andEachGetsItsOwnOutput() async throws {
        try await withLauncher { f in
            let processes = try await withThrowingTaskGroup(of: LaunchedProcess.self) { group in
                for i in 1...50 {
                    group.addTask {
                        try await f.launch(["sh", "-c", "echo \"$N\"; echo \"e$N\" >&2"], env: ["N": "\(i)"],
                                           source: .init(service: "svc\(i)"))
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(processes.map(\.pgid)).count == 50)
            for p in processes {
                #expect(await p.waitForExit(timeout: .seconds(30)) == .exited(0))
                #expect(await p.waitForOutputClosed(timeout: .seconds(30)))
                let n = p.source.service.dropFirst(3)
                #expect(f.collector.texts(p.source) == [String(n)])
                #expect(f.collector.texts(p.source, .stderr) == ["e\(n)"])
            }
        }
    }

    @Test func signalNames_parseAndPrint() {
        #expect(ProcessSignal.number(named: "TERM") == SIGTERM)
        #expect(ProcessSignal.number(named: "SIGINT") == SIGINT)
        #expect(ProcessSignal.number(named: "9") == SIGKILL)
        #expect(ProcessSignal.number(named: "NOPE") == nil)
        #expect(ProcessSignal.name(of: SIGHUP) == "SIGHUP")
    }
}

extension LauncherFixture {
    /// The PATH every test process gets.
    var pathValue: String { ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin" }
}
