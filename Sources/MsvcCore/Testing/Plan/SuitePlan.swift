import Collections
import OrderedCollections
import Foundation

/// The kinds of suite `msvc test` runs, in the order it runs them.
public enum SuiteKind: String, Sendable, CaseIterable, Comparable {
    /// Each service's own `test` command, no stack.
    case unit
    /// A pact or OpenAPI document checked against a running provider.
    case contract
    /// A command against a started subgraph.
    case integration
    /// A scenario or command against the stack.
    case e2e

    public static func < (a: SuiteKind, b: SuiteKind) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// What a suite does once its services run: produces test cases.
///
/// A suite kind is a body: the planner builds one per suite (a scenario, a command, a
/// service's unit tests, a contract verifier) and the runner hands it the running subgraph.
public protocol SuiteBody: Sendable {
    /// The names of the cases it will run, in order, when known before it runs (a scenario's
    /// steps), so that cases a timeout or an earlier failure left unrun are reported skipped.
    var plannedCases: [String] { get }
    /// Runs the suite, recording every case in `context.recorder` as it finishes. Returns
    /// promptly when the task is cancelled (a timeout or Ctrl-C), killing what it started.
    func run(_ context: SuiteContext) async
}

/// One suite ready to run: what to start, how long it may take, and its body.
public struct SuitePlan: Sendable {
    /// The suite's kind.
    public var kind: SuiteKind
    /// The suite's name (for `unit`, the service's).
    public var name: String
    /// Services named by `needs` or `provider` (all enabled ones for `needs: all`).
    public var roots: [String]
    /// The subgraph: roots and everything they depend on, in msvc.yaml order. Empty: no stack.
    public var services: [String]
    /// The time limit for starting, waiting and running.
    public var timeout: Duration
    /// The folder commands run in (absolute).
    public var cwd: String
    /// The suite's own `env:` from msvc.yaml (start-time references resolved when it runs).
    public var environment: OrderedDictionary<String, String>
    /// What runs.
    public var body: any SuiteBody
    /// Name/value pairs for reports (`scenario`, `command`, ...).
    public var properties: [(String, String)]

    /// Creates a plan.
    public init(kind: SuiteKind, name: String, roots: [String], services: [String], timeout: Duration, cwd: String,
                environment: OrderedDictionary<String, String> = [:], body: any SuiteBody, properties: [(String, String)] = []) {
        self.kind = kind
        self.name = name
        self.roots = roots
        self.services = services
        self.timeout = timeout
        self.cwd = cwd
        self.environment = environment
        self.body = body
        self.properties = properties
    }

    /// `e2e.checkout`: the suite's name in reports.
    public var id: String { "\(kind.rawValue).\(name)" }

    /// Whether the suite needs services running.
    public var needsStack: Bool { !services.isEmpty }
}

/// Why suites could not be planned.
public enum SuitePlanError: Error, Sendable, CustomStringConvertible {
    /// A suite definition (in msvc.yaml or a scenario file) is invalid: exit 65.
    case invalid([ConfigDiagnostic])
    /// The command line names something that does not exist: exit 64.
    case usage(String)

    public var description: String {
        switch self {
        case .invalid(let list): return list.map(\.description).joined(separator: "\n")
        case .usage(let m): return m
        }
    }
}
