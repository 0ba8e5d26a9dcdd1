/// The OpenAPI documents of the services an e2e suite starts (those with `openapi:` in
/// msvc.yaml): every response a scenario step gets from one of them is checked against its
/// document with the four conformance checks.
///
/// A step's request belongs to a service when it goes to the service's discovery address
/// (`ORDERS_HOST`:`ORDERS_PORT`, the balanced port). A request that no operation of the
/// document matches is not checked; the step's output says so.
public struct ResponseContracts: Sendable {
    /// One service's document.
    public struct Entry: Sendable {
        /// The service.
        public var service: String
        /// Its OpenAPI document (named as in msvc.yaml).
        public var document: OpenAPIDocument

        /// Creates an entry.
        public init(service: String, document: OpenAPIDocument) {
            self.service = service
            self.document = document
        }
    }

    /// The documents, by service.
    public var entries: [Entry]

    /// Creates the set.
    public init(_ entries: [Entry] = []) { self.entries = entries }

    /// What checking one response found: every failed check, or a note when the response
    /// was not checked because no operation matches the request.
    public struct Verdict: Sendable, Equatable {
        /// Failed checks, each with its check, JSON path and message, and where it applies.
        public var problems: [String] = []
        /// Why the response was not checked, for the step's output.
        public var note: String?
    }

    /// Checks `response` to `request` against the document of the service it came from, if
    /// any; `environment` holds the suite's discovery variables.
    public func check(_ request: HTTPRequest, _ response: HTTPResponse, environment: [String: String]) -> Verdict {
        guard let entry = entries.first(where: { Self.addresses($0.service, environment).contains(where: { $0 == (request.host, request.port) }) }) else {
            return Verdict()
        }
        let document = entry.document
        let path = String(request.target.prefix { $0 != "?" && $0 != "#" })
        guard let op = OpenAPIConformance.operation(method: request.method, path: path, in: document) else {
            return Verdict(note: "openapi: \(request.method) \(path) matches no operation of \(document.source) (\(entry.service)); the response was not checked")
        }
        let failures = OpenAPIConformance.check(response: response, operation: op, in: document)
        return Verdict(problems: failures.map { "\($0.description) (\(entry.service) \(op.name), \(document.source))" })
    }

    /// The host and port a service is reached at, from discovery (`ORDERS_HOST`, `ORDERS_PORT`).
    static func addresses(_ service: String, _ environment: [String: String]) -> [(String, Int)] {
        let prefix = Naming.envPrefix(service)
        guard let port = environment[prefix + "_PORT"].flatMap(Int.init) else { return [] }
        let host = environment[prefix + "_HOST"] ?? "127.0.0.1"
        // Loopback spelled either way reaches the same listener.
        let loopback = ["127.0.0.1", "localhost"]
        return (loopback.contains(host) ? loopback : [host]).map { ($0, port) }
    }
}
