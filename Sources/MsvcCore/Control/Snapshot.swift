import Foundation

/// Where a replica is in its life (DESIGN.md §3).
public enum ReplicaState: String, Sendable, Equatable, CaseIterable {
    case pending, starting, running, stopping, stopped, exited
    case crashLoop = "crash-loop"
    case failed
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

    /// Creates a pending replica.
    public init(service: String, replica: Int) {
        self.service = service
        self.replica = replica
        state = .pending
        health = .unknown
        ports = [:]
        restarts = 0
        lastLines = []
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

    /// Creates a snapshot.
    public init(name: String, port: Int?, namedPorts: [String: Int], desiredReplicas: Int, replicas: [ReplicaSnapshot]) {
        self.name = name
        self.port = port
        self.namedPorts = namedPorts
        self.desiredReplicas = desiredReplicas
        self.replicas = replicas
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

    /// Creates a snapshot.
    public init(project: String, startedAt: Date, socketPath: String?, pid: Int32, services: [ServiceSnapshot]) {
        self.project = project
        self.startedAt = startedAt
        self.socketPath = socketPath
        self.pid = pid
        self.services = services
    }
}
