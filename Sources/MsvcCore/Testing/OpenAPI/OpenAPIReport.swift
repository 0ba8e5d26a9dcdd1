import Foundation

/// What happened to one operation.
public enum OpenAPIOutcome: Sendable, Equatable {
    case passed
    case failed([OpenAPICheckFailure])
    case error(String)
    case skipped(String)
}

/// The verdict on one operation.
public struct OpenAPIOperationResult: Sendable, Equatable {
    /// `GET /orders/{id}`.
    public var operation: String
    /// The request sent (`GET /orders/1`), empty when skipped.
    public var request: String
    /// The response status, when there was one.
    public var status: Int?
    /// The outcome.
    public var outcome: OpenAPIOutcome
    /// Time taken.
    public var duration: Duration
    /// The provider's answer, when there was one (for reports that show the body).
    public var response: HTTPResponse?

    /// Creates a result.
    public init(operation: String, request: String, status: Int?, outcome: OpenAPIOutcome, duration: Duration,
                response: HTTPResponse? = nil) {
        self.operation = operation
        self.request = request
        self.status = status
        self.outcome = outcome
        self.duration = duration
        self.response = response
    }

    public static func == (a: OpenAPIOperationResult, b: OpenAPIOperationResult) -> Bool {
        a.operation == b.operation && a.request == b.request && a.status == b.status && a.outcome == b.outcome
            && a.duration == b.duration
    }
}

/// The result of checking a provider against its OpenAPI document.
public struct OpenAPIReport: Sendable, Equatable {
    /// The document's file.
    public var document: String
    /// Base URL called.
    public var baseURL: String
    /// One result per operation.
    public var results: [OpenAPIOperationResult]
    /// When it started and how long it took.
    public var started: Date
    /// How long it took.
    public var duration: Duration
    /// Cancelled before the end.
    public var cancelled = false

    /// No failed or errored operation.
    public var passed: Bool {
        !cancelled && !results.contains { if case .failed = $0.outcome { return true }; if case .error = $0.outcome { return true }; return false }
    }

    /// The report as JSON.
    public func json() -> JSON {
        .object([
            ("result", .string(passed ? "passed" : "failed")),
            ("document", .string(document)), ("base_url", .string(baseURL)),
            ("operations", .array(results.map { r in
                var f: [(String, JSON)] = [("operation", .string(r.operation)), ("request", .string(r.request)),
                                           ("status_code", r.status.map(JSON.int) ?? .null)]
                switch r.outcome {
                case .passed: f.append(("status", .string("passed")))
                case .failed(let fs):
                    f.append(("status", .string("failed")))
                    f.append(("failures", .array(fs.map { x in
                        .object([("check", .string(x.check)), ("path", x.path.map(JSON.string) ?? .null), ("message", .string(x.message))])
                    })))
                case .error(let e): f += [("status", .string("error")), ("error", .string(e))]
                case .skipped(let s): f += [("status", .string("skipped")), ("reason", .string(s))]
                }
                f.append(("duration_ms", .int(Int(Units.milliseconds(r.duration)))))
                return .object(f)
            })),
        ])
    }

    /// One JUnit suite, one case per operation.
    public func junit(suite: String? = nil, classname: String = "contract.openapi") -> JUnitReport.Suite {
        JUnitReport.Suite(name: suite ?? "openapi \(document)", timestamp: started, time: duration, cases: results.map { r in
            let outcome: JUnitReport.Outcome
            switch r.outcome {
            case .passed: outcome = .passed
            case .failed(let fs): outcome = .failed(message: "\(fs.count) check\(fs.count == 1 ? "" : "s") failed: \(fs[0])",
                                                    detail: fs.map(\.description).joined(separator: "\n"))
            case .error(let e): outcome = .error(message: e, detail: e)
            case .skipped(let s): outcome = .skipped(message: s)
            }
            return JUnitReport.TestCase(name: r.operation, classname: classname, time: r.duration, outcome: outcome,
                                        systemOut: r.request.isEmpty ? nil : "request: \(r.request)")
        }, properties: [("openapi", document), ("base_url", baseURL)])
    }

    /// The console report.
    public func text(paint: ReportPaint = .plain) -> String {
        var out = ["", paint.bold("Checking \(baseURL) against \(document)")]
        for r in results {
            switch r.outcome {
            case .passed: out.append("  \(r.operation)  \(r.request) -> \(r.status.map(String.init) ?? "") " + paint.ok("OK"))
            case .skipped(let s): out.append("  \(r.operation)  " + paint.warn("SKIPPED") + " \(s)")
            case .error(let e): out.append("  \(r.operation)  \(r.request) " + paint.bad("ERROR") + " \(e)")
            case .failed(let fs):
                out.append("  \(r.operation)  \(r.request) -> \(r.status.map(String.init) ?? "") " + paint.bad("FAILED"))
                for f in fs { out.append("      " + f.description) }
            }
        }
        let failed = results.filter { if case .failed = $0.outcome { return true } else { return false } }.count
        let errors = results.filter { if case .error = $0.outcome { return true } else { return false } }.count
        let skipped = results.filter { if case .skipped = $0.outcome { return true } else { return false } }.count
        let summary = "\(results.count) operations, \(results.count - failed - errors - skipped) passed, \(failed) failed"
            + (errors > 0 ? ", \(errors) errors" : "") + (skipped > 0 ? ", \(skipped) skipped" : "")
        out += ["", passed ? paint.ok(summary) : paint.bad(summary)]
        return out.joined(separator: "\n") + "\n"
    }
}

