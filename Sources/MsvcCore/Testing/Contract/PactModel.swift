/// The Pact specification version a file declares.
public enum PactSpecification: String, Sendable, Comparable {
    case v1 = "1.0.0", v2 = "2.0.0", v3 = "3.0.0", v4 = "4.0"

    public static func < (a: PactSpecification, b: PactSpecification) -> Bool { a.rank < b.rank }
    private var rank: Int { switch self { case .v1: 1; case .v2: 2; case .v3: 3; case .v4: 4 } }

    /// `V2`, `V3`, ... for reports.
    public var label: String { switch self { case .v1: "V1"; case .v2: "V2"; case .v3: "V3"; case .v4: "V4" } }
}

/// A request or response body as a pact states it.
public enum PactBody: Sendable, Equatable {
    /// No body key: the body does not matter.
    case missing
    /// `"body": null`.
    case null
    /// An empty body (`""`): the actual body must be empty.
    case empty
    /// Bytes, with the content type the pact gave them (V4 body objects), if any.
    case present([UInt8], contentType: MediaType?)

    /// The bytes, empty for the other cases.
    public var bytes: [UInt8] {
        if case .present(let b, _) = self { return b }
        return []
    }

    /// The body as text for reports.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// True for a present, non-empty body.
    public var isPresent: Bool { if case .present = self { return true } else { return false } }
}

/// Headers as Pact holds them: names in file order, each with its values.
public typealias PactHeaders = [(name: String, values: [String])]

/// A provider state an interaction needs, with its parameters.
public struct ProviderState: Sendable, Equatable {
    /// The state's name.
    public var name: String
    /// Parameters (a JSON object).
    public var params: JSON

    /// Creates a state.
    public init(name: String, params: JSON = .object([])) {
        self.name = name
        self.params = params
    }
}

/// One side (request or response) of an HTTP interaction.
public protocol PactHTTPPart: Sendable {
    /// Headers, nil when the pact names none.
    var headers: PactHeaders? { get }
    /// The body.
    var body: PactBody { get }
}

extension PactHTTPPart {
    /// The value of header `name` (case-insensitive), values joined by `, `.
    public func header(_ name: String) -> String? {
        headers?.first { $0.name.lowercased() == name.lowercased() }.map { $0.values.joined(separator: ", ") }
    }

    /// The body's content type: the body's own (V4), else the Content-Type header, else a guess
    /// from the first characters of the body.
    public var contentType: MediaType? {
        if case .present(_, let t?) = body { return t }
        if let h = header("content-type"), let t = MediaType(h) { return t }
        if case .present(let b, _) = body { return MediaType.sniff(Substring(String(decoding: b.prefix(64), as: UTF8.self))) }
        return nil
    }
}

/// The request of an HTTP interaction.
public struct PactRequest: PactHTTPPart, Sendable {
    /// Method, upper case.
    public var method: String = "GET"
    /// Path, not encoded.
    public var path: String = "/"
    /// Query parameters, nil when the pact names none.
    public var query: [(name: String, values: [String])]?
    public var headers: PactHeaders?
    public var body: PactBody = .missing
    /// Matching rules.
    public var rules = MatchingRules()
    /// Generators by category.
    public var generators = PactGenerators()

    /// Creates a `GET /` request.
    public init() {}
}

/// The response of an HTTP interaction.
public struct PactResponse: PactHTTPPart, Sendable {
    /// Status code.
    public var status: Int = 200
    public var headers: PactHeaders?
    public var body: PactBody = .missing
    /// Matching rules.
    public var rules = MatchingRules()
    /// Generators by category.
    public var generators = PactGenerators()

    /// Creates a `200` response.
    public init() {}
}

/// One HTTP interaction of a pact.
public struct PactInteraction: Sendable {
    /// What the consumer does, e.g. "a request for order 1".
    public var description: String
    /// V4 key, if any.
    public var key: String?
    /// Provider states, in order.
    public var states: [ProviderState] = []
    /// V4 pending interaction: verified, but its failure does not fail the run.
    public var pending = false
    /// V4 comments, kept for reports.
    public var comments: JSON?
    /// The request to send.
    public var request = PactRequest()
    /// The response expected.
    public var response = PactResponse()
    /// Position of the interaction in the file (1-based), for reports.
    public var ordinal: Int = 0

    /// Creates an interaction.
    public init(description: String) { self.description = description }
}

/// A pact file: who consumes whom, and the HTTP interactions to verify.
public struct Pact: Sendable {
    /// Consumer name.
    public var consumer: String
    /// Provider name.
    public var provider: String
    /// Declared specification version.
    public var specification: PactSpecification
    /// HTTP interactions in file order.
    public var interactions: [PactInteraction]
    /// Interactions of other kinds (messages) that an HTTP verifier skips, by description.
    public var skippedKinds: [(description: String, kind: String)]
    /// Where it was read from.
    public var source: String

    /// Creates a pact.
    public init(consumer: String, provider: String, specification: PactSpecification, interactions: [PactInteraction],
                skippedKinds: [(description: String, kind: String)] = [], source: String) {
        self.consumer = consumer
        self.provider = provider
        self.specification = specification
        self.interactions = interactions
        self.skippedKinds = skippedKinds
        self.source = source
    }
}
