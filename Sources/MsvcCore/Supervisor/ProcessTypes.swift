import CMsvcSys
import Glibc

/// The name the process layer and log capture use for a replica (see `ReplicaID`).
public typealias LogSource = ReplicaID

/// Everything needed to start one process.
public struct LaunchSpec: Sendable, Equatable {
    /// The program and its arguments; the program is searched in the child's PATH unless it has a `/`.
    public var arguments: [String]
    /// The complete environment of the child (nothing is inherited implicitly).
    public var environment: [String: String]
    /// The working directory; relative paths resolve against msvc's own working directory.
    public var cwd: String
    /// Who the process is, for log lines.
    public var source: LogSource

    /// Creates a spec.
    public init(arguments: [String], environment: [String: String], cwd: String, source: LogSource) {
        self.arguments = arguments
        self.environment = environment
        self.cwd = cwd
        self.source = source
    }

    /// The PATH used to find the program: the child's own, or the system default.
    var searchPath: String { environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin" }
}

/// How a process ended.
public enum ExitStatus: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// It called exit with this code.
    case exited(Int32)
    /// A signal ended it.
    case signaled(Int32)
    /// Something else in this process reaped it first, so the status is lost.
    case unknown

    /// Whether it exited with code 0.
    public var isSuccess: Bool { self == .exited(0) }

    /// `exited with code 3`, `killed by SIGKILL`.
    public var description: String {
        switch self {
        case .exited(let code): return "exited with code \(code)"
        case .signaled(let sig): return "killed by \(ProcessSignal.name(of: sig))"
        case .unknown: return "exited with an unknown status"
        }
    }
}

/// What `LaunchedProcess.stop` achieved.
public struct StopOutcome: Sendable, Equatable {
    /// The leader's exit status, nil if it is somehow still running.
    public var exitStatus: ExitStatus?
    /// Whether SIGKILL had to be sent because the timeout passed.
    public var escalated: Bool
    /// Whether the whole process group is gone.
    public var groupGone: Bool
}

/// Signal names as `msvc.yaml` writes them (`TERM`, `SIGINT`, `9`).
public enum ProcessSignal {
    private static let table: [(String, Int32)] = [
        ("HUP", SIGHUP), ("INT", SIGINT), ("QUIT", SIGQUIT), ("KILL", SIGKILL), ("USR1", SIGUSR1),
        ("USR2", SIGUSR2), ("TERM", SIGTERM), ("STOP", SIGSTOP), ("CONT", SIGCONT), ("WINCH", SIGWINCH),
        ("ABRT", SIGABRT), ("ALRM", SIGALRM), ("PIPE", SIGPIPE), ("SEGV", SIGSEGV),
    ]

    /// The number for `TERM`, `SIGTERM` or `15`; nil when unknown.
    public static func number(named name: String) -> Int32? {
        let upper = name.uppercased()
        let bare = upper.hasPrefix("SIG") ? String(upper.dropFirst(3)) : upper
        if let n = Int32(bare), n > 0, n < 65 { return n }
        return table.first { $0.0 == bare }?.1
    }

    /// `SIGTERM` for 15; `signal 40` for one without a name here.
    public static func name(of number: Int32) -> String {
        table.first { $0.1 == number }.map { "SIG" + $0.0 } ?? "signal \(number)"
    }
}

/// Why a process could not be started or the launcher could not run.
public enum LaunchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The argument list is empty.
    case emptyCommand
    /// An argument or environment entry contains a NUL byte, or a variable name is malformed.
    case invalidArgument(String)
    /// No file named `program` in the searched folders (or, with a `/`, at that path).
    case programNotFound(program: String, searchPath: String?, cwd: String)
    /// The program exists but the interpreter on its `#!` line does not.
    case interpreterNotFound(program: String)
    /// The program exists but may not be executed.
    case permissionDenied(path: String)
    /// The file is not a binary or script the kernel can run.
    case notExecutable(path: String)
    /// The working directory does not exist.
    case cwdNotFound(String)
    /// The working directory is not a directory.
    case cwdNotDirectory(String)
    /// The working directory may not be entered.
    case cwdPermissionDenied(String)
    /// The watchdog that kills orphans when msvc dies could not be started or reached.
    case watchdogUnavailable(errno: Int32)
    /// The launcher was shut down.
    case launcherStopped
    /// A system call failed.
    case system(call: String, errno: Int32)

    /// A lowercase message that says what to do next.
    public var description: String {
        switch self {
        case .emptyCommand:
            return "the command is empty; give the program to run"
        case .invalidArgument(let what):
            return "invalid argument or environment entry: \(what)"
        case .programNotFound(let program, let searchPath?, _):
            return "program not found: \(program) (searched PATH=\(searchPath)); install it or fix the command"
        case .programNotFound(let program, nil, let cwd):
            return "program not found: \(program) (relative to cwd \(cwd)); check the path"
        case .interpreterNotFound(let program):
            return "the interpreter named on the #! line of \(program) is not installed; install it or fix that line"
        case .permissionDenied(let path):
            return "permission denied: \(path); make it executable (chmod +x) and check its folders"
        case .notExecutable(let path):
            return "not an executable file: \(path); add a #! line or run it through its interpreter"
        case .cwdNotFound(let dir):
            return "cwd does not exist: \(dir); create it or fix `cwd`"
        case .cwdNotDirectory(let dir):
            return "cwd is not a directory: \(dir); fix `cwd`"
        case .cwdPermissionDenied(let dir):
            return "permission denied entering cwd: \(dir); check its permissions"
        case .watchdogUnavailable(let e):
            return "cannot run the cleanup watchdog: \(String(cString: msvc_strerror(e))); refusing to start processes that could outlive msvc"
        case .launcherStopped:
            return "the process launcher has been shut down"
        case .system(let call, let e):
            return "\(call) failed: \(String(cString: msvc_strerror(e)))"
        }
    }

    /// Maps a failed `msvc_spawn` to an error.
    static func from(_ result: msvc_spawn_result, spec: LaunchSpec) -> LaunchError {
        let e = result.error
        let path = withUnsafeBytes(of: result.path) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        let program = spec.arguments[0]
        switch Int(result.stage) {
        case Int(MSVC_STAGE_CHDIR.rawValue):
            switch e {
            case ENOENT: return .cwdNotFound(spec.cwd)
            case ENOTDIR: return .cwdNotDirectory(spec.cwd)
            case EACCES: return .cwdPermissionDenied(spec.cwd)
            default: return .system(call: "chdir \(spec.cwd)", errno: e)
            }
        case Int(MSVC_STAGE_INTERPRETER.rawValue):
            return .interpreterNotFound(program: path.isEmpty ? program : path)
        case Int(MSVC_STAGE_EXEC.rawValue):
            switch e {
            case ENOENT, ENOTDIR:
                return .programNotFound(
                    program: program, searchPath: program.contains("/") ? nil : spec.searchPath, cwd: spec.cwd)
            case EACCES, EPERM: return .permissionDenied(path: path.isEmpty ? program : path)
            case ENOEXEC: return .notExecutable(path: path.isEmpty ? program : path)
            default: return .system(call: "execve \(path)", errno: e)
            }
        case Int(MSVC_STAGE_WATCHDOG.rawValue): return .watchdogUnavailable(errno: e)
        case Int(MSVC_STAGE_FORK.rawValue): return .system(call: "fork", errno: e)
        case Int(MSVC_STAGE_PIPE.rawValue): return .system(call: "pipe", errno: e)
        default: return .system(call: "child setup", errno: e)
        }
    }
}
