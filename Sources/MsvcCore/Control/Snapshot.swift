import Foundation

/// Where a replica is in its life (docs/reference.md, `msvc ps`), as `ps` and `--json` show it.
public enum ReplicaState: String, Sendable, Equatable, CaseIterable {
    /// Waiting for its dependencies (or not started yet).
    case pending
    /// Started; its readiness probe has not passed yet.
    case starting
    /// Running (healthy, unhealthy, or without a probe).
    case running
    /// Exited and waiting out the backoff before its next start.
    case backoff
    /// Asked to stop; its process group is being stopped.
    case stopping
    /// Stopped on request.
    case stopped
    /// Exited and stays down (its restart policy says so, or a one-shot completed).
    case exited
    /// Restarted `max_restarts` times without becoming stable; left stopped.
    case crashLoop = "crash-loop"
    /// Could not start (program missing, a dependency failed).
    case failed

    /// Whether no process runs and none will start without a request.
    public var isTerminal: Bool { [.stopped, .exited, .crashLoop, .failed].contains(self) }
}

/// Readiness as the health probe last saw it.
public enum HealthStatus: String, Sendable, Equatable {
    /// The service has no readiness probe.
    case none
    /// Not yet decided (start period, or not enough results).
    case unknown
    case healthy, unhealthy
}

/// The outcome of one probe run.
public struct ProbeResult: Sendable, Equatable {
    /// Whether it passed.
    public var ok: Bool
    /// What it saw: `200 OK in 3ms`, `connection refused`, `exit 1: …`.
    public var detail: String
    /// When it ran.
    public var at: Date

    /// Creates a result.
    public init(ok: Bool, detail: String, at: Date = Date()) {
        self.ok = ok
        self.detail = detail
        self.at = at
    }
}

/// One replica of a service, as seen at one moment.
public struct ReplicaSnapshot: Sendable, Equatable {
    /// The service name.
    public var service: String
    /// Replica index, from 1.
    public var replica: Int
    /// The display name: `orders` with one replica, `orders.2` with several (`ReplicaID.label`).
    public var name: String
    /// Lifecycle state.
    public var state: ReplicaState
    /// Readiness.
    public var health: HealthStatus
    /// The last readiness probe result.
    public var lastProbe: ProbeResult?
    /// Process id while running.
    public var pid: Int32?
    /// Ports of this replica by name (`""` the main port).
    public var ports: [String: Int]
    /// Restarts so far.
    public var restarts: Int
    /// When the current process started.
    public var startedAt: Date?
    /// How the last process ended.
    public var lastExit: ExitStatus?
    /// When the next restart is due (during backoff).
    public var nextRestartAt: Date?
    /// Why it failed or stopped, for people.
    public var message: String?
    /// CPU use of the process group, percent of one core.
    public var cpuPercent: Double?
    /// Resident memory of the process group, bytes.
    public var rssBytes: Int?
    /// The last lines of output, kept for crash views.
    public var lastLines: [String]
    /// The process replacing this one during a rolling restart, while it starts.
    public var successorPID: Int32?
    /// The replica's log file cannot be written (a full disk): since when, why, lines missing.
    public var logFileProblem: LogFileProblem?

    /// Creates a pending replica.
    public init(service: String, replica: Int, name: String? = nil) {
        self.service = service
        self.replica = replica
        self.name = name ?? ReplicaID.label(service: service, replica: replica, replicas: 1)
        state = .pending
        health = .unknown
        ports = [:]
        restarts = 0
        lastLines = []
    }
}

/// Watch mode for one service, as `ps` and the dashboard show it.
public struct WatchSnapshot: Sendable, Equatable {
    /// What watch mode is doing.
    public enum State: String, Sendable, Equatable {
        /// Watching; nothing to do.
        case watching
        /// Changes seen; waiting for the debounce to pass.
        case pending
        /// Running `build:`.
        case building
        /// The last build failed; the previous version keeps serving.
        case buildFailed = "build-failed"
        /// Restarting after a change.
        case restarting
        /// Turned off for this service (`w` in the dashboard).
        case off
    }

    /// The state.
    public var state: State
    /// The watched paths, absolute.
    public var paths: [String]
    /// When the last change was seen.
    public var lastChange: Date?
    /// The last build's outcome and its last lines, when a build ran.
    public var lastBuild: ExitStatus?
    /// The last lines of the last build.
    public var buildLines: [String]
    /// A problem watching (a missing path, the inotify limit).
    public var problem: String?

    /// Creates a snapshot.
    public init(state: State, paths: [String], lastChange: Date? = nil, lastBuild: ExitStatus? = nil,
                buildLines: [String] = [], problem: String? = nil) {
        self.state = state
        self.paths = paths
        self.lastChange = lastChange
        self.lastBuild = lastBuild
        self.buildLines = buildLines
        self.problem = problem
    }
}

/// A service and its replicas.
public struct ServiceSnapshot: Sendable, Equatable {
    /// Service name.
    public var name: String
    /// The port clients use (the balancer's when replicated), if any.
    public var port: Int?
    /// Named ports of replica 1 (or the only replica).
    public var namedPorts: [String: Int]
    /// Desired replica count.
    public var desiredReplicas: Int
    /// The replicas.
    public var replicas: [ReplicaSnapshot]
    /// What the service waits for before it starts, as the running stack has it.
    public var dependsOn: [Dependency]
    /// Watch mode, when the service is watched.
    public var watch: WatchSnapshot?

    /// Creates a snapshot.
    public init(name: String, port: Int?, namedPorts: [String: Int], desiredReplicas: Int, replicas: [ReplicaSnapshot],
                dependsOn: [Dependency] = [], watch: WatchSnapshot? = nil) {
        self.name = name
        self.port = port
        self.namedPorts = namedPorts
        self.desiredReplicas = desiredReplicas
        // The display rule is applied here, once, for every view of the snapshot.
        self.replicas = replicas.map { r in
            var r = r
            r.name = ReplicaID.label(service: name, replica: r.replica, replicas: replicas.count)
            return r
        }
        self.dependsOn = dependsOn
        self.watch = watch
    }
}

/// The whole stack at one moment.
public struct StackSnapshot: Sendable, Equatable {
    /// Project name.
    public var project: String
    /// When the supervisor started.
    public var startedAt: Date
    /// The control socket path, if listening.
    public var socketPath: String?
    /// Supervisor pid.
    public var pid: Int32
    /// Services in file order.
    public var services: [ServiceSnapshot]
    /// How the stack keeps every process it started within reach (cgroup or descendant tracking).
    public var containment: ProcessContainment?

    /// Creates a snapshot.
    public init(project: String, startedAt: Date, socketPath: String?, pid: Int32, services: [ServiceSnapshot]) {
        self.project = project
        self.startedAt = startedAt
        self.socketPath = socketPath
        self.pid = pid
        self.services = services
    }
}
