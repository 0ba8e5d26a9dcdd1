import Foundation

/// Snapshots as JSON built by hand, the same tree their Codable form encodes (a test holds the
/// two together): `ps --json` on 200 services spent a third of the supervisor's time in the
/// generic encoder (docs/DECISIONS.md, "Snapshots skip Codable on the socket").
extension Wire {
    /// A snapshot as JSON, as `Wire.json(snapshot)` encodes it.
    public static func json(_ s: StackSnapshot) -> JSON {
        .object([
            ("project", .string(s.project)), ("pid", .int(Int(s.pid))), ("started_at", time(s.startedAt)),
            ("socket", s.socketPath.map(JSON.string) ?? .null),
            ("containment", s.containment.map { .object([("kind", .string($0.kind)), ("cgroup", $0.cgroupPath.map(JSON.string) ?? .null)]) } ?? .null),
            ("services", .array(s.services.map(json))),
        ])
    }

    /// A service of a snapshot, as its Codable form encodes it.
    static func json(_ s: ServiceSnapshot) -> JSON {
        .object([
            ("name", .string(s.name)), ("port", s.port.map(JSON.int) ?? .null),
            ("ports", .object(s.namedPorts.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
            ("replicas_desired", .int(s.desiredReplicas)),
            ("depends_on", .array(s.dependsOn.map { .object([("service", .string($0.service)), ("condition", .string($0.condition.rawValue))]) })),
            ("watch", s.watch.map(json) ?? .null),
            ("replicas", .array(s.replicas.map(json))),
        ])
    }

    /// A replica of a snapshot, as its Codable form encodes it.
    static func json(_ r: ReplicaSnapshot) -> JSON {
        .object([
            ("service", .string(r.service)), ("replica", .int(r.replica)), ("name", .string(r.name)),
            ("state", .string(r.state.rawValue)), ("health", .string(r.health.rawValue)),
            ("last_probe", r.lastProbe.map { .object([("ok", .bool($0.ok)), ("detail", .string($0.detail)), ("at", time($0.at))]) } ?? .null),
            ("pid", r.pid.map { .int(Int($0)) } ?? .null),
            ("ports", .object(r.ports.sorted { $0.key < $1.key }.map { ($0.key.isEmpty ? "main" : $0.key, .int($0.value)) })),
            ("restarts", .int(r.restarts)),
            ("started_at", r.startedAt.map(time) ?? .null),
            ("last_exit", r.lastExit.map(json) ?? .null),
            ("next_restart_at", r.nextRestartAt.map(time) ?? .null),
            ("message", r.message.map(JSON.string) ?? .null),
            ("cpu_percent", r.cpuPercent.map { .double(($0 * 10).rounded() / 10) } ?? .null),
            ("rss_bytes", r.rssBytes.map(JSON.int) ?? .null),
            ("last_lines", .array(r.lastLines.map(JSON.string))),
            ("successor_pid", r.successorPID.map { .int(Int($0)) } ?? .null),
            ("log_file_problem", r.logFileProblem.map {
                .object([("path", .string($0.path)), ("missing_lines", .int($0.missingLines)), ("since", time($0.since)), ("error", .string($0.error))])
            } ?? .null),
        ])
    }

    /// A service's watch state, as its Codable form encodes it.
    static func json(_ w: WatchSnapshot) -> JSON {
        .object([
            ("state", .string(w.state.rawValue)), ("paths", .array(w.paths.map(JSON.string))),
            ("last_change", w.lastChange.map(time) ?? .null), ("last_build", w.lastBuild.map(json) ?? .null),
            ("build_lines", .array(w.buildLines.map(JSON.string))), ("problem", w.problem.map(JSON.string) ?? .null),
        ])
    }

    /// An exit status, as its Codable form encodes it.
    static func json(_ e: ExitStatus) -> JSON {
        switch e {
        case .exited(let code): .object([("code", .int(Int(code)))])
        case .signaled(let s): .object([("signal", .string(ProcessSignal.name(of: s)))])
        case .unknown: .object([("unknown", .bool(true))])
        }
    }

    /// The answer line to a `snapshot` request, as `ControlServer.answer` would write it for
    /// `ControlResponse.success(snapshot)`.
    static func snapshotAnswer(id: Int?, _ s: StackSnapshot) -> JSON {
        .object([("id", id.map(JSON.int) ?? .null), ("ok", .bool(true)), ("result", json(s))])
    }
}
