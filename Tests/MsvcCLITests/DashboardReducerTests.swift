import Foundation
import MsvcCore
import MsvcTUI
import Testing

/// Keys and events → state and effects, with no terminal.
@Suite struct DashboardReducerTests {
    @Test func quit_whenAttached_detachesAtOnce() {
        var s = DashboardFixtures.state(owns: false)
        #expect(s.reduce(.key(.char("q"))) == [.quit(.detached)])
        #expect(s.reduce(.key(.interrupt)) == [.quit(.detached)])
    }

    @Test func quit_whenOwned_asksFirst() {
        var s = DashboardFixtures.state(owns: true)
        #expect(s.reduce(.key(.char("q"))).isEmpty)
        #expect(s.overlay == .confirmQuit)
        #expect(s.reduce(.key(.char("n"))).isEmpty)
        #expect(s.overlay == nil)
        _ = s.reduce(.key(.char("q")))
        #expect(s.reduce(.key(.char("y"))) == [.quit(.stopStack)])
    }

    @Test func terminateSignal_stopsAnOwnedStack() {
        var s = DashboardFixtures.state(owns: true)
        #expect(s.reduce(.terminate) == [.quit(.stopStack)])
    }

    @Test func actions_actOnTheSelectedService() {
        var s = DashboardFixtures.state()
        #expect(s.reduce(.key(.char("r"))) == [.perform(.restart("orders"))])
        #expect(s.status?.text == "restarting orders…")
        #expect(s.reduce(.key(.char("x"))) == [.perform(.stop("orders"))])
        #expect(s.reduce(.key(.char("+"))) == [.perform(.scale("orders", 3))])
        #expect(s.reduce(.key(.char("-"))) == [.perform(.scale("orders", 1))])
        s.selected = "worker"
        #expect(s.reduce(.key(.char("x"))) == [.perform(.start("worker"))])
        #expect(s.reduce(.key(.char("-"))).isEmpty)
        _ = s.reduce(.actionDone(ActionResult(ok: true, message: "restarted orders")))
        #expect(s.status?.text == "restarted orders" && s.status?.ok == true)
    }

    @Test func selection_movesThroughTheFilteredSortedTable() {
        var s = DashboardFixtures.state()
        s.selected = "migrate"
        _ = s.reduce(.key(.down))
        #expect(s.selected == "payments")
        _ = s.reduce(.key(.char("o")))  // sort by name
        #expect(s.visibleServices.first?.name == "gateway")
        _ = s.reduce(.key(.char("O")))
        #expect(s.visibleServices.first?.name == "worker")
        _ = s.reduce(.key(.char("/")))
        for c in "inv" { _ = s.reduce(.key(.char(c))) }
        _ = s.reduce(.key(.enter))
        #expect(s.visibleServices.map(\.name) == ["inventory"])
        #expect(s.selected == "inventory")
        _ = s.reduce(.key(.escape))
        #expect(s.filter.isEmpty)
    }

    @Test func levelFilter_cyclesAndHidesLowerLines() {
        var s = DashboardFixtures.state()
        s.merged = true
        let all = s.logs.entries.filter(s.shows).count
        _ = s.reduce(.key(.char("l")))
        #expect(s.minLevel == .debug)
        _ = s.reduce(.key(.char("l")))
        _ = s.reduce(.key(.char("l")))
        #expect(s.minLevel == .warn)
        let warn = s.logs.entries.filter(s.shows).map(\.record.text)
        #expect(warn.count < all)
        #expect(warn.contains { $0.contains("slow query") } && warn.contains { $0.hasPrefix("ERROR order") })
        #expect(!warn.contains { $0.contains("cache miss") })
    }

    @Test func search_nextAndPrevious_moveTheCursor() {
        var s = DashboardFixtures.state()
        s.merged = true
        _ = s.reduce(.key(.char("s")))
        for c in "GET" { _ = s.reduce(.key(.char(c))) }
        _ = s.reduce(.key(.enter))
        let newest = s.searchCursor
        #expect(newest == 13)
        _ = s.reduce(.key(.char("n")))
        #expect(s.searchCursor == 9)
        _ = s.reduce(.key(.char("n")))
        #expect(s.searchCursor == 9)
        #expect(s.status?.text == "no older match")
        _ = s.reduce(.key(.char("N")))
        #expect(s.searchCursor == 13)
    }

    @Test func scrolling_pausesFollowAndNewLinesKeepTheViewStill() {
        var s = DashboardFixtures.state(width: 80, height: 12)
        s.merged = true
        _ = s.reduce(.key(.pageUp))
        #expect(!s.follow && s.scroll > 0)
        let before = s.scroll
        let r = LogRecord(seq: 100, time: DashboardFixtures.now, service: "gateway", replica: 1, stream: .stdout, text: "new")
        _ = s.reduce(.logs([r, r]))
        #expect(s.scroll == before + 2)
        _ = s.reduce(.key(.end))
        #expect(s.follow && s.scroll == 0)
    }

    @Test func stackGone_afterRepeatedFailures_whenAttached() {
        var s = DashboardFixtures.state()
        #expect(s.reduce(.snapshotFailed("no stack")).isEmpty)
        #expect(s.reduce(.snapshotFailed("no stack")).isEmpty)
        #expect(s.reduce(.snapshotFailed("no stack")) == [.quit(.stackGone)])
    }

    @Test func logBuffer_keepsTheNewestLines() {
        var b = LogBuffer(capacity: 100)
        let records = (1...1_000).map { LogRecord(seq: UInt64($0), time: Date(), service: "a", replica: 1, stream: .stdout, text: "\($0)") }
        for chunk in stride(from: 0, to: 1_000, by: 30) { b.append(Array(records[chunk..<min(1_000, chunk + 30)])) }
        #expect(b.entries.count <= 125 && b.entries.count >= 100)
        #expect(b.entries.last?.record.seq == 1_000)
    }

    @Test func levelSniffing_readsJSONAndPlainLines() {
        #expect(LogLevel.sniff("{\"level\":\"warn\",\"msg\":\"x\"}") == .warn)
        #expect(LogLevel.sniff("{\"msg\":\"x\",\"severity\": \"ERROR\"}") == .error)
        #expect(LogLevel.sniff("2024-01-01 12:00:00 INFO started") == .info)
        #expect(LogLevel.sniff("WARNING:root:disk low") == .warn)
        #expect(LogLevel.sniff("an error happened") == nil)
        let s = StructuredLine("{\"level\":\"info\",\"msg\":\"hi there\",\"id\":3,\"who\":\"a b\"}")
        #expect(s?.level == "INFO" && s?.message == "hi there" && s?.fields == ["id=3", "who=\"a b\""])
        #expect(StructuredLine("{\"no\":\"message\"}") == nil)
    }
}
