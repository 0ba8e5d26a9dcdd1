import Foundation

/// JSON forms of the control types: the socket protocol and every `--json` output share them.
/// Each type is `Codable` with the keys below (snake case, every optional field present as
/// `null`); new fields may be added, existing ones are never renamed.
public enum Wire {
    /// A value as JSON, as `--json` prints it and the socket carries it.
    public static func json<T: Encodable>(_ value: T) -> JSON {
        // Our wire types only fail to encode a number beyond Int64, which none of them holds.
        (try? JSONValueEncoder().encode(value)) ?? .null
    }

    /// A value from JSON; a `ControlError.protocolError` naming the field when it does not fit.
    public static func decode<T: Decodable>(_ type: T.Type, from json: JSON) throws(ControlError) -> T {
        do { return try JSONValueDecoder().decode(T.self, from: json) } catch let e as DecodingError {
            throw .protocolError("unexpected answer: \(e.summary)")
        } catch {
            throw .protocolError("unexpected answer: \(error)")
        }
    }

    /// A snapshot from JSON (`ps --json`), nil when it does not fit; `decode` says why.
    public static func snapshot(_ j: JSON) -> StackSnapshot? {
        try? decode(StackSnapshot.self, from: j)
    }

    /// A log record as JSON, built by hand: this is the log stream's hot path (see
    /// docs/DECISIONS.md, "Log records skip Codable on the socket"). Same shape as its Codable form.
    public static func json(_ r: LogRecord) -> JSON {
        .object([
            ("seq", .int(Int(truncatingIfNeeded: r.seq))), ("time", time(r.time)), ("service", .string(r.service)),
            ("replica", .int(r.replica)), ("stream", .string(r.stream.rawValue)), ("text", .string(r.text)),
        ])
    }

    /// A log record from JSON, read by hand (the hot path); nil when a field is missing or out of range.
    public static func record(_ j: JSON) -> LogRecord? {
        guard case .object(let pairs) = j else { return nil }
        var seq: UInt64?, time: Date?, service: String?, replica = 1, stream = LogRecord.Stream.stdout, text: String?
        for (key, value) in pairs {
            switch key {
            case "seq": seq = value.intValue.flatMap { UInt64(exactly: $0) }
            case "time": time = value.doubleValue.map { Date(timeIntervalSince1970: $0) }
            case "service": service = value.stringValue
            case "replica": replica = value.intValue ?? 1
            case "stream": stream = value.stringValue.flatMap(LogRecord.Stream.init(rawValue:)) ?? .stdout
            case "text": text = value.stringValue
            default: break
            }
        }
        guard let seq, let service, let text else { return nil }
        return LogRecord(seq: seq, time: time ?? Date(), service: service, replica: replica, stream: stream, text: text)
    }

    /// Unix seconds with millisecond precision, as every time on the wire.
    static func time(_ d: Date) -> JSON { .double((d.timeIntervalSince1970 * 1000).rounded() / 1000) }
}

extension LogRecord: Codable {
    enum CodingKeys: String, CodingKey { case seq, time, service, replica, stream, text }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(seq: try c.decode(UInt64.self, forKey: .seq), time: try c.decode(Date.self, forKey: .time),
                  service: try c.decode(String.self, forKey: .service), replica: try c.decodeIfPresent(Int.self, forKey: .replica) ?? 1,
                  stream: try c.decodeIfPresent(Stream.self, forKey: .stream) ?? .stdout, text: try c.decode(String.self, forKey: .text))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(seq, forKey: .seq)
        try c.encode(time, forKey: .time)
        try c.encode(service, forKey: .service)
        try c.encode(replica, forKey: .replica)
        try c.encode(stream, forKey: .stream)
        try c.encode(text, forKey: .text)
    }
}

extension LogRecord.Stream: Codable {}
extension ReplicaState: Codable {}
extension HealthStatus: Codable {}
extension DependencyCondition: Codable {}

extension Dependency: Codable {
    enum CodingKeys: String, CodingKey { case service, condition }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(service: try c.decode(String.self, forKey: .service), condition: try c.decode(DependencyCondition.self, forKey: .condition))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(service, forKey: .service)
        try c.encode(condition, forKey: .condition)
    }
}