extension OpenAPIConformance {
    /// Calls every operation that has examples for its required inputs (or needs none) at
    /// `baseURL` and applies the four checks to each response. Never prints; cancellable
    /// between operations.
    public static func check(document: OpenAPIDocument, baseURL: String, client: HTTPClient = HTTPClient(),
                             headers: [(String, String)] = [], timeout: Duration = .seconds(30),
                             progress: @Sendable (OpenAPIOperationResult) -> Void = { _ in }) async throws(PactVerifierError) -> OpenAPIReport {
        guard let endpoint = HTTPEndpoint(baseURL) else { throw .badURL(baseURL, what: "base URL") }
        let started = Date(), clock = ContinuousClock.now
        var report = OpenAPIReport(document: document.source, baseURL: baseURL, results: [], started: started, duration: .zero)
        for op in document.operations {
            if Task.isCancelled { report.cancelled = true; break }
            guard let result = await check(op, of: document, at: endpoint, client: client, headers: headers, timeout: timeout) else {
                report.cancelled = true
                break
            }
            report.results.append(result)
            progress(result)
        }
        report.duration = ContinuousClock.now - clock
        return report
    }

    /// Calls one operation at `endpoint` (when its examples allow) and applies the four checks
    /// to the response; nil when the calling task was cancelled before the answer came.
    public static func check(_ op: OpenAPIOperation, of document: OpenAPIDocument, at endpoint: HTTPEndpoint,
                             client: HTTPClient = HTTPClient(), headers: [(String, String)] = [],
                             timeout: Duration = .seconds(30)) async -> OpenAPIOperationResult? {
        let t0 = ContinuousClock.now
        switch request(for: op, endpoint: endpoint, headers: headers) {
        case .failure(let why):
            return OpenAPIOperationResult(operation: op.name, request: "", status: nil, outcome: .skipped(why.description), duration: .zero)
        case .success(let req):
            let shown = "\(req.method) \(req.target)"
            switch await client.sendUnlessCancelled(req, timeout: timeout) {
            case nil:
                return nil
            case .success(let response)?:
                let failures = check(response: response, operation: op, in: document)
                var result = OpenAPIOperationResult(operation: op.name, request: shown, status: response.status,
                                                    outcome: failures.isEmpty ? .passed : .failed(failures), duration: ContinuousClock.now - t0)
                result.response = response
                return result
            case .failure(let error)?:
                return OpenAPIOperationResult(operation: op.name, request: shown, status: nil,
                                              outcome: .error("request failed: \(error.description)"), duration: ContinuousClock.now - t0)
            }
        }
    }

    /// Why an operation cannot be called.
    struct Skip: Error, CustomStringConvertible { var description: String }

    /// The request for an operation from its examples, or why it cannot be made.
    static func request(for op: OpenAPIOperation, endpoint: HTTPEndpoint, headers extra: [(String, String)]) -> Result<HTTPRequest, Skip> {
        var path = op.path
        var query: [(name: String, values: [String])] = []
        var headers: [(String, String)] = []
        for p in op.parameters {
            guard let example = p.example else {
                if p.required { return .failure(Skip(description: "required \(p.location) parameter \"\(p.name)\" has no example")) }
                continue
            }
            let text = ValueRules.jsonText(example)
            switch p.location {
            case "path":
                var allowed = CharacterSet.alphanumerics
                allowed.insert(charactersIn: "-._~")
                path = path.replacingOccurrences(of: "{\(p.name)}", with: text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text)
            case "query": if p.required { query.append((p.name, [text])) }
            case "header": if p.required { headers.append((p.name, text)) }
            default: break
            }
        }
        var body: [UInt8] = []
        if let b = op.body {
            if let example = b.example {
                body = Array((example.stringValue.map { _ in ValueRules.jsonText(example) } ?? example.serialized(pretty: false)).utf8)
                if MediaType(b.contentType ?? "")?.isJSON == true { body = Array(example.serialized(pretty: false).utf8) }
                headers.append(("Content-Type", b.contentType ?? "application/json"))
            } else if b.required {
                return .failure(Skip(description: "the required request body has no example"))
            }
        }
        for (k, v) in extra {
            headers.removeAll { $0.0.lowercased() == k.lowercased() }
            headers.append((k, v))
        }
        headers.append(("Accept", "application/json, */*;q=0.5"))
        return .success(endpoint.request(method: op.method, path: path, query: QueryString.encode(query), headers: headers, body: body))
    }
}
