import Collections
import Foundation

/// What the loader needs from the outside world, passed in so tests need no real files.
public struct LoadContext: Sendable {
    /// The OS environment, the first interpolation source.
    public var environment: [String: String]
    /// The folder holding msvc.yaml; relative paths resolve against it.
    public var directory: String
    /// Reads a file, or returns nil when it does not exist.
    public var readFile: @Sendable (String) -> String?
    /// Export mode: `${VAR}` references to the OS environment (or to nothing) are kept as
    /// written instead of resolved, so the file is read without this machine baked in.
    /// Fields that need a value while reading (ports, numbers, durations) take the
    /// reference's default, else the environment's value, with a warning saying which.
    public var keepReferences = false

    /// Creates a context.
    public init(environment: [String: String], directory: String, readFile: @escaping @Sendable (String) -> String?) {
        self.environment = environment
        self.directory = directory
        self.readFile = readFile
    }

    /// The real process environment and file system.
    public static func live(directory: String) -> LoadContext {
        LoadContext(environment: ProcessInfo.processInfo.environment, directory: directory) { path in
            guard let data = FileManager.default.contents(atPath: path) else { return nil }
            return String(decoding: data, as: UTF8.self)
        }
    }

    /// `path` made absolute against `directory`.
    func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : (directory as NSString).appendingPathComponent(path)
    }
}

/// Decodes the YAML tree into a `StackConfig`, collecting every problem.
struct StackDecoder {
    /// Keys allowed at the top level.
    static let topKeys = ["version", "name", "env", "env_file", "services", "tests", "ci"]
    /// Keys allowed in a service.
    static let serviceKeys = [
        "command", "shell", "cwd", "env", "env_file", "port", "ports", "depends_on", "health",
        "liveness", "restart", "max_restarts", "backoff", "replicas", "stop_signal",
        "stop_timeout", "profiles", "disabled", "build", "test", "language", "labels", "description",
        "image", "watch", "openapi",
    ]
    /// The kinds of probe; a probe has exactly one.
    static let probeKinds = ["http", "tcp", "exec", "log"]
    /// Timing keys shared by every probe.
    static let probeTimings = ["interval", "timeout", "retries", "start_period"]
    /// Signals accepted for `stop_signal`, without `SIG`.
    static let signals = ["TERM", "INT", "QUIT", "HUP", "KILL", "USR1", "USR2", "WINCH"]

    /// Typed reads and the diagnostics they collect.
    var r: NodeReader
    /// Environment, folder and file access.
    let context: LoadContext

    /// Creates a decoder reporting problems against `file`.
    init(file: String, context: LoadContext) {
        r = NodeReader(file: file)
        self.context = context
    }

