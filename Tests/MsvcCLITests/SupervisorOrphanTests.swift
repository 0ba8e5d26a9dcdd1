import Foundation
import MsvcCore
import MsvcTestSupport
import Testing

/// Nothing msvc starts may outlive it: not on SIGKILL, SIGTERM or SIGINT, not a grandchild,
/// not a process that double-forks within its group.
@Suite(.serialized) struct SupervisorOrphanTests {
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
        """

    /// Every pid in `groups`, from /proc.
    static func members(_ groups: Set<Int32>) -> [Int32] {
        groups.flatMap { ProcInfo.members(ofGroup: $0) }
    }

    @Test(arguments: [SIGKILL, SIGTERM, SIGINT])
    func msvcKilled_leavesNoProcessBehind(signal: Int32) async throws {
        let dir = try TemporaryDirectory()
        try dir.write("msvc.yaml", Self.stack)
        let msvc = Process()
        msvc.executableURL = URL(fileURLWithPath: MsvcBinary.path)
        msvc.arguments = ["up", "--no-tui"]
        msvc.currentDirectoryURL = URL(fileURLWithPath: dir.path)
        msvc.standardOutput = FileHandle.nullDevice
        msvc.standardError = FileHandle.nullDevice
        try msvc.run()
        defer { if msvc.isRunning { kill(msvc.processIdentifier, SIGKILL) } }
        // All four groups up, with their children forked. The polls run on threads of their
        // own: the 2-second bound is measured by a thread that is not waiting for the pool.
        let path = dir.path
        let (started, groups) = await offPool { () -> (Bool, Set<Int32>) in
            var groups = Set<Int32>()
            let ok = waitUntil(15) {
                guard let record = RunRecord.read(from: path + "/.msvc/run/state.json"), record.groups.count == 4 else { return false }
                groups = Set(record.groups.map(\.pgid))
                return Self.members(groups).count >= 8
            }
            return (ok, groups)
        }
        #expect(started, "stack did not start: \(Self.members(groups))")
        kill(msvc.processIdentifier, signal)
        let gone = await offPool { waitUntil(signal == SIGKILL ? 2 : 5) { Self.members(groups).isEmpty } }
        let left = Self.members(groups).map { "\($0): \(PortAllocator.commandLine(of: $0) ?? "?")" }
        #expect(gone, "left running after \(ProcessSignal.name(of: signal)): \(left)")
        for pid in Self.members(groups) { kill(pid, SIGKILL) }
    }

    @Test func nextUp_reapsLeftoversRecordedInStateJSON() async throws {
        let dir = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir.path + "/.msvc/run", withIntermediateDirectories: true)
        // A group that a crashed msvc (whose watchdog died too) would have left behind.
        let orphan = Process()
        orphan.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        orphan.arguments = ["python3", "-c", "import os, subprocess; os.setpgrp(); subprocess.Popen(['sleep', '1006']); os.execvp('sleep', ['sleep', '1007'])"]
        try orphan.run()
        let pgid = orphan.processIdentifier
        #expect(await eventually(30) { ProcInfo.members(ofGroup: pgid).count == 2 })
        let record = RunRecord(supervisorPID: 999_999, supervisorStartTicks: 1, project: "x",
                               groups: [.init(service: "api", replica: 1, pgid: pgid, startTicks: ProcInfo.startTicks(of: pgid)!)])
        try record.write(to: dir.path + "/.msvc/run/state.json")
        try dir.write("msvc.yaml", "services:\n  api: { command: sleep 1000 }\n")
        let up = try await MsvcBinary.run(["up", "-d"], cwd: dir.path)
        defer { _ = try? MsvcBinary.run(["down"], cwd: dir.path) }
        #expect(up.status == 0, "\(up.stderr)")
        #expect(await eventually(30) { ProcInfo.members(ofGroup: pgid).isEmpty })
        let log = try dir.read(".msvc/logs/msvc.log")
        #expect(log.contains("reaped leftovers of an earlier run: api (process group \(pgid))"), "\(log)")
        await offPool { orphan.waitUntilExit() }
    }
}
