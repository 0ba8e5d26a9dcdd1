import Foundation

/// One stored or live log line.
public struct LogRecord: Sendable, Equatable {
    /// Which output stream.
    public enum Stream: String, Sendable { case stdout, stderr, system }

    /// Sequence number across the stack, increasing.
    public var seq: UInt64
    /// When msvc read it.
    public var time: Date
    /// The service.
    public var service: String
    /// Replica index, from 1.
    public var replica: Int
    /// stdout, stderr, or `system` for msvc's own notes (started, exited, restarting).
    public var stream: Stream
    /// The text, without the newline.
    public var text: String

    /// Creates a record.
    public init(seq: UInt64, time: Date, service: String, replica: Int, stream: Stream, text: String) {
        self.seq = seq
        self.time = time
        self.service = service
        self.replica = replica
        self.stream = stream
        self.text = text
    }
}

/// Which log lines to return.
public struct LogQuery: Sendable, Equatable {
    /// Only these services (empty: all).
    public var services: [String] = []
    /// At most this many of the newest stored lines (nil: all kept).
    public var tail: Int?
    /// Only lines newer than this.
    public var since: Date?
    /// Only lines matching this regular expression.
    public var grep: String?

    /// Creates a query.
    public init(services: [String] = [], tail: Int? = nil, since: Date? = nil, grep: String? = nil) {
        self.services = services
        self.tail = tail
        self.since = since
        self.grep = grep
    }
}

/// What a log reader receives: lines, or how many lines it missed because it fell behind
/// (they are still in the log files).
public enum LogEvent: Sendable, Equatable {
    /// Lines in order, a bounded batch.
    case records([LogRecord])
    /// This many lines of the followed services were dropped from memory before this reader
    /// got to them; the next lines follow the gap.
    case missed(Int)
}

/// What an action did, for the status line or the terminal.
public struct ActionResult: Sendable, Equatable {
    /// Whether every part succeeded.
    public var ok: Bool
    /// One line for people.
    public var message: String

    /// Creates a result.
    public init(ok: Bool, message: String) {
        self.ok = ok
        self.message = message
    }
}

/// Problems talking to or acting on a stack. The kind survives the control socket, so the
/// CLI exits the same way in-process and over the socket.
public enum ControlError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No supervisor answers for this folder.
    case notRunning(String)
    /// A service name that is not in the stack (the message carries did-you-mean).
    case unknownService(String)
    /// A request argument out of range or malformed (`scale orders=-1`).
    case usage(String)
    /// The request cannot be carried out now (the stack is shutting down, a service is not part of this run).
    case invalid(String)
    /// msvc.yaml given to `apply` is invalid: its diagnostics.
    case invalidConfig(String)
    /// The socket or the answer was unusable.
    case protocolError(String)

    public var description: String {
        switch self {
        case .notRunning(let dir): return "no stack is running for \(dir); start one with \"msvc up\""
        case .unknownService(let m): return m.hasPrefix("unknown service") ? m : "unknown service \"\(m)\""
        case .usage(let m), .invalid(let m), .invalidConfig(let m): return m
        case .protocolError(let m): return "control socket: \(m)"
        }
    }

    /// The name of the kind on the wire.
    public var kind: String {
        switch self {
        case .notRunning: return "notRunning"
        case .unknownService: return "unknownService"
        case .usage: return "usage"
        case .invalid: return "invalid"
        case .invalidConfig: return "invalidConfig"
        case .protocolError: return "protocol"
        }
    }

    /// Rebuilds an error from its wire kind and message.
    public static func from(kind: String?, message: String) -> ControlError {
        switch kind {
        case "notRunning": return .notRunning(message)
        case "unknownService": return .unknownService(message)
        case "usage": return .usage(message)
        case "invalid": return .invalid(message)
        case "invalidConfig": return .invalidConfig(message)
        default: return .protocolError(message)
        }
    }
}

/// The one narrow interface between a running stack and everything that watches or drives it:
/// the dashboard, `msvc ps/logs/start/stop/restart/scale/down`, and tests. The supervisor
/// implements it in-process; the control client implements it over the socket. The socket
/// form of each call is a `ControlRequest`.
public protocol StackControl: Sendable {
    /// The state of every service and replica now.
    func snapshot() async throws -> StackSnapshot
    /// The stack's state as it changes: a snapshot at once, then one after each change
    /// (coalesced, at most about ten a second) and about once a second regardless (CPU and
    /// memory move on their own). Ends when the stack has stopped.
    func changes() async throws -> AsyncThrowingStream<StackSnapshot, any Error>
    /// Stored log lines matching `query`, oldest first.
    func logs(_ query: LogQuery) async throws -> [LogRecord]
    /// Stored lines matching `query`, then live ones as they arrive, in bounded batches, until
    /// the stack stops or the consumer does. A consumer that falls behind gets `.missed(n)`.
    func follow(_ query: LogQuery) async throws -> AsyncThrowingStream<LogEvent, any Error>
    /// Starts stopped services.
    func start(_ services: [String]) async throws -> ActionResult
    /// Stops services (dependents keep running).
    func stop(_ services: [String]) async throws -> ActionResult
    /// Restarts services.
    func restart(_ services: [String]) async throws -> ActionResult
    /// Changes a service's replica count.
    func scale(_ service: String, to replicas: Int) async throws -> ActionResult
    /// Turns watch mode on or off for a service that is watched (`watch:` in msvc.yaml, or
    /// `msvc up --watch`); a service that is not watched is `ControlError.invalid`.
    func watch(_ service: String, enabled: Bool) async throws -> ActionResult
    /// Stops the whole stack in reverse dependency order; `timeout` overrides every
    /// service's stop_timeout.
    func shutdown(timeout: Duration?) async throws -> ActionResult
    /// Waits until every service is ready, one fails, or `timeout` passes.
    func waitUntilReady(timeout: Duration) async throws -> ReadyOutcome
    /// Applies msvc.yaml at `file` (interpolated with `environment`) to the running stack,
    /// as `msvc up` on a running stack does: `services` and `profiles` select as `up`'s do.
    func apply(file: String, services: [String], profiles: [String], environment: [String: String]) async throws -> ApplyResult
}
