import Foundation
import Glibc
@testable import MsvcCore
import MsvcTestSupport
import Synchronization
import Testing

/// A small tmpfs, mounted for a test (needs root, as in CI containers); LogFileWriterTests
/// covers the same logic with injected failures where mounting is not allowed.
enum SmallDisk {
    /// Whether this process may mount a tmpfs.
    static let available: Bool = {
        guard geteuid() == 0, let dir = try? TemporaryDirectory(prefix: "msvc-mount-check") else { return false }
        guard Glibc.mount("tmpfs", dir.path, "tmpfs", 0, "size=64k") == 0 else { return false }
        umount2(dir.path, Int32(MNT_DETACH))
        return true
    }()

    static func mount(at path: String, size: String) throws {
        guard Glibc.mount("tmpfs", path, "tmpfs", 0, "size=\(size),mode=0700") == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EPERM)
        }
    }

    static func unmount(_ path: String) { umount2(path, Int32(MNT_DETACH)) }

    /// Fills the file system at `path` with a file, leaving `free` bytes; returns the file.
    static func fill(_ path: String, leaving free: Int) -> String {
        let filler = path + "/filler"
        let fd = open(filler, O_WRONLY | O_CREAT, 0o600)
        let chunk = [UInt8](repeating: 0x7A, count: 64 << 10)
        var size = 0
        while true {
            let n = chunk.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
            if n <= 0 { break }
            size += n
        }
        ftruncate(fd, off_t(max(0, size - free)))
        close(fd)
        return filler
    }
}

@Suite(.serialized) struct LogDiskPressureTests {
    @Test(.enabled(if: SmallDisk.available, "needs root to mount a tmpfs"), .timeLimit(.minutes(3)))
    func fullDisk_isReportedAndRetried_andTheFileSaysWhatIsMissing() async throws {
        let dir = try TemporaryDirectory(prefix: "msvc-full-disk")
        let logs = dir.path + "/.msvc/logs"
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        try SmallDisk.mount(at: logs, size: "4m")
        defer { SmallDisk.unmount(logs) }
        try dir.write("msvc.yaml", """
            services:
              w: { command: python3 writer.py, restart: "no" }
            """)
        try dir.write("writer.py", """
            import os, sys, time
            pad = "x" * 90
            def burst(a, b):
                for i in range(a, b + 1):
                    sys.stdout.write("%06d %s\\n" % (i, pad))
                sys.stdout.flush()
            burst(1, 9000)
            while not os.path.exists("go"):
                time.sleep(0.02)
            burst(9001, 14000)
            time.sleep(1000)
            """)
        let filler = SmallDisk.fill(logs, leaving: 20_000)
        let loaded = try ConfigLoader.load(path: dir.path + "/msvc.yaml")
        var options = SupervisorOptions(stateDirectory: StateDirectory.beside(configDirectory: dir.path))
        // Every note msvc wrote about w, even those the ring has since dropped.
        let allNotes = Mutex<[String]>([])
        options.onLines = { records in
            let notes = records.filter { $0.service == "w" && $0.stream == .system && !LogFileProblem.isNote($0) }.map(\.text)
            if !notes.isEmpty { allNotes.withLock { $0 += notes } }
        }
        let supervisor = StackSupervisor(loaded, options: options)
        try await supervisor.prepare()
        let run = Task { await supervisor.run() }
        let outputs = await supervisor.outputs
        let source = LogSource(service: "w")
        func lines() -> [String] {
            ((try? supervisor.hub.query(LogQuery(services: ["w"]))) ?? []).filter { $0.stream == .stdout }.map(\.text)
        }
        func notes() -> [String] {
            ((try? supervisor.hub.query(LogQuery(services: ["w"]))) ?? []).filter { $0.stream == .system }.map(\.text)
        }

        // The disk fills: every line is still in memory, and msvc says what is not in the file.
        #expect(await eventually(60) { lines().count == 9000 })
        #expect(lines() == (1...9000).map { String(format: "%06d ", $0) + String(repeating: "x", count: 90) })
        let problem = try #require(outputs.fileProblems()[source])
        #expect(problem.error == "No space left on device")
        #expect(problem.missingLines > 5000, "\(problem)")
        #expect(problem.path == logs + "/w.log")
        #expect(notes().contains { $0.hasPrefix("log file .msvc/logs/w.log: cannot write (No space left on device)") }, "\(notes())")

        // Space returns: writing resumes, and the file marks the gap with its size.
        try FileManager.default.removeItem(atPath: filler)
        try dir.write("go", "")
        #expect(await eventually(60) { lines().last?.hasPrefix("014000") == true && outputs.fileProblems().isEmpty })
        let text = try String(contentsOfFile: logs + "/w.log", encoding: .utf8)
        var numbers: [Int] = []
        var markers: [(at: Int, missing: Int)] = []
        var notesInFile: [String] = []
        for raw in text.split(separator: "\n") {
            let line = LogFileFormat.parse(raw)
            if line.stream == .system {
                if line.text.contains(" lines missing here: not written from ") {
                    markers.append((numbers.count, Int(line.text.prefix { $0 != " " }) ?? -1))
                } else {
                    notesInFile.append(line.text)
                }
                continue
            }
            numbers.append(Int(line.text.prefix(6)) ?? -1)
        }
        let marker = try #require(markers.first)
        #expect(markers.count == 1)
        // Before the marker: 1, 2, 3, … unbroken; after it: the rest, unbroken. The marker
        // counts exactly the lines between, msvc's own notes (started, ready) included.
        let gap = (numbers.count > marker.at ? numbers[marker.at] : 14001) - marker.at - 1
        let notesMissing = allNotes.withLock { $0.count } - notesInFile.count
        // Ranges written with stride: a wrong count fails the test instead of trapping.
        #expect(numbers.prefix(marker.at).elementsEqual(stride(from: 1, through: marker.at, by: 1)), "lines before the marker are not 1...\(marker.at)")
        #expect(numbers.dropFirst(marker.at).elementsEqual(stride(from: marker.at + gap + 1, through: 14000, by: 1)),
                "lines after the marker are not consecutive to 14000 (marker at \(marker.at), gap \(gap), last \(numbers.last ?? -1))")
        #expect(gap > 0)
        #expect(marker.missing == gap + notesMissing, "marker says \(marker.missing); \(gap) lines and \(notesMissing) notes are missing")
        #expect(notes().contains("log file .msvc/logs/w.log: writing again; \(marker.missing) lines are missing from it (marked in the file; msvc logs may still have them)"), "\(notes())")
        var st = stat()
        #expect(stat(logs + "/w.log", &st) == 0 && st.st_mode & 0o777 == 0o600)

        await supervisor.stopAll()
        await run.value
    }
}
