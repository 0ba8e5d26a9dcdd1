import ArgumentParser
import Foundation
import MsvcCore

extension MsvcCommand {
    /// `msvc ps`: the state of every service and replica.
    struct Ps: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show every service and replica: state, health, pid, ports, restarts, uptime, CPU and memory.")

        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print one JSON document.") var json = false

        func run() async throws {
            try await reportingAsync(global) {
                let snapshot = try await global.client().snapshot()
                if json {
                    Console.out(Wire.json(snapshot).serialized())
                } else {
                    Console.out(PsTable.render(snapshot, style: global.style()), terminator: "")
                }
            }
        }
    }
}

/// The `msvc ps` table.
enum PsTable {
    static func render(_ s: StackSnapshot, style: Style, now: Date = Date()) -> String {
        var rows: [[String]] = [["SERVICE", "STATE", "HEALTH", "PID", "PORTS", "RESTARTS", "UPTIME", "CPU", "MEM"]]
        for svc in s.services {
            for r in svc.replicas {
                let name = svc.replicas.count > 1 ? "\(svc.name).\(r.replica)" : svc.name
                var state = r.state.rawValue
                if r.state == .exited, let e = r.lastExit {
                    switch e {
                    case .exited(let c): state = "exited(\(c))"
                    case .signaled(let sig): state = "exited(\(ProcessSignal.name(of: sig)))"
                    case .unknown: state = "exited(?)"
                    }
                    if r.nextRestartAt != nil { state += " backoff" }
                }
                var ports = r.ports.sorted { $0.key < $1.key }.map { $0.key.isEmpty ? "\($0.value)" : "\($0.key)=\($0.value)" }
                if let lb = svc.port, r.replica == 1 { ports.insert("\(lb)→", at: 0) }
                rows.append([
                    name, state, r.health == .none ? "-" : r.health.rawValue, r.pid.map(String.init) ?? "-",
                    ports.isEmpty ? "-" : ports.joined(separator: " "), String(r.restarts),
                    r.pid != nil ? r.startedAt.map { formatUptime(now.timeIntervalSince($0)) } ?? "-" : "-",
                    r.cpuPercent.map { String(format: "%.1f%%", $0) } ?? "-",
                    r.rssBytes.map(formatBytes) ?? "-",
                ])
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
        return out
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
