import Foundation

/// What happened to one interaction.
public enum InteractionOutcome: Sendable, Equatable {
    /// The provider's response matched.
    case passed
    /// The response differed; every mismatch.
    case failed([PactMismatch])
    /// No verdict: the provider could not be reached, a state change failed, ...
    case error(String)
    /// Not run (filtered out, or not an HTTP interaction).
    case skipped(String)
}

/// The verdict on one interaction.
public struct InteractionResult: Sendable, Equatable {
    /// The interaction's description.
    public var description: String
    /// V4 key, if any.
    public var key: String?
    /// Position in the pact file (1-based).
    public var ordinal: Int
    /// Provider state names, in order.
    public var states: [String]
    /// V4 pending: a failure is reported but does not fail the run.
    public var pending: Bool
    /// V4 comments, kept for reports.
    public var comments: JSON?
    /// `GET /orders/1`.
    public var request: String
    /// The expected status and headers, for the report's "returns a response which" lines.
    public var expectedStatus: Int? = nil
    /// Expected header names and values.
    public var expectedHeaders: [String: String] = [:]
    /// Expected header names in pact order.
    public var expectedHeaderOrder: [String] = []
    /// The outcome.
    public var outcome: InteractionOutcome
    /// Time spent on it (state changes included).
    public var duration: Duration

    /// Whether this result fails the run: a failure or error on an interaction that is not pending.
    public var failsRun: Bool {
        guard !pending else { return false }
        switch outcome {
        case .failed, .error: return true
        case .passed, .skipped: return false
        }
    }
}

/// The verdicts for one pact file.
public struct PactResult: Sendable, Equatable {
    /// Consumer name.
    public var consumer: String
    /// Provider name.
    public var provider: String
    /// The file.
    public var source: String
    /// Declared specification.
    public var specification: String
    /// One result per interaction, in file order.
    public var interactions: [InteractionResult]
    /// When verification of this pact started.
    public var started: Date
    /// How long it took.
    public var duration: Duration
}

/// The result of verifying pacts against a provider.
public struct ContractReport: Sendable, Equatable {
    /// Per pact file.
    public var pacts: [PactResult]
    /// The provider's base URL.
    public var providerURL: String
    /// True when the run was cancelled before the end.
    public var cancelled = false

    /// Every interaction verified or skipped.
    public var interactions: [InteractionResult] { pacts.flatMap(\.interactions) }

    /// True when no interaction fails the run.
    public var passed: Bool { !cancelled && !interactions.contains { $0.failsRun } }

    /// Counts for summaries.
    public var counts: (total: Int, passed: Int, failed: Int, errors: Int, skipped: Int, pending: Int) {
        var c = (total: 0, passed: 0, failed: 0, errors: 0, skipped: 0, pending: 0)
        for i in interactions {
            c.total += 1
            if i.pending {
                switch i.outcome {
                case .failed, .error: c.pending += 1; continue
                default: break
                }
            }
            switch i.outcome {
            case .passed: c.passed += 1
            case .failed: c.failed += 1
            case .error: c.errors += 1
            case .skipped: c.skipped += 1
            }
        }
        return c
    }

    // MARK: JSON

    /// The report as one JSON document (`msvc contract verify --json`).
    public func json() -> JSON {
        let c = counts
        return .object([
            ("result", .string(passed ? "passed" : "failed")),
            ("provider_url", .string(providerURL)),
            ("summary", .object([
                ("interactions", .int(c.total)), ("passed", .int(c.passed)), ("failed", .int(c.failed)),
                ("errors", .int(c.errors)), ("skipped", .int(c.skipped)), ("pending_failed", .int(c.pending)),
            ])),
            ("pacts", .array(pacts.map { p in
                .object([
                    ("consumer", .string(p.consumer)), ("provider", .string(p.provider)), ("file", .string(p.source)),
                    ("specification", .string(p.specification)), ("duration_ms", .int(Int(Units.milliseconds(p.duration)))),
                    ("interactions", .array(p.interactions.map(Self.json))),
                ])
            })),
        ])
    }

