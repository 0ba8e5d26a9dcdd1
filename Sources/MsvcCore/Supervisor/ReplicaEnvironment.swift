import Foundation

/// Builds what one replica is started with: its environment, arguments and folder.
public struct ReplicaEnvironment: Sendable {
    /// The stack.
    public let stack: StackConfig
    /// The folder holding msvc.yaml.
    public let directory: String
    /// msvc's own environment, the first source.
    public let base: [String: String]
    /// The instance's data folder, exported as `MSVC_STATE_DIR`.
    public let dataDirectory: String?
    /// Names of the start-time variables; only strings referring to them are expanded here.
    let startTimeNames: Set<String>

    /// Creates a builder.
    public init(stack: StackConfig, directory: String, base: [String: String], dataDirectory: String? = nil) {
        self.stack = stack
        self.directory = directory
        self.base = base
        self.dataDirectory = dataDirectory
        startTimeNames = Discovery.names(stack)
    }

    /// Reads env files now (so a restart sees edits); later files win.
    func envFileValues(_ refs: [EnvFileRef], scope: [String: String]) -> [String: String] {
        var values: [String: String] = [:]
        for ref in refs {
            let path = ref.path.hasPrefix("/") ? ref.path : (directory as NSString).appendingPathComponent(ref.path)
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
            let merged = scope.merging(values) { _, b in b }
            let entries = (try? EnvFile.parse(text) { name in merged[name].map { .value($0) } ?? .deferred }) ?? []
            for (k, v) in entries { values[k] = v }
        }
        return values
    }

    /// The full environment of `service` replica `replica` with its own ports, given the
    /// stack's discovery variables. Sources, later wins: the OS environment, env files,
    /// `env`, then what msvc sets (discovery, PORT, MSVC_*).
    public func environment(service: ServiceConfig, replica: Int, ownPorts: [String: Int], discovery: [String: String]) -> [String: String] {
        var env = base
        env.merge(envFileValues(stack.envFile, scope: env)) { _, b in b }
        for (k, v) in stack.env { env[k] = v }
        env.merge(envFileValues(service.envFile, scope: env)) { _, b in b }
        for (k, v) in service.env { env[k] = v }
        let own = Discovery.selfVariables(project: stack.name, service: service.name, replica: replica, ownPorts: ownPorts,
                                          stateDirectory: dataDirectory)
        let known = discovery.merging(own) { _, b in b }
        env.merge(known) { _, b in b }
        for (k, v) in env where Self.refersToVariable(v) {
            env[k] = Discovery.resolveDeferred(v, known: known, names: startTimeNames)
        }
        return env
    }

    /// Whether `value` holds `${`, in bytes: Foundation's `contains` costs a CFString search per
    /// variable, and a stack of 200 services hands each process some 400 of them.
    static func refersToVariable(_ value: String) -> Bool {
        var dollar = false
        for byte in value.utf8 {
            if dollar, byte == UInt8(ascii: "{") { return true }
            dollar = byte == UInt8(ascii: "$")
        }
        return false
    }

    /// What msvc.yaml defines for a service's environment: env files (read now) and `env`,
    /// stack-wide first, then the service's own; without the OS environment or start-time
    /// values. Reconcile compares it to decide whether a service must restart.
    public func definedEnvironment(_ service: ServiceConfig) -> [String: String] {
        var env = envFileValues(stack.envFile, scope: base)
        for (k, v) in stack.env { env[k] = v }
        env.merge(envFileValues(service.envFile, scope: base.merging(env) { _, b in b })) { _, b in b }
        for (k, v) in service.env { env[k] = v }
        return env
    }

    /// The arguments to exec, with start-time references resolved from `environment`.
    public func arguments(service: ServiceConfig, environment: [String: String]) -> [String] {
        let known = environment.filter { startTimeNames.contains($0.key) }
        return service.command.arguments.map { Discovery.resolveDeferred($0, known: known, names: startTimeNames) }
    }

    /// The absolute working directory.
    public func cwd(_ service: ServiceConfig) -> String {
        service.cwd.hasPrefix("/") ? service.cwd : URL(fileURLWithPath: directory).appendingPathComponent(service.cwd).standardized.path
    }
}
