import DequeModule
import Foundation
import Synchronization

/// One reader's place in a `LogHub`: a position per service ring. The hub's lock is held
/// only to copy a page of lines out; matching happens after, within the query budget (on the
/// query runner's threads when there is a pattern). Nothing is queued for the reader, so a
/// reader that stops costs nothing, and one that falls behind the rings is told how many
/// lines it missed.
final class LogCursor: Sendable {
    /// Most lines in one batch.
    static let pageLines = 1_000
    /// Most bytes of text in one batch (a line may be up to 64 KiB on its own).
    static let pageBytes = 256 << 10
    /// Lines copied at a time while looking back for `tail` lines.
    static let scanChunk = 4_096
    /// How long a follower that has caught up lets new lines gather before it reads them:
    /// one batch every few milliseconds rather than one per pipe read of every service.
    static let gather: Duration = .milliseconds(10)

    private let hub: LogHub
    private let query: LogQuery
    private let filter: LineFilter
    private let live: Bool
    /// The newest line when the cursor was made: `tail` counts back from it.
    private let anchorSeq: UInt64
    /// A stored-lines query reads up to its anchor; a follow has no end.
    private var endSeq: UInt64? { live ? nil : anchorSeq }
    private let state = Mutex(Position())

    private struct Position {
        var started = false
        /// Absolute index of the next line to read, by service; a ring without an entry is
        /// read from its oldest line.
        var positions: [String: Int] = [:]
        /// A page read but not yet delivered (a `missed` event went first).
        var pending: [LogRecord]?
        /// When a stored-lines query must be done.
        var deadline: ContinuousClock.Instant?
    }

    private struct Page {
        var records: [LogRecord] = []
        var missed = 0
        var seen: UInt64 = 0
        var finished = false
    }

    /// A cursor for `query`; throws `ControlError.usage` for a query out of range or a bad pattern.
    init(hub: LogHub, query: LogQuery, live: Bool) throws(ControlError) {
        try query.check()
        self.hub = hub
        self.query = query
        self.live = live
        do { filter = try LineFilter(query) } catch {
            throw .usage("invalid --grep pattern \"\(query.grep ?? "")\": \(error)")
        }
        anchorSeq = hub.state.withLock { $0.seq }
    }

    private var hasPattern: Bool { query.grep != nil }

    // MARK: - Reading

    /// The next batch (or missed count), waiting for new lines when following; nil at the end.
    func next() async throws -> LogEvent? {
        if !state.withLock({ $0.started }) {
            let until = deadline()
            if hasPattern { try await onRunner(until) { () throws(ControlError) in try self.start(until) } } else { try start(until) }
        }
        while !Task.isCancelled {
            let page: Page
            if let pending = state.withLock({ s -> [LogRecord]? in defer { s.pending = nil }; return s.pending }) {
                page = Page(records: pending)
            } else {
                page = read()
                if page.missed > 0 {
                    if !page.records.isEmpty { state.withLock { $0.pending = page.records } }
                    return .missed(page.missed)
                }
            }
            if page.records.isEmpty {
                if !live || page.finished { return nil }
                await hub.waitForLines(after: page.seen)
                try? await Task.sleep(for: Self.gather)
                continue
            }
            let matched: [LogRecord]
            let until = deadline()
            if hasPattern {
                matched = try await onRunner(until) { () throws(ControlError) in try self.match(page.records, until) }
            } else {
                matched = try match(page.records, until)
            }
            if !matched.isEmpty { return .records(matched) }
        }
        return nil
    }

    /// `next()` for a stored-lines query, on the calling thread and without waiting.
    func nextNow() throws(ControlError) -> LogEvent? {
        if !state.withLock({ $0.started }) { try start(deadline()) }
        while true {
            var page = Page()
            if let pending = state.withLock({ s -> [LogRecord]? in defer { s.pending = nil }; return s.pending }) {
                page.records = pending
            } else {
                page = read()
                if page.missed > 0 {
                    if !page.records.isEmpty { state.withLock { $0.pending = page.records } }
                    return .missed(page.missed)
                }
            }
            if page.records.isEmpty { return nil }
            let matched = try match(page.records, deadline())
            if !matched.isEmpty { return .records(matched) }
        }
    }

    private func onRunner<T: Sendable>(_ until: ContinuousClock.Instant,
                                       _ work: @escaping @Sendable () throws(ControlError) -> T) async throws(ControlError) -> T {
        try await QueryRunner.shared.run(until: until, busy: .invalid("too many log queries with --grep at once; try again"),
                                         timeout: outOfBudget(checked: nil), work)
    }

    // MARK: - Matching within the budget

    /// When the current unit of work must be done: the whole query for stored lines, each
    /// batch for a follow.
    private func deadline() -> ContinuousClock.Instant {
        let now = ContinuousClock.now
        if live { return now + hub.queryBudget }
        return state.withLock { s in
            if s.deadline == nil { s.deadline = now + hub.queryBudget }
            return s.deadline!
        }
    }