    /// The whole document: top-level keys, services, tests and ci.
    mutating func decode(_ root: YAMLNode) -> StackConfig {
        var stack = StackConfig()
        guard case .mapping(let pairs) = root.content else {
            r.sink.error(root.mark, "", "the top level of msvc.yaml must be a map of keys such as version, name and services, found \(root.kindName)")
            return stack
        }
        let f = r.fields(pairs, "", allowed: Self.topKeys, extensions: true)
        r.deferred = Self.discoveryNames(f["services"])
        r.scope = context.keepReferences ? [:] : context.environment
        r.keepReferences = context.keepReferences
        r.environment = context.environment
        if let n = f["version"], let v = r.int(n, "version", in: 0...Int.max) {
            if v != 1 {
                r.sink.error(n.mark, "version", "unsupported version \(v); this msvc reads version 1")
            }
            stack.version = v
        }
        if let n = f["name"], let v = r.string(n, "name") {
            if !Naming.isValidProjectName(v) {
                r.sink.error(n.mark, "name", "invalid project name \"\(v)\" (expected lowercase letters, digits, - and _, starting with a letter or digit)")
            }
            stack.name = v
        }
        if let n = f["env_file"] { stack.envFile = envFiles(n, "env_file") }
        if let n = f["env"] { stack.env = r.environment(n, "env") ?? [:] }
        let topScope = r.scope
        if let n = f["services"], !n.isNull, !n.content.isMapping {
            r.marks["services"] = n.mark
            r.sink.error(n.mark, "services", "expected a map of service names to their settings, found \(n.kindName) (e.g. services: { orders: { command: python3 app.py } })")
        } else if let n = f["services"], let servicePairs = r.map(n, "services") {
            for pair in servicePairs {
                let name = pair.key.scalar ?? ""
                let path = join("services", name)
                r.marks[path + "#key"] = pair.key.mark
                if !Naming.isValidServiceName(name) {
                    r.sink.error(pair.key.mark, path, Self.invalidServiceName(name))
                }
                r.scope = topScope
                stack.services[name] = service(name, pair.value, path)
            }
        }
        r.scope = topScope
        if let n = f["tests"] { stack.tests = tests(n) }
        if let n = f["ci"], let p = r.map(n, "ci") {
            let cf = r.fields(p, "ci", allowed: ["provider", "msvc"])
            if let v = cf["provider"] {
                stack.ci.provider = r.choice(v, "ci.provider", ["github", "gitlab", "circleci", "azure", "bitbucket", "buildkite"])
            }
            if let v = cf["msvc"] { stack.ci.msvc = ciMsvc(v) }
        }
        return stack
    }

    /// Discovery variables are set at start, so references to them are kept for then.
    static func discoveryNames(_ services: YAMLNode?) -> Set<String> {
        guard case .mapping(let pairs)? = services?.content else { return Discovery.names(services: []) }
        return Discovery.names(services: pairs.map { pair in
            var ports: [String] = []
            if case .mapping(let fields) = pair.value.content {
                for field in fields where field.key.scalar == "ports" {
                    if case .mapping(let named) = field.value.content { ports += named.compactMap(\.key.scalar) }
                }
            }
            return (pair.key.scalar ?? "", ports)
        })
    }

    /// Reads `env_file:` entries, adding their variables to the interpolation scope.
    mutating func envFiles(_ node: YAMLNode, _ path: String) -> [EnvFileRef] {
        guard let items = r.strings(node, path, single: true) else { return [] }
        var refs: [EnvFileRef] = []
        let itemNodes: [YAMLNode] = if case .sequence(let s) = node.content { s } else { [node] }
        for (i, written) in items.enumerated() {
            let optional = written.hasSuffix("?")
            let ref = EnvFileRef(path: optional ? String(written.dropLast()) : written, optional: optional)
            refs.append(ref)
            let mark = i < itemNodes.count ? itemNodes[i].mark : node.mark
            let itemPath = node.content.isSequence ? "\(path)[\(i)]" : path
            if ref.path.isEmpty {
                r.sink.error(mark, itemPath, "env file path is empty; write the path of a dotenv file, e.g. .env")
                continue
            }
            guard let text = context.readFile(context.resolve(ref.path)) else {
                if !optional {
                    r.sink.error(mark, itemPath, "env file \"\(ref.path)\" not found; create it, or write \"\(ref.path)?\" to make it optional")
                }
                continue
            }
            let scope = r.scope, deferred = r.deferred, keep = r.keepReferences
            let (entries, problems) = EnvFile.parseAll(text) { name in
                if deferred.contains(name) { return .deferred }
                return scope[name].map { .value($0) } ?? (keep ? .deferred : .unset)
            }
            for (k, v) in entries {
                r.scope[k] = v
                r.fileVariables.insert(k)
            }
            guard !problems.isEmpty else { continue }
            // Each problem points at its line in the env file, which is what needs fixing;
            // one more points at the reference here, so the file is found from msvc.yaml.
            let shown = Self.shownPath(ref.path, beside: r.sink.file)
            for problem in problems {
                r.sink.append(ConfigDiagnostic(file: shown, mark: problem.mark, path: "", message: problem.message))
            }
            let count = problems.count == 1 ? "a problem" : "\(problems.count) problems"
            r.sink.error(mark, itemPath, "env file \"\(ref.path)\" has \(count) (listed under \(shown)); fix them")
        }
        return refs
    }

