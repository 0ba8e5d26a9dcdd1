import Foundation
import Glibc
import Testing

@testable import MsvcCore

/// state.json: written without following links, read back by older and newer msvc, and never
/// trusted to name a process on its word alone.
@Suite("Supervisor: run record and leftovers")
struct SupervisorRunRecordTests {
    private func runFolder() throws -> (StateDirectory, URL) {
        let root = try makeSupervisorTempDir()
        let dir = StateDirectory(root: root.path + "/.msvc")
        try dir.create()
        return (dir, root)
    }

    /// Starts `arguments` as a child of this process with `env`, in a process group of its own
    /// when `group`; nothing reaps it on its own.
    private func spawn(_ arguments: [String], env: [String: String] = [:], group: Bool = false) throws -> Int32 {
        var pid: Int32 = 0
        let entries: [String] = ["PATH=/usr/bin:/bin"] + env.map { "\($0.key)=\($0.value)" }
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = entries.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        if group {
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
            posix_spawnattr_setpgroup(&attributes, 0)
        }
        let rc = posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envp)
        guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EIO) }
        return pid
    }

    private func reap(_ pid: Int32) {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
    }

    @Test func write_replacesLinksInsteadOfWritingThroughThem() throws {
        let (dir, root) = try runFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let precious = root.path + "/precious"
        try "keep".write(toFile: precious, atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: dir.stateFile + ".tmp", withDestinationPath: precious)
        try FileManager.default.createSymbolicLink(atPath: dir.stateFile, withDestinationPath: precious)
        #expect(RunRecord.read(from: dir.stateFile) == nil) // a link is not a record
        let record = RunRecord(supervisorPID: 42, supervisorStartTicks: 7, project: "p", groups: [])
        try record.write(to: dir.stateFile)
        #expect(try String(contentsOfFile: precious, encoding: .utf8) == "keep")
        #expect(RunRecord.read(from: dir.stateFile) == record)
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.run).sorted()
        #expect(left == ["state.json", "state.json.tmp"]) // no temporary file of ours stays behind
        let mode = try FileManager.default.attributesOfItem(atPath: dir.stateFile)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func read_refusesWhatIsNotAPlainFileMsvcWrote() throws {
        let (dir, root) = try runFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        #expect(mkfifo(dir.stateFile, 0o600) == 0)
        #expect(RunRecord.read(from: dir.stateFile) == nil) // and does not block on the FIFO
        unlink(dir.stateFile)
        try String(repeating: " ", count: RunRecord.maxSize + 1).write(toFile: dir.stateFile, atomically: false, encoding: .utf8)
        #expect(RunRecord.read(from: dir.stateFile) == nil)
        try #"{"pid": 1, "start_ticks": 2, "groups": [{"service": "a", "replica": 1, "pgid": 0, "start_ticks": 3}]}"#
            .write(toFile: dir.stateFile, atomically: false, encoding: .utf8)
        #expect(RunRecord.read(from: dir.stateFile)?.groups == []) // pgid 0 would mean our own group
    }

    @Test func read_acceptsTheFormatOfEarlierVersions_andRoundTripsTheNewFields() throws {
        let (dir, root) = try runFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        try #"{"pid": 10, "start_ticks": 20, "project": "shop", "groups": [{"service": "orders", "replica": 2, "pgid": 30, "start_ticks": 40}]}"#
            .write(toFile: dir.stateFile, atomically: false, encoding: .utf8)
        let old = try #require(RunRecord.read(from: dir.stateFile))
        #expect(old == RunRecord(supervisorPID: 10, supervisorStartTicks: 20, project: "shop",
                                 groups: [.init(service: "orders", replica: 2, pgid: 30, startTicks: 40)]))
        let new = RunRecord(supervisorPID: 10, supervisorStartTicks: 20, project: "shop",
                            groups: [.init(service: "orders", replica: 2, pgid: 30, startTicks: 40, cgroup: "/sys/fs/cgroup/msvc-10-a/1-orders.2",
                                           escaped: [ProcessIdentity(pid: 31, startTicks: 41)])],
                            cgroup: "/sys/fs/cgroup/msvc-10-a")
        try new.write(to: dir.stateFile)
        #expect(RunRecord.read(from: dir.stateFile) == new)
    }

    @Test func supervisorRunning_notForAZombie_notForAnotherProgram() async throws {
        let me = getpid()
        #expect(LeftoverReaper.supervisorRunning(RunRecord(supervisorPID: me, supervisorStartTicks: ProcInfo.startTicks(of: me)!, project: "", groups: [])))
        // Another program with its true start time: a forged record.
        let sleeper = try spawn(["sleep", "1000"])
        defer { reap(sleeper) }
        #expect(await pollUntil { ProcInfo.command(of: sleeper) == "sleep" })
        #expect(!LeftoverReaper.supervisorRunning(RunRecord(supervisorPID: sleeper, supervisorStartTicks: ProcInfo.startTicks(of: sleeper)!, project: "", groups: [])))
        // A zombie nobody reaps, as under a container's PID 1 that does not.
        let zombie = try spawn(["true"])
        defer { reap(zombie) }
        let ticks = try #require(ProcInfo.startTicks(of: zombie))
        #expect(await pollUntil { ProcInfo.stat(of: zombie)?.isZombie == true })
        #expect(!LeftoverReaper.supervisorRunning(RunRecord(supervisorPID: zombie, supervisorStartTicks: ticks, project: "", groups: [])))
    }

    @Test func reap_killsMarkedProcessesAndTheirChildren_andSparesTheRest() async throws {
        let (dir, root) = try runFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let marker = LeftoverReaper.marker(for: dir)
        #expect(marker == "MSVC_STATE_DIR=\(dir.data)")
        let key = String(marker.prefix { $0 != "=" }), value = String(marker.drop { $0 != "=" }.dropFirst())
        // Ours: a marked group leader whose child cleared its environment, and a marked process
        // that left the group. Not ours: an unmarked process named as a group and as escaped.
        let leader = try spawn(["sh", "-c", "env -i sleep 1000 & exec sleep 1000"], env: [key: value], group: true)
        let escaped = try spawn(["sleep", "1000"], env: [key: value])
        let stranger = try spawn(["sleep", "1000"])
        defer { for pid in [leader, escaped, stranger] { reap(pid) } }
        #expect(await pollUntil {
            ProcInfo.scan().contains { $0.ppid == leader && !$0.isZombie } && ProcInfo.command(of: leader) == "sleep"
                && ProcInfo.command(of: escaped) == "sleep" && ProcInfo.command(of: stranger) == "sleep"
        })
        let child = try #require(ProcInfo.scan().first { $0.ppid == leader && !$0.isZombie })
        defer { // re-parented to this process (a subreaper) once the leader died: reap its zombie
            var status: Int32 = 0
            _ = waitpid(child.pid, &status, WNOHANG)
        }
        let start = { (pid: Int32) in ProcessIdentity(pid: pid, startTicks: ProcInfo.startTicks(of: pid)!) }
        let record = RunRecord(supervisorPID: 999_999, supervisorStartTicks: 1, project: "x", groups: [
            .init(service: "api", replica: 1, pgid: leader, startTicks: start(leader).startTicks, escaped: [start(escaped)]),
            .init(service: "web", replica: 1, pgid: stranger, startTicks: start(stranger).startTicks, escaped: [start(stranger)]),
        ])
        try record.write(to: dir.stateFile)
        let report = LeftoverReaper.reap(dir)
        #expect(report.liveSupervisor == nil)
        #expect(report.reaped.map(\.service) == ["api"])
        #expect(report.reaped.first?.processes == 3)
        #expect(report.escaped.map(\.pid) == [escaped])
        #expect(report.unverified.map(\.pid).contains(stranger))
        #expect(await pollUntil(timeout: .seconds(2)) {
            [leader, escaped, child.pid].allSatisfy { !ProcInfo.isRunning($0) }
        })
        #expect(ProcInfo.isRunning(stranger))
        #expect(RunRecord.read(from: dir.stateFile) == nil)
    }
}
