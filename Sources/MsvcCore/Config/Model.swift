import Collections

/// The whole stack as `msvc.yaml` describes it: a plain value with no runtime state.
public struct StackConfig: Sendable, Equatable {
    /// Schema version; only 1 exists.
    public var version: Int = 1
    /// Project name; defaults to the folder holding msvc.yaml.
    public var name: String = ""
    /// Environment for every service.
    public var env: OrderedDictionary<String, String> = [:]
    /// Env files for every service.
    public var envFile: [EnvFileRef] = []
    /// Services in file order.
    public var services: OrderedDictionary<String, ServiceConfig> = [:]
    /// Test suites.
    public var tests: TestSuites = TestSuites()
    /// CI generation settings.
    public var ci: CISettings = CISettings()

    /// Creates an empty stack.
    public init() {}
}

/// An env file reference; `optional` when written with a trailing `?`.
public struct EnvFileRef: Sendable, Equatable, Hashable {
    /// Path relative to msvc.yaml.
    public var path: String
    /// A missing optional file is skipped silently.
    public var optional: Bool

    /// Creates a reference.
    public init(path: String, optional: Bool) {
        self.path = path
        self.optional = optional
    }

    /// The reference as written in msvc.yaml.
    public var written: String { optional ? path + "?" : path }
}

/// How a service's program is started.
public enum CommandSpec: Sendable, Equatable {
    /// Run directly with these arguments (string commands are split like a shell).
    case argv([String])
    /// Run as `/bin/sh -c SCRIPT`.
    case shell(String)

    /// The arguments to exec.
    public var arguments: [String] {
        switch self {
        case .argv(let a): return a
        case .shell(let s): return ["/bin/sh", "-c", s]
        }
    }
}

/// A port setting.
public enum PortSpec: Sendable, Equatable, Hashable {
    /// No port.
    case none
    /// Pick a free port at start.
    case auto
    /// This exact port.
    case fixed(Int)

    /// The spelling used in msvc.yaml.
    public var written: String {
        switch self {
        case .none: return "none"
        case .auto: return "auto"
        case .fixed(let p): return String(p)
        }
    }
}

/// When a dependent may start.
public enum DependencyCondition: String, Sendable, Equatable, CaseIterable {
    case started, healthy, completed
}

/// One edge of the dependency graph.
public struct Dependency: Sendable, Equatable {
    /// The service depended on.
    public var service: String
    /// What it must reach first.
    public var condition: DependencyCondition

    /// Creates a dependency.
    public init(service: String, condition: DependencyCondition) {
        self.service = service
        self.condition = condition
    }
}

/// What a probe checks.
public enum ProbeCheck: Sendable, Equatable {
    /// An HTTP GET whose status must fall in `status`.
    case http(path: String, port: String?, status: ClosedRange<Int>, headers: OrderedDictionary<String, String>)
    /// A TCP connect to the main port (`nil`) or a named one.
    case tcp(port: String?)
    /// A command that must exit 0 (run through /bin/sh -c).
    case exec(String)
    /// A regular expression matched against output lines.
    case log(String)

    /// The probe kind's key in msvc.yaml.
    public var kind: String {
        switch self {
        case .http: return "http"
        case .tcp: return "tcp"
        case .exec: return "exec"
        case .log: return "log"
        }
    }

    /// The named port the probe uses, if any.
    public var portName: String? {
        switch self {
        case .http(_, let p, _, _), .tcp(let p): return p
        default: return nil
        }
    }
}

/// A readiness or liveness probe.
public struct Probe: Sendable, Equatable {
    /// What it checks.
    public var check: ProbeCheck
    /// Time between checks.
    public var interval: Duration = .seconds(1)
    /// Time one check may take.
    public var timeout: Duration = .seconds(1)
    /// Consecutive failures before the service counts as unhealthy (or, for liveness, restarts).
    public var retries: Int = 3
    /// Failures in this window after start do not count.
    public var startPeriod: Duration = .zero

    /// Creates a probe with the default timings.
    public init(check: ProbeCheck) { self.check = check }
}

/// Whether a service is restarted when it exits.
public enum RestartPolicy: String, Sendable, Equatable, CaseIterable {
    case no
    case onFailure = "on-failure"
    case always
}

/// Exponential backoff between restarts.
public struct Backoff: Sendable, Equatable {
    /// The first delay.
    public var initial: Duration = .milliseconds(500)
    /// The largest delay.
    public var max: Duration = .seconds(30)

    /// Creates the default backoff (500ms to 30s).
    public init() {}
}

