import Collections

/// Where `msvc export` sends the stack.
public enum ExportTarget: String, Sendable, CaseIterable {
    case kubernetes, compose
}

/// What both exporters need to know about the stack in its new home: the port each service
/// listens on in its container, the discovery variables rewritten to the target's DNS, and
/// how `${VAR}` references are written there.
struct ExportPlan {
    /// Where MSVC_STATE_DIR is mounted in a container.
    static let stateMount = "/var/lib/msvc/state"
    /// The first port handed out for `auto`; every container has its own network namespace,
    /// so every service can use it.
    static let firstAutoPort = 8080

    /// The stack, loaded with `LoadContext.keepReferences`.
    let stack: StackConfig
    /// The target being written.
    let target: ExportTarget
    /// Container port numbers by service, then by port name (`""` is the main port).
    let ports: [String: OrderedDictionary<String, Int>]
    /// Discovery variables of the whole stack in the target, in service order.
    let discovery: OrderedDictionary<String, String>

    /// Plans the export of `stack` to `target`.
    init(stack: StackConfig, target: ExportTarget) {
        self.stack = stack
        self.target = target
        var ports: [String: OrderedDictionary<String, Int>] = [:]
        var discovery: OrderedDictionary<String, String> = [:]
        for (name, s) in stack.services {
            let numbers = Self.containerPorts(s)
            ports[name] = numbers
            let prefix = Naming.envPrefix(name)
            if let main = numbers[""] {
                discovery[prefix + "_HOST"] = name
                discovery[prefix + "_PORT"] = String(main)
                discovery[prefix + "_URL"] = "http://\(name):\(main)"
            }
            for (portName, number) in numbers where !portName.isEmpty {
                discovery[prefix + "_PORT_" + Naming.envPrefix(portName)] = String(number)
            }
        }
        self.ports = ports
        self.discovery = discovery
    }

    /// Container ports of a service: fixed ones as written, `auto` ones from 8080 up.
    static func containerPorts(_ s: ServiceConfig) -> OrderedDictionary<String, Int> {
        var used = Set(s.allPorts.compactMap { if case .fixed(let n) = $0.spec { n } else { nil } })
        var next = firstAutoPort
        var result: OrderedDictionary<String, Int> = [:]
        for (name, spec) in s.allPorts {
            switch spec {
            case .fixed(let n): result[name] = n
            case .auto:
                while used.contains(next) { next += 1 }
                used.insert(next)
                result[name] = next
            case .none: break
            }
        }
        return result
    }

    /// The variables a service gets about itself in the target.
    func selfVariables(_ service: String) -> OrderedDictionary<String, String> {
        var env: OrderedDictionary<String, String> = [:]
        for (portName, number) in ports[service] ?? [:] {
            env[portName.isEmpty ? "PORT" : "PORT_" + Naming.envPrefix(portName)] = String(number)
        }
        env["MSVC_SERVICE"] = service
        env["MSVC_PROJECT"] = stack.name
        if usesState(service) { env["MSVC_STATE_DIR"] = Self.stateMount }
        return env
    }

    /// Every variable with a known value in `service`'s container.
    func knownValues(_ service: String) -> [String: String] {
        var known = [String: String](uniqueKeysWithValues: discovery.map { ($0.key, $0.value) })
        for (k, v) in selfVariables(service) { known[k] = v }
        known["MSVC_STATE_DIR"] = Self.stateMount
        return known
    }

    /// Whether the service refers to MSVC_STATE_DIR anywhere, so it needs the state volume.
    func usesState(_ service: String) -> Bool {
        guard let s = stack.services[service] else { return false }
        return strings(of: s).contains { $0.contains("${MSVC_STATE_DIR") }
    }

    /// The strings of a service that may hold references: env (its own and the stack's),
    /// command and exec probes.
    func strings(of s: ServiceConfig) -> [String] {
        var all = Array(stack.env.values) + Array(s.env.values) + s.command.arguments
        for probe in [s.health, s.liveness] {
            if case .exec(let c)? = probe?.check { all.append(c) }
        }
        return all
    }

