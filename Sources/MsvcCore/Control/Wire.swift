import Foundation

/// JSON forms of the control types: the socket protocol and every `--json` output share them.
public enum Wire {
    static func date(_ d: Date?) -> JSON { d.map { .double(($0.timeIntervalSince1970 * 1000).rounded() / 1000) } ?? .null }
    static func date(_ j: JSON?) -> Date? { j?.doubleValue.map { Date(timeIntervalSince1970: $0) } }

    /// A replica as JSON.
    public static func json(_ r: ReplicaSnapshot) -> JSON {
        var exit: JSON = .null
        switch r.lastExit {
        case .exited(let c)?: exit = .object([("code", .int(Int(c)))])
        case .signaled(let s)?: exit = .object([("signal", .string(ProcessSignal.name(of: s)))])
        case .unknown?: exit = .object([("unknown", .bool(true))])
        case nil: break
        }
        var fields: [(String, JSON)] = []
        fields.append(("service", .string(r.service)))
        fields.append(("replica", .int(r.replica)))
        fields.append(("state", .string(r.state.rawValue)))
        fields.append(("health", .string(r.health.rawValue)))
        var probe = JSON.null
        if let p = r.lastProbe { probe = .object([("ok", .bool(p.ok)), ("detail", .string(p.detail)), ("at", date(p.at))]) }
        fields.append(("last_probe", probe))
        fields.append(("pid", r.pid.map { JSON.int(Int($0)) } ?? .null))
        let ports: [(String, JSON)] = r.ports.sorted { $0.key < $1.key }.map { ($0.key.isEmpty ? "main" : $0.key, JSON.int($0.value)) }
        fields.append(("ports", .object(ports)))
        fields.append(("restarts", .int(r.restarts)))
        fields.append(("started_at", date(r.startedAt)))
        fields.append(("last_exit", exit))
        fields.append(("next_restart_at", date(r.nextRestartAt)))
        fields.append(("message", r.message.map(JSON.string) ?? .null))
        fields.append(("cpu_percent", r.cpuPercent.map { JSON.double(($0 * 10).rounded() / 10) } ?? .null))
        fields.append(("rss_bytes", r.rssBytes.map { JSON.int($0) } ?? .null))
        fields.append(("last_lines", .array(r.lastLines.map(JSON.string))))
        return .object(fields)
    }

    static func replica(_ j: JSON) -> ReplicaSnapshot? {
        guard let service = j["service"]?.stringValue, let index = j["replica"]?.intValue else { return nil }
        var r = ReplicaSnapshot(service: service, replica: index)
        r.state = j["state"]?.stringValue.flatMap(ReplicaState.init(rawValue:)) ?? .pending
        r.health = j["health"]?.stringValue.flatMap(HealthStatus.init(rawValue:)) ?? .unknown
        if let p = j["last_probe"], let ok = p["ok"]?.boolValue {
            r.lastProbe = ProbeResult(ok: ok, detail: p["detail"]?.stringValue ?? "", at: date(p["at"]) ?? Date())
        }
        r.pid = j["pid"]?.intValue.map { Int32($0) }
        for (k, v) in j["ports"]?.objectValue ?? [] { r.ports[k == "main" ? "" : k] = v.intValue }
        r.restarts = j["restarts"]?.intValue ?? 0
        r.startedAt = date(j["started_at"])
        if let e = j["last_exit"] {
            if let c = e["code"]?.intValue { r.lastExit = .exited(Int32(c)) }
            else if let s = e["signal"]?.stringValue { r.lastExit = .signaled(ProcessSignal.number(named: s) ?? 0) }
            else if e["unknown"] != nil { r.lastExit = .unknown }
        }
        r.nextRestartAt = date(j["next_restart_at"])
        r.message = j["message"]?.stringValue
        r.cpuPercent = j["cpu_percent"]?.doubleValue
        r.rssBytes = j["rss_bytes"]?.intValue
        r.lastLines = j["last_lines"]?.arrayValue?.compactMap(\.stringValue) ?? []
        return r
    }

