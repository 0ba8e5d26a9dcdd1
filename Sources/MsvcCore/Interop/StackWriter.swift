import Collections

/// Writes a stack model as msvc.yaml text, leaving out keys at their defaults. Strings are
/// written as they are: they must already be in msvc.yaml syntax (`$$` for a literal `$`).
public enum StackWriter {
    /// The msvc.yaml text of `stack`: `header` comment lines, then the top-level keys; each
    /// service may have comment lines above it and extra `x-` keys after its own.
    /// `overrides` replace a service's keys of the same name (or are added after them).
    public static func write(_ stack: StackConfig, header: [String] = [], comments: [String: [String]] = [:],
                             overrides: [String: [(String, CIYAML)]] = [:],
                             extensions: [String: [(String, CIYAML)]] = [:]) -> String {
        var top: [CIYAMLEntry] = [CIYAMLEntry("version", .int(stack.version))]
        if !stack.name.isEmpty { top.append(CIYAMLEntry("name", .string(stack.name))) }
        if !stack.env.isEmpty { top.append(CIYAMLEntry("env", strings(stack.env))) }
        if !stack.envFile.isEmpty { top.append(CIYAMLEntry("env_file", .strings(stack.envFile.map(\.written)))) }
        let services = stack.services.values.map { s in
            var keys = service(s)
            for (key, value) in overrides[s.name] ?? [] {
                if let i = keys.firstIndex(where: { $0.0 == key }) { keys[i].1 = value } else { keys.append((key, value)) }
            }
            keys += extensions[s.name] ?? []
            return CIYAMLEntry(s.name, .map(keys.map { CIYAMLEntry($0.0, $0.1) }), comment: comments[s.name] ?? [])
        }
        top.append(CIYAMLEntry("services", .spacedMap(services)))
        return CIYAML.map(top).document(header: header)
    }

    static func strings(_ d: OrderedDictionary<String, String>) -> CIYAML { .pairs(d.map { ($0.key, .string($0.value)) }) }

    /// A command as msvc.yaml writes it: one string when splitting it gives the arguments back.
    static func command(_ c: CommandSpec) -> [(String, CIYAML)] {
        switch c {
        case .shell(let script): return [("command", .string(script)), ("shell", .bool(true))]
        case .argv(let args):
            // `${VAR}` needs no quotes: msvc splits the string without a shell.
            let joined = args.map { word in
                !word.isEmpty && word.allSatisfy({ !$0.isWhitespace && !"'\"\\".contains($0) }) ? word : ShellWords.quote(word)
            }.joined(separator: " ")
            if (try? ShellWords.split(joined)) == args { return [("command", .string(joined))] }
            return [("command", .strings(args))]
        }
    }

    static func port(_ p: PortSpec) -> CIYAML {
        if case .fixed(let n) = p { return .int(n) }
        return .string(p.written)
    }

    /// A service's keys that differ from the defaults, in the reference's order.
    public static func service(_ s: ServiceConfig) -> [(String, CIYAML)] {
        let d = ServiceConfig(name: s.name)
        var out = command(s.command)
        if s.cwd != d.cwd { out.append(("cwd", .string(s.cwd))) }
        if !s.env.isEmpty { out.append(("env", strings(s.env))) }
        if !s.envFile.isEmpty { out.append(("env_file", .strings(s.envFile.map(\.written)))) }
        if s.port != .none { out.append(("port", port(s.port))) }
        if !s.ports.isEmpty { out.append(("ports", .pairs(s.ports.map { ($0.key, port($0.value)) }))) }
        if !s.dependsOn.isEmpty {
            if s.dependsOn.allSatisfy({ $0.condition == .started }) {
                out.append(("depends_on", .strings(s.dependsOn.map(\.service))))
            } else {
                out.append(("depends_on", .pairs(s.dependsOn.map { ($0.service, .string($0.condition.rawValue)) })))
            }
        }
        if let p = s.health { out.append(("health", probe(p))) }
        if let p = s.liveness { out.append(("liveness", probe(p))) }
        if s.restart != d.restart { out.append(("restart", .string(s.restart.rawValue))) }
        if s.maxRestarts != d.maxRestarts { out.append(("max_restarts", .int(s.maxRestarts))) }
        if s.backoff != d.backoff {
            out.append(("backoff", .pairs([("initial", .string(Units.format(s.backoff.initial))), ("max", .string(Units.format(s.backoff.max)))])))
        }
        if s.replicas != d.replicas { out.append(("replicas", .int(s.replicas))) }
        if s.stopSignal != d.stopSignal { out.append(("stop_signal", .string(s.stopSignal))) }
        if s.stopTimeout != d.stopTimeout { out.append(("stop_timeout", .string(Units.format(s.stopTimeout)))) }
        if !s.profiles.isEmpty { out.append(("profiles", .strings(s.profiles))) }
        if s.disabled { out.append(("disabled", .bool(true))) }
        if let v = s.build { out.append(("build", .string(v))) }
        if let v = s.test { out.append(("test", .string(v))) }
        if let v = s.language { out.append(("language", .string(v))) }
        if !s.labels.isEmpty { out.append(("labels", strings(s.labels))) }
        if let v = s.image { out.append(("image", .string(v))) }
        return out
    }

    /// A probe as msvc.yaml writes it, timings only where they differ from the defaults.
    public static func probe(_ p: Probe) -> CIYAML {
        var out: [(String, CIYAML)] = []
        switch p.check {
        case .http(let path, let port, let status, let headers):
            if port == nil && status == 200...399 && headers.isEmpty {
                out.append(("http", .string(path)))
            } else {
                var fields: [(String, CIYAML)] = [("path", .string(path))]
                if let port { fields.append(("port", .string(port))) }
                if status != 200...399 {
                    let range = status.lowerBound == status.upperBound ? "\(status.lowerBound)" : "\(status.lowerBound)-\(status.upperBound)"
                    fields.append(("status", status.lowerBound == status.upperBound ? .int(status.lowerBound) : .string(range)))
                }
                if !headers.isEmpty { fields.append(("headers", strings(headers))) }
                out.append(("http", .pairs(fields)))
            }
        case .tcp(let port): out.append(("tcp", port.map(CIYAML.string) ?? .bool(true)))
        case .exec(let c): out.append(("exec", .string(c)))
        case .log(let r): out.append(("log", .string(r)))
        }
        let d = Probe(check: p.check)
        if p.interval != d.interval { out.append(("interval", .string(Units.format(p.interval)))) }
        if p.timeout != d.timeout { out.append(("timeout", .string(Units.format(p.timeout)))) }
        if p.retries != d.retries { out.append(("retries", .int(p.retries))) }
        if p.startPeriod != d.startPeriod { out.append(("start_period", .string(Units.format(p.startPeriod)))) }
        return .pairs(out)
    }
}
