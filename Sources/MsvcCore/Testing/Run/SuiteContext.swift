import Foundation
import Synchronization

/// What a suite body gets to run with.
public struct SuiteContext: Sendable {
    /// The plan being run.
    public var plan: SuitePlan
    /// The folder holding msvc.yaml.
    public var directory: String
    /// The environment for the suite's commands and `${VAR}` in scenarios: msvc's own, the
    /// suite's `env:`, then discovery (`ORDERS_URL`, ...) and `MSVC_SUITE`, later wins.
    public var environment: [String: String]
    /// The running services (nil when the suite needs none).
    public var control: (any StackControl)?
    /// Runs commands in their own process groups.
    public var commands: CommandRunner
    /// HTTP for scenario steps and verifiers.
    public var http: HTTPClient
    /// Where finished cases go.
    public var recorder: CaseRecorder
    /// Hears every output line of the suite's commands as it comes (`msvc test -v`).
    public var echo: (@Sendable (String) -> Void)?

    /// Creates a context.
    public init(plan: SuitePlan, directory: String, environment: [String: String], control: (any StackControl)?,
                commands: CommandRunner, http: HTTPClient, recorder: CaseRecorder, echo: (@Sendable (String) -> Void)? = nil) {
        self.plan = plan
        self.directory = directory
        self.environment = environment
        self.control = control
        self.commands = commands
        self.http = http
        self.recorder = recorder
        self.echo = echo
    }
}

/// Collects a suite's cases as they finish, and which one is running, so that a timeout or
/// Ctrl-C can report what was cut short.
public final class CaseRecorder: Sendable {
    private struct State {
        var cases: [CaseResult] = []
        var current: (name: String, since: ContinuousClock.Instant, detail: String?)?
    }

    private let state = Mutex(State())
    private let onFinish: @Sendable (CaseResult) -> Void

    /// Creates a recorder; `onFinish` hears of every case as it finishes (progress output).
    public init(onFinish: @escaping @Sendable (CaseResult) -> Void = { _ in }) {
        self.onFinish = onFinish
    }

    /// Marks `name` as running.
    public func begin(_ name: String) {
        state.withLock { $0.current = (name, .now, nil) }
    }

    /// Says what the running case is doing (`attempt 3 of 20`), for a timeout message.
    public func note(_ detail: String) {
        state.withLock { s in s.current?.detail = detail }
    }

    /// Records a finished case.
    public func finish(_ result: CaseResult) {
        state.withLock { s in
            s.cases.append(result)
            s.current = nil
        }
        onFinish(result)
    }

    /// The cases finished so far.
    public var cases: [CaseResult] { state.withLock { $0.cases } }

    /// The case running now: its name, how long it has run, and what it was doing.
    public var current: (name: String, elapsed: Duration, detail: String?)? {
        state.withLock { s in s.current.map { ($0.name, ContinuousClock.now - $0.since, $0.detail) } }
    }
}
