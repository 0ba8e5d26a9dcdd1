import Foundation
import MsvcCore
import MsvcTestSupport
import Testing

/// Nothing msvc starts may outlive it: not on SIGKILL, SIGTERM or SIGINT, not a grandchild,
/// not a process that double-forks within its group, not one that leaves its group or session;
/// and leftovers of a crashed msvc are reaped by the next `up`, but only provably its own.
@Suite(.serialized) struct SupervisorOrphanTests {
    static let escapes = """
          setsid:
            command: sh -c 'setsid sleep 1000 & exec sleep 1000'
          regroup:
            command: sh -c "perl -e 'setpgrp(0, 0); sleep 1000' & exec sleep 1000"
          setm:
            command: bash -c 'set -m; sleep 1000 & wait'
          daemon:
            command: sh -c '(setsid sleep 1000 &); exec sleep 1000'
        """
    static let escapeServices = ["setsid", "regroup", "setm", "daemon"]

    static let stack = """
        services:
          plain: { command: sleep 1000 }
          grandchild:
            command: sh -c 'sleep 1001 & sleep 1002'
          doublefork:
            command: sh -c '(sleep 1003 &) ; exec sleep 1004'
          trap:
            command: sh -c 'trap "" TERM INT; sleep 1005 & wait'
            stop_timeout: 500ms

        """ + escapes

    /// The containments this machine can test: tracking always, cgroups where msvc may make one.
    static let modes: [String] = ProcessContainment.probe() == .descendantTracking ? ["tracking"] : ["cgroup", "tracking"]

    static func environment(_ mode: String) -> [String: String] { mode == "tracking" ? ["MSVC_CONTAINMENT": "tracking"] : [:] }

    /// Every live process msvc started for the stack in `dir` (services carry its MSVC_STATE_DIR,
    /// whatever group or session they moved to), optionally of one service.
    static func stackProcesses(_ dir: String, service: String? = nil) -> [ProcInfo.Stat] {
        let real = URL(fileURLWithPath: dir).resolvingSymlinksInPath().path
        let markers = Set([dir, real]).map { ["MSVC_STATE_DIR=\($0)/.msvc/data"] + (service.map { ["MSVC_SERVICE=\($0)"] } ?? []) }
        return ProcInfo.scan().filter { stat in
            !stat.isZombie && markers.contains { ProcInfo.environment(of: stat.pid, contains: $0) == true }
        }
    }