    /// An env file's path as the user should see it: next to msvc.yaml as msvc.yaml was named.
    static func shownPath(_ path: String, beside file: String) -> String {
        guard !path.hasPrefix("/"), let slash = file.lastIndex(of: "/") else { return path }
        return String(file[...slash]) + path
    }

    /// One service and all its keys.
    mutating func service(_ name: String, _ node: YAMLNode, _ path: String) -> ServiceConfig {
        var s = ServiceConfig(name: name)
        if case .scalar(let raw, _) = node.content, !node.isNull {
            r.marks[path] = node.mark
            r.sink.error(node.mark, path, "expected the service's settings as a map, found \(node.kindName) (e.g. \(name): { command: \(raw) })")
            return s
        }
        guard let pairs = r.map(node, path) else { return s }
        let f = r.fields(pairs, path, allowed: Self.serviceKeys, extensions: true)
        // A misspelt "command" was already reported with a suggestion; do not add "missing".
        let commandMisspelt = pairs.contains { pair in
            let key = pair.key.scalar ?? ""
            return key != "command" && Suggest.closest(to: key, in: Self.serviceKeys) == "command"
        }
        // Sources, later wins: the OS environment, env files, env.
        if let n = f["env_file"] { s.envFile = envFiles(n, join(path, "env_file")) }
        if let n = f["env"] { s.env = r.environment(n, join(path, "env")) ?? [:] }
        var shell = false
        if let n = f["shell"] { shell = r.bool(n, join(path, "shell")) ?? false }
        if let n = f["command"] {
            s.command = command(n, join(path, "command"), shell: shell)
        } else if !commandMisspelt {
            r.sink.error(node.mark, join(path, "command"), "required key \"command\" is missing (e.g. command: python3 app.py)")
        }
        if let n = f["cwd"] { s.cwd = r.string(n, join(path, "cwd")) ?? "." }
        if let n = f["port"] { s.port = port(n, join(path, "port")) }
        if let n = f["ports"], let pp = r.map(n, join(path, "ports")) {
            for pair in pp {
                let key = pair.key.scalar ?? ""
                let p = join(join(path, "ports"), key)
                if !Naming.isValidPortName(key) {
                    r.sink.error(pair.key.mark, p, "invalid port name \"\(key)\" (expected [a-z][a-z0-9_-]*)")
                }
                s.ports[key] = port(pair.value, p)
            }
        }
        if let n = f["depends_on"] { s.dependsOn = dependencies(n, join(path, "depends_on")) }
        if let n = f["health"] { s.health = probe(n, join(path, "health"), liveness: false) }
        if let n = f["liveness"] { s.liveness = probe(n, join(path, "liveness"), liveness: true) }
        if let n = f["restart"], let v = r.choice(n, join(path, "restart"), RestartPolicy.allCases.map(\.rawValue)) {
            s.restart = RestartPolicy(rawValue: v)!
        }
        if let n = f["max_restarts"], let v = r.int(n, join(path, "max_restarts"), in: 0...1_000_000) { s.maxRestarts = v }
        if let n = f["backoff"], let bp = r.map(n, join(path, "backoff")) {
            let bf = r.fields(bp, join(path, "backoff"), allowed: ["initial", "max"])
            if let v = bf["initial"], let d = r.duration(v, join(path, "backoff.initial")) { s.backoff.initial = d }
            if let v = bf["max"], let d = r.duration(v, join(path, "backoff.max")) { s.backoff.max = d }
            if s.backoff.initial > s.backoff.max {
                r.sink.error(n.mark, join(path, "backoff"), "initial (\(Units.format(s.backoff.initial))) is longer than max (\(Units.format(s.backoff.max)))")
            }
        }
        if let n = f["replicas"], let v = r.int(n, join(path, "replicas"), in: 1...256) { s.replicas = v }
        if let n = f["stop_signal"], let v = r.string(n, join(path, "stop_signal")) {
            let bare = v.hasPrefix("SIG") ? String(v.dropFirst(3)) : v
            if Self.signals.contains(bare) {
                s.stopSignal = bare
            } else {
                r.sink.error(n.mark, join(path, "stop_signal"), "unknown signal \"\(v)\" (expected one of: \(Self.signals.joined(separator: ", ")))")
            }
        }
        if let n = f["stop_timeout"], let d = r.duration(n, join(path, "stop_timeout")) { s.stopTimeout = d }
        if let n = f["profiles"] { s.profiles = r.strings(n, join(path, "profiles")) ?? [] }
        if let n = f["disabled"] { s.disabled = r.bool(n, join(path, "disabled")) ?? false }
        if let n = f["build"] { s.build = r.string(n, join(path, "build")) }
        if let n = f["test"] { s.test = r.string(n, join(path, "test")) }
        if let n = f["language"] { s.language = r.string(n, join(path, "language")) }
        if let n = f["labels"] { s.labels = r.labels(n, join(path, "labels")) ?? [:] }
        if let n = f["description"] { _ = r.string(n, join(path, "description")) }
        if let n = f["image"], let v = r.string(n, join(path, "image")) {
            if v.isEmpty || v.contains(where: \.isWhitespace) {
                r.sink.error(n.mark, join(path, "image"), "invalid image \"\(v)\" (expected a reference such as orders:1.2 or registry.example.com/shop/orders:latest, without spaces)")
            } else {
                s.image = v
            }
        }
        if let n = f["watch"] { s.watch = watch(n, join(path, "watch"), build: s.build) }
        if let n = f["openapi"], let v = r.string(n, join(path, "openapi")) {
            s.openapi = v
            if context.readFile(context.resolve(v)) == nil {
                r.sink.error(n.mark, join(path, "openapi"), "OpenAPI document \"\(v)\" not found (the path is relative to msvc.yaml)")
            }
        }
        return s
    }

