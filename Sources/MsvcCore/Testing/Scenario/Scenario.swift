import Foundation

/// An end-to-end scenario file (docs/reference.md, "E2E scenario files"): steps that send requests or run commands.
public struct Scenario: Sendable {
    /// The scenario's name (default: the file name without extension).
    public var name: String
    /// The file, as the user should see it.
    public var file: String
    /// The steps, in order.
    public var steps: [ScenarioStep]
    /// Every string that may hold `${VAR}`, with where it is, for checks before anything runs.
    public var templates: [TemplateUse]

    /// Creates a scenario.
    public init(name: String, file: String, steps: [ScenarioStep], templates: [TemplateUse] = []) {
        self.name = name
        self.file = file
        self.steps = steps
        self.templates = templates
    }
}

/// A string of a scenario that is expanded when its step runs.
public struct TemplateUse: Sendable, Equatable {
    /// The text as written.
    public var text: String
    /// Where it is.
    public var mark: SourceMark
    /// The key path (`steps[1].request.url`).
    public var path: String
    /// The index of the step it belongs to.
    public var step: Int
    /// Whether the scalar was quoted (its text starts one column after `mark`).
    public var quoted: Bool

    /// Where character `offset` of the text is, exact for single-line text.
    public func mark(at offset: Int) -> SourceMark {
        guard !text.contains("\n") else { return mark }
        return SourceMark(line: mark.line, column: mark.column + (quoted ? 1 : 0) + offset)
    }
}

/// One step: a request or a command, with what is expected of it.
public struct ScenarioStep: Sendable {
    /// What the step does.
    public enum Action: Sendable {
        /// Send an HTTP request.
        case request(ScenarioRequest)
        /// Run a command through `/bin/sh -c`; it passes when it exits 0.
        case run(String)
    }

    /// The step's name (default: `METHOD URL` or the command).
    public var name: String
    /// Where the step starts in the file.
    public var mark: SourceMark
    /// What it does.
    public var action: Action
    /// What the response must look like.
    public var expect: ScenarioExpectation
    /// Values taken from the response body for later steps: name and JSONPath.
    public var captures: [(name: String, path: JSONPath)]
    /// Tries and the pause between them, for eventual consistency.
    public var retry: ScenarioRetry
    /// Limit for one request.
    public var timeout: Duration

    /// Creates a step.
    public init(name: String, mark: SourceMark, action: Action, expect: ScenarioExpectation = ScenarioExpectation(),
                captures: [(name: String, path: JSONPath)] = [], retry: ScenarioRetry = ScenarioRetry(),
                timeout: Duration = ScenarioStep.defaultTimeout) {
        self.name = name
        self.mark = mark
        self.action = action
        self.expect = expect
        self.captures = captures
        self.retry = retry
        self.timeout = timeout
    }

    /// The default limit for one request.
    public static let defaultTimeout: Duration = .seconds(10)
}

/// An HTTP request of a step; strings may hold `${VAR}`.
public struct ScenarioRequest: Sendable {
    /// The body to send.
    public enum Body: Sendable {
        /// No body.
        case none
        /// A JSON document (sent with `Content-Type: application/json` unless a header says otherwise).
        case json(JSON)
        /// Text as written.
        case text(String)
    }

    /// `GET`, `POST`, ...
    public var method: String
    /// `http://...`, usually `${SERVICE_URL}/path`.
    public var url: String
    /// Headers in order.
    public var headers: [(String, String)]
    /// The body.
    public var body: Body

    /// Creates a request.
    public init(method: String, url: String, headers: [(String, String)] = [], body: Body = .none) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// What a step's response must satisfy.
public struct ScenarioExpectation: Sendable {
    /// Accepted status codes; nil accepts any 2xx.
    public var status: [Int]?
    /// Headers (names case-insensitive) and what their value must be (a JSON string or a `$match`).
    public var headers: [(String, JSON)]
    /// A JSON subset the response body must contain.
    public var json: JSON?
    /// What the whole body text must be (a JSON string or a `$match`).
    public var body: JSON?

    /// Creates an expectation that accepts any 2xx.
    public init(status: [Int]? = nil, headers: [(String, JSON)] = [], json: JSON? = nil, body: JSON? = nil) {
        self.status = status
        self.headers = headers
        self.json = json
        self.body = body
    }
}

/// How often a step is tried before it fails.
public struct ScenarioRetry: Sendable, Equatable {
    /// Tries in all, at least 1.
    public var attempts: Int = 1
    /// Pause between tries.
    public var interval: Duration = .milliseconds(500)

    /// Creates a retry policy (one try by default).
    public init(attempts: Int = 1, interval: Duration = .milliseconds(500)) {
        self.attempts = attempts
        self.interval = interval
    }
}