    private func outOfBudget(checked: Int?) -> ControlError {
        let lines = checked.map { " (\($0) lines checked)" } ?? ""
        return .invalid("--grep \"\(query.grep ?? "")\" ran out of its \(Units.format(hub.queryBudget)) budget\(lines); "
            + "simplify the pattern, or narrow the query with -n, --since or service names")
    }

    /// The records `filter` keeps, in order; throws once `deadline` has passed (with a pattern).
    private func match(_ records: [LogRecord], _ deadline: ContinuousClock.Instant) throws(ControlError) -> [LogRecord] {
        guard hasPattern || query.since != nil else { return records }
        var out: [LogRecord] = []
        for (i, r) in records.enumerated() {
            if hasPattern, i & 15 == 0, ContinuousClock.now > deadline { throw outOfBudget(checked: i) }
            if filter.matches(r) { out.append(r) }
        }
        return out
    }

    // MARK: - The rings

    private func selected(_ s: LogHub.State) -> [(String, LogHub.Ring)] {
        if query.services.isEmpty { return s.rings.map { ($0.key, $0.value) } }
        return query.services.compactMap { name in s.rings[name].map { (name, $0) } }
    }

    /// Places the cursor `tail` matching lines before the newest (or at the oldest line),
    /// matching within `deadline`.
    private func start(_ deadline: ContinuousClock.Instant) throws(ControlError) {
        defer { state.withLock { $0.started = true } }
        guard let tail = query.tail else { return }
        var need = max(0, tail)
        var upper = anchorSeq + 1
        var startSeq = upper
        while need > 0 {
            let chunk = hub.state.withLock { s in Self.before(upper, in: selected(s), limit: Self.scanChunk) }
            guard let oldest = chunk.last else {
                startSeq = 0
                break
            }
            let matched = try match(chunk, deadline)
            if matched.count >= need {
                startSeq = matched[need - 1].seq
                break
            }
            need -= matched.count
            upper = oldest.seq
            startSeq = oldest.seq
        }
        hub.state.withLock { s in
            let rings = selected(s)
            state.withLock { p in
                for (name, ring) in rings { p.positions[name] = ring.position(ofSeq: startSeq) }
            }
        }
    }

    /// Up to `limit` lines with `seq < upper`, newest first, across `rings`.
    private static func before(_ upper: UInt64, in rings: [(String, LogHub.Ring)], limit: Int) -> [LogRecord] {
        var heads = rings.map { $0.1.position(ofSeq: upper) - $0.1.dropped }
        var out: [LogRecord] = []
        while out.count < limit {
            var best = -1
            for (i, (_, ring)) in rings.enumerated() where heads[i] > 0 {
                if best < 0 || ring.records[heads[i] - 1].seq > rings[best].1.records[heads[best] - 1].seq { best = i }
            }
            guard best >= 0 else { break }
            heads[best] -= 1
            out.append(rings[best].1.records[heads[best]])
        }
        return out
    }

    /// The next page of lines from every selected ring in sequence order, and how many lines
    /// the rings dropped before this cursor read them.
    private func read() -> Page {
        hub.state.withLock { s in
            var page = Page()
            page.seen = s.seq
            page.finished = s.finished
            let rings = selected(s)
            state.withLock { p in
                // Per ring: next index and end index (relative to the ring's first line).
                var heads: [(index: Int, end: Int)] = []
                for (name, ring) in rings {
                    var pos = p.positions[name] ?? ring.dropped
                    if pos < ring.dropped {
                        page.missed += ring.dropped - pos
                        pos = ring.dropped
                    }
                    let end = endSeq.map { ring.position(ofSeq: $0 &+ 1) } ?? ring.end
                    heads.append((pos - ring.dropped, max(pos, end) - ring.dropped))
                }
                var bytes = 0
                while page.records.count < Self.pageLines && bytes < Self.pageBytes {
                    // Take a run from the ring with the oldest next line, up to the next ring's line.
                    var best = -1
                    var second = UInt64.max
                    for i in heads.indices where heads[i].index < heads[i].end {
                        let seq = rings[i].1.records[heads[i].index].seq
                        if best < 0 || seq < rings[best].1.records[heads[best].index].seq {
                            if best >= 0 { second = min(second, rings[best].1.records[heads[best].index].seq) }
                            best = i
                        } else {
                            second = min(second, seq)
                        }
                    }
                    guard best >= 0 else { break }
                    let records = rings[best].1.records
                    while heads[best].index < heads[best].end, page.records.count < Self.pageLines, bytes < Self.pageBytes {
                        let r = records[heads[best].index]
                        guard r.seq < second else { break }
                        page.records.append(r)
                        bytes += r.text.utf8.count + 64
                        heads[best].index += 1
                    }
                }
                for (i, (name, ring)) in rings.enumerated() { p.positions[name] = ring.dropped + heads[i].index }
            }
            return page
        }
    }
}
