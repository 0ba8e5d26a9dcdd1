import ArgumentParser
import Foundation
import MsvcCore

extension MsvcCommand {
    /// `msvc ps`: the state of every service and replica.
    struct Ps: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ps",
            abstract: "Show every service and replica: state, health, pid, ports, restarts, uptime, CPU and memory.")

        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print one JSON document.") var json = false

        func run() async throws {
            try await reportingAsync(global) {
                if json {
                    // Printed as the supervisor sent it (the same document, without a round trip through StackSnapshot).
                    Console.out(try await global.client().snapshotJSON().serialized())
                } else {
                    Console.out(PsTable.render(try await global.client().snapshot(), style: global.style()), terminator: "")
                }
            }
        }
    }
}

/// The `msvc ps` table.
enum PsTable {
    static func render(_ s: StackSnapshot, style: Style, now: Date = Date()) -> String {
        // The WATCH column appears when a service is watched: its state on the service's first row.
        let watched = s.services.contains { $0.watch != nil }
        var rows: [[String]] = [["SERVICE", "STATE", "HEALTH", "PID", "PORTS", "RESTARTS", "UPTIME", "CPU", "MEM"] + (watched ? ["WATCH"] : [])]
        var notes: [String] = []
        for svc in s.services {
            if let w = svc.watch, w.state == .buildFailed {
                let exit = w.lastBuild.map { " (\($0))" } ?? ""
                notes.append("\(svc.name): build failed\(exit); the previous version keeps serving" + (w.buildLines.last.map { ": \($0)" } ?? ""))
            }
            if let problem = svc.watch?.problem { notes.append("\(svc.name): watch: \(problem)") }
            for r in svc.replicas {
                let name = r.name
                var state = r.state.rawValue
                if r.state == .exited || r.state == .backoff, let e = r.lastExit {
                    switch e {
                    case .exited(let c): state = "exited(\(c))"
                    case .signaled(let sig): state = "exited(\(ProcessSignal.name(of: sig)))"
                    case .unknown: state = "exited(?)"
                    }
                    if r.state == .backoff { state += " backoff" }
                }
                var ports = r.ports.sorted { $0.key < $1.key }.map { $0.key.isEmpty ? "\($0.value)" : "\($0.key)=\($0.value)" }
                if let lb = svc.port, r.replica == 1 { ports.insert("\(lb)→", at: 0) }
                let health = r.health == .none ? "-" : r.health.rawValue
                let pid = r.pid.map(String.init) ?? "-"
                let uptime = r.pid != nil ? r.startedAt.map { formatUptime(now.timeIntervalSince($0)) } ?? "-" : "-"
                let cpu = r.cpuPercent.map { String(format: "%.1f%%", $0) } ?? "-"
                let mem = r.rssBytes.map(formatBytes) ?? "-"
                var row: [String] = [name, state, health, pid, ports.isEmpty ? "-" : ports.joined(separator: " "), String(r.restarts), uptime, cpu, mem]
                if watched { row.append(r.replica == 1 ? svc.watch?.state.rawValue ?? "-" : "") }
                rows.append(row)
                if let p = r.logFileProblem {
                    rows[rows.count - 1][1] += " !log"
                    notes.append("\(name): log file not written since \(formatClock(p.since)): \(p.error); \(p.missingLines) line\(p.missingLines == 1 ? "" : "s") missing from \(p.path) (msvc logs still has them)")
                }
            }
        }
        let widths = (0..<rows[0].count).map { c in rows.map { $0[c].count }.max() ?? 0 }
        var out = ""
        for (i, row) in rows.enumerated() {
            var line = row.enumerated().map { c, cell in
                c == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[c] - cell.count)
            }.joined(separator: "  ")
            if i == 0 { line = style.bold(line) }
            out += line + "\n"
        }
        for n in notes { out += style.red("! " + n) + "\n" }
        return out
    }

    /// `HH:MM:SS` local time.
    static func formatClock(_ d: Date) -> String {
        let f = DateFormatter()
        f.dateFormat = "HH:mm:ss"
        return f.string(from: d)
    }

    static func formatUptime(_ t: TimeInterval) -> String {
        let s = Int(t)
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m\(s % 60)s" }
        return "\(s / 3600)h\((s % 3600) / 60)m"
    }

    static func formatBytes(_ b: Int) -> String {
        if b < 1 << 20 { return String(format: "%.0f KiB", Double(b) / 1024) }
        return String(format: "%.1f MiB", Double(b) / Double(1 << 20))
    }
}
