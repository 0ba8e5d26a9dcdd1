import Foundation
@testable import MsvcCore
import MsvcTestSupport
import Synchronization
import Testing

/// Log files through failing writes, with write(2) replaced: these run everywhere, including
/// where a small file system cannot be mounted (LogDiskPressureTests uses a real one).
@Suite struct LogFileWriterTests {
    /// A write(2) that fails with ENOSPC while `full` is set, after writing `partial` bytes.
    final class Disk: Sendable {
        let state = Mutex((full: false, partial: 0))
        var full: Bool {
            get { state.withLock { $0.full } }
            set { state.withLock { $0.full = newValue } }
        }

        func write(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int {
            let (full, partial) = state.withLock { s -> (Bool, Int) in
                let out = (s.full, s.partial)
                s.partial = 0
                return out
            }
            if full {
                if partial > 0 { return Foundation.write(fd, p, min(n, partial)) }
                errno = ENOSPC
                return -1
            }
            return Foundation.write(fd, p, n)
        }
    }

    func lines(_ range: ClosedRange<Int>) -> [UInt8] {
        Array(range.map { "line \($0)\n" }.joined().utf8)
    }

    func write(_ w: LogFileWriter, _ range: ClosedRange<Int>, at now: Date) -> String? {
        lines(range).withUnsafeBytes { w.write($0, lines: range.count, now: now) }
    }

    @Test func failedWrites_areKeptRetriedAndWrittenInOrder_whenSpaceReturns() throws {
        let dir = try TemporaryDirectory()
        let disk = Disk()
        let file = RotatingLogFile(path: dir.path + "/logs/w.log", maxSize: 1 << 30, writeCall: disk.write)
        let w = LogFileWriter(file: file, shownPath: "w.log")
        let t0 = Date()
        #expect(write(w, 1...10, at: t0) == nil)
        disk.full = true
        disk.state.withLock { $0.partial = 7 }  // half a line lands, then ENOSPC
        let first = write(w, 11...20, at: t0)
        #expect(first == "log file w.log: cannot write (No space left on device); lines stay in memory (msvc logs) and msvc keeps retrying")
        #expect(try dir.read("logs/w.log") == String(decoding: lines(1...10), as: UTF8.self), "the partial line was cut off")
        #expect(w.problem?.missingLines == 10)
        #expect(w.problem?.error == "No space left on device")
        #expect(w.problem?.since == t0)
        #expect(write(w, 21...30, at: t0.addingTimeInterval(1)) == nil, "no note until the interval passes")
        let still = write(w, 31...40, at: t0.addingTimeInterval(11))
        #expect(still == "log file w.log: still cannot write (No space left on device); 30 lines not written so far, retrying")
        disk.full = false
        let back = write(w, 41...50, at: t0.addingTimeInterval(12))
        #expect(back == "log file w.log: writing again; no line was lost")
        #expect(w.problem == nil)
        #expect(try dir.read("logs/w.log") == String(decoding: lines(1...50), as: UTF8.self))
    }

    @Test func linesBeyondTheRetryBuffer_areCountedAndMarkedWhereTheyAreMissing() throws {
        let dir = try TemporaryDirectory()
        let disk = Disk()
        let file = RotatingLogFile(path: dir.path + "/w.log", maxSize: 1 << 30, writeCall: disk.write)
        let w = LogFileWriter(file: file, shownPath: "w.log")
        let t0 = Date(timeIntervalSince1970: 1_700_000_000)
        disk.full = true
        // Each batch is ~100 KiB; the retry buffer holds 512 KiB.
        var n = 0
        var batches: [ClosedRange<Int>] = []
        for i in 0..<12 {
            let range = (n + 1)...(n + 10_000)
            n += 10_000
            batches.append(range)
            _ = write(w, range, at: t0.addingTimeInterval(Double(i) * 0.01))
        }
        let kept = w.problem.map { $0.missingLines } ?? 0
        #expect(kept == 120_000)
        #expect(retryWhileFull(w, at: t0.addingTimeInterval(5)) == nil)
        disk.full = false
        let note = w.retry(now: t0.addingTimeInterval(6))
        let text = try dir.read("w.log")
        let fileLines = text.split(separator: "\n")
        let markerIndex = try #require(fileLines.firstIndex { $0.hasPrefix("[msvc]") })
        let marker = fileLines[markerIndex]
        let numbers = fileLines.filter { !$0.hasPrefix("[msvc]") }.compactMap { Int($0.dropFirst(5)) }
        // Kept lines come first, in order from the first failure, then the marker for the rest.
        #expect(numbers == Array(1...numbers.count))
        #expect(markerIndex == numbers.count)
        let missing = 120_000 - numbers.count
        #expect(numbers.count >= 30_000 && missing >= 60_000, "kept \(numbers.count), missing \(missing)")
        #expect(marker.hasPrefix("[msvc] \(missing) lines missing here: not written from "))
        #expect(marker.hasSuffix("(No space left on device)"))
        #expect(note == "log file w.log: writing again; \(missing) lines are missing from it (marked in the file; msvc logs may still have them)")
        #expect(w.problem == nil)
    }

    func retryWhileFull(_ w: LogFileWriter, at now: Date) -> String? { w.retry(now: now) }

    @Test func logFiles_areOwnerOnly_andNeverWrittenThroughALink() throws {
        let dir = try TemporaryDirectory()
        let file = RotatingLogFile(path: dir.path + "/logs/a.log")
        try file.write("hello\n")
        var st = stat()
        #expect(stat(dir.path + "/logs/a.log", &st) == 0)
        #expect(st.st_mode & 0o777 == 0o600)
        #expect(stat(dir.path + "/logs", &st) == 0 && st.st_mode & 0o777 == 0o700)
        // An older msvc's world-readable file becomes owner-only on open.
        try dir.write("logs/old.log", "x\n")
        chmod(dir.path + "/logs/old.log", 0o644)
        try RotatingLogFile(path: dir.path + "/logs/old.log").write("y\n")
        #expect(stat(dir.path + "/logs/old.log", &st) == 0 && st.st_mode & 0o777 == 0o600)
        // A planted link is refused, and its target is untouched.
        try dir.write("target", "secret\n")
        symlink(dir.path + "/target", dir.path + "/logs/b.log")
        #expect(throws: RotatingLogFile.WriteError(code: ELOOP)) { try RotatingLogFile(path: dir.path + "/logs/b.log").write("evil\n") }
        #expect(try dir.read("target") == "secret\n")
    }
}