extension ProbeResult: Codable {
    enum CodingKeys: String, CodingKey { case ok, detail, at }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(ok: try c.decode(Bool.self, forKey: .ok), detail: try c.decodeIfPresent(String.self, forKey: .detail) ?? "",
                  at: try c.decodeIfPresent(Date.self, forKey: .at) ?? Date())
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(ok, forKey: .ok)
        try c.encode(detail, forKey: .detail)
        try c.encode(at, forKey: .at)
    }
}

/// `{"code": 3}`, `{"signal": "SIGKILL"}` or `{"unknown": true}`.
extension ExitStatus: Codable {
    enum CodingKeys: String, CodingKey { case code, signal, unknown }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let code = try c.decodeIfPresent(Int32.self, forKey: .code) {
            self = .exited(code)
        } else if let name = try c.decodeIfPresent(String.self, forKey: .signal) {
            self = .signaled(ProcessSignal.number(named: name) ?? Int32(name.split(separator: " ").last ?? "") ?? 0)
        } else {
            self = .unknown
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .exited(let code): try c.encode(code, forKey: .code)
        case .signaled(let s): try c.encode(ProcessSignal.name(of: s), forKey: .signal)
        case .unknown: try c.encode(true, forKey: .unknown)
        }
    }
}

/// Named ports as an object: `""` (the main port) is written `main`, keys sorted.
private struct PortMap: Codable {
    var ports: [String: Int]

    init(_ ports: [String: Int]) { self.ports = ports }

    init(from decoder: any Decoder) throws {
        let pairs = try decoder.singleValueContainer().decode([String: Int?].self)
        ports = [:]
        for (k, v) in pairs { if let v { ports[k == "main" ? "" : k] = v } }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: AnyKey.self)
        for (k, v) in ports.sorted(by: { $0.key < $1.key }) { try c.encode(v, forKey: AnyKey(k.isEmpty ? "main" : k)) }
    }
}

/// A coding key for objects whose keys are data (port names).
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    /// The key `s`.
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension ReplicaSnapshot: Codable {
    enum CodingKeys: String, CodingKey {
        case service, replica, name, state, health, lastProbe = "last_probe", pid, ports, restarts, startedAt = "started_at"
        case lastExit = "last_exit", nextRestartAt = "next_restart_at", message, cpuPercent = "cpu_percent", rssBytes = "rss_bytes"
        case lastLines = "last_lines", successorPID = "successor_pid", logFileProblem = "log_file_problem"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(service: try c.decode(String.self, forKey: .service), replica: try c.decode(Int.self, forKey: .replica),
                  name: try c.decodeIfPresent(String.self, forKey: .name))
        state = try c.decodeIfPresent(ReplicaState.self, forKey: .state) ?? .pending
        health = try c.decodeIfPresent(HealthStatus.self, forKey: .health) ?? .unknown
        lastProbe = try c.decodeIfPresent(ProbeResult.self, forKey: .lastProbe)
        pid = try c.decodeIfPresent(Int32.self, forKey: .pid)
        ports = try c.decodeIfPresent(PortMap.self, forKey: .ports)?.ports ?? [:]
        restarts = try c.decodeIfPresent(Int.self, forKey: .restarts) ?? 0
        startedAt = try c.decodeIfPresent(Date.self, forKey: .startedAt)
        lastExit = try c.decodeIfPresent(ExitStatus.self, forKey: .lastExit)
        nextRestartAt = try c.decodeIfPresent(Date.self, forKey: .nextRestartAt)
        message = try c.decodeIfPresent(String.self, forKey: .message)
        cpuPercent = try c.decodeIfPresent(Double.self, forKey: .cpuPercent)
        rssBytes = try c.decodeIfPresent(Int.self, forKey: .rssBytes)
        lastLines = try c.decodeIfPresent([String].self, forKey: .lastLines) ?? []
        successorPID = try c.decodeIfPresent(Int32.self, forKey: .successorPID)
        logFileProblem = try c.decodeIfPresent(LogFileProblem.self, forKey: .logFileProblem)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(service, forKey: .service)
        try c.encode(replica, forKey: .replica)
        try c.encode(name, forKey: .name)
        try c.encode(state, forKey: .state)
        try c.encode(health, forKey: .health)
        try c.encode(lastProbe, forKey: .lastProbe)
        try c.encode(pid, forKey: .pid)
        try c.encode(PortMap(ports), forKey: .ports)
        try c.encode(restarts, forKey: .restarts)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encode(lastExit, forKey: .lastExit)
        try c.encode(nextRestartAt, forKey: .nextRestartAt)
        try c.encode(message, forKey: .message)
        try c.encode(cpuPercent.map { ($0 * 10).rounded() / 10 }, forKey: .cpuPercent)
        try c.encode(rssBytes, forKey: .rssBytes)
        try c.encode(lastLines, forKey: .lastLines)
        try c.encode(successorPID, forKey: .successorPID)
        try c.encode(logFileProblem, forKey: .logFileProblem)
    }
}