    /// A command string (split like a shell unless `shell: true`) or argument list.
    mutating func command(_ node: YAMLNode, _ path: String, shell: Bool) -> CommandSpec {
        if case .mapping = node.content {
            r.marks[path] = node.mark
            r.sink.error(node.mark, path, "expected a command string or a list of arguments, found a map (e.g. command: python3 app.py)")
            return .argv([])
        }
        if case .sequence = node.content {
            let args = r.strings(node, path) ?? []
            if args.isEmpty { r.sink.error(node.mark, path, Self.emptyCommand) }
            if shell { return .shell(args.map(ShellWords.quote).joined(separator: " ")) }
            return .argv(args)
        }
        guard let text = r.string(node, path) else { return .argv([]) }
        if shell {
            if text.trimmingCharacters(in: .whitespaces).isEmpty { r.sink.error(node.mark, path, Self.emptyCommand) }
            return .shell(text)
        }
        do throws(ShellWords.SplitError) {
            let args = try ShellWords.split(text)
            if args.isEmpty { r.sink.error(node.mark, path, Self.emptyCommand) }
            return .argv(args)
        } catch {
            let style: ScalarStyle = if case .scalar(_, let st) = node.content { st } else { .plain }
            r.sink.error(r.position(of: node, style: style, offset: error.offset), path,
                         "\(error.message) in command; close it, or set shell: true to run through /bin/sh")
            return .argv([])
        }
    }

    /// Why a service name is invalid, with a corrected spelling when there is an obvious one.
    static func invalidServiceName(_ name: String) -> String {
        var message = "invalid service name \"\(name)\" (expected [a-z][a-z0-9-]{0,62}: lowercase letters, digits and -, starting with a letter)"
        if name.count > 63 {
            message += "; it is \(name.count) characters long, shorten it to 63 or fewer"
        } else {
            let fixed = name.lowercased().replacingOccurrences(of: "_", with: "-").replacingOccurrences(of: " ", with: "-")
            if fixed != name, Naming.isValidServiceName(fixed) { message += "; did you mean \"\(fixed)\"?" }
        }
        return message
    }

