import Collections
import Foundation

/// Reads a process-compose file: processes with their commands (run through the shell),
/// working_dir, environment and env_file, availability (restart, backoff, max_restarts),
/// `depends_on` conditions, readiness and liveness probes, `ready_log_line`, replicas,
/// namespaces, shutdown signal and timeout, and process `extends`.
struct ProcessComposeImporter {
    /// Process keys that are mapped (others are reported).
    static let mappedKeys: Set<String> = [
        "command", "entrypoint", "working_dir", "environment", "env_file", "availability", "depends_on",
        "readiness_probe", "liveness_probe", "ready_log_line", "replicas", "namespace", "disabled", "shutdown",
        "description", "extends",
    ]
    /// Signal numbers process-compose takes, by msvc's names.
    static let signals: [Int: String] = [1: "HUP", 2: "INT", 3: "QUIT", 9: "KILL", 10: "USR1", 12: "USR2", 15: "TERM", 28: "WINCH"]

    /// Folders, environment and file access.
    let options: ImportOptions
    /// Typed reads and the diagnostics they collect.
    var r: ImportReader
    /// The stack being built.
    var result = ImportedStack()
    /// process-compose name to msvc service name.
    var names: [String: String] = [:]

    /// Prepares an import reporting against `options.file`.
    init(options: ImportOptions) {
        self.options = options
        r = ImportReader(file: options.file)
    }

    /// Reads the whole file; throws every problem found in it.
    mutating func read(_ text: String) throws(ConfigError) -> ImportedStack {
        let root = try StackImporter.parse(text, file: options.file)
        guard case .mapping = root.content else {
            throw ConfigError([ConfigDiagnostic(file: options.file, mark: root.mark, path: "", message: "a process-compose file is a map with a processes: key, found \(root.kindName)")])
        }
        let top = r.fields(root, "")
        for (key, node) in top {
            switch key {
            case "processes", "version", "is_strict": break
            case "name":
                if let v = r.string(node, "name") { result.config.name = Naming.projectName(fromDirectory: v) }
            case "environment":
                result.config.env = environment(node, "environment")
            default:
                result.report.dropped(key, key.hasPrefix("x-") ? "extension field, not kept" : "no msvc equivalent")
            }
        }
        guard let processes = top["processes"], case .mapping(let pairs) = processes.content else {
            throw ConfigError([ConfigDiagnostic(file: options.file, mark: top["processes"]?.mark ?? root.mark, path: "processes",
                                                message: "expected processes: with a map of process names to their settings")])
        }
        for pair in pairs {
            let key = pair.key.scalar ?? ""
            var name = StackImporter.serviceName(key)
            while names.values.contains(name) { name += "-2" }
            names[key] = name
            if name != key { result.report.changed("processes.\(key)", "not a valid msvc service name; imported as \(name)") }
        }
        for pair in pairs {
            let key = pair.key.scalar ?? ""
            process(key, resolveExtends(key, pair.value, all: pairs, depth: 0))
        }
        // process_log_ready waits for the dependency's ready_log_line, which is its log probe.
        if r.sink.hasErrors { throw ConfigError(r.sink.sorted) }
        return result
    }

    /// A process with its `extends` chain merged in (the extending process wins).
    mutating func resolveExtends(_ name: String, _ node: YAMLNode, all: [YAMLPair], depth: Int) -> YAMLNode {
        guard case .mapping(let own) = node.content, let ext = own.first(where: { $0.key.scalar == "extends" })?.value,
              let baseName = ext.scalar else { return node }
        guard depth < 10, let base = all.first(where: { $0.key.scalar == baseName })?.value else {
            r.sink.error(ext.mark, "processes.\(name).extends", depth < 10 ? "no process \"\(baseName)\" to extend" : "extends nests more than 10 levels (is there a cycle?)")
            return node
        }
        let resolved = resolveExtends(baseName, base, all: all, depth: depth + 1)
        return ComposeImporter.merge(resolved, YAMLNode(.mapping(own.filter { $0.key.scalar != "extends" }), mark: node.mark))
    }

