import Foundation

/// Where one replica is in its life: the single value every decision reads and every view
/// (snapshot, `ps`, dashboard, `--wait`) is derived from. Each transition happens in the
/// supervisor actor; the replica's loop task owns the non-terminal phases.
enum Phase {
    /// Waiting for dependencies: what is still pending (`inventory (healthy)`).
    case waiting([String])
    /// Started; the readiness probe has not passed yet.
    case starting(LaunchedProcess)
    /// Running; `.none` without a readiness probe, else what the probe says.
    case running(LaunchedProcess, HealthStatus)
    /// Exited; starts again at `until`.
    case backingOff(until: Date, after: ExitStatus)
    /// Asked to stop; its group is being stopped.
    case stopping(LaunchedProcess)
    /// Stopped on request.
    case stopped
    /// Exited and stays down by its restart policy (a completed one-shot, `restart: no`).
    case exited(ExitStatus)
    /// Exited `max_restarts` times without becoming stable; left stopped.
    case crashLoop(ExitStatus, restarts: Int)
    /// Could not start: why.
    case failed(String)

    /// The process of this phase, if one runs.
    var process: LaunchedProcess? {
        switch self {
        case .starting(let p), .running(let p, _), .stopping(let p): return p
        default: return nil
        }
    }

    /// Whether no loop task owns the replica: nothing runs and nothing starts without a request.
    var isTerminal: Bool {
        switch self {
        case .stopped, .exited, .crashLoop, .failed: return true
        default: return false
        }
    }

    /// Whether the replica takes traffic: running and healthy, or running without a probe.
    var isReady: Bool {
        if case .running(_, let h) = self { return h == .healthy || h == .none }
        return false
    }

    /// The state name `ps` shows (docs/reference.md, `msvc ps`).
    var state: ReplicaState {
        switch self {
        case .waiting: return .pending
        case .starting: return .starting
        case .running: return .running
        case .backingOff: return .backoff
        case .stopping: return .stopping
        case .stopped: return .stopped
        case .exited: return .exited
        case .crashLoop: return .crashLoop
        case .failed: return .failed
        }
    }

    /// Readiness as shown, given whether the service has a readiness probe.
    func health(probed: Bool) -> HealthStatus {
        guard probed else { return .none }
        if case .running(_, let h) = self { return h }
        return .unknown
    }

    /// Why the replica is where it is, for people; nil when its state says it all.
    func message(maxRestarts: Int) -> String? {
        switch self {
        case .waiting(let pending) where !pending.isEmpty: return "waiting for \(pending.joined(separator: ", "))"
        case .crashLoop(let status, let n):
            return "\(status.description) after \(n) restart\(n == 1 ? "" : "s"); left stopped"
        case .failed(let why): return why
        default: return nil
        }
    }
}

/// What the user wants of a replica; the loop reconciles its phase with it.
enum Intent: Equatable {
    /// Keep it running by its restart policy.
    case run
    /// Stop the current process and start a new one at once (no backoff).
    case restart
    /// Stop it and keep it stopped.
    case stop
}

/// A process started to replace a replica's current one during a rolling restart.
struct Successor {
    /// The new process.
    var process: LaunchedProcess
    /// Its own ports (fresh ones, so both can run at once).
    var ports: [String: Int]
    /// Whether its readiness was confirmed; only then does the balancer send it traffic.
    var ready: Bool
    /// When it started.
    var startedAt: Date
}

/// Consecutive identical failures before a replica was ever ready, so `up --wait` can report a
/// crash loop as soon as the same error repeats rather than when the backoff runs out.
struct FailureStreak: Equatable {
    /// How the process ended each time.
    var status: ExitStatus
    /// Its last line of output each time.
    var lastLine: String?
    /// How many times in a row.
    var count: Int
}

/// One replica of a service inside the supervisor.
struct Replica {
    /// Who it is.
    let id: ReplicaID
    /// Its own ports (`""` the main one), those of the current process.
    var ports: [String: Int]
    /// Where it is.
    var phase: Phase = .waiting([])
    /// What is wanted of it.
    var intent: Intent = .run
    /// Restarts so far (shown in `ps`).
    var restarts = 0
    /// Restarts since it was last stable, for crash-loop detection.
    var unstableRestarts = 0
    /// Identical failures in a row before becoming ready.
    var streak: FailureStreak?
    /// How the last process ended.
    var lastExit: ExitStatus?
    /// The last lines of output of the last process that ended.
    var lastLines: [String] = []
    /// The last readiness probe result of the current process.
    var lastProbe: ProbeResult?
    /// When the current process started.
    var startedAt: Date?
    /// Set when a liveness probe killed the current process: why.
    var livenessFailure: String?
    /// The process taking over during a rolling restart.
    var successor: Successor?
    /// Counts processes started for this replica; probes of an older one stop.
    var generation = 0
    /// Whether the current process has passed its readiness probe at least once.
    var wasReady = false

    init(id: ReplicaID, ports: [String: Int]) {
        self.id = id
        self.ports = ports
    }
}