    /// One interaction as JSON.
    static func json(_ i: InteractionResult) -> JSON {
        var fields: [(String, JSON)] = [
            ("description", .string(i.description)), ("key", i.key.map(JSON.string) ?? .null),
            ("states", .array(i.states.map(JSON.string))), ("pending", .bool(i.pending)),
            ("request", .string(i.request)),
        ]
        switch i.outcome {
        case .passed: fields.append(("status", .string("passed")))
        case .failed(let ms):
            fields.append(("status", .string("failed")))
            fields.append(("mismatches", .array(ms.map { m in
                .object([("type", .string(m.kind.rawValue)), ("path", .string(m.path)), ("expected", .string(m.expected)),
                         ("actual", .string(m.actual)), ("message", .string(m.message))])
            })))
        case .error(let why):
            fields.append(("status", .string("error")))
            fields.append(("error", .string(why)))
        case .skipped(let why):
            fields.append(("status", .string("skipped")))
            fields.append(("reason", .string(why)))
        }
        fields.append(("comments", i.comments ?? .null))
        fields.append(("duration_ms", .int(Int(Units.milliseconds(i.duration)))))
        return .object(fields)
    }

    // MARK: JUnit

    /// One JUnit suite per pact, one test case per interaction. Pending interactions and
    /// skipped ones are `skipped`; failures carry every mismatch.
    public func junit(name: String = "msvc contract verify", classPrefix: String = "contract") -> JUnitReport {
        JUnitReport(name: name, suites: pacts.map { p in
            let classname = "\(classPrefix).\(p.consumer)-\(p.provider)"
            return JUnitReport.Suite(
                name: "\(p.consumer) -> \(p.provider)", timestamp: p.started, time: p.duration,
                cases: p.interactions.map { i in
                    JUnitReport.TestCase(name: i.description, classname: classname, time: i.duration,
                                         outcome: Self.junitOutcome(i), systemOut: Self.caseNotes(i))
                },
                properties: [("pact", p.source), ("specification", p.specification), ("provider_url", providerURL)])
        })
    }

    /// The JUnit outcome: pending failures and skips are `skipped`.
    static func junitOutcome(_ i: InteractionResult) -> JUnitReport.Outcome {
        switch i.outcome {
        case .passed: return .passed
        case .skipped(let why): return .skipped(message: why)
        case .failed(let ms):
            let detail = ms.map(mismatchLine).joined(separator: "\n")
            if i.pending { return .skipped(message: "pending interaction failed (\(ms.count) mismatch\(ms.count == 1 ? "" : "es")); not counted") }
            return .failed(message: "\(ms.count) mismatch\(ms.count == 1 ? "" : "es"): \(ms.first.map(mismatchLine) ?? "")", detail: detail)
        case .error(let why):
            if i.pending { return .skipped(message: "pending interaction errored: \(why)") }
            return .error(message: why, detail: why)
        }
    }

    /// Request, key, states and comments for the case's system-out.
    static func caseNotes(_ i: InteractionResult) -> String? {
        var lines: [String] = ["request: \(i.request)"]
        if let k = i.key { lines.append("key: \(k)") }
        if !i.states.isEmpty { lines.append("given: " + i.states.joined(separator: ", ")) }
        if let c = i.comments { lines.append("comments: " + c.serialized(pretty: false)) }
        return lines.joined(separator: "\n")
    }

    /// `$.id: Expected 'x' to be equal to 'y'` (with the kind for status and headers).
    public static func mismatchLine(_ m: PactMismatch) -> String {
        switch m.kind {
        case .body, .bodyType: return "body \(m.path): \(m.message)"
        case .status: return "status: \(m.message)"
        case .header: return "header \(m.path): \(m.message)"
        case .query: return "query \(m.path): \(m.message)"
        case .path: return "path: \(m.message)"
        case .method: return "method: \(m.message)"
        }
    }
}