    /// The message for an empty command.
    static let emptyCommand = "command is empty; write the program to run, e.g. command: python3 app.py"

    /// `auto`, `none` or a port number.
    mutating func port(_ node: YAMLNode, _ path: String) -> PortSpec {
        r.marks[path] = node.mark
        if case .scalar(let raw, .plain) = node.content, raw == "auto" || raw == "none" {
            return raw == "auto" ? .auto : .none
        }
        if case .scalar(let raw, _) = node.content, !node.isNull, Int(raw) == nil, !raw.contains("${") {
            r.sink.error(node.mark, path, "invalid port \"\(raw)\" (expected auto, none, or a number 1-65535)")
            return .none
        }
        // A reference (`${PORT:-auto}`) may expand to any of the three forms.
        if case .scalar(let raw, _) = node.content, raw.contains("${") {
            guard let text = r.typedScalar(node, path, expected: "auto, none, or a port number") else { return .none }
            if text == "auto" { return .auto }
            if text == "none" { return .none }
            guard let v = Int(text), (1...65535).contains(v) else {
                r.sink.error(node.mark, path, "invalid port \"\(text)\" from \(raw) (expected auto, none, or a number 1-65535)")
                return .none
            }
            return .fixed(v)
        }
        guard let v = r.int(node, path, in: 1...65535, what: "auto, none, or a port number") else { return .none }
        return .fixed(v)
    }

    /// `depends_on:` as a list (all `started`) or a map of conditions.
    mutating func dependencies(_ node: YAMLNode, _ path: String) -> [Dependency] {
        var deps: [Dependency] = []
        r.marks[path] = node.mark
        if case .sequence(let items) = node.content {
            for (i, item) in items.enumerated() {
                guard let name = r.string(item, "\(path)[\(i)]") else { continue }
                let p = join(path, name)
                if r.marks[p + "#key"] != nil {
                    r.sink.error(item.mark, "\(path)[\(i)]", "\"\(name)\" is listed twice; remove one")
                    continue
                }
                // Later validators point at the entry itself, as they do for the map form.
                r.marks[p + "#key"] = item.mark
                deps.append(Dependency(service: name, condition: .started))
            }
            return deps
        }
        if case .scalar(let raw, _) = node.content, !node.isNull {
            r.marks[path] = node.mark
            r.sink.error(node.mark, path, "expected a list or a map of services, found \(node.kindName); write [\(raw)]")
            return []
        }
        guard let pairs = r.map(node, path) else { return [] }
        for pair in pairs {
            let name = pair.key.scalar ?? ""
            let p = join(path, name)
            r.marks[p + "#key"] = pair.key.mark
            if pair.value.isNull {
                r.sink.error(pair.value.mark, p, "expected a condition: started, healthy or completed (or list the service under depends_on: [...] for started)")
                continue
            }
            var valueNode = pair.value
            // Accept compose's long form { condition: service_healthy } too.
            if case .mapping(let inner) = pair.value.content {
                let f = r.fields(inner, p, allowed: ["condition"])
                guard let c = f["condition"] else {
                    r.sink.error(pair.value.mark, p, "expected a condition: started, healthy or completed")
                    continue
                }
                valueNode = c
            }
            if case .scalar(let raw, let style) = valueNode.content, raw.hasPrefix("service_") {
                valueNode = YAMLNode(.scalar(String(raw.dropFirst(8)).replacingOccurrences(of: "completed_successfully", with: "completed"), style), mark: valueNode.mark)
            }
            guard let c = r.choice(valueNode, p, DependencyCondition.allCases.map(\.rawValue)) else { continue }
            deps.append(Dependency(service: name, condition: DependencyCondition(rawValue: c)!))
        }
        return deps
    }
}