    /// `.msvc/run` as msvc makes it: owner-only.
    static func makeRunFolder(_ dir: String) throws {
        try FileManager.default.createDirectory(atPath: dir + "/.msvc/run", withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
    }

    static func describe(_ stats: [ProcInfo.Stat]) -> String {
        stats.map { "\($0.pid): \(PortAllocator.commandLine(of: $0.pid) ?? "?")" }.joined(separator: ", ")
    }

    /// Waits until `count` processes of the stack run (at least `count` when `exact` is false:
    /// whether sh execs its last command varies) and state.json names the containment: the cgroup, or under tracking the
    /// process that left the group of every escaping service (the watchdog has them then).
    static func waitForStack(_ dir: String, count: Int, exact: Bool = true, mode: String, named: [String] = escapeServices) async -> Bool {
        await offPool {
            waitUntil(20) {
                let running = stackProcesses(dir).count
                guard exact ? running == count : running >= count,
                      let record = RunRecord.read(from: dir + "/.msvc/run/state.json") else { return false }
                // state.json is written coalesced: wait until it names the groups of `named`,
                // which is what the reaper reports by.
                let recorded = Set(record.groups.map(\.service))
                if mode == "cgroup" { return record.cgroup != nil && named.allSatisfy(recorded.contains) }
                return record.cgroup == nil && named.allSatisfy(recorded.contains) && escapeServices.allSatisfy { name in
                    record.groups.first { $0.service == name }.map { !$0.escaped.isEmpty } ?? false
                }
            }
        }
    }

    static func foregroundUp(_ dir: String, mode: String) throws -> Process {
        let msvc = Process()
        msvc.executableURL = URL(fileURLWithPath: MsvcBinary.path)
        msvc.arguments = ["up", "--no-tui"]
        msvc.currentDirectoryURL = URL(fileURLWithPath: dir)
        msvc.environment = ProcessInfo.processInfo.environment.merging(environment(mode)) { $1 }
        msvc.standardOutput = FileHandle.nullDevice
        msvc.standardError = FileHandle.nullDevice
        try msvc.run()
        return msvc
    }

    @Test(arguments: [SIGKILL, SIGTERM, SIGINT], modes)
    func msvcKilled_leavesNoProcessBehind(signal: Int32, mode: String) async throws {
        let dir = try TemporaryDirectory()
        try dir.write("msvc.yaml", Self.stack)
        let msvc = try Self.foregroundUp(dir.path, mode: mode)
        defer {
            if msvc.isRunning { kill(msvc.processIdentifier, SIGKILL) }
            for p in Self.stackProcesses(dir.path) { kill(p.pid, SIGKILL) }
        }
        let started = await Self.waitForStack(dir.path, count: 15, exact: false, mode: mode)
        #expect(started, "stack did not start: \(Self.describe(Self.stackProcesses(dir.path)))")
        kill(msvc.processIdentifier, signal)
        // The poll runs on a thread of its own: the bound is measured by a thread that is not
        // waiting for the pool.
        let path = dir.path
        let gone = await offPool { waitUntil(signal == SIGKILL ? 2 : 5) { Self.stackProcesses(path).isEmpty } }
        #expect(gone, "left running after \(ProcessSignal.name(of: signal)) (\(mode)): \(Self.describe(Self.stackProcesses(dir.path)))")
    }

    @Test(arguments: modes)
    func down_stopAndRestart_endProcessesThatLeftTheirGroup(mode: String) async throws {
        let dir = try TemporaryDirectory()
        try dir.write("msvc.yaml", "services:\n  plain: { command: sleep 1000 }\n" + Self.escapes)
        defer { for p in Self.stackProcesses(dir.path) { kill(p.pid, SIGKILL) } }
        let up = try await MsvcBinary.run(["up", "-d"], cwd: dir.path, environment: Self.environment(mode))
        #expect(up.status == 0, "\(up.stderr)")
        #expect(await Self.waitForStack(dir.path, count: 9, mode: mode), "\(Self.describe(Self.stackProcesses(dir.path)))")

        // One replica stopped: its escaped process goes with it, nothing else does.
        let setm = Self.stackProcesses(dir.path, service: "setm").map(\.pid)
        let stop = try await MsvcBinary.run(["stop", "setm"], cwd: dir.path)
        #expect(stop.status == 0, "\(stop.stderr)")
        let path = dir.path
        #expect(await offPool { waitUntil(2) { Self.stackProcesses(path, service: "setm").isEmpty } },
                "setm left: \(Self.describe(Self.stackProcesses(dir.path, service: "setm")))")
        #expect(Self.stackProcesses(dir.path).count == 7, "\(Self.describe(Self.stackProcesses(dir.path)))")
        #expect(setm.count == 2)

        // Restarted: the old escaped process is gone, a new one runs.
        for service in ["setsid", "daemon"] {
            let before = Set(Self.stackProcesses(dir.path, service: service).map(\.pid))
            let restart = try await MsvcBinary.run(["restart", service], cwd: dir.path)
            #expect(restart.status == 0, "\(restart.stderr)")
            #expect(await offPool { waitUntil(2) { Set(Self.stackProcesses(path, service: service).map(\.pid)).isDisjoint(with: before) } },
                    "\(service) kept: \(Self.describe(Self.stackProcesses(dir.path, service: service)))")
            #expect(await offPool { waitUntil(10) { Self.stackProcesses(path, service: service).count == 2 } })
        }