    /// `environment:`, a list of `KEY=value`.
    mutating func environment(_ node: YAMLNode, _ path: String) -> OrderedDictionary<String, String> {
        var env: OrderedDictionary<String, String> = [:]
        for (i, entry) in (r.strings(node, path, single: false) ?? []).enumerated() {
            guard let eq = entry.firstIndex(of: "="), EnvFile.isValidName(String(entry[..<eq])) else {
                r.sink.error(node.mark, "\(path)[\(i)]", "expected KEY=value, found \"\(entry)\"")
                continue
            }
            env[String(entry[..<eq])] = ComposeImporter.msvcSyntax(String(entry[entry.index(after: eq)...]))
        }
        return env
    }

    /// Maps one process.
    mutating func process(_ key: String, _ node: YAMLNode) {
        let path = "processes.\(key)"
        let name = names[key]!
        var s = ServiceConfig(name: name)
        let f = r.fields(node, path)
        if let n = f["command"], let c = r.string(n, path + ".command"), !c.isEmpty {
            s.command = .shell(StackImporter.shellScript(c))
        } else if let n = f["entrypoint"], let args = r.strings(n, path + ".entrypoint", single: false), !args.isEmpty {
            s.command = .argv(args.map(ComposeImporter.msvcSyntax))
        } else {
            r.sink.error(node.mark, path, "process \(key) has no command")
        }
        if let n = f["working_dir"], let v = r.string(n, path + ".working_dir") { s.cwd = options.rebase(ComposeImporter.msvcSyntax(v)) }
        if let n = f["environment"] { s.env = environment(n, path + ".environment") }
        if let n = f["env_file"], let v = r.string(n, path + ".env_file") { s.envFile = [EnvFileRef(path: options.rebase(v), optional: false)] }
        if let n = f["availability"] { availability(n, path + ".availability", &s) }
        if let n = f["depends_on"] { s.dependsOn = dependencies(n, path + ".depends_on") }
        if let n = f["readiness_probe"] { s.health = probe(n, path + ".readiness_probe", &s) }
        if let n = f["liveness_probe"] { s.liveness = probe(n, path + ".liveness_probe", &s) }
        if let n = f["ready_log_line"], let line = r.string(n, path + ".ready_log_line") {
            if s.health == nil {
                s.health = Probe(check: .log(NSRegularExpression.escapedPattern(for: line)))
            } else {
                result.report.dropped(path + ".ready_log_line", "msvc has one readiness probe and keeps readiness_probe; the log line is not checked")
            }
        }
        if let n = f["replicas"], let v = r.string(n, path + ".replicas"), let k = r.int(v, n, path + ".replicas", in: 1...256) { s.replicas = k }
        if let n = f["namespace"] {
            let spaces = (r.strings(n, path + ".namespace") ?? []).filter { $0 != "default" }
            if !spaces.isEmpty {
                s.labels["namespace"] = spaces.joined(separator: ",")
                result.report.changed(path + ".namespace", "kept as the label namespace: process-compose starts every namespace, and msvc profiles would not; add profiles: [\(spaces[0])] to start it only on demand")
            }
        }
        if let n = f["disabled"] { s.disabled = r.bool(n, path + ".disabled") ?? false }
        if let n = f["shutdown"] {
            let sf = r.fields(n, path + ".shutdown")
            if let v = sf["signal"], let text = r.string(v, path + ".shutdown.signal") {
                if let number = Int(text), let signal = Self.signals[number] { s.stopSignal = signal } else {
                    result.report.dropped(path + ".shutdown.signal", "msvc does not send signal \(text); it stops \(name) with TERM")
                }
            }
            if let v = sf["timeout_seconds"], let text = r.string(v, path + ".shutdown.timeout_seconds"),
               let k = r.int(text, v, path + ".shutdown.timeout_seconds", in: 0...86_400) { s.stopTimeout = .seconds(k) }
            if sf["command"] != nil {
                result.report.dropped(path + ".shutdown.command", "msvc stops a service with its stop_signal, then SIGKILL after stop_timeout")
            }
        }
        if let n = f["description"], let v = r.string(n, path + ".description") {
            result.overrides[name, default: []].append(("description", .string(v)))
        }
        rewriteFixedPort(&s, path)
        var unmapped: [String] = []
        for (k, v) in f where !Self.mappedKeys.contains(k) {
            if k.hasPrefix("x-") { result.extensions[name, default: []].append((k, StackImporter.yaml(v))) } else { unmapped.append(k) }
        }
        if f["is_daemon"].flatMap({ r.bool($0, path + ".is_daemon") }) == true {
            result.report.dropped(path + ".is_daemon", "msvc supervises foreground processes; run \(key) without daemonizing")
        }
        unmapped.removeAll { $0 == "is_daemon" }
        if !unmapped.isEmpty {
            result.report.dropped(path, "not mapped (no msvc equivalent): \(unmapped.joined(separator: ", "))")
        }
        result.config.services[name] = s
    }

