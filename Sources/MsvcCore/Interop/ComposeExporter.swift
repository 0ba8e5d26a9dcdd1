import Collections
import Foundation

/// Writes a stack as a compose file (the Compose Specification): images, commands, env and
/// env files, ports, healthchecks, `depends_on` conditions, replicas, profiles, restart
/// policies, stop signals and grace periods. msvc keys compose has no place for are kept under
/// the service's `x-msvc` extension, which compose ignores and `msvc import compose` reads.
struct ComposeExporter {
    /// The named volume behind MSVC_STATE_DIR.
    static let stateVolume = "msvc-state"

    /// The stack, loaded with references kept.
    let stack: StackConfig
    /// Namespace, profiles, folders and file access.
    let options: ExportOptions
    /// Ports and discovery values in the target.
    let plan: ExportPlan
    /// What the target cannot express, so far.
    var report = TranslationReport()
    /// Environment variables compose will interpolate.
    var references: [String] = []

    /// Prepares an export of `stack`.
    init(stack: StackConfig, options: ExportOptions) {
        self.stack = stack
        self.options = options
        plan = ExportPlan(stack: stack, target: .compose)
    }

    /// The compose file and its report.
    mutating func export() -> ExportResult {
        var services: [CIYAMLEntry] = []
        for s in stack.services.values { services.append(CIYAMLEntry(s.name, .pairs(service(s)))) }
        var top: [CIYAMLEntry] = [CIYAMLEntry("name", .string(stack.name)), CIYAMLEntry("services", .spacedMap(services))]
        if stack.services.keys.contains(where: plan.usesState) {
            top.append(CIYAMLEntry("volumes", .pairs([(Self.stateVolume, .map([]))])))
        }
        if !references.isEmpty {
            report.changed("", "compose reads \(references.map { "${\($0)}" }.joined(separator: ", ")) from its environment or the .env file beside the compose file")
        }
        StackExporter.reportSections(stack, &report)
        let text = CIYAML.map(top).document(header: StackExporter.header(.compose))
        return ExportResult(files: [ExportedFile(name: "compose.yaml", text: text)], combined: text, report: report)
    }

    /// A string in compose syntax, remembering the variables compose will interpolate.
    mutating func text(_ value: String, _ s: ServiceConfig, _ path: String) -> String {
        let t = plan.translate(value, service: s.name, path: path, style: .compose, report: &report)
        for name in t.references where !references.contains(name) { references.append(name) }
        return t.text
    }

    /// One service's keys.
    mutating func service(_ s: ServiceConfig) -> [(String, CIYAML)] {
        let path = "services.\(s.name)"
        let d = ServiceConfig(name: s.name)
        var out: [(String, CIYAML)] = [("image", .string(text(s.imageOrDefault, s, path + ".image")))]
        var extra: [(String, CIYAML)] = []
        switch s.command {
        case .shell(let script):
            // Both keys, so the image's own ENTRYPOINT and CMD cannot change what runs.
            out.append(("entrypoint", .strings(["/bin/sh", "-c"])))
            out.append(("command", .strings([text(script, s, path + ".command")])))
        case .argv(let args):
            let written = args.map { text($0, s, path + ".command") }
            if let first = written.first {
                out.append(("entrypoint", .strings([first])))
                out.append(("command", .strings(Array(written.dropFirst()))))
            }
        }
        var env: OrderedDictionary<String, String> = [:]
        for (k, v) in plan.discovery { env[k] = plan.escape(v, .compose) }
        for (k, v) in plan.selfVariables(s.name) { env[k] = plan.escape(v, .compose) }
        for (k, v) in stack.env.merging(s.env, uniquingKeysWith: { $1 }) {
            env[k] = text(v, s, s.env[k] != nil ? "\(path).env.\(k)" : "env.\(k)")
        }
        out.append(("environment", .pairs(env.map { ($0.key, .string($0.value)) })))
        let files = stack.envFile + s.envFile
        if !files.isEmpty {
            out.append(("env_file", .list(files.map { ref in
                let written = envFilePath(ref.path)
                return ref.optional ? .pairs([("path", .string(written)), ("required", .bool(false))]) : .string(written)
            })))
        }
        if let numbers = plan.ports[s.name], !numbers.isEmpty {
            out.append(("ports", .list(numbers.map { name, number in portEntry(s, name, number) })))
        }
        if !s.dependsOn.isEmpty {
            var deps: [(String, CIYAML)] = []
            var downgraded = false
            for dep in s.dependsOn {
                var condition = switch dep.condition {
                case .started: "service_started"
                case .healthy: "service_healthy"
                case .completed: "service_completed_successfully"
                }
                if dep.condition == .healthy, let target = stack.services[dep.service], !Self.hasHealthcheck(target) {
                    condition = "service_started"
                    downgraded = true
                    report.changed("\(path).depends_on.\(dep.service)", "\(dep.service) has no compose healthcheck, so this waits only for it to start")
                }
                deps.append((dep.service, .pairs([("condition", .string(condition))])))
            }
            out.append(("depends_on", .pairs(deps)))
            if downgraded { extra.append(("depends_on", StackWriter.service(s).first { $0.0 == "depends_on" }!.1)) }
        }
        if let p = s.health {
            if let check = healthcheck(p, s, path + ".health") {
                out.append(("healthcheck", check))
            } else {
                extra.append(("health", StackWriter.probe(p)))
            }
        }
        if let p = s.liveness {
            report.dropped(path + ".liveness", "compose has no liveness probe (its healthcheck is readiness); kept under x-msvc")
            extra.append(("liveness", StackWriter.probe(p)))
        }
        switch s.restart {
        case .no: out.append(("restart", .string("no")))
        case .onFailure: out.append(("restart", .string("on-failure:\(s.maxRestarts)")))
        case .always:
            out.append(("restart", .string("always")))
            if s.maxRestarts != d.maxRestarts {
                report.dropped(path + ".max_restarts", "compose's restart: always has no limit; kept under x-msvc")
                extra.append(("max_restarts", .int(s.maxRestarts)))
            }
        }
        if s.backoff != d.backoff {
            report.dropped(path + ".backoff", "compose uses the engine's own restart delay; kept under x-msvc")
            extra.append(("backoff", StackWriter.service(s).first { $0.0 == "backoff" }!.1))
        }
        if s.replicas != 1 {
            out.append(("deploy", .pairs([("replicas", .int(s.replicas))])))
            if s.allPorts.contains(where: { if case .fixed = $0.spec { true } else { false } }) {
                report.changed(path + ".replicas", "\(s.replicas) replicas cannot all publish one fixed host port; publish a range or put a proxy in front")
            }
        }
        var profiles = s.profiles
        if s.disabled {
            profiles.append("disabled")
            extra.append(("disabled", .bool(true)))
            report.changed(path + ".disabled", "compose has no disabled services; \(s.name) is in the profile \"disabled\", which nothing starts unless named")
        }
        if !profiles.isEmpty { out.append(("profiles", .strings(profiles))) }
        if s.stopSignal != d.stopSignal { out.append(("stop_signal", .string("SIG" + s.stopSignal))) }
        if s.stopTimeout != d.stopTimeout { out.append(("stop_grace_period", .string(Units.format(s.stopTimeout)))) }
        if !s.labels.isEmpty { out.append(("labels", .pairs(s.labels.map { ($0.key, .string(text($0.value, s, path + ".labels"))) }))) }
        if plan.usesState(s.name) {
            out.append(("volumes", .strings(["\(Self.stateVolume):\(ExportPlan.stateMount)"])))
        }
        if s.cwd != d.cwd { extra.insert(("cwd", .string(plan.escape(s.cwd, .compose))), at: 0) }
        for (key, value) in [("build", s.build), ("test", s.test), ("language", s.language)] {
            if let value { extra.append((key, .string(plan.escape(value, .compose)))) }
        }
        if !extra.isEmpty { out.append(("x-msvc", .pairs(extra))) }
        return out
    }

