import Foundation

/// One request on the control socket: a `StackControl` call as data. On the wire it is one
/// JSON line, `{"id": 1, "op": "logs", "services": ["orders"], "tail": 20}`, and the server
/// checks it (`validate()`) before anything reaches the stack.
public enum ControlRequest: Sendable, Equatable {
    /// `snapshot`: the state now.
    case snapshot
    /// `changes`: snapshots as the stack changes (a stream).
    case changes
    /// `logs`: stored lines (a stream of batches that ends).
    case logs(LogQuery)
    /// `follow`: stored lines, then live ones (a stream).
    case follow(LogQuery)
    /// `start`, `stop`, `restart`: services by name.
    case start([String]), stop([String]), restart([String])
    /// `scale`: a service's replica count.
    case scale(service: String, replicas: Int)
    /// `shutdown`: stop the stack, optionally overriding every stop timeout.
    case shutdown(timeout: Duration?)
    /// `wait`: until ready, failed, or the timeout.
    case wait(timeout: Duration)
    /// `apply`: msvc.yaml at `file` to the running stack.
    case apply(file: String, services: [String], profiles: [String], environment: [String: String])
    /// `watch`: turn watch mode on or off for one watched service.
    case watch(service: String, enabled: Bool)

    /// The operation's name on the wire.
    public var op: String {
        switch self {
        case .snapshot: return "snapshot"
        case .changes: return "changes"
        case .logs: return "logs"
        case .follow: return "follow"
        case .start: return "start"
        case .stop: return "stop"
        case .restart: return "restart"
        case .scale: return "scale"
        case .shutdown: return "shutdown"
        case .wait: return "wait"
        case .apply: return "apply"
        case .watch: return "watch"
        }
    }

    /// Every operation the server knows.
    public static let operations = ["snapshot", "changes", "logs", "follow", "start", "stop", "restart", "scale", "shutdown", "wait", "apply", "watch"]

    /// Checks ranges and sizes; throws `ControlError.usage` saying what is wrong.
    public func validate() throws(ControlError) {
        switch self {
        case .snapshot, .changes: break
        case .logs(let q), .follow(let q): try q.check()
        case .start(let names), .stop(let names), .restart(let names):
            guard !names.isEmpty else { throw .usage("\(op) needs at least one service name") }
            try ControlLimits.checkNames(names)
        case .watch(let service, _):
            try ControlLimits.checkNames([service])
        case .scale(let service, let replicas):
            try ControlLimits.checkNames([service])
            guard (0...ControlLimits.maxReplicas).contains(replicas) else {
                throw .usage("replicas must be 0 to \(ControlLimits.maxReplicas), not \(replicas)")
            }
        case .shutdown(let timeout):
            if let timeout { try ControlLimits.checkTimeout(timeout, max: ControlLimits.maxStopTimeout, what: "the stop timeout") }
        case .wait(let timeout):
            try ControlLimits.checkTimeout(timeout, max: ControlLimits.maxWaitTimeout, what: "the wait timeout")
        case .apply(let file, let services, let profiles, let environment):
            guard !file.isEmpty, file.utf8.count <= 4096 else { throw .usage("apply needs the path of msvc.yaml (at most 4096 bytes)") }
            try ControlLimits.checkNames(services)
            try ControlLimits.checkNames(profiles, what: "profile")
            guard environment.count <= 10_000 else { throw .usage("apply: at most 10000 environment variables, not \(environment.count)") }
        }
    }
}

extension LogQuery {
    /// Checks the query's ranges and sizes; throws `ControlError.usage` saying what is wrong.
    public func check() throws(ControlError) {
        try ControlLimits.checkNames(services)
        if let tail, !(0...ControlLimits.maxTail).contains(tail) {
            throw .usage("the number of lines (-n) must be 0 to \(ControlLimits.maxTail), not \(tail)")
        }
        if let since, !since.timeIntervalSince1970.isFinite || abs(since.timeIntervalSince1970) > 1e11 {
            throw .usage("--since is out of range")
        }
        if let grep, grep.utf8.count > ControlLimits.maxPatternBytes {
            throw .usage("the --grep pattern is longer than \(ControlLimits.maxPatternBytes) bytes")
        }
    }
}

/// The control protocol's limits (docs/DECISIONS.md, "Control socket limits").
public enum ControlLimits {
    /// The longest request line the server reads.
    public static let requestBytes = 1 << 20
    /// The longest answer line a client reads; answers are built far smaller (batches).
    public static let responseBytes = 16 << 20
    /// Connections served at once; more get an error answer and are closed.
    public static let connections = 64
    /// How long a connection may take to send a complete request line.
    public static let requestTimeout: Duration = .seconds(30)
    /// The largest `tail` (`msvc logs -n`).
    public static let maxTail = Int(Int32.max)
    /// The most replicas a service may have.
    public static let maxReplicas = 256
    /// Longest accepted `--grep` pattern, in bytes.
    public static let maxPatternBytes = 4096
    /// The longest `wait` (`up --wait --timeout`).
    public static let maxWaitTimeout: Duration = .seconds(24 * 3600)
    /// The longest stop timeout (`down --timeout`).
    public static let maxStopTimeout: Duration = .seconds(3600)
    /// Most names in one request, and the longest name.
    static let maxNames = 1024, maxNameBytes = 256

