import Foundation
import MsvcCore
import MsvcTUI

/// Fixed dashboard states for the golden render tests: no clocks, no terminal.
enum DashboardFixtures {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func replica(_ service: String, _ index: Int = 1, state: ReplicaState, health: HealthStatus, pid: Int32? = nil,
                        port: Int? = nil, up: TimeInterval = 0, cpu: Double? = nil, rss: Int? = nil) -> ReplicaSnapshot {
        var r = ReplicaSnapshot(service: service, replica: index)
        r.state = state
        r.health = health
        r.pid = pid
        if let port { r.ports[""] = port }
        if pid != nil { r.startedAt = now.addingTimeInterval(-up) }
        r.cpuPercent = cpu
        r.rssBytes = rss
        return r
    }

    static var snapshot: StackSnapshot {
        var gateway = replica("gateway", state: .running, health: .healthy, pid: 4101, port: 8080, up: 3725, cpu: 0.4, rss: 21_500_000)
        gateway.lastProbe = ProbeResult(ok: true, detail: "200 OK in 2ms", at: now.addingTimeInterval(-1))
        let o1 = replica("orders", 1, state: .running, health: .healthy, pid: 4102, port: 41001, up: 3700, cpu: 1.5, rss: 30_000_000)
        var o2 = replica("orders", 2, state: .running, health: .unknown, pid: 4188, port: 41002, up: 4, cpu: 12.0, rss: 18_000_000)
        o2.lastProbe = ProbeResult(ok: false, detail: "connection refused", at: now.addingTimeInterval(-0.5))
        let inventory = replica("inventory", state: .running, health: .none, pid: 4103, port: 41003, up: 3725, cpu: 0.0, rss: 45_000_000)
        var payments = replica("payments", state: .backoff, health: .unknown, port: 41004)
        payments.lastExit = .exited(3)
        payments.restarts = 4
        payments.nextRestartAt = now.addingTimeInterval(2.4)
        payments.message = "exited with code 3; restarting in 2.4s"
        payments.lastLines = ["Traceback (most recent call last):", "  File \"app.py\", line 12, in <module>",
                              "KeyError: 'PAYMENTS_KEY'"]
        var worker = replica("worker", state: .stopped, health: .unknown)
        worker.lastExit = .signaled(15)
        var migrate = replica("migrate", state: .exited, health: .none)
        migrate.lastExit = .exited(0)
        // The dependency view reads `depends_on` from the snapshot, as from a running stack.
        let needs = Dictionary(uniqueKeysWithValues: dependencies.map { ($0.service, $0.needs) })
        return StackSnapshot(project: "shop", startedAt: now.addingTimeInterval(-3730), socketPath: "/srv/shop/.msvc/run/msvc.sock",
                             pid: 4100, services: [
                                ServiceSnapshot(name: "migrate", port: nil, namedPorts: [:], desiredReplicas: 1, replicas: [migrate], dependsOn: needs["migrate"]!),
                                ServiceSnapshot(name: "payments", port: 41004, namedPorts: [:], desiredReplicas: 1, replicas: [payments], dependsOn: needs["payments"]!),
                                ServiceSnapshot(name: "inventory", port: 41003, namedPorts: [:], desiredReplicas: 1, replicas: [inventory], dependsOn: needs["inventory"]!),
                                ServiceSnapshot(name: "orders", port: 41000, namedPorts: ["admin": 41010], desiredReplicas: 2, replicas: [o1, o2], dependsOn: needs["orders"]!),
                                ServiceSnapshot(name: "gateway", port: 8080, namedPorts: [:], desiredReplicas: 1, replicas: [gateway], dependsOn: needs["gateway"]!),
                                ServiceSnapshot(name: "worker", port: nil, namedPorts: [:], desiredReplicas: 1, replicas: [worker], dependsOn: needs["worker"]!),
                             ])
    }

    static var records: [LogRecord] {
        let lines: [(String, Int, LogRecord.Stream, String)] = [
            ("migrate", 1, .stdout, "migrate: done"),
            ("migrate", 1, .system, "exited with code 0"),
            ("inventory", 1, .stdout, "inventory listening on 41003"),
            ("orders", 1, .stdout, "{\"level\":\"info\",\"msg\":\"order created\",\"id\":\"o-17\",\"sku\":\"abc-1\",\"qty\":2}"),
            ("payments", 1, .stderr, "Traceback (most recent call last):"),
            ("payments", 1, .stderr, "KeyError: 'PAYMENTS_KEY'"),
            ("payments", 1, .system, "exited with code 3; restarting in 2.4s"),
            ("orders", 2, .stdout, "{\"level\":\"warn\",\"msg\":\"slow query\",\"ms\":412}"),
            ("gateway", 1, .stdout, "GET /items/abc-1 200 3ms"),
            ("orders", 1, .stdout, "{\"level\":\"debug\",\"msg\":\"cache miss\",\"key\":\"abc-1\"}"),
            ("gateway", 1, .stdout, "注文 received ✓ for 東京 — wide characters line up"),
            ("orders", 1, .stderr, "ERROR order o-18 rejected: payments unavailable"),
            ("gateway", 1, .stdout, "GET /orders/o-17 200 5ms " + String(repeating: "x", count: 140)),
        ]
        return lines.enumerated().map { i, l in
            LogRecord(seq: UInt64(i + 1), time: now.addingTimeInterval(Double(i) - 20), service: l.0, replica: l.1, stream: l.2, text: l.3)
        }
    }

    static let dependencies: [(service: String, needs: [Dependency])] = [
        ("migrate", []), ("payments", []), ("inventory", []),
        ("orders", [Dependency(service: "migrate", condition: .completed), Dependency(service: "payments", condition: .healthy),
                    Dependency(service: "inventory", condition: .healthy)]),
        ("gateway", [Dependency(service: "orders", condition: .healthy), Dependency(service: "inventory", condition: .started)]),
        ("worker", [Dependency(service: "orders", condition: .started)]),
    ]

    /// A state with the snapshot and logs applied, `orders` selected.
    static func state(width: Int = 120, height: Int = 34, owns: Bool = false) -> DashboardState {
        var s = DashboardState(project: "shop", ownsStack: owns, width: width, height: height, now: now)
        _ = s.reduce(.snapshot(snapshot))
        _ = s.reduce(.logs(records))
        s.selected = "orders"
        // The goldens show one service's logs; the dashboard itself opens on all of them.
        s.merged = false
        return s
    }

    /// The grid as text, then one style letter per cell: `.` plain, a colour's initial
    /// (upper case when bold), `,` dim, `~` reverse, `^` a background colour.
    static func dump(_ grid: CellGrid) -> String {
        var out = grid.text
        out += "--- styles\n"
        for y in 0..<grid.height {
            var line = ""
            for x in 0..<grid.width {
                let s = grid[x, y].style
                if s.reverse { line += "~"; continue }
                if s.bg != .default { line += "^"; continue }
                if s.dim { line += ","; continue }
                let letters: [TermColor: Character] = [.default: ".", .black: "k", .red: "r", .green: "g", .yellow: "y",
                                                       .blue: "b", .magenta: "m", .cyan: "c", .white: "w"]
                var c = letters[s.fg] ?? "?"
                if s.bold { c = c == "." ? "#" : Character(c.uppercased()) }
                line.append(c)
            }
            out += line + "\n"
        }
        return out
    }
}
