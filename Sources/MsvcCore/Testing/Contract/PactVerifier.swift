import Foundation

/// Settings for a verification run.
public struct PactVerifierOptions: Sendable {
    /// Only interactions whose description matches (a regular expression, searched).
    public var filterDescription: String?
    /// Only interactions with a provider state that matches (searched).
    public var filterState: String?
    /// Headers added to every request sent to the provider (replacing the pact's own of that name).
    public var extraHeaders: [(String, String)] = []
    /// Time allowed for each provider request and state change.
    public var requestTimeout: Duration = .seconds(30)

    /// Creates default options.
    public init() {}
}

/// What a verification run reports while it goes.
public enum PactVerificationEvent: Sendable {
    /// A pact file is about to be verified.
    case pactStarted(consumer: String, provider: String, interactions: Int)
    /// An interaction (of the pact last started) is about to run.
    case interactionStarted(description: String)
    /// An interaction has a verdict.
    case interactionFinished(InteractionResult)
}

/// Why a verification run could not start.
public enum PactVerifierError: Error, Sendable, Equatable, CustomStringConvertible {
    case badURL(String, what: String)
    case badFilter(String)

    public var description: String {
        switch self {
        case .badURL(let u, let what): return "invalid \(what) \"\(u)\" (expected http://HOST:PORT[/base/path])"
        case .badFilter(let f): return "invalid filter regular expression \"\(f)\""
        }
    }
}

/// Verifies pacts against a running provider: for each HTTP interaction, set up its provider
/// states, send its request, match the response, tear the states down. Never prints;
/// progress goes to a callback. Cancelling the task stops after the current interaction.
public struct PactVerifier: Sendable {
    /// The options.
    public var options: PactVerifierOptions
    /// The HTTP client for the provider and the state-change endpoint.
    public var client: HTTPClient

    /// Creates a verifier.
    public init(options: PactVerifierOptions = PactVerifierOptions(), client: HTTPClient = HTTPClient()) {
        self.options = options
        self.client = client
    }

    /// Verifies every pact against the provider at `providerBaseURL`; provider states go to
    /// `stateChangeURL` (one POST per state before the request, `action: setup`, and one after,
    /// `action: teardown`).
    public func verify(pacts: [Pact], providerBaseURL: String, stateChangeURL: String? = nil,
                       progress: @Sendable (PactVerificationEvent) -> Void = { _ in }) async throws(PactVerifierError) -> ContractReport {
        guard let provider = HTTPEndpoint(providerBaseURL) else { throw .badURL(providerBaseURL, what: "provider URL") }
        var stateEndpoint: HTTPEndpoint?
        if let stateChangeURL {
            guard let e = HTTPEndpoint(stateChangeURL) else { throw .badURL(stateChangeURL, what: "state change URL") }
            stateEndpoint = e
        }
        let descriptionFilter = try options.filterDescription.map { f throws(PactVerifierError) in
            guard let re = try? NSRegularExpression(pattern: f) else { throw .badFilter(f) }
            return re
        }
        let stateFilter = try options.filterState.map { f throws(PactVerifierError) in
            guard let re = try? NSRegularExpression(pattern: f) else { throw .badFilter(f) }
            return re
        }
        var report = ContractReport(pacts: [], providerURL: providerBaseURL)
        for pact in pacts {
            if Task.isCancelled { report.cancelled = true; break }
            progress(.pactStarted(consumer: pact.consumer, provider: pact.provider, interactions: pact.interactions.count))
            let started = Date()
            let clock = ContinuousClock.now
            var results: [InteractionResult] = []
            for interaction in pact.interactions {
                if Task.isCancelled { report.cancelled = true; break }
                let result: InteractionResult
                if let why = skipReason(interaction, descriptionFilter, stateFilter) {
                    result = Self.result(interaction, outcome: .skipped(why), duration: .zero)
                } else {
                    progress(.interactionStarted(description: interaction.description))
                    result = await verify(interaction, provider: provider, states: stateEndpoint)
                    // Cut short: the interaction has no verdict, and the report says it was cancelled.
                    if Task.isCancelled { report.cancelled = true; break }
                }
                results.append(result)
                progress(.interactionFinished(result))
            }
            for (description, kind) in pact.skippedKinds {
                var i = PactInteraction(description: description)
                i.ordinal = results.count + 1
                let r = InteractionResult(description: description, key: nil, ordinal: i.ordinal, states: [], pending: false, comments: nil,
                                          request: kind, outcome: .skipped("\(kind) interactions are not verified over HTTP"), duration: .zero)
                results.append(r)
                progress(.interactionFinished(r))
            }
            report.pacts.append(PactResult(consumer: pact.consumer, provider: pact.provider, source: pact.source,
                                           specification: pact.specification.label, interactions: results,
                                           started: started, duration: ContinuousClock.now - clock))
        }
        return report
    }

    /// Why an interaction is filtered out, or nil when it runs.
    func skipReason(_ i: PactInteraction, _ description: NSRegularExpression?, _ state: NSRegularExpression?) -> String? {
        func search(_ re: NSRegularExpression, _ s: String) -> Bool {
            re.firstMatch(in: s, range: NSRange(location: 0, length: (s as NSString).length)) != nil
        }
        if let description, !search(description, i.description) { return "filtered out by --filter-description" }
        if let state {
            let names = i.states.isEmpty ? [""] : i.states.map(\.name)
            if !names.contains(where: { search(state, $0) }) { return "filtered out by --filter-state" }
        }
        return nil
    }

