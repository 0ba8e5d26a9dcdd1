/// Concrete port numbers of one running stack instance.
public struct PortAssignment: Sendable, Equatable {
    /// Service -> port name (`""` for the main port) -> number.
    public var ports: [String: [String: Int]] = [:]

    /// Creates an empty assignment.
    public init() {}

    /// The number of a service's port (`""` is the main one).
    public func port(_ service: String, _ name: String = "") -> Int? { ports[service]?[name] }
}

/// The service-discovery environment (docs/reference.md, "Environment variables").
public enum Discovery {
    /// Variables describing every service with a port: `S_HOST`, `S_PORT`, `S_URL`, `S_PORT_<NAME>`.
    public static func stackVariables(_ stack: StackConfig, ports: PortAssignment) -> [String: String] {
        var env: [String: String] = [:]
        for name in stack.services.keys {
            guard let named = ports.ports[name] else { continue }
            let prefix = Naming.envPrefix(name)
            if let main = named[""] {
                env[prefix + "_HOST"] = "127.0.0.1"
                env[prefix + "_PORT"] = String(main)
                env[prefix + "_URL"] = "http://127.0.0.1:\(main)"
            }
            for (portName, number) in named where !portName.isEmpty {
                env[prefix + "_PORT_" + Naming.envPrefix(portName)] = String(number)
            }
        }
        return env
    }

    /// The variables one process gets about itself: `PORT`, `PORT_<NAME>`, `MSVC_SERVICE`,
    /// `MSVC_REPLICA`, `MSVC_PROJECT`, and `MSVC_STATE_DIR` (a data folder of this stack
    /// instance, so stacks run side by side keep separate data). `ownPorts` are this
    /// replica's ports (`""` the main one).
    public static func selfVariables(project: String, service: String, replica: Int, ownPorts: [String: Int],
                                     stateDirectory: String? = nil) -> [String: String] {
        var env = ["MSVC_SERVICE": service, "MSVC_REPLICA": String(replica), "MSVC_PROJECT": project]
        if let stateDirectory { env["MSVC_STATE_DIR"] = stateDirectory }
        for (portName, number) in ownPorts {
            env[portName.isEmpty ? "PORT" : "PORT_" + Naming.envPrefix(portName)] = String(number)
        }
        return env
    }

    /// Every variable msvc sets at start time for a stack whose services have these named
    /// ports: references to them are kept by the loader and expanded per replica.
    public static func names(services: [(name: String, ports: [String])]) -> Set<String> {
        var names = processNames.union(["PORT"])
        for (service, ports) in services {
            let prefix = Naming.envPrefix(service)
            names.formUnion([prefix + "_HOST", prefix + "_PORT", prefix + "_URL"])
            for port in ports {
                let suffix = Naming.envPrefix(port)
                names.formUnion(["PORT_" + suffix, prefix + "_PORT_" + suffix])
            }
        }
        return names
    }

    /// Variables with one value per process, whatever the stack.
    static let processNames: Set<String> = ["MSVC_SERVICE", "MSVC_REPLICA", "MSVC_PROJECT", "MSVC_STATE_DIR"]

    /// Where a start-time variable's value comes from, for messages.
    static func origin(of name: String) -> String {
        if name == "PORT" { return "the service's own port" }
        if name.hasPrefix("PORT_") { return "the service's own named port" }
        return processNames.contains(name) ? "one value per process" : "service discovery"
    }

    /// The start-time variable names of `stack`.
    public static func names(_ stack: StackConfig) -> Set<String> {
        names(services: stack.services.values.map { ($0.name, Array($0.ports.keys)) })
    }

    /// Expands a string the loader kept for start time (it refers to a start-time variable,
    /// and is then in msvc.yaml syntax: literal `$` written `$$`). Any other string is left
    /// exactly as loaded. `known` are the start-time values of this replica; a start-time
    /// name without a value (`${PORT}` of a service without a port) expands as unset, and,
    /// where that is an error, as empty.
    public static func resolveDeferred(_ text: String, known: [String: String], names: Set<String>) -> String {
        guard text.contains("${"), references(in: text).contains(where: names.contains) else { return text }
        func lookup(_ unknown: Interpolation.Lookup) -> (String) -> Interpolation.Lookup {
            { name in known[name].map { .value($0) } ?? (names.contains(name) ? unknown : .deferred) }
        }
        return (try? Interpolation.expand(text, lookup: lookup(.unset)))
            ?? (try? Interpolation.expand(text, lookup: lookup(.value("")))) ?? text
    }

    /// Names written as `${NAME` in `text`.
    static func references(in text: String) -> [String] {
        text.matches(of: /\$\{([A-Za-z_][A-Za-z0-9_]*)/).map { String($0.output.1) }
    }
}