    /// How a reference to the environment is written in the target.
    enum ReferenceStyle {
        /// Compose: `${VAR}` kept for compose's own interpolation; literal `$` as `$$`.
        case compose
        /// Kubernetes: `$(VAR)` with VAR defined earlier in the container's env; literal `$(` as `$$(`.
        case kubernetes
        /// A `/bin/sh -c` script in the container (Kubernetes exec probes): `${VAR}` for the
        /// shell to expand from the container's env; literal text as it is.
        case shell
    }

    /// `text` (as loaded in export mode) written for the target: discovery and self variables
    /// replaced by their values there, environment references kept in the target's syntax.
    /// Returns the names of the environment variables it refers to.
    func translate(_ text: String, service: String, path: String, style: ReferenceStyle,
                   report: inout TranslationReport) -> (text: String, references: [String]) {
        guard text.contains("${") else { return (escape(text, style), []) }
        let known = knownValues(service)
        var references: [String] = []
        let lookup: (String) -> Interpolation.Lookup = { name in
            if let v = known[name] { return .value(v) }
            if name == "MSVC_REPLICA" { return .value("1") }
            if !references.contains(name) { references.append(name) }
            switch style {
            case .compose: return .deferred
            case .kubernetes, .shell: return .value("\u{1}" + name + "\u{2}")
            }
        }
        if text.contains("${MSVC_REPLICA") {
            report.dropped(path, "MSVC_REPLICA has no equivalent (replicas of one \(target == .kubernetes ? "Deployment" : "service") are not numbered); every replica gets 1")
        }
        guard let expanded = try? Interpolation.expand(text, lookup: lookup) else { return (escape(text, style), []) }
        switch style {
        case .compose:
            return (references.isEmpty ? escape(expanded, style) : expanded, references)
        case .kubernetes, .shell:
            var out = escape(expanded, style)
            for name in references {
                let written = style == .shell ? "${" + name + "}" : "$(" + name + ")"
                out = out.replacingOccurrences(of: "\u{1}" + name + "\u{2}", with: written)
                if text.range(of: "${" + name + ":+") != nil || text.range(of: "${" + name + "+") != nil {
                    report.changed(path, "${\(name):+...} cannot be written in Kubernetes; the alternative is used as if \(name) were set")
                }
            }
            return (out, references)
        }
    }

    /// Literal text in the target's syntax.
    func escape(_ text: String, _ style: ReferenceStyle) -> String {
        switch style {
        case .compose: return text.replacingOccurrences(of: "$", with: "$$")
        case .kubernetes: return text.replacingOccurrences(of: "$(", with: "$$(")
        case .shell: return text
        }
    }

    /// The default written in a reference (`${NAME:-default}` or `${NAME-default}`), if it is plain text.
    static func defaultValue(of name: String, in texts: [String]) -> String? {
        for text in texts {
            for op in [":-", "-"] {
                guard let start = text.range(of: "${" + name + op) else { continue }
                let rest = text[start.upperBound...]
                guard let end = rest.firstIndex(of: "}") else { continue }
                let value = String(rest[..<end])
                if !value.contains("$") { return value }
            }
        }
        return nil
    }

    /// Whether a variable name looks like it holds a secret.
    static func looksSecret(_ name: String) -> Bool {
        let upper = name.uppercased()
        return ["PASSWORD", "PASSWD", "SECRET", "TOKEN", "API_KEY", "APIKEY", "PRIVATE_KEY", "CREDENTIAL"]
            .contains { upper.contains($0) }
    }

    /// Whole seconds for a duration, rounded up, and whether rounding changed it.
    static func seconds(_ d: Duration, minimum: Int) -> (Int, rounded: Bool) {
        let ms = Units.milliseconds(d)
        let s = Int((ms + 999) / 1000)
        return (max(minimum, s), ms % 1000 != 0 || s < minimum && ms > 0)
    }
}
