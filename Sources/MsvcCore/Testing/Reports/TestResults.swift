import Foundation

/// How one test case ended (shared with the JUnit writer, which reports exactly these).
public typealias TestOutcome = JUnitReport.Outcome

/// One finished test case: a scenario step, a command, a service's unit tests.
public struct CaseResult: Sendable, Equatable {
    /// The case's name.
    public var name: String
    /// How long it took.
    public var duration: Duration
    /// What happened.
    public var outcome: TestOutcome
    /// What it printed (a command's output), newest lines kept when long.
    public var output: String?

    /// Creates a result.
    public init(name: String, duration: Duration, outcome: TestOutcome, output: String? = nil) {
        self.name = name
        self.duration = duration
        self.outcome = outcome
        self.output = output
    }

    /// Whether the case failed or could not run to a verdict.
    public var isFailure: Bool {
        switch outcome {
        case .failed, .error: return true
        case .passed, .skipped: return false
        }
    }
}

/// The last log lines of one service in a suite's time window.
public struct ServiceLogTail: Sendable, Equatable {
    /// The service.
    public var service: String
    /// How many replicas it runs, which decides how lines name them.
    public var replicas: Int
    /// Lines, oldest first.
    public var lines: [LogRecord]

    /// Creates a tail.
    public init(service: String, replicas: Int = 1, lines: [LogRecord]) {
        self.service = service
        self.replicas = replicas
        self.lines = lines
    }
}

/// How long each phase of a suite took.
public struct SuitePhases: Sendable, Equatable {
    /// Checking and launching the copy.
    public var start: Duration = .zero
    /// Waiting until every service was ready.
    public var ready: Duration = .zero
    /// Running the body.
    public var run: Duration = .zero
    /// Stopping the copy.
    public var stop: Duration = .zero

    /// Creates zero phases.
    public init() {}
}

/// One finished suite.
public struct SuiteResult: Sendable {
    /// The suite's kind.
    public var kind: SuiteKind
    /// The suite's name.
    public var name: String
    /// The services it ran against.
    public var services: [String]
    /// When it started.
    public var startedAt: Date
    /// How long it took in all.
    public var duration: Duration
    /// Time per phase.
    public var phases: SuitePhases
    /// Its cases, in order.
    public var cases: [CaseResult]
    /// For a failed suite: the last lines of every service in its time window.
    public var logs: [ServiceLogTail]
    /// Report properties (scenario file, command, state folder, remapped ports).
    public var properties: [(String, String)]
    /// Whether its services could not start because a program they need is missing.
    public var missingProgram = false

    /// Creates a result.
    public init(kind: SuiteKind, name: String, services: [String], startedAt: Date, duration: Duration = .zero,
                phases: SuitePhases = SuitePhases(), cases: [CaseResult] = [], logs: [ServiceLogTail] = [],
                properties: [(String, String)] = []) {
        self.kind = kind
        self.name = name
        self.services = services
        self.startedAt = startedAt
        self.duration = duration
        self.phases = phases
        self.cases = cases
        self.logs = logs
        self.properties = properties
    }

    /// `e2e.checkout`.
    public var id: String { "\(kind.rawValue).\(name)" }

    /// Whether no case failed or errored.
    public var passed: Bool { !cases.contains(where: \.isFailure) }

    /// Whether it had cases and every one was skipped (nothing was verified).
    public var allSkipped: Bool { !cases.isEmpty && counts.skipped == cases.count }

    /// Counts by outcome.
    public var counts: (passed: Int, failed: Int, errors: Int, skipped: Int) {
        var c = (passed: 0, failed: 0, errors: 0, skipped: 0)
        for k in cases {
            switch k.outcome {
            case .passed: c.passed += 1
            case .failed: c.failed += 1
            case .error: c.errors += 1
            case .skipped: c.skipped += 1
            }
        }
        return c
    }
}

/// Everything one `msvc test` run found.
public struct TestRunResult: Sendable {
    /// The suites, in plan order.
    public var suites: [SuiteResult]
    /// How long the whole run took.
    public var duration: Duration
    /// Whether Ctrl-C (or a signal) cut the run short.
    public var interrupted: Bool
    /// Whether a suite could not start because a program the services need is missing.
    public var missingProgram: Bool

    /// Creates a result.
    public init(suites: [SuiteResult], duration: Duration, interrupted: Bool = false, missingProgram: Bool = false) {
        self.suites = suites
        self.duration = duration
        self.interrupted = interrupted
        self.missingProgram = missingProgram
    }

    /// Whether every case passed (or was skipped) and the run was not interrupted.
    public var passed: Bool { !interrupted && suites.allSatisfy(\.passed) }
}
