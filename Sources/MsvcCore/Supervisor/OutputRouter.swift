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
    private let files: Mutex<[LogSource: FileBox]> = Mutex([:])
    private let watches: Mutex<[LogSource: Watch]> = Mutex([:])
    private let probeOutput: Mutex<[LogSource: String]> = Mutex([:])

    struct Watch {
        var regex: NSRegularExpression
        var matched: Bool
    }

    /// Owns one log file; only used while `files` is locked.
    final class FileBox: @unchecked Sendable {
        // Accessed only inside `files.withLock`, which serializes every use.
        let file: RotatingLogFile?
        init(_ file: RotatingLogFile?) { self.file = file }
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
        if writeFiles {
            files.withLock { f in
                file(for: source, in: &f)?.write("[msvc] \(text)\n")
            }
        }
        onLines?([record])
    }

    private func writeToFiles(_ lines: [LogLine]) {
        files.withLock { f in
            var current: LogSource?
            var buffer: [UInt8] = []
            func flush() {
                guard let src = current, !buffer.isEmpty else { return }
                buffer.withUnsafeBytes { file(for: src, in: &f)?.write($0) }
                buffer.removeAll(keepingCapacity: true)
            }
            for line in lines where !line.source.service.hasSuffix(Self.probeSuffix) {
                if line.source != current { flush(); current = line.source }
                buffer.append(contentsOf: line.text.utf8)
                if !line.continues { buffer.append(0x0A) }
            }
            flush()
        }
    }

    private func file(for source: LogSource, in files: inout [LogSource: FileBox]) -> RotatingLogFile? {
        if let box = files[source] { return box.file }
        let path = directory.logFile(service: source.service, replica: source.replica)
        let box = FileBox(try? RotatingLogFile(path: path, maxSize: maxFileSize))
        files[source] = box
        return box.file
    }

    private func checkWatches(_ lines: [LogLine]) {
        watches.withLock { w in
            guard !w.isEmpty else { return }
            for line in lines {
                guard var watch = w[line.source], !watch.matched else { continue }
                let range = NSRange(line.text.startIndex..., in: line.text)
                if watch.regex.firstMatch(in: line.text, range: range) != nil {
                    watch.matched = true
                    w[line.source] = watch
                }
            }
        }
    }

    /// Starts watching a replica's output for `pattern` (a new process: not matched yet).
    func watch(_ source: LogSource, pattern: String) {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return }
        watches.withLock { $0[source] = Watch(regex: regex, matched: false) }
    }

    /// Whether the watched pattern has appeared since `watch` was called.
    func matched(_ source: LogSource) -> Bool {
        watches.withLock { $0[source]?.matched ?? false }
    }

    /// The last line an exec probe printed.
    func lastProbeOutput(_ source: LogSource) -> String? {
        probeOutput.withLock { $0.removeValue(forKey: source) }
    }

    /// Forgets a replica's file and watch (scaled away).
    func forget(_ source: LogSource) {
        _ = files.withLock { $0.removeValue(forKey: source) }
        _ = watches.withLock { $0.removeValue(forKey: source) }
    }
}
