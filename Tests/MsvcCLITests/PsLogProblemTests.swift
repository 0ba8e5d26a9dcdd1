import Foundation
import Glibc
import MsvcCore
import MsvcTestSupport
import Testing

/// `msvc ps` and the dashboard with the log folder on a full disk: the replica is marked and a
/// line says how many lines its log file is missing (a tmpfs, so it needs root, as in CI).
@Suite(.serialized) struct PsLogProblemTests {
    static let canMount: Bool = {
        guard geteuid() == 0, let dir = try? TemporaryDirectory(prefix: "msvc-mount-check") else { return false }
        guard Glibc.mount("tmpfs", dir.path, "tmpfs", 0, "size=64k") == 0 else { return false }
        umount2(dir.path, Int32(MNT_DETACH))
        return true
    }()

    @Test(.enabled(if: canMount, "needs root to mount a tmpfs"), .timeLimit(.minutes(2)))
    func psAndDashboard_sayWhenALogFileCannotBeWritten() async throws {
        let dir = try TemporaryDirectory(prefix: "msvc-ps-full")
        let logs = dir.path + "/.msvc/logs"
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        guard Glibc.mount("tmpfs", logs, "tmpfs", 0, "size=1m,mode=0700") == 0 else { throw POSIXError(.EPERM) }
        defer { umount2(logs, Int32(MNT_DETACH)) }
        try dir.write("msvc.yaml", """
            name: full
            services:
              chatty: { command: 'i=0; while true; do i=$((i+1)); echo "line $i xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"; sleep 0.001; done', shell: true }
            """)
        let up = await Spawn.msvc(["up", "-d"], cwd: dir.path)
        try #require(up.status == 0, "\(up.stderr)")
        defer { _ = Spawn.msvc(["down", "--timeout", "2s"], cwd: dir.path) }
        // Fill what is left of the disk once the supervisor has its files open.
        let filler = logs + "/filler"
        let fd = open(filler, O_WRONLY | O_CREAT, 0o600)
        let chunk = [UInt8](repeating: 0x7A, count: 16 << 10)
        while chunk.withUnsafeBytes({ write(fd, $0.baseAddress!, $0.count) }) > 0 {}
        close(fd)
        var last = ""
        let shown = await eventually(30) {
            last = await Spawn.msvc(["ps"], cwd: dir.path).stdout
            return last.contains("!log") && last.contains("chatty: log file not written since")
        }
        #expect(shown, "ps did not show the log file problem:\n\(last)")
        #expect(last.contains("No space left on device") && last.contains("lines missing from"), "\(last)")
        let json = await Spawn.msvc(["ps", "--json"], cwd: dir.path).stdout
        #expect(json.contains("\"log_file_problem\"") && json.contains("No space left on device"), "\(json)")
        // msvc doctor names the replica, the count and the disk, and how to fix it.
        let doctor = await Spawn.msvc(["doctor", "--json"], cwd: dir.path).stdout
        let checks = (try? JSON.parse(doctor))?["checks"]?.arrayValue ?? []
        func check(_ subject: String) -> (status: String, detail: String)? {
            for c in checks where c["category"]?.stringValue == "logs" && c["subject"]?.stringValue == subject {
                return (c["status"]?.stringValue ?? "", c["detail"]?.stringValue ?? "")
            }
            return nil
        }
        let replica = check("chatty")
        #expect(replica?.status == "warning", "\(doctor)")
        #expect(replica?.detail.contains("not written to") == true && replica?.detail.contains("No space left on device") == true, "\(doctor)")
        #expect(check(".msvc/logs")?.detail.hasPrefix("only 0 MiB free") == true, "\(doctor)")

        // The dashboard says so in its header, in a terminal.
        guard DashboardTmuxTests.hasTmux else { return }
        let t = try TmuxSession(command: "NO_COLOR=1 '\(MsvcBinary.path)' dash; exec sleep 600", cwd: dir.path)
        defer { t.kill() }
        let w = await t.waitFor(20) { $0.contains("log file of chatty not written: No space left on device;") && $0.contains("lines missing") }
        #expect(w.ok, "the dashboard did not show the log file problem:\n\(w.screen)")
    }
}
