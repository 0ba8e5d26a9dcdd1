import Foundation
import MsvcTestSupport
import Testing

@testable import MsvcCore

/// The hub's readers: bounded batches, missed counts, budgets, and no crash on any query.
@Suite(.timeLimit(.minutes(1))) struct LogHubTests {
    static func fill(_ hub: LogHub, _ service: String, _ range: ClosedRange<Int>, width: Int = 0) {
        let pad = String(repeating: "x", count: width)
        hub.append(range.map { LogHub.Entry(service: service, replica: 1, stream: .stdout, text: "\(service) \($0)\(pad)") })
    }

    @Test func negativeOrHugeTail_isAnErrorOrEverything_neverACrash() async throws {
        let hub = LogHub(capacity: 100)
        Self.fill(hub, "a", 1...50)
        #expect(throws: ControlError.usage("the number of lines (-n) must be 0 to 2147483647, not -5")) {
            try hub.query(LogQuery(tail: -5))
        }
        await #expect(throws: ControlError.self) { try await hub.records(LogQuery(tail: Int.min)) }
        #expect(throws: ControlError.self) { try hub.follow(LogQuery(tail: -1)) }
        #expect(try hub.query(LogQuery(tail: Int(Int32.max))).count == 50)
        #expect(try hub.query(LogQuery(tail: 0)).isEmpty)
        #expect(try hub.query(LogQuery(tail: 3)).map(\.text) == ["a 48", "a 49", "a 50"])
        #expect(hub.tail(of: "a", count: -3).isEmpty)
    }

    @Test func tail_countsMatchingLinesAcrossServicesInOrder() throws {
        let hub = LogHub(capacity: 1000)
        for i in 1...300 {
            hub.append(LogHub.Entry(service: i % 3 == 0 ? "b" : "a", replica: 1, stream: .stdout, text: "line \(i)"))
        }
        #expect(try hub.query(LogQuery(tail: 4)).map(\.text) == ["line 297", "line 298", "line 299", "line 300"])
        #expect(try hub.query(LogQuery(services: ["b"], tail: 2)).map(\.text) == ["line 297", "line 300"])
        #expect(try hub.query(LogQuery(tail: 3, grep: "7$")).map(\.text) == ["line 277", "line 287", "line 297"])
        // Looking back further than one scan chunk.
        let many = LogHub(capacity: 20_000)
        Self.fill(many, "a", 1...12_000)
        #expect(try many.query(LogQuery(tail: 2, grep: "^a 1\\d$")).map(\.text) == ["a 18", "a 19"])
        #expect(try many.query(LogQuery(tail: 9_000)).count == 9_000)
    }

    @Test func follow_deliversTheBacklogInBoundedBatches_thenLiveLines() async throws {
        let hub = LogHub(capacity: 10_000)
        Self.fill(hub, "a", 1...5_000, width: 100)
        var stream = try hub.follow(LogQuery()).makeAsyncIterator()
        var got: [LogRecord] = []
        while got.count < 5_000 {
            guard case .records(let batch)? = try await stream.next() else { Issue.record("expected records"); return }
            #expect(batch.count <= LogCursor.pageLines)
            #expect(batch.map { $0.text.utf8.count + 64 }.reduce(0, +) <= LogCursor.pageBytes + 65_600)
            got += batch
        }
        #expect(got.map(\.seq) == Array(1...5_000))
        Self.fill(hub, "b", 1...2)
        guard case .records(let live)? = try await stream.next() else { Issue.record("expected live records"); return }
        #expect(live.map(\.text) == ["b 1", "b 2"])
        hub.finishAll()
        #expect(try await stream.next() == nil)
    }

    @Test func slowFollower_isToldHowManyLinesItMissed_andHoldsNothing() async throws {
        let hub = LogHub(capacity: 100)
        var stream = try hub.follow(LogQuery(services: ["a"], tail: 0)).makeAsyncIterator()
        Self.fill(hub, "a", 1...10)
        guard case .records(let first)? = try await stream.next() else { Issue.record("expected records"); return }
        #expect(first.count == 10)
        // The reader stops while 1,000 lines arrive; the ring keeps the newest 100.
        Self.fill(hub, "a", 11...1_010)
        Self.fill(hub, "b", 1...500)
        #expect(try await stream.next() == .missed(900))
        guard case .records(let rest)? = try await stream.next() else { Issue.record("expected records"); return }
        #expect(rest.first?.text == "a 911" && rest.last?.text == "a 1010" && rest.count == 100)
    }

    @Test func grep_outOfBudget_isAnError_notAHang() async throws {
        let hub = LogHub(capacity: 50_000)
        Self.fill(hub, "a", 1...50_000, width: 200)
        hub.queryBudget = .microseconds(1)
        let started = ContinuousClock.now
        await #expect {
            try await hub.records(LogQuery(grep: "x{3}y"))
        } throws: { error in
            (error as? ControlError).map { "\($0)".contains("ran out of its") } ?? false
        }
        // The error above shows the budget stopped the query; this only guards against a hang,
        // with room for a loaded machine.
        #expect(ContinuousClock.now - started < .seconds(30))
        #expect(throws: ControlError.self) { try hub.query(LogQuery(grep: "x{3}y")) }
        // Without a pattern there is nothing to budget.
        #expect(try hub.query(LogQuery(tail: 10)).count == 10)
        hub.queryBudget = LogHub.defaultBudget
        #expect(try hub.query(LogQuery(tail: 1, grep: "^a 49999x")).count == 1)
    }

    @Test func badPattern_isAUsageError() {
        let hub = LogHub()
        #expect {
            try hub.query(LogQuery(grep: "(unclosed"))
        } throws: { error in
            if case .usage(let m) = error as? ControlError { return m.hasPrefix("invalid --grep pattern \"(unclosed\"") }
            return false
        }
    }

    @Test func cancelledFollower_stopsWaiting() async throws {
        let hub = LogHub()
        let stream = try hub.follow(LogQuery(tail: 0))
        let task = Task {
            var n = 0
            for try await _ in stream { n += 1 }
            return n
        }
        try await Task.sleep(for: .milliseconds(50))
        task.cancel()
        #expect(try await task.value == 0)
    }
}