/// One service of the stack.
public struct ServiceConfig: Sendable, Equatable {
    /// The service name, `[a-z][a-z0-9-]{0,62}`.
    public var name: String
    /// The program to run; `nil` for a service with no command (an error after validation).
    public var command: CommandSpec = .argv([])
    /// Working directory, relative to msvc.yaml (default: msvc.yaml's folder).
    public var cwd: String = "."
    /// The service's own environment.
    public var env: OrderedDictionary<String, String> = [:]
    /// The service's env files.
    public var envFile: [EnvFileRef] = []
    /// The main port, exported as PORT.
    public var port: PortSpec = .none
    /// Extra named ports, exported as PORT_NAME.
    public var ports: OrderedDictionary<String, PortSpec> = [:]
    /// Services that must reach a condition first.
    public var dependsOn: [Dependency] = []
    /// Readiness probe.
    public var health: Probe?
    /// Liveness probe.
    public var liveness: Probe?
    /// Restart policy.
    public var restart: RestartPolicy = .onFailure
    /// Restarts before the service is left in crash-loop.
    public var maxRestarts: Int = 10
    /// Delay between restarts.
    public var backoff: Backoff = Backoff()
    /// Number of replicas.
    public var replicas: Int = 1
    /// Signal sent to stop the service (name without SIG).
    public var stopSignal: String = "TERM"
    /// Time allowed to stop before SIGKILL.
    public var stopTimeout: Duration = .seconds(10)
    /// Profiles that enable the service; empty means always.
    public var profiles: [String] = []
    /// Never started when true.
    public var disabled: Bool = false
    /// Build command for `msvc test unit` and CI.
    public var build: String?
    /// Test command for `msvc test unit` and CI.
    public var test: String?
    /// Implementation language, for CI generation.
    public var language: String?
    /// Free-form labels.
    public var labels: OrderedDictionary<String, String> = [:]
    /// The container image for `msvc export`; `nil` means `SERVICE:latest`.
    public var image: String?
    /// Watch mode: what to watch and what to do on a change; nil when not set.
    public var watch: WatchSettings?
    /// The service's OpenAPI document (relative to msvc.yaml): responses it sends in e2e steps
    /// are checked against it.
    public var openapi: String?

    /// Creates a service with defaults.
    public init(name: String) { self.name = name }

    /// The image export uses: `image:` as written, else `SERVICE:latest`.
    public var imageOrDefault: String { image ?? "\(name):latest" }

    /// The service's named ports with the main port first as `""`, for lookups by name.
    public var allPorts: [(name: String, spec: PortSpec)] {
        var result: [(String, PortSpec)] = []
        if port != .none { result.append(("", port)) }
        for (k, v) in ports where v != .none { result.append((k, v)) }
        return result
    }
}

/// What watch mode does on a change.
public enum WatchAction: String, Sendable, Equatable, CaseIterable {
    /// Restart the service (rolling when it has a port).
    case restart
    /// Run the service's `build:` first; restart only when it succeeds.
    case build
}

/// A service's `watch:` settings.
public struct WatchSettings: Sendable, Equatable {
    /// Folders or files to watch, relative to the service's cwd; empty: the cwd itself.
    public var paths: [String] = []
    /// Extra ignore patterns in gitignore syntax, relative to the service's cwd.
    public var ignore: [String] = []
    /// Quiet time after the last change before acting.
    public var debounce: Duration = .milliseconds(300)
    /// What to do.
    public var action: WatchAction = .restart
    /// Dependents to restart after this service restarted.
    public var cascade: [String] = []

    /// Defaults: the cwd, restart after 300 ms of quiet.
    public init() {}
}

/// The `tests:` section.
public struct TestSuites: Sendable, Equatable {
    /// Pact and OpenAPI suites.
    public var contract: [ContractSuite] = []
    /// Command suites against a started subgraph.
    public var integration: [CommandSuite] = []
    /// Scenario or command suites against the stack.
    public var e2e: [CommandSuite] = []

    /// Creates an empty section.
    public init() {}
}

/// A contract suite: a pact or an OpenAPI document checked against a provider.
public struct ContractSuite: Sendable, Equatable {
    /// Suite name.
    public var name: String
    /// The provider service.
    public var provider: String
    /// A pact file or folder.
    public var pact: String?
    /// An OpenAPI document.
    public var openapi: String?
    /// Provider-state set-up path.
    public var stateChange: String?

    /// Creates a suite.
    public init(name: String, provider: String) {
        self.name = name
        self.provider = provider
    }
}

/// Which services a suite needs.
public enum SuiteNeeds: Sendable, Equatable {
    /// The whole stack.
    case all
    /// These services and their dependencies.
    case services([String])
}

/// An integration or e2e suite.
public struct CommandSuite: Sendable, Equatable {
    /// Suite name.
    public var name: String
    /// Services to start first.
    public var needs: SuiteNeeds = .services([])
    /// A command to run.
    public var run: String?
    /// An e2e scenario file.
    public var scenario: String?
    /// Working directory for `run`.
    public var cwd: String = "."
    /// Time limit.
    public var timeout: Duration = .seconds(600)
    /// Extra environment.
    public var env: OrderedDictionary<String, String> = [:]

    /// Creates a suite.
    public init(name: String) { self.name = name }
}

/// The `ci:` section.
public struct CISettings: Sendable, Equatable {
    /// Default provider for `msvc ci generate`.
    public var provider: String?
    /// Where generated pipelines get msvc (`ci.msvc`); nil when not set.
    public var msvc: CIMsvcSource?

    /// Creates empty settings.
    public init() {}
}

/// `ci.msvc`: where a generated pipeline gets the msvc that runs the test suites.
public enum CIMsvcSource: Sendable, Equatable {
    /// `{ git: URL, ref: REF }`: build msvc from source at a tag, branch or commit.
    case git(url: String, ref: String)
    /// `{ install: COMMAND }`: a shell command that puts `msvc` on PATH.
    case install(command: String)
}
