import DequeModule
import Foundation
import Synchronization

/// The in-memory log of a stack: a ring buffer per service, one sequence across the stack,
/// and live subscribers (the dashboard, `msvc logs -f`). Appends come in batches, one per
/// pipe read, so the lock is taken once per batch rather than once per line.
public final class LogHub: Sendable {
    /// Lines kept per service.
    public let capacity: Int
    private let state: Mutex<State>

    private struct Subscriber {
        enum Sink {
            case records(AsyncThrowingStream<LogRecord, any Error>.Continuation)
            case batches(AsyncThrowingStream<[LogRecord], any Error>.Continuation)
        }
        var query: LogQuery
        var filter: LineFilter
        var sink: Sink

        func send(_ records: [LogRecord]) {
            let matching = records.filter(filter.matches)
            guard !matching.isEmpty else { return }
            switch sink {
            case .records(let c): for r in matching { c.yield(r) }
            case .batches(let c): c.yield(matching)
            }
        }

        func finish() {
            switch sink {
            case .records(let c): c.finish()
            case .batches(let c): c.finish()
            }
        }
    }

    private struct State {
        var seq: UInt64 = 0
        var buffers: [String: Deque<LogRecord>] = [:]
        var subscribers: [UInt64: Subscriber] = [:]
        var nextSubscriber: UInt64 = 0
    }

    /// Creates a hub keeping `capacity` lines per service.
    public init(capacity: Int = 10_000) {
        self.capacity = capacity
        state = Mutex(State())
    }

    /// One line to add.
    public struct Entry: Sendable {
        /// Service name.
        public var service: String
        /// Replica index.
        public var replica: Int
        /// Stream.
        public var stream: LogRecord.Stream
        /// Text without newline.
        public var text: String

        /// Creates an entry.
        public init(service: String, replica: Int, stream: LogRecord.Stream, text: String) {
            self.service = service
            self.replica = replica
            self.stream = stream
            self.text = text
        }
    }

    /// Adds lines in order; returns them as stored records.
    @discardableResult
    public func append(_ entries: [Entry]) -> [LogRecord] {
        guard !entries.isEmpty else { return [] }
        let now = Date()
        return state.withLock { s in
            var records: [LogRecord] = []
            records.reserveCapacity(entries.count)
            // A batch is usually one pipe read of one service: look its ring up once per run of
            // lines from the same service, not once per line (hashing was a tenth of the cost).
            var i = 0
            while i < entries.count {
                let service = entries[i].service
                var buffer = s.buffers.removeValue(forKey: service) ?? Deque(minimumCapacity: 256)
                while i < entries.count, entries[i].service == service {
                    let e = entries[i]
                    s.seq += 1
                    let r = LogRecord(seq: s.seq, time: now, service: service, replica: e.replica, stream: e.stream, text: e.text)
                    if buffer.count >= capacity { buffer.removeFirst() }
                    buffer.append(r)
                    records.append(r)
                    i += 1
                }
                s.buffers[service] = buffer
            }
            for sub in s.subscribers.values { sub.send(records) }
            return records
        }
    }

    /// Adds one line.
    @discardableResult
    public func append(_ entry: Entry) -> LogRecord { append([entry])[0] }

    /// Stored lines matching `query`, oldest first.
    public func query(_ query: LogQuery) throws -> [LogRecord] {
        let filter = try LineFilter(query)
        return state.withLock { s in Self.select(s, query, filter) }
    }

    /// The last `count` stored lines of one service (for crash views).
    public func tail(of service: String, replica: Int? = nil, count: Int) -> [LogRecord] {
        state.withLock { s in
            guard let buffer = s.buffers[service] else { return [] }
            var out: [LogRecord] = []
            for r in buffer.reversed() where replica == nil || r.replica == replica {
                out.append(r)
                if out.count == count { break }
            }
            return out.reversed()
        }
    }

    /// Stored lines matching `query`, then live ones, until the consumer stops or `finishAll` runs.
    public func follow(_ query: LogQuery) throws -> AsyncThrowingStream<LogRecord, any Error> {
        let (stream, continuation) = AsyncThrowingStream<LogRecord, any Error>.makeStream()
        let id = try subscribe(query, .records(continuation))
        continuation.onTermination = { [weak self] _ in self?.unsubscribe(id) }
        return stream
    }

    /// Like `follow`, but one element per appended batch (a pipe read): the form for consumers
    /// that handle many lines at once, such as the dashboard and the control socket.
    public func followBatches(_ query: LogQuery) throws -> AsyncThrowingStream<[LogRecord], any Error> {
        let (stream, continuation) = AsyncThrowingStream<[LogRecord], any Error>.makeStream()
        let id = try subscribe(query, .batches(continuation))
        continuation.onTermination = { [weak self] _ in self?.unsubscribe(id) }
        return stream
    }

    private func subscribe(_ query: LogQuery, _ sink: Subscriber.Sink) throws -> UInt64 {
        let stored = try LineFilter(query)
        // Live lines are filtered by service and pattern only; `tail` and `since` shape the backlog.
        let live = try LineFilter(LogQuery(services: query.services, grep: query.grep))
        return state.withLock { s in
            Subscriber(query: query, filter: stored, sink: sink).send(Self.select(s, query, stored))
            s.nextSubscriber += 1
            s.subscribers[s.nextSubscriber] = Subscriber(query: query, filter: live, sink: sink)
            return s.nextSubscriber
        }
    }

    private func unsubscribe(_ id: UInt64) {
        _ = state.withLock { $0.subscribers.removeValue(forKey: id) }
    }

    /// Ends every live subscription (the stack is gone).
    public func finishAll() {
        let subs = state.withLock { s -> [Subscriber] in
            let all = Array(s.subscribers.values)
            s.subscribers.removeAll()
            return all
        }
        for sub in subs { sub.finish() }
    }

    private static func select(_ s: State, _ query: LogQuery, _ filter: LineFilter) -> [LogRecord] {
        let names = query.services.isEmpty ? Array(s.buffers.keys) : query.services
        var out: [LogRecord] = []
        for name in names {
            guard let buffer = s.buffers[name] else { continue }
            out.append(contentsOf: buffer.filter(filter.matches))
        }
        out.sort { $0.seq < $1.seq }
        if let tail = query.tail, out.count > tail { out.removeFirst(out.count - tail) }
        return out
    }
}

/// A compiled `LogQuery` filter. NSRegularExpression is immutable and documented thread-safe,
/// unlike `Regex`, which is not `Sendable`.
struct LineFilter: Sendable {
    let services: Set<String>
    let since: Date?
    let regex: NSRegularExpression?

    init(_ q: LogQuery) throws {
        services = Set(q.services)
        since = q.since
        regex = try q.grep.map { try NSRegularExpression(pattern: $0) }
    }

    func matches(_ r: LogRecord) -> Bool {
        if !services.isEmpty && !services.contains(r.service) { return false }
        if let since, r.time < since { return false }
        if let regex {
            let range = NSRange(r.text.startIndex..., in: r.text)
            return regex.firstMatch(in: r.text, range: range) != nil
        }
        return true
    }
}
