import DequeModule
import Foundation
import Synchronization

/// The in-memory log of a stack: a ring buffer per service and one sequence across the
/// stack. Appends come in batches, one per pipe read, so the lock is taken once per batch.
///
/// Readers (`query`, `follow`, the control socket) are cursors over the rings, not queues
/// filled by the writer: a reader that falls behind costs no memory, and when the ring has
/// dropped lines it had not read yet it is told how many (the files keep them). User
/// patterns (`--grep`) are matched outside the lock, within a time budget.
public final class LogHub: Sendable {
    /// Lines kept per service.
    public let capacity: Int
    let state: Mutex<State>
    private let budget: Atomic<Int64>

    /// One service's lines, oldest first.
    struct Ring {
        var records: Deque<LogRecord>
        /// Lines dropped from the front so far: the absolute index of `records.first`.
        var dropped = 0

        /// The absolute index one past the newest line.
        var end: Int { dropped + records.count }

        /// The absolute index of the first line with `seq >= seq`.
        func position(ofSeq seq: UInt64) -> Int {
            var lo = 0, hi = records.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if records[mid].seq < seq { lo = mid + 1 } else { hi = mid }
            }
            return dropped + lo
        }
    }

    /// Everything behind the lock.
    struct State {
        var seq: UInt64 = 0
        var rings: [String: Ring] = [:]
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter: UInt64 = 0
        var finished = false
    }

    /// Creates a hub keeping `capacity` lines per service.
    public init(capacity: Int = 10_000) {
        self.capacity = max(1, capacity)
        state = Mutex(State())
        budget = Atomic(Int64(Self.defaultBudget.components.seconds * 1_000_000_000))
    }

    /// How long a query may spend matching `--grep` by default (docs/DECISIONS.md).
    public static let defaultBudget: Duration = .seconds(2)

    /// How long one query (or one batch of a follow) may spend matching its pattern before
    /// it stops with an error.
    public var queryBudget: Duration {
        get { .nanoseconds(budget.load(ordering: .relaxed)) }
        set {
            let ns = newValue.components.seconds * 1_000_000_000 + newValue.components.attoseconds / 1_000_000_000
            budget.store(max(1, ns), ordering: .relaxed)
        }
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
        let (records, waiters) = state.withLock { s -> ([LogRecord], [CheckedContinuation<Void, Never>]) in
            var records: [LogRecord] = []
            records.reserveCapacity(entries.count)
            // A batch is usually one pipe read of one service: look its ring up once per run of
            // lines from the same service, not once per line (hashing was a tenth of the cost).
            var i = 0
            while i < entries.count {
                let service = entries[i].service
                var ring = s.rings.removeValue(forKey: service) ?? Ring(records: Deque(minimumCapacity: 256))
                while i < entries.count, entries[i].service == service {
                    let e = entries[i]
                    s.seq += 1
                    let r = LogRecord(seq: s.seq, time: now, service: service, replica: e.replica, stream: e.stream, text: e.text)
                    if ring.records.count >= capacity {
                        ring.records.removeFirst()
                        ring.dropped += 1
                    }
                    ring.records.append(r)
                    records.append(r)
                    i += 1
                }
                s.rings[service] = ring
            }
            guard !s.waiters.isEmpty else { return (records, []) }
            let woken = Array(s.waiters.values)
            s.waiters.removeAll(keepingCapacity: true)
            return (records, woken)
        }
        for w in waiters { w.resume() }
        return records
    }

    /// Adds one line.
    @discardableResult
    public func append(_ entry: Entry) -> LogRecord { append([entry])[0] }

    /// Stored lines matching `query`, oldest first, matched on the calling thread within
    /// the query budget. Throws `ControlError.usage` for a bad query and `.invalid` when the
    /// pattern ran out of budget.
    public func query(_ query: LogQuery) throws(ControlError) -> [LogRecord] {
        let cursor = try LogCursor(hub: self, query: query, live: false)
        var out: [LogRecord] = []
        while let event = try cursor.nextNow() {
            if case .records(let batch) = event { out.append(contentsOf: batch) }
        }
        return out
    }

    /// Stored lines matching `query`, oldest first, matched on the query runner's threads
    /// (never the caller's) within the query budget.
    public func records(_ query: LogQuery) async throws -> [LogRecord] {
        let cursor = try LogCursor(hub: self, query: query, live: false)
        var out: [LogRecord] = []
        while let event = try await cursor.next() {
            if case .records(let batch) = event { out.append(contentsOf: batch) }
        }
        return out
    }

    /// Stored lines matching `query`, then live ones as they arrive, in batches of bounded
    /// size, until the consumer stops or `finishAll` has run and every line was read.
    public func follow(_ query: LogQuery) throws(ControlError) -> AsyncThrowingStream<LogEvent, any Error> {
        stream(try LogCursor(hub: self, query: query, live: true))
    }

    private func stream(_ cursor: LogCursor) -> AsyncThrowingStream<LogEvent, any Error> {
        // Pulled by the consumer: nothing is read ahead, so a slow consumer holds no lines.
        AsyncThrowingStream(unfolding: { try await cursor.next() })
    }

    /// The last `count` stored lines of one service (for crash views).
    public func tail(of service: String, replica: Int? = nil, count: Int) -> [LogRecord] {
        guard count > 0 else { return [] }
        return state.withLock { s in
            guard let ring = s.rings[service] else { return [] }
            var out: [LogRecord] = []
            for r in ring.records.reversed() where replica == nil || r.replica == replica {
                out.append(r)
                if out.count == count { break }
            }
            return out.reversed()
        }
    }

    /// Ends every live follow once it has read what is stored (the stack is gone).
    public func finishAll() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.finished = true
            defer { s.waiters.removeAll() }
            return Array(s.waiters.values)
        }
        for w in waiters { w.resume() }
    }

    /// Returns once a line newer than `seq` is stored, the hub is finished, or the task is
    /// cancelled.
    func waitForLines(after seq: UInt64) async {
        let id = state.withLock { s in
            s.nextWaiter &+= 1
            return s.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let now = state.withLock { s -> Bool in
                    if s.seq > seq || s.finished || Task.isCancelled { return true }
                    s.waiters[id] = c
                    return false
                }
                if now { c.resume() }
            }
        } onCancel: {
            let w = state.withLock { $0.waiters.removeValue(forKey: id) }
            w?.resume()
        }
    }
}

/// A compiled `LogQuery` filter. The pattern is a `LinePattern`: linear time per line, so a
/// query cannot stall the hub's lock or the supervisor, whatever the user typed.
struct LineFilter: Sendable {
    let services: Set<String>
    let since: Date?
    let pattern: LinePattern?

    init(_ q: LogQuery) throws(PatternError) {
        services = Set(q.services)
        since = q.since
        pattern = try q.grep.map { (g: String) throws(PatternError) in try LinePattern(g) }
    }

    func matches(_ r: LogRecord) -> Bool {
        if !services.isEmpty && !services.contains(r.service) { return false }
        if let since, r.time < since { return false }
        if let pattern { return pattern.matches(r.text) }
        return true
    }
}
