import Foundation
import Synchronization

/// A `pact:` contract suite: every interaction of its pacts verified against the provider's
/// balanced URL, one case per interaction (pending, filtered and message interactions are
/// skipped cases), provider states set up and torn down through `state_change:`.
public struct PactSuiteBody: SuiteBody {
    /// The pacts, read when planning.
    public let pacts: [Pact]
    /// The discovery variable holding the provider's URL (`ORDERS_URL`).
    public let providerVariable: String
    /// The provider path that sets up provider states (`/_pact/state`).
    public let stateChangePath: String?
    /// Time allowed for each request and state change.
    public let requestTimeout: Duration

    /// Creates the body.
    public init(pacts: [Pact], providerVariable: String, stateChangePath: String?, requestTimeout: Duration = .seconds(30)) {
        self.pacts = pacts
        self.providerVariable = providerVariable
        self.stateChangePath = stateChangePath
        self.requestTimeout = requestTimeout
    }

    /// Whether case names carry the consumer: only when the suite's pacts come from several.
    var namesConsumers: Bool { Set(pacts.map(\.consumer)).count > 1 }

    /// A case's name: the interaction's description, after its consumer when there are several.
    func caseName(consumer: String, description: String) -> String {
        namesConsumers ? "\(consumer): \(description)" : description
    }

    public var plannedCases: [String] {
        pacts.flatMap { p in (p.interactions.map(\.description) + p.skippedKinds.map(\.0)).map { caseName(consumer: p.consumer, description: $0) } }
    }

    public func run(_ context: SuiteContext) async {
        guard let base = context.environment[providerVariable] else {
            context.recorder.finish(CaseResult(name: plannedCases.first ?? "verify", duration: .zero,
                                               outcome: .error(message: "\(providerVariable) is not set", detail: "\(providerVariable) is not set: the provider has no address")))
            return
        }
        var options = PactVerifierOptions()
        options.requestTimeout = requestTimeout
        let verifier = PactVerifier(options: options, client: context.http)
        let consumer = Mutex("")
        let recorder = context.recorder
        do {
            _ = try await verifier.verify(pacts: pacts, providerBaseURL: base, stateChangeURL: stateChangePath.map { base + $0 }) { event in
                switch event {
                case .pactStarted(let c, _, _):
                    consumer.withLock { $0 = c }
                case .interactionStarted(let description):
                    recorder.begin(caseName(consumer: consumer.withLock { $0 }, description: description))
                case .interactionFinished(let result):
                    // A cut-short interaction is reported by the runner, as timed out or interrupted.
                    guard !Task.isCancelled else { return }
                    var done = Self.caseResult(result, name: caseName(consumer: consumer.withLock { $0 }, description: result.description))
                    if stateChangePath == nil, !result.states.isEmpty, case .failed(let m, let d) = done.outcome {
                        done.outcome = .failed(message: m, detail: d + "\nhint: the interaction needs provider states, and the suite has no state_change: to set them up")
                    }
                    recorder.finish(done)
                }
            }
        } catch {
            recorder.finish(CaseResult(name: plannedCases.first ?? "verify", duration: .zero,
                                       outcome: .error(message: error.description, detail: error.description)))
        }
    }

    /// An interaction's verdict as a test case: a failure lists every mismatch with what was
    /// expected and what came back, as the official verifier does.
    static func caseResult(_ i: InteractionResult, name: String) -> CaseResult {
        var outcome = ContractReport.junitOutcome(i)
        let notes = ContractReport.caseNotes(i) ?? ""
        switch (i.outcome, outcome) {
        case (.failed(let mismatches), .failed(let message, _)):
            var lines = [notes]
            for (n, m) in mismatches.enumerated() {
                lines.append("\(n + 1)) \(ContractReport.mismatchLine(m))")
                if !m.expected.isEmpty || !m.actual.isEmpty {
                    lines.append("     expected: " + ContractReport.clip(m.expected))
                    lines.append("     actual:   " + ContractReport.clip(m.actual))
                }
            }
            outcome = .failed(message: message, detail: lines.joined(separator: "\n"))
        case (.error(let why), .error(let message, _)):
            outcome = .error(message: message, detail: notes + "\n" + why)
        default:
            break
        }
        return CaseResult(name: name, duration: i.duration, outcome: outcome, output: notes)
    }
}

/// An `openapi:` contract suite: each operation of the document that can be called (it needs
/// no inputs, or they have examples) is called on the provider and its response checked
/// against the document; one case per operation.
public struct OpenAPISuiteBody: SuiteBody {
    /// The document, read when planning.
    public let document: OpenAPIDocument
    /// The discovery variable holding the provider's URL (`ORDERS_URL`).
    public let providerVariable: String
    /// Time allowed for each request.
    public let requestTimeout: Duration

    /// Creates the body.
    public init(document: OpenAPIDocument, providerVariable: String, requestTimeout: Duration = .seconds(30)) {
        self.document = document
        self.providerVariable = providerVariable
        self.requestTimeout = requestTimeout
    }

    public var plannedCases: [String] { document.operations.map(\.name) }

    public func run(_ context: SuiteContext) async {
        guard let base = context.environment[providerVariable], let endpoint = HTTPEndpoint(base) else {
            let why = "\(providerVariable) is not an http:// address (\(context.environment[providerVariable] ?? "not set"))"
            context.recorder.finish(CaseResult(name: plannedCases.first ?? "check", duration: .zero, outcome: .error(message: why, detail: why)))
            return
        }
        for op in document.operations {
            guard !Task.isCancelled else { return }
            context.recorder.begin(op.name)
            guard let result = await OpenAPIConformance.check(op, of: document, at: endpoint, client: context.http, timeout: requestTimeout),
                  !Task.isCancelled else { return }
            context.recorder.finish(Self.caseResult(result, document: document.source))
        }
    }

    /// An operation's verdict as a test case: a failure names each check, the JSON path of
    /// the offending value, and shows the response.
    static func caseResult(_ r: OpenAPIOperationResult, document: String) -> CaseResult {
        let exchange = "request: \(r.request)" + (r.status.map { " -> \($0)" } ?? "")
        let outcome: TestOutcome
        switch r.outcome {
        case .passed:
            outcome = .passed
        case .skipped(let why):
            outcome = .skipped(message: why)
        case .error(let why):
            outcome = .error(message: why, detail: exchange + "\n" + why)
        case .failed(let failures):
            var message = failures[0].description
            if failures.count > 1 { message += " (and \(failures.count - 1) more)" }
            var lines = [exchange + "  (checked against \(document))"]
            lines += failures.map { "  " + $0.description }
            if let response = r.response {
                lines.append("response: \(response.status) \(response.reason)")
                for (k, v) in response.headers { lines.append("  \(k): \(v)") }
                lines += response.body.isEmpty ? ["  (empty body)"]
                    : ScenarioSuiteBody.indent(ScenarioSuiteBody.body(response.body, contentType: response.header("content-type")))
            }
            outcome = .failed(message: message, detail: lines.joined(separator: "\n"))
        }
        return CaseResult(name: r.operation, duration: r.duration, outcome: outcome, output: r.request.isEmpty ? nil : exchange)
    }
}