    /// A process probed on a fixed port binds it itself; msvc binds that port for its balancer
    /// and hands the process its own in $PORT, so the number in its command or env becomes $PORT.
    mutating func rewriteFixedPort(_ s: inout ServiceConfig, _ path: String) {
        guard case .fixed(let n) = s.port else { return }
        var rewritten = false
        if case .shell(let script) = s.command {
            let replaced = ComposeImporter.replace(String(n), with: "$PORT", in: script, boundary: true)
            if replaced != script { s.command = .shell(replaced); rewritten = true }
        }
        for (k, v) in s.env where v == String(n) {
            s.env[k] = "${PORT}"
            rewritten = true
        }
        result.report.changed(path, rewritten
            ? "port \(n) in its command or environment is now $PORT: msvc listens on \(n) and balances it to the port in $PORT"
            : "msvc listens on \(n) and hands \(s.name) its own port in $PORT; make it listen there")
    }

    /// restart, backoff_seconds and max_restarts.
    mutating func availability(_ node: YAMLNode, _ path: String, _ s: inout ServiceConfig) {
        for (key, value) in r.fields(node, path) {
            let p = "\(path).\(key)"
            switch key {
            case "restart":
                switch r.string(value, p) ?? "" {
                case "always": s.restart = .always
                case "on_failure": s.restart = .onFailure
                case "exit_on_failure":
                    s.restart = .onFailure
                    result.report.changed(p, "exit_on_failure stops the whole project in process-compose; msvc restarts \(s.name) on failure instead")
                case "no": s.restart = .no
                case let other: r.sink.error(value.mark, p, "invalid restart \"\(other)\" (expected always, on_failure, exit_on_failure or no)")
                }
            case "backoff_seconds":
                if let v = r.string(value, p), let k = r.int(v, value, p, in: 0...86_400) {
                    s.backoff.initial = .seconds(k)
                    s.backoff.max = .seconds(k)
                    result.report.changed(p, "process-compose waits the same time before every restart; msvc's backoff is set to \(k)s both initial and max")
                }
            case "max_restarts":
                if let v = r.string(value, p), let k = r.int(v, value, p, in: 0...1_000_000) {
                    if k == 0 { result.report.changed(p, "0 means no limit in process-compose; msvc keeps its default of 10") } else { s.maxRestarts = k }
                }
            default:
                result.report.dropped(p, "no msvc equivalent")
            }
        }
    }

