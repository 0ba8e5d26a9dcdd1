import Foundation
import Hummingbird
import Logging
import Synchronization

/// Request counters and latency totals in the Prometheus text format.
public final class Metrics: Sendable {
    private struct Key: Hashable { var method: String, path: String, status: Int }
    private let state = Mutex<(counts: [Key: Int], seconds: Double)>(([:], 0))

    /// Creates empty metrics.
    public init() {}

    /// Records one finished request.
    public func record(method: String, path: String, status: Int, seconds: Double) {
        state.withLock {
            $0.counts[Key(method: method, path: path, status: status), default: 0] += 1
            $0.seconds += seconds
        }
    }

    /// The exposition text.
    public func render() -> String {
        state.withLock { s in
            var out = "# HELP http_requests_total Requests handled.\n# TYPE http_requests_total counter\n"
            for (k, v) in s.counts.sorted(by: { ($0.key.path, $0.key.status) < ($1.key.path, $1.key.status) }) {
                out += "http_requests_total{method=\"\(k.method)\",path=\"\(k.path)\",status=\"\(k.status)\"} \(v)\n"
            }
            out += "# HELP http_request_duration_seconds_sum Time spent handling requests.\n"
            out += "# TYPE http_request_duration_seconds_sum counter\n"
            out += "http_request_duration_seconds_sum \(s.seconds)\n"
            return out
        }
    }
}

/// Gives every request an id (X-Request-ID, or a new one), passes `traceparent` through,
/// counts it and logs one JSON line.
public struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: Metrics
    static var requestID: HTTPFields.Element.Name { .init("X-Request-ID")! }
    static var traceparent: HTTPFields.Element.Name { .init("traceparent")! }

    /// Creates the middleware.
    public init(metrics: Metrics) { self.metrics = metrics }

    /// Handles one request.
    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let id = request.headers[Self.requestID] ?? UUID().uuidString.lowercased()
        let start = ContinuousClock.now
        var logger = context.logger
        logger[metadataKey: "request_id"] = "\(id)"
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        response.headers[Self.requestID] = id
        if let trace = request.headers[Self.traceparent] { response.headers[Self.traceparent] = trace }
        let elapsed = start.duration(to: .now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let path = request.uri.path
        if path != "/metrics" {
            metrics.record(method: request.method.rawValue, path: path, status: response.status.code, seconds: seconds)
        }
        logger.info("request", metadata: [
            "method": "\(request.method.rawValue)", "path": "\(path)",
            "status": "\(response.status.code)", "duration_ms": "\(Int(seconds * 1000))",
        ])
        return response
    }
}
