import Foundation
import Glibc
import MsvcCore
import MsvcTestSupport
import Testing

/// `msvc doctor` on real machines states: a missing program, a taken port, stale state.
@Suite(.serialized) struct DoctorTests {
    static func checks(_ out: String) throws -> [JSON] {
        try #require(JSON.parse(out)["checks"]?.arrayValue)
    }

    @Test func missingProgram_isAProblem_withTheServicesAndAFix() async throws {
        let dir = try TemporaryDirectory()
        try dir.write("msvc.yaml", """
            services:
              api: { command: no-such-program-doctor --serve, language: python }
              tool: { command: sleep 1000, test: also-missing-test-runner }
            """)
        let r = try await MsvcBinary.run(["doctor", "--json"], cwd: dir.path)
        #expect(r.status == 1)
        let checks = try Self.checks(r.stdout)
        let missing = try #require(checks.first { $0["subject"]?.stringValue == "no-such-program-doctor" })
        #expect(missing["status"]?.stringValue == "problem")
        #expect(missing["services"]?.arrayValue?.compactMap(\.stringValue) == ["api"])
        #expect(missing["fix"]?.stringValue?.isEmpty == false)
        // Needed only by `test:`: worth a warning, does not stop up.
        #expect(checks.first { $0["subject"]?.stringValue == "also-missing-test-runner" }?["status"]?.stringValue == "warning")
        let python = try #require(checks.first { $0["subject"]?.stringValue == "python3" })
        #expect(python["status"]?.stringValue == "ok" && python["detail"]?.stringValue?.hasPrefix("Python 3") == true)

        let text = try await MsvcBinary.run(["doctor", "--no-color"], cwd: dir.path)
        #expect(text.status == 1)
        #expect(text.stdout.contains("✖ no-such-program-doctor") && text.stdout.contains("fix: install no-such-program-doctor"))
        #expect(text.stdout.contains("1 problem would stop msvc up"))
        // up stops with the same finding.
        let up = try await MsvcBinary.run(["up", "-d"], cwd: dir.path)
        #expect(up.status == 69 && up.stderr.contains("no-such-program-doctor"))
    }

    @Test func takenPort_namesItsHolder() async throws {
        let dir = try TemporaryDirectory()
        // The holder picks its own port and writes it down, so no other test can take the port
        // between choosing it and binding it.
        let portFile = dir.path + "/port"
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = ["python3", "-c", "import socket,time,sys; s=socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(); "
                            + "open(sys.argv[1] + '.tmp', 'w').write(str(s.getsockname()[1])); import os; os.rename(sys.argv[1] + '.tmp', sys.argv[1]); time.sleep(60)", portFile]
        holder.standardOutput = FileHandle.nullDevice
        holder.standardError = FileHandle.nullDevice
        try holder.run()
        defer { kill(holder.processIdentifier, SIGKILL) }
        #expect(await eventually(10) { FileManager.default.fileExists(atPath: portFile) })
        let port = try #require(Int(try String(contentsOfFile: portFile, encoding: .utf8)))
        try dir.write("msvc.yaml", "services:\n  web: { command: sleep 1000, port: \(port) }\n")
        let r = try await MsvcBinary.run(["doctor", "--json"], cwd: dir.path)
        #expect(r.status == 1)
        let check = try #require(try Self.checks(r.stdout).first { $0["subject"]?.stringValue == "port \(port)" })
        #expect(check["status"]?.stringValue == "problem")
        #expect(check["detail"]?.stringValue?.contains("pid \(holder.processIdentifier)") == true, "\(check)")
        #expect(check["detail"]?.stringValue?.contains("python3") == true)
        #expect(check["fix"]?.stringValue?.contains("kill \(holder.processIdentifier)") == true)
    }

    @Test func staleState_andLeftovers_areReportedWithHowToClearThem() async throws {
        let dir = try TemporaryDirectory()
        try dir.write("msvc.yaml", "services:\n  web: { command: sleep 1000 }\n")
        // A leftover: a process in its own group, recorded by a supervisor that is gone.
        let leftover = Process()
        leftover.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        leftover.arguments = ["python3", "-c", "import os, time; os.setpgid(0, 0); time.sleep(60)"]
        // Its output must not keep the test runner's pipes open.
        leftover.standardOutput = FileHandle.nullDevice
        leftover.standardError = FileHandle.nullDevice
        try leftover.run()
        let pid = leftover.processIdentifier
        defer { kill(-pid, SIGKILL); kill(pid, SIGKILL) }
        #expect(await eventually(5) { getpgid(pid) == pid })
        let state = StateDirectory.beside(configDirectory: dir.path)
        try state.create()
        let record = RunRecord(supervisorPID: 999_999, supervisorStartTicks: 1, project: "x",
                               groups: [RunRecord.Group(service: "web", replica: 1, pgid: pid, startTicks: ProcInfo.startTicks(of: pid) ?? 0)])
        try record.write(to: state.stateFile)
        let r = try await MsvcBinary.run(["doctor", "--json"], cwd: dir.path)
        let check = try #require(try Self.checks(r.stdout).first { $0["category"]?.stringValue == "state" })
        #expect(check["status"]?.stringValue == "warning")
        #expect(check["detail"]?.stringValue?.contains("process group \(pid)") == true, "\(check)")
        #expect(check["fix"]?.stringValue?.contains("msvc up") == true)
        #expect(kill(pid, 0) == 0, "doctor must not kill anything")

        // Nothing left running: only the stale file.
        kill(-pid, SIGKILL)
        #expect(await eventually(5) { ProcInfo.members(ofGroup: pid).isEmpty })
        let again = try await MsvcBinary.run(["doctor", "--json"], cwd: dir.path)
        let stale = try #require(try Self.checks(again.stdout).first { $0["category"]?.stringValue == "state" })
        #expect(stale["detail"]?.stringValue?.contains("nothing of it still runs") == true, "\(stale)")
    }

    @Test func withoutAConfig_theMachineChecksStillRun() async throws {
        let dir = try TemporaryDirectory()
        let r = try await MsvcBinary.run(["doctor", "--json"], cwd: dir.path)
        #expect(r.status == 1)
        let checks = try Self.checks(r.stdout)
        #expect(checks.first?["category"]?.stringValue == "config")
        #expect(checks.contains { $0["category"]?.stringValue == "terminal" })
    }
}