    /// A stack snapshot as JSON.
    public static func json(_ s: StackSnapshot) -> JSON {
        .object([
            ("project", .string(s.project)), ("pid", .int(Int(s.pid))), ("started_at", date(s.startedAt)),
            ("socket", s.socketPath.map(JSON.string) ?? .null),
            ("services", .array(s.services.map { svc in
                .object([
                    ("name", .string(svc.name)), ("port", svc.port.map { .int($0) } ?? .null),
                    ("ports", .object(svc.namedPorts.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
                    ("replicas_desired", .int(svc.desiredReplicas)),
                    ("replicas", .array(svc.replicas.map(json))),
                ])
            })),
        ])
    }

    /// A snapshot from JSON.
    public static func snapshot(_ j: JSON) -> StackSnapshot? {
        guard let project = j["project"]?.stringValue, let pid = j["pid"]?.intValue else { return nil }
        let services = (j["services"]?.arrayValue ?? []).compactMap { s -> ServiceSnapshot? in
            guard let name = s["name"]?.stringValue else { return nil }
            var named: [String: Int] = [:]
            for (k, v) in s["ports"]?.objectValue ?? [] { named[k] = v.intValue }
            return ServiceSnapshot(name: name, port: s["port"]?.intValue, namedPorts: named,
                                   desiredReplicas: s["replicas_desired"]?.intValue ?? 1,
                                   replicas: (s["replicas"]?.arrayValue ?? []).compactMap(replica))
        }
        return StackSnapshot(project: project, startedAt: date(j["started_at"]) ?? Date(), socketPath: j["socket"]?.stringValue,
                             pid: Int32(pid), services: services)
    }

    /// A log record as JSON.
    public static func json(_ r: LogRecord) -> JSON {
        .object([
            ("seq", .int(Int(r.seq))), ("time", date(r.time)), ("service", .string(r.service)),
            ("replica", .int(r.replica)), ("stream", .string(r.stream.rawValue)), ("text", .string(r.text)),
        ])
    }

    /// A log record from JSON.
    public static func record(_ j: JSON) -> LogRecord? {
        guard let seq = j["seq"]?.intValue, let service = j["service"]?.stringValue, let text = j["text"]?.stringValue else { return nil }
        return LogRecord(seq: UInt64(seq), time: date(j["time"]) ?? Date(), service: service, replica: j["replica"]?.intValue ?? 1,
                         stream: j["stream"]?.stringValue.flatMap(LogRecord.Stream.init(rawValue:)) ?? .stdout, text: text)
    }

    /// A query as JSON.
    static func json(_ q: LogQuery) -> [(String, JSON)] {
        [("services", .array(q.services.map(JSON.string))), ("tail", q.tail.map { .int($0) } ?? .null),
         ("since", date(q.since)), ("grep", q.grep.map(JSON.string) ?? .null)]
    }

    static func query(_ j: JSON) -> LogQuery {
        LogQuery(services: j["services"]?.arrayValue?.compactMap(\.stringValue) ?? [], tail: j["tail"]?.intValue,
                 since: date(j["since"]), grep: j["grep"]?.stringValue)
    }

    /// A readiness outcome as JSON.
    public static func json(_ o: ReadyOutcome) -> JSON {
        switch o {
        case .ready: return .object([("ready", .bool(true))])
        case .failed(let s, let why): return .object([("ready", .bool(false)), ("failed", .string(s)), ("reason", .string(why))])
        case .timedOut(let pending): return .object([("ready", .bool(false)), ("timed_out", .array(pending.map(JSON.string)))])
        }
    }

    /// A readiness outcome from JSON.
    public static func outcome(_ j: JSON) -> ReadyOutcome {
        if j["ready"]?.boolValue == true { return .ready }
        if let s = j["failed"]?.stringValue { return .failed(service: s, reason: j["reason"]?.stringValue ?? "") }
        return .timedOut(j["timed_out"]?.arrayValue?.compactMap(\.stringValue) ?? [])
    }
}