        let down = try await MsvcBinary.run(["down"], cwd: dir.path)
        #expect(down.status == 0, "\(down.stderr)")
        #expect(await offPool { waitUntil(2) { Self.stackProcesses(path).isEmpty } },
                "left running after down (\(mode)): \(Self.describe(Self.stackProcesses(dir.path)))")
    }

    @Test(arguments: modes)
    func upAfterSigkill_whileTheSupervisorIsAZombie_reapsAndReportsLeftovers(mode: String) async throws {
        let dir = try TemporaryDirectory()
        try dir.write("msvc.yaml", "services:\n  grandchild: { command: sh -c 'sleep 1001 & sleep 1002' }\n" + Self.escapes)
        // Started by hand so that nothing reaps it: this process is its parent and will not.
        let pid = try ZombieParent.spawn(MsvcBinary.path, ["up", "--no-tui"], cwd: dir.path, environment: Self.environment(mode))
        var reaped = false
        defer {
            if !reaped { kill(pid, SIGKILL); ZombieParent.reap(pid) }
            for p in Self.stackProcesses(dir.path) { kill(p.pid, SIGKILL) }
            downQuietly(dir)
        }
        #expect(await Self.waitForStack(dir.path, count: 10, exact: false, mode: mode, named: ["grandchild"] + Self.escapeServices), "\(Self.describe(Self.stackProcesses(dir.path)))")
        let started = Self.stackProcesses(dir.path)
        // Its watchdog must not clean up: stop it, kill msvc, then kill the watchdog.
        let watchdog = try #require(ProcInfo.scan().first { $0.ppid == pid && ProcInfo.command(of: $0.pid) == "msvc-watchdog" })
        kill(watchdog.pid, SIGSTOP)
        kill(pid, SIGKILL)
        #expect(await eventually(5) { ProcInfo.stat(of: pid)?.isZombie == true })
        kill(watchdog.pid, SIGKILL)
        ZombieParent.reap(watchdog.pid)
        let leftovers = Self.stackProcesses(dir.path)
        #expect(leftovers.count >= 5, "nothing left to reap: \(Self.describe(leftovers))")

        let up = try await MsvcBinary.run(["up", "-d"], cwd: dir.path, environment: Self.environment(mode))
        #expect(up.status == 0, "up refused while msvc is a zombie: \(up.stderr)")
        let path = dir.path
        let old = Set(leftovers.map(\.pid))
        #expect(await offPool { waitUntil(2) { Set(Self.stackProcesses(path).map(\.pid)).isDisjoint(with: old) } },
                "leftovers still running: \(Self.describe(Self.stackProcesses(dir.path).filter { old.contains($0.pid) }))")
        // The detached supervisor prints its report once it has started, which may be after
        // `up -d` has returned.
        var log = ""
        #expect(await eventually(10) {
            log = (try? dir.read(".msvc/logs/msvc.log")) ?? ""
            return log.contains("reaped leftovers of an earlier run:")
        }, "no report in msvc.log: \(log); up said: \(up.stdout)\(up.stderr); tree: \((FileManager.default.subpaths(atPath: dir.path + "/.msvc") ?? []).sorted()); state: \((try? dir.read(".msvc/run/state.json")) ?? "-")")
        let report = log.split(separator: "\n").first { $0.contains("reaped leftovers of an earlier run:") } ?? ""
        for service in ["grandchild"] + Self.escapeServices {
            #expect(report.contains("\(service) (process group"), "\(log)")
        }
        #expect(ProcInfo.stat(of: pid)?.isZombie == true)
        _ = try await MsvcBinary.run(["down"], cwd: dir.path)
        ZombieParent.reap(pid)
        reaped = true
        // Orphans of the killed msvc were re-parented to this process: reap their zombies.
        for p in started + leftovers { ZombieParent.reap(p.pid) }
    }

    @Test func nextUp_reapsLeftoversRecordedInStateJSON() async throws {
        let dir = try TemporaryDirectory()
        try Self.makeRunFolder(dir.path)
        // A group that a crashed msvc (whose watchdog died too) would have left behind: it
        // carries the stack's MSVC_STATE_DIR like everything msvc starts.
        let orphan = Process()
        orphan.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        orphan.arguments = ["python3", "-c", "import os, subprocess; os.setpgrp(); subprocess.Popen(['sleep', '1006']); os.execvp('sleep', ['sleep', '1007'])"]
        orphan.environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
                              "MSVC_STATE_DIR": dir.path + "/.msvc/data"]
        orphan.standardOutput = FileHandle.nullDevice
        orphan.standardError = FileHandle.nullDevice
        try orphan.run()
        let pgid = orphan.processIdentifier
        defer { for pid in ProcInfo.members(ofGroup: pgid) { kill(pid, SIGKILL) } }
        #expect(await eventually(30) { ProcInfo.members(ofGroup: pgid).count == 2 })
        let record = RunRecord(supervisorPID: 999_999, supervisorStartTicks: 1, project: "x",
                               groups: [.init(service: "api", replica: 1, pgid: pgid, startTicks: ProcInfo.startTicks(of: pgid)!)])
        try record.write(to: dir.path + "/.msvc/run/state.json")
        try dir.write("msvc.yaml", "services:\n  api: { command: sleep 1000 }\n")
        let up = try await MsvcBinary.run(["up", "-d"], cwd: dir.path)
        defer { downQuietly(dir) }
        #expect(up.status == 0, "\(up.stderr)")
        #expect(await eventually(30) { ProcInfo.members(ofGroup: pgid).isEmpty })
        // (Printed once the detached supervisor has started, maybe after `up -d` returned.)
        var log = ""
        #expect(await eventually(10) {
            log = (try? dir.read(".msvc/logs/msvc.log")) ?? ""
            return log.contains("reaped leftovers of an earlier run: api (process group \(pgid))")
        }, "\(log)")
        await offPool { orphan.waitUntilExit() }
    }

    @Test(arguments: modes)
    func plantedStateJSON_neverKillsAnUnrelatedProcess(mode: String) async throws {
        let dir = try TemporaryDirectory()
        try Self.makeRunFolder(dir.path)
        // An unrelated process in a group of its own: what a forged record names. Its output
        // must not hold the test runner's pipes should it outlive the test.
        let victim = Process()
        victim.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        victim.arguments = ["python3", "-c", "import os; os.setpgrp(); os.execvp('sleep', ['sleep', '1000'])"]
        victim.standardOutput = FileHandle.nullDevice
        victim.standardError = FileHandle.nullDevice
        try victim.run()
        let pid = victim.processIdentifier
        defer { kill(pid, SIGKILL) }
        #expect(await eventually(10) { ProcInfo.command(of: pid) == "sleep" && ProcInfo.stat(of: pid)?.pgrp == pid })
        let start = try #require(ProcInfo.startTicks(of: pid))
        // In a cgroup named as msvc names them, when the machine allows one.
        let fake = FakeCgroup(holding: pid)
        defer { fake?.remove() }
        let record = RunRecord(
            supervisorPID: pid, supervisorStartTicks: start, project: "x",
            groups: [.init(service: "api", replica: 1, pgid: pid, startTicks: start, cgroup: fake.map { $0.path + "/1-api" },
                           escaped: [ProcessIdentity(pid: pid, startTicks: start)])],
            cgroup: fake?.path)
        try record.write(to: dir.path + "/.msvc/run/state.json")
        try dir.write("msvc.yaml", "services:\n  api: { command: sleep 1000 }\n")
        let up = try await MsvcBinary.run(["up", "-d"], cwd: dir.path, environment: Self.environment(mode))
        #expect(up.status == 0, "a forged supervisor pid must not block up: \(up.stderr)")
        let down = try await MsvcBinary.run(["down"], cwd: dir.path)
        #expect(down.status == 0, "\(down.stderr)")
        #expect(ProcInfo.isRunning(pid) && ProcInfo.startTicks(of: pid) == start, "the planted state.json got an unrelated process killed")
        let log = (try? dir.read(".msvc/logs/msvc.log")) ?? ""
        #expect(!log.contains("reaped leftovers"), "\(log)")
    }

    @Test func plantedLinks_inTheRunFolder_areNeverWrittenThrough() async throws {
        let dir = try TemporaryDirectory()
        let run = dir.path + "/.msvc/run"
        try Self.makeRunFolder(dir.path)
        let precious = try dir.write("precious.txt", "keep me\n")
        let other = try dir.write("other.txt", "keep me too\n")
        try FileManager.default.createSymbolicLink(atPath: run + "/state.json.tmp", withDestinationPath: precious)
        try FileManager.default.createSymbolicLink(atPath: run + "/state.json", withDestinationPath: other)
        try dir.write("msvc.yaml", "services:\n  api: { command: sleep 1000 }\n")
        let up = try await MsvcBinary.run(["up", "-d"], cwd: dir.path)
        #expect(up.status == 0, "\(up.stderr)")
        let down = try await MsvcBinary.run(["down"], cwd: dir.path)
        #expect(down.status == 0, "\(down.stderr)")
        #expect(try dir.read("precious.txt") == "keep me\n")
        #expect(try dir.read("other.txt") == "keep me too\n")
    }
}

