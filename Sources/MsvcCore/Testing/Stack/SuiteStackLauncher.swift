import Foundation

/// What one suite asks for: a copy of (part of) the stack, started in its own state folder.
public struct SuiteStackRequest: Sendable {
    /// The stack to run, already prepared for the copy (fixed ports remapped, see `SuiteIsolation`).
    public var stack: LoadedStack
    /// The services to start; their `depends_on` closure starts with them.
    public var services: [String]
    /// A fresh folder for this copy's run state, logs and data (`MSVC_STATE_DIR`).
    public var stateDirectory: StateDirectory
    /// msvc's environment, the first source of every service's environment.
    public var environment: [String: String]
    /// When set, the copy is published as the running stack of this folder (the project's
    /// `.msvc`): it serves the control protocol on its socket and holds its instance lock, so
    /// `msvc ps`, `logs` and `down` reach it and `up` knows it is there (`msvc test
    /// --keep-up`). Nil for in-process test copies.
    public var publishedAs: StateDirectory?

    /// Creates a request.
    public init(stack: LoadedStack, services: [String], stateDirectory: StateDirectory,
                environment: [String: String], publishedAs: StateDirectory? = nil) {
        self.stack = stack
        self.services = services
        self.stateDirectory = stateDirectory
        self.environment = environment
        self.publishedAs = publishedAs
    }
}

/// A running copy of a stack, as a suite sees it.
public protocol SuiteStack: Sendable {
    /// Ports, readiness and logs of the running services.
    var control: any StackControl { get }
    /// The copy's data folder (`MSVC_STATE_DIR`), when msvc knows it.
    var dataDirectory: String? { get }
    /// Stops every service in reverse dependency order (each killed after its stop_timeout)
    /// and releases everything the copy holds. Completes even when the calling task is
    /// cancelled; safe to call more than once. Does nothing for a stack msvc test does not own.
    func stop() async
    /// Kills every process of the copy at once (a second Ctrl-C).
    func kill() async
    /// Returns once the copy has ended: stopped here, or from outside (`msvc down`).
    func finished() async
}

/// Why a copy could not start.
public struct SuiteStackError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, lowercase, saying what to do next.
    public var message: String
    /// Whether a program the services need is missing (exit 69 rather than 1).
    public var missingProgram: Bool

    /// Creates an error.
    public init(_ message: String, missingProgram: Bool = false) {
        self.message = message
        self.missingProgram = missingProgram
    }

    public var description: String { message }
}

/// Starts copies of a stack for suites: the one seam between `msvc test` and the runtime.
///
/// Everything `msvc test` does to processes of the stack goes through here, so the runtime
/// behind it can change without touching planning, running or reporting.
public protocol SuiteStackLauncher: Sendable {
    /// Checks and starts the requested copy and returns once its processes are launching (not
    /// yet ready: wait with `control.waitUntilReady`). Throws, having released everything it
    /// took, when the copy cannot start.
    func start(_ request: SuiteStackRequest) async throws(SuiteStackError) -> any SuiteStack
}
