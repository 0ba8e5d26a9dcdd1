/// The resolved configuration as data: every key with its default filled in.
public enum ConfigRenderer {
    /// The stack as a JSON value, keys in msvc.yaml's order.
    public static func json(_ stack: StackConfig) -> JSON {
        .object([
            ("version", .int(stack.version)),
            ("name", .string(stack.name)),
            ("env", strings(stack.env)),
            ("env_file", .array(stack.envFile.map { .string($0.written) })),
            ("services", .object(stack.services.map { ($0.key, service($0.value)) })),
            ("tests", tests(stack.tests)),
            ("ci", .object([("provider", stack.ci.provider.map(JSON.string) ?? .null), ("msvc", ciMsvc(stack.ci.msvc))])),
        ])
    }

    static func strings<S: Sequence>(_ pairs: S) -> JSON where S.Element == (key: String, value: String) {
        .object(pairs.map { ($0.key, .string($0.value)) })
    }

    static func duration(_ d: Duration) -> JSON { .string(Units.format(d)) }

    static func ciMsvc(_ source: CIMsvcSource?) -> JSON {
        switch source {
        case .git(let url, let ref)?: return .object([("git", .string(url)), ("ref", .string(ref))])
        case .install(let command)?: return .object([("install", .string(command))])
        case nil: return .null
        }
    }

    static func port(_ p: PortSpec) -> JSON {
        if case .fixed(let n) = p { return .int(n) }
        return .string(p.written)
    }

    static func service(_ s: ServiceConfig) -> JSON {
        let command: JSON
        let shell: Bool
        switch s.command {
        case .argv(let a): command = .array(a.map(JSON.string)); shell = false
        case .shell(let script): command = .string(script); shell = true
        }
        return .object([
            ("command", command),
            ("shell", .bool(shell)),
            ("cwd", .string(s.cwd)),
            ("env", strings(s.env)),
            ("env_file", .array(s.envFile.map { .string($0.written) })),
            ("port", port(s.port)),
            ("ports", .object(s.ports.map { ($0.key, port($0.value)) })),
            ("depends_on", .object(s.dependsOn.map { ($0.service, .string($0.condition.rawValue)) })),
            ("health", s.health.map(probe) ?? .null),
            ("liveness", s.liveness.map(probe) ?? .null),
            ("restart", .string(s.restart.rawValue)),
            ("max_restarts", .int(s.maxRestarts)),
            ("backoff", .object([("initial", duration(s.backoff.initial)), ("max", duration(s.backoff.max))])),
            ("replicas", .int(s.replicas)),
            ("stop_signal", .string(s.stopSignal)),
            ("stop_timeout", duration(s.stopTimeout)),
            ("profiles", .array(s.profiles.map(JSON.string))),
            ("disabled", .bool(s.disabled)),
            ("build", s.build.map(JSON.string) ?? .null),
            ("test", s.test.map(JSON.string) ?? .null),
            ("language", s.language.map(JSON.string) ?? .null),
            ("labels", strings(s.labels)),
            ("image", .string(s.imageOrDefault)),
            ("openapi", s.openapi.map(JSON.string) ?? .null),
            ("watch", s.watch.map(watch) ?? .null),
        ])
    }

    static func watch(_ w: WatchSettings) -> JSON {
        .object([
            ("paths", .array(w.paths.map(JSON.string))), ("ignore", .array(w.ignore.map(JSON.string))),
            ("debounce", duration(w.debounce)), ("action", .string(w.action.rawValue)),
            ("cascade", .array(w.cascade.map(JSON.string))),
        ])
    }

    static func probe(_ p: Probe) -> JSON {
        let check: JSON
        switch p.check {
        case .http(let path, let port, let status, let headers):
            let range = status.lowerBound == status.upperBound ? "\(status.lowerBound)" : "\(status.lowerBound)-\(status.upperBound)"
            check = .object([
                ("path", .string(path)), ("port", port.map(JSON.string) ?? .null),
                ("status", .string(range)), ("headers", strings(headers)),
            ])
        case .tcp(let port): check = port.map(JSON.string) ?? .bool(true)
        case .exec(let c): check = .string(c)
        case .log(let r): check = .string(r)
        }
        return .object([
            (p.check.kind, check),
            ("interval", duration(p.interval)),
            ("timeout", duration(p.timeout)),
            ("retries", .int(p.retries)),
            ("start_period", duration(p.startPeriod)),
        ])
    }