extension ServiceSnapshot: Codable {
    enum CodingKeys: String, CodingKey {
        case name, port, ports, desiredReplicas = "replicas_desired", dependsOn = "depends_on", watch, replicas
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(name: try c.decode(String.self, forKey: .name), port: try c.decodeIfPresent(Int.self, forKey: .port),
                  namedPorts: try c.decodeIfPresent([String: Int].self, forKey: .ports) ?? [:],
                  desiredReplicas: try c.decodeIfPresent(Int.self, forKey: .desiredReplicas) ?? 1,
                  replicas: try c.decodeIfPresent([ReplicaSnapshot].self, forKey: .replicas) ?? [],
                  dependsOn: try c.decodeIfPresent([Dependency].self, forKey: .dependsOn) ?? [],
                  watch: try c.decodeIfPresent(WatchSnapshot.self, forKey: .watch))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(port, forKey: .port)
        var named = c.nestedContainer(keyedBy: AnyKey.self, forKey: .ports)
        for (k, v) in namedPorts.sorted(by: { $0.key < $1.key }) { try named.encode(v, forKey: AnyKey(k)) }
        try c.encode(desiredReplicas, forKey: .desiredReplicas)
        try c.encode(dependsOn, forKey: .dependsOn)
        try c.encode(watch, forKey: .watch)
        try c.encode(replicas, forKey: .replicas)
    }
}

extension StackSnapshot: Codable {
    enum CodingKeys: String, CodingKey { case project, pid, startedAt = "started_at", socket, containment, services }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(project: try c.decode(String.self, forKey: .project), startedAt: try c.decodeIfPresent(Date.self, forKey: .startedAt) ?? Date(),
                  socketPath: try c.decodeIfPresent(String.self, forKey: .socket), pid: try c.decode(Int32.self, forKey: .pid),
                  services: try c.decodeIfPresent([ServiceSnapshot].self, forKey: .services) ?? [])
        containment = try c.decodeIfPresent(ProcessContainment.self, forKey: .containment)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(project, forKey: .project)
        try c.encode(pid, forKey: .pid)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encode(socketPath, forKey: .socket)
        try c.encode(containment, forKey: .containment)
        try c.encode(services, forKey: .services)
    }
}

/// `{"path": "…", "missing_lines": 3, "since": 1.7e9, "error": "No space left on device"}`.
extension LogFileProblem: Codable {
    enum CodingKeys: String, CodingKey { case path, missingLines = "missing_lines", since, error }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(path: try c.decode(String.self, forKey: .path), missingLines: try c.decodeIfPresent(Int.self, forKey: .missingLines) ?? 0,
                  since: try c.decodeIfPresent(Date.self, forKey: .since) ?? Date(), error: try c.decodeIfPresent(String.self, forKey: .error) ?? "")
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(path, forKey: .path)
        try c.encode(missingLines, forKey: .missingLines)
        try c.encode(since, forKey: .since)
        try c.encode(error, forKey: .error)
    }
}

extension WatchSnapshot.State: Codable {}

/// `{"state": "watching", "paths": […], "last_change": …, "last_build": {"code": 1}, "build_lines": […], "problem": null}`.
extension WatchSnapshot: Codable {
    enum CodingKeys: String, CodingKey { case state, paths, lastChange = "last_change", lastBuild = "last_build", buildLines = "build_lines", problem }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(state: try c.decode(State.self, forKey: .state), paths: try c.decodeIfPresent([String].self, forKey: .paths) ?? [],
                  lastChange: try c.decodeIfPresent(Date.self, forKey: .lastChange), lastBuild: try c.decodeIfPresent(ExitStatus.self, forKey: .lastBuild),
                  buildLines: try c.decodeIfPresent([String].self, forKey: .buildLines) ?? [], problem: try c.decodeIfPresent(String.self, forKey: .problem))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(state, forKey: .state)
        try c.encode(paths, forKey: .paths)
        try c.encode(lastChange, forKey: .lastChange)
        try c.encode(lastBuild, forKey: .lastBuild)
        try c.encode(buildLines, forKey: .buildLines)
        try c.encode(problem, forKey: .problem)
    }
}

