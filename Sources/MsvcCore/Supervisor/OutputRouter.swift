import Foundation
import Synchronization

/// Routes captured output: into the log hub, the per-replica log files, the caller's printer
/// and the log-line probes. Called on the capture thread with one batch per pipe read.
final class OutputRouter: Sendable {
    let hub: LogHub
    let directory: StateDirectory
    let writeFiles: Bool
    let maxFileSize: Int
    let onLines: (@Sendable ([LogRecord]) -> Void)?
    private let files: Mutex<Files> = Mutex(Files())
    private let watches: Mutex<Watches> = Mutex(Watches())
    private let probeOutput: Mutex<[LogSource: String]> = Mutex([:])
    private let buildOutput: Mutex<[String: [String]]> = Mutex([:])

    /// Log-probe watches by replica.
    struct Watches {
        var active: [LogSource: Watch] = [:]
        /// Compiled once per pattern text, shared by replicas and restarts.
        var compiled: [String: LinePattern] = [:]
    }

    /// One replica's watch: its pattern and whether a line matched since it started.
    struct Watch {
        var pattern: LinePattern
        var matched: Bool
    }

    /// Log files by replica.
    struct Files {
        var writers: [LogSource: FileBox] = [:]
        /// Replicas whose last written piece ended mid-line (a line longer than the piece limit).
        var openLines = Set<LogSource>()
        /// A retry of failing files is scheduled.
        var retryScheduled = false
    }

    /// Owns one log file; only used while `files` is locked.
    final class FileBox: @unchecked Sendable {
        // Accessed only inside `files.withLock`, which serializes every use.
        let writer: LogFileWriter
        init(_ writer: LogFileWriter) { self.writer = writer }
    }

    init(hub: LogHub, directory: StateDirectory, writeFiles: Bool, maxFileSize: Int, onLines: (@Sendable ([LogRecord]) -> Void)?) {
        self.hub = hub
        self.directory = directory
        self.writeFiles = writeFiles
        self.maxFileSize = maxFileSize
        self.onLines = onLines
    }

    /// Exec-probe processes log under this service-name suffix; their output is not the service's.
    static let probeSuffix = "#probe"
    /// Watch-mode builds log under this suffix; their lines become notes of the service.
    static let buildSuffix = "#build"
    /// Lines of a build kept for the crash view and `ps`.
    static let buildLinesKept = 20

    var sink: OutputCapture.Sink {
        { [self] lines in self.route(lines) }
    }

    func route(_ lines: [LogLine]) {
        var entries: [LogHub.Entry] = []
        entries.reserveCapacity(lines.count)
        for line in lines {
            if line.source.service.hasSuffix(Self.probeSuffix) {
                probeOutput.withLock { $0[line.source] = line.text }
                continue
            }
            if line.source.service.hasSuffix(Self.buildSuffix) {
                let service = String(line.source.service.dropLast(Self.buildSuffix.count))
                buildOutput.withLock { out in
                    out[service, default: []].append(line.text)
                    if out[service]!.count > Self.buildLinesKept { out[service]!.removeFirst() }
                }
                entries.append(LogHub.Entry(service: service, replica: 1, stream: .system, text: "build: " + line.text))
                continue
            }
            entries.append(LogHub.Entry(service: line.source.service, replica: line.source.replica,
                                        stream: line.stream == .stderr ? .stderr : .stdout, text: line.text))
        }
        guard !entries.isEmpty else { return }
        let records = hub.append(entries)
        checkWatches(lines)
        if writeFiles { writeToFiles(lines) }
        onLines?(records)
    }

    /// Adds msvc's own note about a replica (started, exited, restarting).
    func system(_ source: LogSource, _ text: String) {
        let record = hub.append(LogHub.Entry(service: source.service, replica: source.replica, stream: .system, text: text))
        onLines?([record])
        if writeFiles {
            var line = LogFileFormat.prefix(record.time, .system) + Array("\(text)\n".utf8)
            let notes = files.withLock { f in
                line.withUnsafeBytes { write($0, lines: 1, to: source, in: &f) }
            }
            emit(notes)
        }
    }

