import Foundation

/// A log file that was not fully written: what `ps`, the dashboard and `doctor` show.
public struct LogFileProblem: Sendable, Equatable {
    /// The file.
    public var path: String
    /// Lines not in the file now: waiting to be retried, or already given up on.
    public var missingLines: Int
    /// When writing first failed.
    public var since: Date
    /// Why, e.g. "No space left on device".
    public var error: String

    /// How msvc's notes about log files begin in a replica's log stream (`log file PATH: ...`).
    public static let notePrefix = "log file "

    /// Whether `record` is one of msvc's notes about a log file.
    public static func isNote(_ record: LogRecord) -> Bool {
        record.stream == .system && record.text.hasPrefix(notePrefix)
    }
}

/// Writes one replica's log file and keeps writing it through a full disk: a failed write is
/// kept (up to `pendingLimit` bytes) and retried, later lines are counted, and when writing
/// works again the kept lines go first, then a marker line saying how many are missing. It
/// returns notes for the replica's log stream: when writing fails, every `noteInterval`
/// while it keeps failing, and when it recovers. Not thread-safe: the router locks it.
final class LogFileWriter {
    /// Bytes of unwritten lines kept for the retry, per file.
    static let pendingLimit = 512 << 10
    /// Least time between two attempts while failing.
    static let retryInterval: TimeInterval = 0.25
    /// Time between "still failing" notes.
    static let noteInterval: TimeInterval = 10

    private struct Failure {
        var since: Date
        var error: String
        /// Lines that failed, kept in order, written before the marker.
        var pending: [UInt8] = []
        var pendingLines = 0
        /// Lines dropped after `pending` filled up; the marker stands for them.
        var dropped = 0
        var lastAttempt: Date
        var lastNote: Date
    }

    /// The file written.
    let file: RotatingLogFile
    /// The path shown in notes (relative to the stack when possible).
    let shownPath: String
    private var failure: Failure?

    /// A writer for `file`, named `shownPath` in notes.
    init(file: RotatingLogFile, shownPath: String) {
        self.file = file
        self.shownPath = shownPath
    }

    /// The current problem, if writing is failing.
    var problem: LogFileProblem? {
        failure.map { LogFileProblem(path: file.path, missingLines: $0.pendingLines + $0.dropped, since: $0.since, error: $0.error) }
    }

    /// Appends `bytes` holding `lines` whole lines; returns a note for the log stream, if any.
    func write(_ bytes: UnsafeRawBufferPointer, lines: Int, now: Date = Date()) -> String? {
        guard var f = failure else {
            do throws(RotatingLogFile.WriteError) {
                try file.write(bytes)
                return nil
            } catch {
                var f = Failure(since: now, error: error.description, lastAttempt: now, lastNote: now)
                keep(bytes, lines: lines, in: &f)
                failure = f
                return "\(LogFileProblem.notePrefix)\(shownPath): cannot write (\(error)); lines stay in memory (msvc logs) and msvc keeps retrying"
            }
        }
        if now.timeIntervalSince(f.lastAttempt) >= Self.retryInterval, let note = recover(&f, then: bytes, lines: lines, now: now) {
            return note
        }
        keep(bytes, lines: lines, in: &f)
        failure = f
        return stillFailing(&f, now: now)
    }

    /// Tries the kept lines again (a timer calls this while failing); returns a note, if any.
    func retry(now: Date = Date()) -> String? {
        guard var f = failure else { return nil }
        if let note = recover(&f, then: UnsafeRawBufferPointer(start: nil, count: 0), lines: 0, now: now) { return note }
        failure = f
        return stillFailing(&f, now: now)
    }

    private func keep(_ bytes: UnsafeRawBufferPointer, lines: Int, in f: inout Failure) {
        // Once lines were dropped, later ones are dropped too: the marker stands for one gap.
        if f.dropped == 0, f.pending.count + bytes.count <= Self.pendingLimit {
            f.pending.append(contentsOf: bytes)
            f.pendingLines += lines
        } else {
            f.dropped += lines
        }
    }

    private func stillFailing(_ f: inout Failure, now: Date) -> String? {
        guard now.timeIntervalSince(f.lastNote) >= Self.noteInterval else {
            failure = f
            return nil
        }
        f.lastNote = now
        failure = f
        return "\(LogFileProblem.notePrefix)\(shownPath): still cannot write (\(f.error)); \(f.pendingLines + f.dropped) lines not written so far, retrying"
    }

    /// Writes the kept lines, the marker and `bytes`; on success clears the failure and returns
    /// the note saying so. On failure updates `f` and returns nil.
    private func recover(_ f: inout Failure, then bytes: UnsafeRawBufferPointer, lines: Int, now: Date) -> String? {
        f.lastAttempt = now
        do throws(RotatingLogFile.WriteError) {
            if !f.pending.isEmpty {
                try file.write(f.pending)
                f.pending = []
                f.pendingLines = 0
            }
            var tail: [UInt8] = []
            if f.dropped > 0 { tail = Array(Self.marker(missing: f.dropped, from: f.since, to: now, error: f.error).utf8) }
            tail.append(contentsOf: bytes)
            if !tail.isEmpty {
                try file.write(tail)
            }
        } catch {
            f.error = error.description
            return nil
        }
        let dropped = f.dropped
        failure = nil
        return dropped == 0
            ? "\(LogFileProblem.notePrefix)\(shownPath): writing again; no line was lost"
            : "\(LogFileProblem.notePrefix)\(shownPath): writing again; \(dropped) lines are missing from it (marked in the file; msvc logs may still have them)"
    }

    /// The line put where lines are missing from a log file.
    static func marker(missing: Int, from: Date, to: Date, error: String) -> String {
        "[msvc] \(missing) lines missing here: not written from \(timestamp(from)) to \(timestamp(to)) (\(error))\n"
    }

    private static func timestamp(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "yyyy-MM-dd HH:mm:ss.SSS"
        return f.string(from: date)
    }
}
