import Foundation

/// How to run a stack instance.
public struct SupervisorOptions: Sendable {
    /// Where run state and logs go (one folder per instance: tests run several at once).
    public var stateDirectory: StateDirectory
    /// Services named on the command line; they and their dependencies start. Empty: all.
    public var services: [String] = []
    /// Profiles enabled with `--profile`.
    public var profiles: [String] = []
    /// msvc's environment, the first source of every service's environment.
    public var environment: [String: String]
    /// Write `logs/SERVICE[.N].log` files.
    public var writeLogFiles = true
    /// Size at which log files rotate.
    public var logFileMaxSize = 10 << 20
    /// Called on the output reader thread with each batch of new lines, in order.
    public var onLines: (@Sendable ([LogRecord]) -> Void)?
    /// Stored lines per service.
    public var logCapacity = 10_000
    /// Which services watch mode watches.
    public var watch: WatchMode = .configured
    /// Serve the control socket (`run/msvc.sock`) so `msvc ps/logs/down/...` can reach the
    /// stack; off for stacks that only their embedder drives (test suites).
    public var controlSocket = false
    /// Where the control socket listens; nil: `stateDirectory.socket`.
    public var socketPath: String?
    /// The folder whose instance lock the stack holds; nil: `stateDirectory`. A test copy
    /// kept up by `msvc test --keep-up` holds the project's lock, so `up` and `down` find it.
    public var lockDirectory: StateDirectory?
    /// When set, `apply` (`msvc up` on this stack) is refused with this reason.
    public var applyRefusal: String?
    /// Give freed heap and the program's code pages back to the system once launches are
    /// quiet (`malloc_trim`, `madvise`): for a process that is only the supervisor (`msvc up`).
    /// Off for embedders: their heap and code are not the stack's to trim, and a trim of a big
    /// heap holds every thread's allocations for its duration.
    public var trimMemory = false

    /// Creates options for the stack at `directory`.
    public init(stateDirectory: StateDirectory, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.stateDirectory = stateDirectory
        self.environment = environment
    }
}

/// Which services watch mode watches (`msvc up --watch` / `--no-watch`).
public enum WatchMode: Sendable, Equatable {
    /// Services with a `watch:` key.
    case configured
    /// Every service; those without `watch:` use its defaults.
    case all
    /// None.
    case off
}

/// Why a stack could not start.
public enum SupervisorError: Error, Sendable, CustomStringConvertible {
    /// Another msvc already runs this stack (its pid, 0 when unknown).
    case alreadyRunning(pid: Int32)
    /// Fixed ports are taken: (where, port, holder).
    case portsTaken([(what: String, port: Int, owner: PortOwner?)])
    /// Programs or folders the services need are missing.
    case missingPrograms([String])
    /// The selection names unknown services or needs disabled ones.
    case selection(String)
    /// The run folder could not be created or written.
    case stateDirectory(String)
    /// The launcher could not start.
    case launcher(LaunchError)

    public var description: String {
        switch self {
        case .alreadyRunning(let pid):
            return "a stack is already running here\(pid > 0 ? " (msvc pid \(pid))" : ""); use \"msvc ps\", or stop it with \"msvc down\""
        case .portsTaken(let list):
            return list.map { "port \($0.port) for \($0.what) is already in use by \($0.owner?.description ?? "another process"); stop it or change the port" }
                .joined(separator: "\n")
        case .missingPrograms(let list): return list.joined(separator: "\n")
        case .selection(let m): return m
        case .stateDirectory(let m): return "cannot prepare the run folder: \(m)"
        case .launcher(let e): return "cannot start the process launcher: \(e)"
        }
    }

    /// Whether the exit code should be 69 (a needed program is missing).
    public var isMissingProgram: Bool {
        if case .missingPrograms = self { return true }
        return false
    }
}

/// The outcome of waiting for a stack to become ready.
public enum ReadyOutcome: Sendable, Equatable {
    /// Every selected service is healthy (or running, or completed).
    case ready
    /// A service failed: its name and why.
    case failed(service: String, reason: String)
    /// The deadline passed: the services not yet ready, with their state.
    case timedOut([String])
}