    /// Whether compose gets a healthcheck for the service's readiness probe.
    static func hasHealthcheck(_ s: ServiceConfig) -> Bool {
        switch s.health?.check {
        case nil, .log?: return false
        case .http(_, _, let status, _)?: return status == 200...399
        default: return true
        }
    }

    /// An env file's path as compose reads it: relative to the compose file.
    func envFilePath(_ path: String) -> String {
        guard !path.hasPrefix("/"), let out = options.outputDirectory else { return path }
        return StackExporter.relativePath((options.directory as NSString).appendingPathComponent(path), from: out)
    }

    /// A long-syntax port: the container port, published on the same host port when fixed
    /// (and on a free one for `auto`), named after the msvc port name.
    func portEntry(_ s: ServiceConfig, _ name: String, _ number: Int) -> CIYAML {
        var fields: [(String, CIYAML)] = []
        if !name.isEmpty { fields.append(("name", .string(name))) }
        fields.append(("target", .int(number)))
        let spec = name.isEmpty ? s.port : s.ports[name]!
        if case .fixed = spec, s.replicas == 1 { fields.append(("published", .string(String(number)))) }
        return .pairs(fields)
    }

    /// A compose healthcheck for a readiness probe; nil when compose cannot run it (a log probe,
    /// or an http probe whose status or headers curl's -f cannot check).
    mutating func healthcheck(_ p: Probe, _ s: ServiceConfig, _ path: String) -> CIYAML? {
        let test: CIYAML
        switch p.check {
        case .http(let probePath, let port, let status, let headers):
            guard status == 200...399 else {
                report.dropped(path + ".http.status", "a compose healthcheck with curl -f accepts 200-399 only; the probe is kept under x-msvc")
                return nil
            }
            let number = plan.ports[s.name]?[port ?? ""] ?? ExportPlan.firstAutoPort
            var args = ["CMD", "curl", "-fsS", "-o", "/dev/null"]
            for (k, v) in headers { args += ["-H", "\(k): \(v)"] }
            args.append("http://127.0.0.1:\(number)" + probePath)
            test = .strings(args.map { plan.escape($0, .compose) })
            report.changed(path, "runs curl inside the container; the image needs curl")
        case .tcp(let port):
            let number = plan.ports[s.name]?[port ?? ""] ?? ExportPlan.firstAutoPort
            test = .strings(["CMD", "nc", "-z", "127.0.0.1", String(number)])
            report.changed(path, "runs nc inside the container; the image needs nc")
        case .exec(let command):
            test = .strings(["CMD-SHELL", text(command, s, path + ".exec")])
        case .log(let regex):
            report.dropped(path, "compose cannot check output lines (log: \(regex)); kept under x-msvc, so service_healthy never holds for \(s.name)")
            return nil
        }
        return .pairs([
            ("test", test),
            ("interval", .string(Units.format(p.interval))),
            ("timeout", .string(Units.format(p.timeout))),
            ("retries", .int(p.retries)),
            ("start_period", .string(Units.format(p.startPeriod))),
        ])
    }
}