/// Starts a program as a plain child of this process and never reaps it on its own, so that
/// its pid stays a zombie after it dies (as under a container's PID 1 that does not reap).
enum ZombieParent {
    /// posix_spawn through `sh` (for the working directory), output discarded.
    static func spawn(_ program: String, _ arguments: [String], cwd: String, environment: [String: String]) throws -> Int32 {
        let quoted = ([program] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        let argv = ["/bin/sh", "-c", "cd '\(cwd)' && exec \(quoted) >/dev/null 2>&1 </dev/null"]
        let env = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { "\($0.key)=\($0.value)" }
        var pid: Int32 = 0
        let cArgv = argv.map { strdup($0) } + [nil]
        let cEnv = env.map { strdup($0) } + [nil]
        defer { (cArgv + cEnv).forEach { free($0) } }
        let rc = posix_spawn(&pid, "/bin/sh", nil, nil, cArgv, cEnv)
        guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EIO) }
        return pid
    }

    /// Reaps `pid` if it is an exited child of ours.
    static func reap(_ pid: Int32) {
        var status: Int32 = 0
        _ = waitpid(pid, &status, WNOHANG)
    }
}

/// A cgroup named like msvc's (`msvc-PID-HEX`) holding an unrelated process, where cgroup v2
/// lets this process make one; nil elsewhere.
struct FakeCgroup {
    let path: String
    let parent: String

