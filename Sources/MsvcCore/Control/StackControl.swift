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

/// Problems talking to or acting on a stack.
public enum ControlError: Error, Sendable, Equatable, CustomStringConvertible {
    case notRunning(String)
    case unknownService(String)
    case invalid(String)
    case protocolError(String)

    public var description: String {
        switch self {
        case .notRunning(let dir): return "no stack is running for \(dir); start one with \"msvc up\""
        case .unknownService(let s): return "unknown service \"\(s)\""
        case .invalid(let m): return m
        case .protocolError(let m): return "control socket: \(m)"
        }
    }
}

/// The one narrow interface between a running stack and everything that watches or drives it:
/// the dashboard, `msvc ps/logs/start/stop/restart/scale/down`, and tests. The supervisor
/// implements it in-process; the control client implements it over the socket.
public protocol StackControl: Sendable {
    /// The state of every service and replica now.
    func snapshot() async throws -> StackSnapshot
    /// Stored log lines matching `query`, oldest first.
    func logs(_ query: LogQuery) async throws -> [LogRecord]
    /// Stored lines matching `query`, then live ones as they arrive, until cancelled.
    func follow(_ query: LogQuery) async throws -> AsyncThrowingStream<LogRecord, any Error>
    /// The same lines in batches as they were read, for consumers that take many at once.
    func followBatches(_ query: LogQuery) async throws -> AsyncThrowingStream<[LogRecord], any Error>
    /// Starts stopped services.
    func start(_ services: [String]) async throws -> ActionResult
    /// Stops services (dependents keep running).
    func stop(_ services: [String]) async throws -> ActionResult
    /// Restarts services.
    func restart(_ services: [String]) async throws -> ActionResult
    /// Changes a service's replica count.
    func scale(_ service: String, to replicas: Int) async throws -> ActionResult
    /// Stops the whole stack in reverse dependency order; `timeout` overrides every
    /// service's stop_timeout.
    func shutdown(timeout: Duration?) async throws -> ActionResult
    /// Waits until every service is ready, one fails, or `timeout` passes.
    func waitUntilReady(timeout: Duration) async throws -> ReadyOutcome
}
