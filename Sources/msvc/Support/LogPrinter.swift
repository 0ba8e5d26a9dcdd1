import Foundation
import MsvcCore
import Synchronization

/// Prints merged log lines for `--no-tui` and non-terminal output: an aligned, colour-coded
/// service prefix, `|` for stdout, `!` for stderr and `*` for msvc's own notes. One write(2)
/// per batch keeps up with services that flood.
final class LogPrinter: Sendable {
    private let width: Int
    private let colors: [String: String]
    private let enabled: Bool
    private let json: Bool
    /// Replica counts: lines are named by `ReplicaID.label`, as ps names replicas.
    private let counts: [String: Int]
    private static let palette = ["36", "33", "32", "35", "34", "96", "93", "92", "95", "94"]
    /// Also print msvc's notes about unwritable log files on stderr (when it is not where
    /// stdout goes): stdout may be a file on the very disk that is full.
    private let problemsToStderr: Bool

    init(services: [String], maxReplicas: [String: Int], style: Style, json: Bool = false, problemsToStderr: Bool = false) {
        var w = 0
        var colors: [String: String] = [:]
        for (i, s) in services.enumerated() {
            let label = (maxReplicas[s] ?? 1) > 1 ? "\(s).\(maxReplicas[s]!)" : s
            w = max(w, label.count)
            colors[s] = Self.palette[i % Self.palette.count]
        }
        width = w
        self.colors = colors
        counts = maxReplicas
        enabled = style.enabled
        self.json = json
        self.problemsToStderr = problemsToStderr && !Self.sameDestination(1, 2)
    }

    private static func sameDestination(_ a: Int32, _ b: Int32) -> Bool {
        var sa = stat(), sb = stat()
        return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino
    }

    /// What a line's prefix depends on.
    private struct PrefixKey: Equatable {
        var service: String
        var replica: Int
        var stream: LogRecord.Stream
    }

    /// `orders.2 | ` — the aligned, coloured label and the stream mark of `r`.
    private func prefix(_ r: LogRecord) -> [UInt8] {
        let label = ReplicaID.label(service: r.service, replica: r.replica, replicas: counts[r.service] ?? 1)
        let pad = String(repeating: " ", count: max(0, width - label.count))
        let mark = r.stream == .stderr ? "!" : r.stream == .system ? "*" : "|"
        guard enabled else { return Array("\(label)\(pad) \(mark) ".utf8) }
        return Array("\u{1B}[\(colors[r.service] ?? "37")m\(label)\(pad) \(mark)\u{1B}[0m ".utf8)
    }

    func print(_ records: [LogRecord]) {
        if problemsToStderr {
            for r in records where LogFileProblem.isNote(r) { Console.error("msvc: \(r.text)") }
        }
        var out = [UInt8]()
        out.reserveCapacity(records.count * 96)
        // The prefix is built once per run of lines from the same replica and stream (a pipe
        // read), not per line.
        var last: PrefixKey?
        var prefix: [UInt8] = []
        for r in records {
            if json {
                out += Array(Wire.json(r).serialized(pretty: false).utf8)
                out.append(0x0A)
                continue
            }
            let key = PrefixKey(service: r.service, replica: r.replica, stream: r.stream)
            if key != last {
                last = key
                prefix = self.prefix(r)
            }
            out += prefix
            if enabled && r.stream == .system {
                out += Array("\u{1B}[2m\(r.text)\u{1B}[0m".utf8)
            } else {
                out.append(contentsOf: r.text.utf8)
            }
            out.append(0x0A)
        }
        out.withUnsafeBytes { buf in
            var offset = 0
            while offset < buf.count {
                let n = write(1, buf.baseAddress! + offset, buf.count - offset)
                if n < 0 { if errno == EINTR { continue } else { return } }
                offset += n
            }
        }
    }
}