    init?(holding pid: Int32) {
        guard let own = try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8)
            .split(separator: "\n").first(where: { $0.hasPrefix("0::") }).map({ String($0.dropFirst(3)) }),
              let mount = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8))?
            .split(separator: "\n").first(where: { $0.contains(" - cgroup2 ") })?.split(separator: " ")[4]
        else { return nil }
        let parent = String(mount) + (own == "/" ? "" : own)
        let path = parent + "/msvc-\(pid)-f00d"
        guard mkdir(path, 0o755) == 0 else { return nil }
        guard mkdir(path + "/1-api", 0o755) == 0,
              (try? "\(pid)".write(toFile: path + "/1-api/cgroup.procs", atomically: false, encoding: .utf8)) != nil else {
            rmdir(path + "/1-api")
            rmdir(path)
            return nil
        }
        self.path = path
        self.parent = parent
    }

    /// Moves the process back to the parent and removes the cgroups.
    func remove() {
        for pid in (try? String(contentsOfFile: path + "/1-api/cgroup.procs", encoding: .utf8))?.split(separator: "\n") ?? [] {
            try? String(pid).write(toFile: parent + "/cgroup.procs", atomically: false, encoding: .utf8)
        }
        rmdir(path + "/1-api")
        rmdir(path)
    }
}
