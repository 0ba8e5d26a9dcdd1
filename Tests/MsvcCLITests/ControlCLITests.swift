import Foundation
import MsvcCore
import MsvcTestSupport
import Testing

/// The verbs that talk to a running stack, through the real binary and a detached supervisor.
@Suite(.serialized, .timeLimit(.minutes(5))) struct ControlCLITests {
    static let yaml = """
        name: ctl
        services:
          worker: { command: sh -c 'i=0; while true; do i=$((i+1)); echo "tick $i"; sleep 0.05; done' }
          idle: { command: sleep 100000 }
        """

    static func up(_ dir: TemporaryDirectory) async throws {
        let up = try await MsvcBinary.run(["up", "--wait", "--timeout", "30s"], cwd: dir.path)
        #expect(up.status == 0, "\(up.stderr)")
    }

    static func supervisorPID(_ dir: TemporaryDirectory) async throws -> Int32 {
        let ps = try await MsvcBinary.run(["ps", "--json"], cwd: dir.path)
        return Int32(try #require(try JSON.parse(ps.stdout)["pid"]?.intValue))
    }

    @Test func unknownService_exits64WithDidYouMean_forEveryVerb() async throws {
        let dir = try TemporaryDirectory()
        defer { downQuietly(dir) }
        try dir.write("msvc.yaml", Self.yaml)
        try await Self.up(dir)
        for args in [["stop", "workr"], ["restart", "workr"], ["start", "workr"], ["scale", "workr=1"], ["logs", "workr"],
                     ["logs", "-f", "workr"], ["logs", "-n", "3", "--grep", "x", "workr"]] {
            let r = try await MsvcBinary.run(args, cwd: dir.path)
            #expect(r.status == 64, "\(args): \(r.status) \(r.stderr)")
            #expect(r.stderr.contains("unknown service \"workr\"; did you mean \"worker\"?"), "\(args): \(r.stderr)")
        }
        for args in [["stop", "nope"], ["restart", "nope"], ["scale", "nope=1"], ["logs", "nope"]] {
            let r = try await MsvcBinary.run(args, cwd: dir.path)
            #expect(r.status == 64, "\(args): \(r.status) \(r.stderr)")
            #expect(r.stderr.contains("unknown service \"nope\""), "\(args): \(r.stderr)")
        }
    }

    @Test func outOfRangeArguments_exit64_andTheSupervisorLivesOn() async throws {
        let dir = try TemporaryDirectory()
        defer { downQuietly(dir) }
        try dir.write("msvc.yaml", Self.yaml)
        // Out of range is a usage error whether or not a stack runs.
        for args in [["scale", "worker=1000"], ["scale", "worker=-1"], ["logs", "-n=-1"]] {
            let r = try await MsvcBinary.run(args, cwd: dir.path)
            #expect(r.status == 64, "\(args) without a stack: \(r.status) \(r.stderr)")
        }
        try await Self.up(dir)
        let pid = try await Self.supervisorPID(dir)
        let before = try await MsvcBinary.run(["ps", "--json"], cwd: dir.path).stdout
        let scaleUp = try await MsvcBinary.run(["scale", "worker=1000"], cwd: dir.path)
        let scaleDown = try await MsvcBinary.run(["scale", "worker=-1"], cwd: dir.path)
        #expect(scaleUp.status == 64 && scaleDown.status == 64, "\(scaleUp.stderr) \(scaleDown.stderr)")
        #expect(scaleUp.stderr.contains("replicas must be 0 to 256, not 1000"))
        #expect(scaleDown.stderr.contains("replicas must be 0 to 256, not -1"))
        for args in [["logs", "-n=-1"], ["logs", "-f", "-n=-3"], ["logs", "-n", "99999999999"]] {
            let r = try await MsvcBinary.run(args, cwd: dir.path)
            #expect(r.status == 64, "\(args): \(r.status) \(r.stderr)")
            #expect(r.stderr.contains("must be 0 to 2147483647"), "\(args): \(r.stderr)")
        }
        // `-n -5` reads as a missing value: a usage error too.
        #expect(try await MsvcBinary.run(["logs", "-n", "-5", "worker"], cwd: dir.path).status == 64)
        // The supervisor and its services are as they were.
        #expect(kill(pid, 0) == 0)
        let after = try await MsvcBinary.run(["ps", "--json"], cwd: dir.path).stdout
        func pids(_ text: String) throws -> [Int] {
            try JSON.parse(text)["services"]?.arrayValue?.flatMap { $0["replicas"]?.arrayValue ?? [] }.compactMap { $0["pid"]?.intValue } ?? []
        }
        #expect(try pids(after) == pids(before) && !(try pids(before)).isEmpty)
    }

    /// 8 services flood; a `logs -f` client stops reading for a while. The supervisor's memory
    /// stays where it was, and when the client reads again it is told how many lines it missed.
    @Test func stalledFollower_keepsTheSupervisorsMemoryFlat_andIsToldWhatItMissed() async throws {
        let dir = try TemporaryDirectory()
        defer { downQuietly(dir) }
        try dir.write("flood.py", """
            import os, sys, time
            rate, pad, name = int(os.environ["RATE"]), "x" * 180, os.environ["MSVC_SERVICE"]
            n, t = 0, time.monotonic()
            while True:
                out = []
                for _ in range(rate // 100):
                    n += 1
                    out.append(f"{name} {n} {pad}")
                sys.stdout.write("\\n".join(out) + "\\n")
                sys.stdout.flush()
                t += 0.01
                time.sleep(max(0, t - time.monotonic()))
            """)
        var yaml = "name: flood\nservices:\n"
        for i in 1...8 { yaml += "  f\(i): { command: python3 -u flood.py, env: { RATE: \"4000\" } }\n" }
        try dir.write("msvc.yaml", yaml)
        try await Self.up(dir)
        let pid = try await Self.supervisorPID(dir)
        // Baseline once every ring is full (10,000 lines per service).
        #expect(await eventually(60) {
            (1...8).allSatisfy { i in
                ((try? FileManager.default.attributesOfItem(atPath: dir.path + "/.msvc/logs/f\(i).log")[.size] as? Int) ?? 0) > 10_000 * 200
            }
        })
        try await Task.sleep(for: .seconds(1))
        let baseline = try #require(residentBytes(of: pid))

        let follower = Process()
        follower.executableURL = URL(fileURLWithPath: MsvcBinary.path)
        follower.arguments = ["logs", "-f", "-n", "0"]
        follower.currentDirectoryURL = URL(fileURLWithPath: dir.path)
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        follower.environment = env
        let pipe = Pipe()
        follower.standardOutput = pipe
        follower.standardError = FileHandle.nullDevice
        try follower.run()
        defer { if follower.isRunning { follower.terminate() } }
        // Nobody reads the pipe: the client blocks, then the supervisor's writes do.
        var peak = baseline
        let stallEnd = Date().addingTimeInterval(8)
        while Date() < stallEnd {
            peak = max(peak, residentBytes(of: pid) ?? 0)
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(peak - baseline < 12 << 20, "supervisor RSS went from \(baseline >> 20) MiB to \(peak >> 20) MiB")
        // Reading again: the gap is announced in place.
        let reader = pipe.fileHandleForReading
        let note = await offPool { () -> String? in
            var text = ""
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline {
                let chunk = reader.availableData
                if chunk.isEmpty { return nil }
                text += String(decoding: chunk, as: UTF8.self)
                // Only whole lines: a read may end in the middle of the note.
                let whole = text.lastIndex(of: "\n").map { text[..<$0] } ?? ""
                if let line = whole.split(separator: "\n").first(where: { $0.hasPrefix("[msvc] ") && $0.contains("lines missed here") }) {
                    return String(line)
                }
                if text.count > 1 << 20 { text = String(text.suffix(4096)) }
            }
            return nil
        }
        let missed = try #require(note, "no missed-lines note")
        let count = Int(missed.split(separator: " ")[1]) ?? 0
        #expect(count > 1_000, "\(missed)")
        #expect(missed.contains(".msvc/logs/ has every line"))
    }

    @Test func logsFollow_printsABacklogOver16MiB() async throws {
        let dir = try TemporaryDirectory()
        defer { downQuietly(dir) }
        try dir.write("big.py", "import sys, time\nfor i in range(400): sys.stdout.write(str(i).rjust(5, '0') + 'x' * 59995 + '\\n')\nsys.stdout.flush()\ntime.sleep(100000)\n")
        try dir.write("msvc.yaml", "services:\n  big: { command: python3 big.py }\n")
        try await Self.up(dir)
        #expect(await eventually(60) {
            (try? await MsvcBinary.run(["logs", "big", "-n", "1"], cwd: dir.path).stdout.contains("| 00399xxx")) ?? false
        })
        // `logs -f` prints the whole backlog (24 MB), then keeps following: stop it after.
        let path = MsvcBinary.path, cwd = dir.path
        let lines = try await offPool { () -> Int in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: path)
            p.arguments = ["logs", "-f", "big"]
            p.currentDirectoryURL = URL(fileURLWithPath: cwd)
            let pipe = Pipe()
            p.standardOutput = pipe
            p.standardError = FileHandle.nullDevice
            try p.run()
            defer { p.terminate(); p.waitUntilExit() }
            var count = 0
            var partial = Data()
            let deadline = Date().addingTimeInterval(60)
            while count < 400, Date() < deadline {
                let chunk = pipe.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                partial += chunk
                while let nl = partial.firstIndex(of: 0x0A) {
                    if partial.distance(from: partial.startIndex, to: nl) > 59_000 { count += 1 }
                    partial.removeSubrange(partial.startIndex...nl)
                }
            }
            return count
        }
        #expect(lines == 400)
        let stored = try await MsvcBinary.run(["logs", "big", "--json"], cwd: dir.path, timeout: 120)
        #expect(stored.status == 0, "\(stored.stderr)")
        #expect(try JSON.parse(stored.stdout).arrayValue?.filter { ($0["text"]?.stringValue?.count ?? 0) == 60_000 }.count == 400)
    }
}