    private func writeToFiles(_ lines: [LogLine]) {
        let notes = files.withLock { f -> [(LogSource, String)] in
            var notes: [(LogSource, String)] = []
            var current: LogSource?
            var buffer: [UInt8] = []
            var count = 0
            // One pipe read shares one timestamp: format it once per batch, not per line.
            var stamp: (Date, LogStream, [UInt8])?
            func flush() {
                guard let src = current, !buffer.isEmpty else { return }
                notes += buffer.withUnsafeBytes { write($0, lines: count, to: src, in: &f) }
                buffer.removeAll(keepingCapacity: true)
                count = 0
            }
            for line in lines where !line.source.service.hasSuffix(Self.probeSuffix) && !line.source.service.hasSuffix(Self.buildSuffix) {
                if line.source != current { flush(); current = line.source }
                if f.openLines.remove(line.source) == nil {
                    if stamp == nil || stamp!.0 != line.timestamp || stamp!.1 != line.stream {
                        stamp = (line.timestamp, line.stream, LogFileFormat.prefix(line.timestamp, line.stream == .stderr ? .stderr : .stdout))
                    }
                    buffer.append(contentsOf: stamp!.2)
                }
                buffer.append(contentsOf: line.text.utf8)
                if line.continues {
                    f.openLines.insert(line.source)
                } else {
                    buffer.append(0x0A)
                    count += 1
                }
            }
            flush()
            return notes
        }
        emit(notes)
    }

    /// Writes to one replica's file; returns notes for its log stream and schedules retries
    /// while the file is failing.
    private func write(_ bytes: UnsafeRawBufferPointer, lines: Int, to source: LogSource, in f: inout Files) -> [(LogSource, String)] {
        let writer = writer(for: source, in: &f)
        let note = writer.write(bytes, lines: lines)
        if writer.problem != nil { scheduleRetry(&f) }
        return note.map { [(source, $0)] } ?? []
    }

    private func writer(for source: LogSource, in f: inout Files) -> LogFileWriter {
        if let box = f.writers[source] { return box.writer }
        let path = directory.logFile(service: source.service, replica: source.replica)
        let shown = (directory.root as NSString).lastPathComponent == ".msvc"
            ? ".msvc/logs/" + (path as NSString).lastPathComponent : path
        let box = FileBox(LogFileWriter(file: RotatingLogFile(path: path, maxSize: maxFileSize), shownPath: shown))
        f.writers[source] = box
        return box.writer
    }

    /// Retries failing files once a second until they all write again, so a quiet service's
    /// file recovers without waiting for its next line.
    private func scheduleRetry(_ f: inout Files) {
        guard !f.retryScheduled else { return }
        f.retryScheduled = true
        DispatchQueue.global().asyncAfter(deadline: .now() + 1) { [weak self] in self?.retryFailedWrites() }
    }

    /// Tries every failing file again now.
    func retryFailedWrites() {
        let notes = files.withLock { f -> [(LogSource, String)] in
            f.retryScheduled = false
            var notes: [(LogSource, String)] = []
            for (source, box) in f.writers where box.writer.problem != nil {
                if let note = box.writer.retry() { notes.append((source, note)) }
                if box.writer.problem != nil { scheduleRetry(&f) }
            }
            return notes
        }
        emit(notes)
    }

    /// Log files that are not being fully written: lines missing, since when, and why.
    func fileProblems() -> [LogSource: LogFileProblem] {
        files.withLock { f in f.writers.compactMapValues { $0.writer.problem } }
    }

    /// Puts notes about log files into the replicas' log streams (not into the files: the
    /// marker line there says what is missing).
    private func emit(_ notes: [(LogSource, String)]) {
        guard !notes.isEmpty else { return }
        let records = hub.append(notes.map { LogHub.Entry(service: $0.0.service, replica: $0.0.replica, stream: .system, text: $0.1) })
        onLines?(records)
    }

    private func checkWatches(_ lines: [LogLine]) {
        watches.withLock { w in
            guard !w.active.isEmpty else { return }
            for line in lines {
                guard var watch = w.active[line.source], !watch.matched else { continue }
                if watch.pattern.matches(line.text) {
                    watch.matched = true
                    w.active[line.source] = watch
                }
            }
        }
    }

    /// Starts watching a replica's output for `pattern` (a new process: not matched yet). The
    /// pattern was validated with msvc.yaml by the same engine, so it compiles.
    func watch(_ source: LogSource, pattern: String) {
        watches.withLock { w in
            guard let compiled = w.compiled[pattern] ?? (try? LinePattern(pattern)) else { return }
            w.compiled[pattern] = compiled
            w.active[source] = Watch(pattern: compiled, matched: false)
        }
    }

    /// Whether the watched pattern has appeared since `watch` was called.
    func matched(_ source: LogSource) -> Bool {
        watches.withLock { $0.active[source]?.matched ?? false }
    }

    /// The last lines a watch-mode build of `service` printed, and forgets them.
    func takeBuildOutput(_ service: String) -> [String] {
        buildOutput.withLock { $0.removeValue(forKey: service) ?? [] }
    }

    /// The last line an exec probe printed.
    func lastProbeOutput(_ source: LogSource) -> String? {
        probeOutput.withLock { $0.removeValue(forKey: source) }
    }

    /// Forgets a replica's file and watch (scaled away).
    func forget(_ source: LogSource) {
        _ = files.withLock { $0.writers.removeValue(forKey: source) }
        _ = watches.withLock { $0.active.removeValue(forKey: source) }
    }
}