    /// depends_on with process-compose's conditions.
    mutating func dependencies(_ node: YAMLNode, _ path: String) -> [Dependency] {
        var deps: [Dependency] = []
        for pair in r.map(node, path) ?? [] {
            let dep = pair.key.scalar ?? ""
            let p = "\(path).\(dep)"
            var condition = DependencyCondition.started
            let conditionNode = r.fields(pair.value, p)["condition"]
            if let conditionNode, let c = r.string(conditionNode, p + ".condition") {
                switch c {
                case "process_started": condition = .started
                case "process_healthy", "process_log_ready": condition = .healthy
                case "process_completed_successfully": condition = .completed
                case "process_completed":
                    condition = .completed
                    result.report.changed(p, "process_completed accepts any exit code; msvc's completed needs exit 0")
                default:
                    r.sink.error(conditionNode.mark, p + ".condition", "unknown condition \"\(c)\" (expected process_started, process_healthy, process_log_ready, process_completed or process_completed_successfully)")
                }
            }
            deps.append(Dependency(service: names[dep] ?? StackImporter.serviceName(dep), condition: condition))
        }
        return deps
    }

    /// A readiness or liveness probe: http_get (its port becomes the service's port) or exec.
    mutating func probe(_ node: YAMLNode, _ path: String, _ s: inout ServiceConfig) -> Probe? {
        let f = r.fields(node, path)
        var check: ProbeCheck?
        if let h = f["http_get"] {
            let hf = r.fields(h, path + ".http_get")
            let host = hf["host"]?.scalar ?? "127.0.0.1"
            if !["127.0.0.1", "localhost", "0.0.0.0"].contains(host) {
                result.report.dropped(path + ".http_get.host", "msvc probes the service's own port on 127.0.0.1, not \(host)")
            }
            if let scheme = hf["scheme"]?.scalar, scheme.lowercased() != "http" {
                result.report.dropped(path + ".http_get.scheme", "msvc probes over plain http")
            }
            let portText = (hf["port"] ?? hf["num_port"]).flatMap { r.string($0, path + ".http_get.port") }
            if let portText, let number = Int(portText) {
                if s.port == .none { s.port = .fixed(number) } else if s.port != .fixed(number) {
                    result.report.changed(path + ".http_get.port", "probes the service's main port, not \(number)")
                }
            } else {
                r.sink.error(h.mark, path + ".http_get.port", "http_get needs a port number")
            }
            var status = 200...399
            if let code = hf["status_code"]?.scalar, let c = Int(code) { status = c...c }
            var headers: OrderedDictionary<String, String> = [:]
            for pair in r.map(hf["headers"] ?? YAMLNode(.scalar("", .plain), mark: h.mark), path + ".http_get.headers") ?? [] {
                headers[pair.key.scalar ?? ""] = pair.value.scalar ?? ""
            }
            check = .http(path: hf["path"]?.scalar ?? "/", port: nil, status: status, headers: headers)
        } else if let e = f["exec"] {
            let ef = r.fields(e, path + ".exec")
            if let c = ef["command"].flatMap({ r.string($0, path + ".exec.command") }) { check = .exec(StackImporter.shellScript(c)) }
            if ef["working_dir"] != nil { result.report.dropped(path + ".exec.working_dir", "msvc runs exec probes in the service's cwd") }
        } else {
            r.sink.error(node.mark, path, "a probe needs http_get or exec")
        }
        guard let check else { return nil }
        var probe = Probe(check: check)
        probe.interval = .seconds(10)  // process-compose's default period
        for (key, field) in [("initial_delay_seconds", 0), ("period_seconds", 1), ("timeout_seconds", 2), ("failure_threshold", 3), ("success_threshold", 4)] {
            guard let n = f[key], let text = r.string(n, "\(path).\(key)"), let k = r.int(text, n, "\(path).\(key)", in: 0...86_400) else { continue }
            switch field {
            case 0: probe.startPeriod = .seconds(k)
            case 1: probe.interval = .seconds(max(1, k))
            case 2: probe.timeout = .seconds(max(1, k))
            case 3: probe.retries = max(1, k)
            default: if k > 1 { result.report.dropped("\(path).\(key)", "msvc counts one success as ready") }
            }
        }
        return probe
    }
}