    static func tests(_ t: TestSuites) -> JSON {
        func needs(_ n: SuiteNeeds) -> JSON {
            switch n {
            case .all: return .string("all")
            case .services(let s): return .array(s.map(JSON.string))
            }
        }
        func command(_ s: CommandSuite, scenario: Bool) -> JSON {
            var fields: [(String, JSON)] = [("name", .string(s.name)), ("needs", needs(s.needs))]
            fields.append(("run", s.run.map(JSON.string) ?? .null))
            if scenario { fields.append(("scenario", s.scenario.map(JSON.string) ?? .null)) }
            fields += [("cwd", .string(s.cwd)), ("timeout", duration(s.timeout)), ("env", strings(s.env))]
            return .object(fields)
        }
        return .object([
            ("contract", .array(t.contract.map { c in
                .object([
                    ("name", .string(c.name)), ("provider", .string(c.provider)),
                    ("pact", c.pact.map(JSON.string) ?? .null), ("openapi", c.openapi.map(JSON.string) ?? .null),
                    ("state_change", c.stateChange.map(JSON.string) ?? .null),
                ])
            })),
            ("integration", .array(t.integration.map { command($0, scenario: false) })),
            ("e2e", .array(t.e2e.map { command($0, scenario: true) })),
        ])
    }
}

/// Writes a JSON value as block-style YAML (for `msvc config` without `--json`).
public enum YAMLWriter {
    /// The YAML text of `value`, ending with a newline.
    public static func write(_ value: JSON) -> String {
        var out = ""
        emit(value, indent: 0, into: &out, inline: false)
        return out.hasSuffix("\n") ? out : out + "\n"
    }

    private static func emit(_ value: JSON, indent: Int, into out: inout String, inline: Bool) {
        let pad = String(repeating: "  ", count: indent)
        switch value {
        case .object(let pairs) where !pairs.isEmpty:
            if inline { out += "\n" }
            for (k, v) in pairs {
                out += pad + scalar(k) + ":"
                if isBlock(v) { emit(v, indent: indent + 1, into: &out, inline: true) } else { out += " " + flat(v) + "\n" }
            }
        case .array(let items) where !items.isEmpty:
            if inline { out += "\n" }
            for v in items {
                out += pad + "-"
                if isBlock(v) {
                    var nested = ""
                    emit(v, indent: indent + 1, into: &nested, inline: false)
                    out += " " + nested.dropFirst(pad.count + 2)
                } else {
                    out += " " + flat(v) + "\n"
                }
            }
        default:
            out += (inline ? " " : pad) + flat(value) + "\n"
        }
    }

    private static func isBlock(_ v: JSON) -> Bool {
        switch v {
        case .object(let p): return !p.isEmpty
        case .array(let a): return !a.isEmpty
        default: return false
        }
    }

    private static func flat(_ v: JSON) -> String {
        switch v {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double: return v.serialized(pretty: false)
        case .string(let s): return scalar(s)
        case .array: return "[]"
        case .object: return "{}"
        }
    }

    /// A string as a YAML scalar, double-quoted when a plain scalar would read differently.
    static func scalar(_ s: String) -> String {
        let special = ":#{}[],&*!|>'\"%@`\n\t\\"
        let needsQuotes = s.isEmpty || YAMLNode.plainScalarType(s) != .string
            || s.contains(where: { special.contains($0) || $0.isNewline }) || s.first == " " || s.last == " "
            || s.first == "-" || s.first == "?" || s.hasPrefix("<<")
        return needsQuotes ? JSON.string(s).serialized(pretty: false) : s
    }
}