    /// Throws when there are too many names or one is empty or too long.
    static func checkNames(_ names: [String], what: String = "service") throws(ControlError) {
        guard names.count <= maxNames else { throw .usage("at most \(maxNames) \(what) names in one request, not \(names.count)") }
        for n in names where n.isEmpty || n.utf8.count > maxNameBytes {
            throw .usage("a \(what) name must be 1 to \(maxNameBytes) bytes long")
        }
    }

    /// Throws when `d` is negative or above `max`.
    static func checkTimeout(_ d: Duration, max: Duration, what: String) throws(ControlError) {
        guard d >= .zero, d <= max else {
            throw .usage("\(what) must be 0 to \(Units.format(max)), not \(d)")
        }
    }
}

extension ControlRequest: Codable {
    enum CodingKeys: String, CodingKey {
        case op, services, tail, since, grep, service, replicas, timeoutMS = "timeout_ms", file, profiles, environment, enabled
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let op = try c.decode(String.self, forKey: .op)
        func names() throws -> [String] { try c.decodeIfPresent([String].self, forKey: .services) ?? [] }
        func query() throws -> LogQuery {
            LogQuery(services: try names(), tail: try c.decodeIfPresent(Int.self, forKey: .tail),
                     since: try c.decodeIfPresent(Date.self, forKey: .since), grep: try c.decodeIfPresent(String.self, forKey: .grep))
        }
        func milliseconds() throws -> Duration? {
            try c.decodeIfPresent(Int64.self, forKey: .timeoutMS).map { Duration.milliseconds($0) }
        }
        switch op {
        case "snapshot": self = .snapshot
        case "changes": self = .changes
        case "logs": self = .logs(try query())
        case "follow": self = .follow(try query())
        case "start": self = .start(try names())
        case "stop": self = .stop(try names())
        case "restart": self = .restart(try names())
        case "scale": self = .scale(service: try c.decode(String.self, forKey: .service), replicas: try c.decode(Int.self, forKey: .replicas))
        case "shutdown": self = .shutdown(timeout: try milliseconds())
        case "wait": self = .wait(timeout: try milliseconds() ?? .seconds(60))
        case "apply":
            self = .apply(file: try c.decode(String.self, forKey: .file), services: try names(),
                          profiles: try c.decodeIfPresent([String].self, forKey: .profiles) ?? [],
                          environment: try c.decodeIfPresent([String: String].self, forKey: .environment) ?? [:])
        case "watch": self = .watch(service: try c.decode(String.self, forKey: .service), enabled: try c.decode(Bool.self, forKey: .enabled))
        default:
            throw DecodingError.dataCorruptedError(forKey: .op, in: c, debugDescription:
                "unknown operation \"\(op.prefix(64))\" (known: \(Self.operations.joined(separator: ", ")))")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(op, forKey: .op)
        switch self {
        case .snapshot, .changes: break
        case .logs(let q), .follow(let q):
            try c.encode(q.services, forKey: .services)
            try c.encode(q.tail, forKey: .tail)
            try c.encode(q.since, forKey: .since)
            try c.encode(q.grep, forKey: .grep)
        case .start(let names), .stop(let names), .restart(let names):
            try c.encode(names, forKey: .services)
        case .scale(let service, let replicas):
            try c.encode(service, forKey: .service)
            try c.encode(replicas, forKey: .replicas)
        case .watch(let service, let enabled):
            try c.encode(service, forKey: .service)
            try c.encode(enabled, forKey: .enabled)
        case .shutdown(let timeout):
            if let timeout { try c.encode(Units.milliseconds(timeout), forKey: .timeoutMS) }
        case .wait(let timeout):
            try c.encode(Units.milliseconds(timeout), forKey: .timeoutMS)
        case .apply(let file, let services, let profiles, let environment):
            try c.encode(file, forKey: .file)
            try c.encode(services, forKey: .services)
            try c.encode(profiles, forKey: .profiles)
            var env = c.nestedContainer(keyedBy: AnyKey.self, forKey: .environment)
            for (k, v) in environment.sorted(by: { $0.key < $1.key }) { try env.encode(v, forKey: AnyKey(k)) }
        }
    }
}

/// A request line: the request and the id its answers carry.
public struct ControlRequestLine: Sendable, Equatable, Codable {
    /// Echoed in every answer line, so a client can tell answers apart.
    public var id: Int?
    /// The request.
    public var request: ControlRequest

    /// Creates a line.
    public init(id: Int?, request: ControlRequest) {
        self.id = id
        self.request = request
    }

    enum CodingKeys: String, CodingKey { case id }

    public init(from decoder: any Decoder) throws {
        id = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(Int.self, forKey: .id)
        request = try ControlRequest(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try request.encode(to: encoder)
    }

    /// Reads one line as the server does: UTF-8, JSON, the fields' types, then `validate()`.
    /// Every problem is a `ControlError.usage` saying what is wrong.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(ControlError) -> ControlRequestLine {
        guard String(validating: bytes.bindMemory(to: UInt8.self), as: UTF8.self) != nil else {
            throw .usage("the request is not valid UTF-8")
        }
        let json: JSON
        do { json = try JSON.parse(buffer: bytes.bindMemory(to: UInt8.self)) } catch {
            throw .usage("the request is not JSON: \(error.message) at byte \(error.offset)")
        }
        guard case .object = json else { throw .usage("the request must be a JSON object with an \"op\"") }
        let line: ControlRequestLine
        do { line = try JSONValueDecoder().decode(ControlRequestLine.self, from: json) } catch let e as DecodingError {
            throw .usage("invalid request: \(e.summary)")
        } catch {
            throw .usage("invalid request: \(error)")
        }
        try line.request.validate()
        return line
    }
}