    /// The result record for an interaction.
    static func result(_ i: PactInteraction, outcome: InteractionOutcome, duration: Duration) -> InteractionResult {
        var r = InteractionResult(description: i.description, key: i.key, ordinal: i.ordinal, states: i.states.map(\.name),
                                  pending: i.pending, comments: i.comments, request: "\(i.request.method) \(i.request.path)",
                                  outcome: outcome, duration: duration)
        r.expectedStatus = i.response.status
        for h in i.response.headers ?? [] {
            r.expectedHeaderOrder.append(h.name)
            r.expectedHeaders[h.name] = h.values.joined(separator: ", ")
        }
        return r
    }

    /// One interaction: states, request, match, teardown.
    func verify(_ interaction: PactInteraction, provider: HTTPEndpoint, states: HTTPEndpoint?) async -> InteractionResult {
        let start = ContinuousClock.now
        var context: [String: JSON] = [:]
        for s in interaction.states { for (k, v) in s.params.objectValue ?? [] { context[k] = v } }
        var outcome: InteractionOutcome?
        if let states {
            for s in interaction.states {
                switch await stateChange(s, setup: true, at: states) {
                case .success(let values): for (k, v) in values { context[k] = v }
                case .failure(let why):
                    outcome = .error("provider state setup for \"\(s.name)\" failed: \(why)")
                }
                if outcome != nil { break }
            }
        }
        if outcome == nil {
            let request = RequestGeneration.apply(interaction.request, context: context)
            outcome = await exchange(request, expected: interaction.response, provider: provider)
        }
        if let states {
            var teardownErrors: [String] = []
            for s in interaction.states {
                if case .failure(let why) = await stateChange(s, setup: false, at: states) {
                    teardownErrors.append("provider state teardown for \"\(s.name)\" failed: \(why)")
                }
            }
            if !teardownErrors.isEmpty, outcome == .passed { outcome = .error(teardownErrors.joined(separator: "; ")) }
        }
        return Self.result(interaction, outcome: outcome ?? .passed, duration: ContinuousClock.now - start)
    }

    /// Sends the request and matches the response.
    func exchange(_ request: PactRequest, expected: PactResponse, provider: HTTPEndpoint) async -> InteractionOutcome {
        var headers: [(String, String)] = (request.headers ?? []).map { ($0.name, $0.values.joined(separator: ", ")) }
        for (k, v) in options.extraHeaders {
            headers.removeAll { $0.0.lowercased() == k.lowercased() }
            headers.append((k, v))
        }
        if request.body.isPresent, !headers.contains(where: { $0.0.lowercased() == "content-type" }), let type = request.contentType {
            headers.append(("Content-Type", type.description))
        }
        let query = request.query.map(QueryString.encode) ?? ""
        let http = provider.request(method: request.method, path: request.path, query: query, headers: headers, body: request.body.bytes)
        let response: HTTPResponse
        switch await client.sendUnlessCancelled(http, timeout: options.requestTimeout) {
        case .success(let r)?: response = r
        case .failure(let error)?: return .error("request to the provider failed: \(error.description)")
        case nil: return .error("cancelled")
        }
        let actual = Self.pactResponse(response, expected: expected)
        let mismatches = PactMatcher.match(response: expected, actual: actual)
        return mismatches.isEmpty ? .passed : .failed(mismatches)
    }

    /// The HTTP response as Pact sees it: header names lower-cased and repeated headers merged,
    /// list headers split on commas, an empty body as empty.
    static func pactResponse(_ r: HTTPResponse, expected: PactResponse) -> PactResponse {
        var p = PactResponse()
        p.status = r.status
        var headers: PactHeaders = []
        for (name, value) in r.headers {
            let key = name.lowercased()
            let values = HeaderValues.split(key, value)
            if let i = headers.firstIndex(where: { $0.name == key }) { headers[i].values += values } else { headers.append((key, values)) }
        }
        p.headers = headers.isEmpty ? nil : headers
        p.body = r.body.isEmpty ? .empty : .present(r.body, contentType: nil)
        return p
    }

    /// One state-change call; the JSON object it returns (if any) feeds provider-state generators.
    func stateChange(_ state: ProviderState, setup: Bool, at endpoint: HTTPEndpoint) async -> Result<[(String, JSON)], StateChangeFailure> {
        let body = JSON.object([("state", .string(state.name)), ("params", state.params),
                                ("action", .string(setup ? "setup" : "teardown"))]).serialized(pretty: false)
        let request = endpoint.request(method: "POST", path: "", query: "", headers: [("Content-Type", "application/json")], body: Array(body.utf8))
        switch await client.sendUnlessCancelled(request, timeout: options.requestTimeout) {
        case nil:
            return .failure(StateChangeFailure(description: "cancelled"))
        case .failure(let error)?:
            return .failure(StateChangeFailure(description: "the state change request failed: \(error.description)"))
        case .success(let response)?:
            guard (200...299).contains(response.status) else {
                let text = response.text
                let shown = text.count > 2000 ? String(text.prefix(2000)) + "…" : text
                return .failure(StateChangeFailure(description: "the state change handler answered \(response.status)" + (shown.isEmpty ? "" : ": \(shown)")))
            }
            if let type = response.header("content-type").flatMap(MediaType.init), type.isJSON,
               case .object(let pairs)? = try? JSON.parse(bytes: response.body) {
                return .success(pairs)
            }
            return .success([])
        }
    }
}

/// Why a state change did not succeed.
struct StateChangeFailure: Error, CustomStringConvertible {
    /// What went wrong.
    var description: String
}