/// `{"kind": "cgroup", "cgroup": "/sys/fs/cgroup/…"}` or `{"kind": "tracking", "cgroup": null}`.
extension ProcessContainment: Codable {
    enum CodingKeys: String, CodingKey { case kind, cgroup }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(String.self, forKey: .kind) {
        case "cgroup": self = .cgroup(path: try c.decodeIfPresent(String.self, forKey: .cgroup) ?? "")
        case "tracking": self = .descendantTracking
        case let other: throw DecodingError.dataCorruptedError(forKey: .kind, in: c, debugDescription: "unknown containment \"\(other)\"")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(cgroupPath, forKey: .cgroup)
    }
}

extension ActionResult: Codable {
    enum CodingKeys: String, CodingKey { case ok, message }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(ok: try c.decode(Bool.self, forKey: .ok), message: try c.decodeIfPresent(String.self, forKey: .message) ?? "")
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(ok, forKey: .ok)
        try c.encode(message, forKey: .message)
    }
}

/// `{"action": "restarted", "service": "orders", "reason": "env changed"}` and friends.
extension ApplyResult.Change: Codable {
    enum CodingKeys: String, CodingKey { case action, service, reason, from, to }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let s = try c.decode(String.self, forKey: .service)
        let reason = try c.decodeIfPresent(String.self, forKey: .reason) ?? ""
        switch try c.decode(String.self, forKey: .action) {
        case "started": self = .started(s)
        case "restarted": self = .restarted(s, reason: reason)
        case "restart_failed": self = .restartFailed(s, reason: reason)
        case "stopped": self = .stopped(s)
        case "scaled": self = .scaled(s, from: try c.decode(Int.self, forKey: .from), to: try c.decode(Int.self, forKey: .to))
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .action, in: c, debugDescription: "unknown action \"\(other)\"")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .started(let s): try c.encode("started", forKey: .action); try c.encode(s, forKey: .service)
        case .restarted(let s, let why):
            try c.encode("restarted", forKey: .action); try c.encode(s, forKey: .service); try c.encode(why, forKey: .reason)
        case .restartFailed(let s, let why):
            try c.encode("restart_failed", forKey: .action); try c.encode(s, forKey: .service); try c.encode(why, forKey: .reason)
        case .stopped(let s): try c.encode("stopped", forKey: .action); try c.encode(s, forKey: .service)
        case .scaled(let s, let a, let b):
            try c.encode("scaled", forKey: .action); try c.encode(s, forKey: .service)
            try c.encode(a, forKey: .from); try c.encode(b, forKey: .to)
        }
    }
}

extension ApplyResult: Codable {
    enum CodingKeys: String, CodingKey { case ok, summary, changes, unchanged }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(changes: try c.decode([Change].self, forKey: .changes), unchanged: try c.decodeIfPresent([String].self, forKey: .unchanged) ?? [])
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(ok, forKey: .ok)
        try c.encode(summary, forKey: .summary)
        try c.encode(changes, forKey: .changes)
        try c.encode(unchanged, forKey: .unchanged)
    }
}

/// `{"ready": true}`, `{"ready": false, "failed": "orders", "reason": "…"}` or
/// `{"ready": false, "timed_out": ["orders starting"]}`.
extension ReadyOutcome: Codable {
    enum CodingKeys: String, CodingKey { case ready, failed, reason, timedOut = "timed_out" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if try c.decode(Bool.self, forKey: .ready) {
            self = .ready
        } else if let s = try c.decodeIfPresent(String.self, forKey: .failed) {
            self = .failed(service: s, reason: try c.decodeIfPresent(String.self, forKey: .reason) ?? "")
        } else {
            self = .timedOut(try c.decodeIfPresent([String].self, forKey: .timedOut) ?? [])
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .ready: try c.encode(true, forKey: .ready)
        case .failed(let s, let why):
            try c.encode(false, forKey: .ready); try c.encode(s, forKey: .failed); try c.encode(why, forKey: .reason)
        case .timedOut(let pending): try c.encode(false, forKey: .ready); try c.encode(pending, forKey: .timedOut)
        }
    }
}
