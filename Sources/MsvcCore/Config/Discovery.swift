/// Concrete port numbers of one running stack instance.
public struct PortAssignment: Sendable, Equatable {
    /// Service -> port name (`""` for the main port) -> number.
    public var ports: [String: [String: Int]] = [:]

    /// Creates an empty assignment.
    public init() {}

    /// The number of a service's port (`""` is the main one).
    public func port(_ service: String, _ name: String = "") -> Int? { ports[service]?[name] }
}

/// The service-discovery environment of DESIGN.md §2.
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

    /// Expands references kept for start time (`${ORDERS_URL}`) once discovery values are known.
    public static func resolveDeferred(_ text: String, variables: [String: String]) -> String {
        guard text.contains("${") else { return text }
        return (try? Interpolation.expand(text) { name in
            variables[name].map { .value($0) } ?? .unset
        }) ?? text
    }
}
