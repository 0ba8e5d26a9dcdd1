import Foundation
import MsvcCore
import MsvcTUI
import MsvcTestSupport
import Testing

/// Golden snapshots of the dashboard rendered into an in-memory grid.
/// Re-record with: RECORD_SNAPSHOTS=1 swift test --scratch-path .build-dash --filter Dashboard
@Suite struct DashboardRenderTests {
    static let fixtures = packageRoot() + "/Tests/MsvcCLITests/Fixtures/dashboard"

    func check(_ state: DashboardState, _ name: String) {
        let grid = Renderer.render(state)
        #expect(grid.width == state.width && grid.height == state.height)
        let problem = Golden.check(DashboardFixtures.dump(grid), against: "\(Self.fixtures)/\(name).txt",
                                   rerun: "swift test --scratch-path .build-dash --filter Dashboard")
        #expect(problem == nil, "\(problem ?? "")")
    }

    @Test func render_fullSize_showsHeaderTableAndSelectedLogs() {
        check(DashboardFixtures.state(), "full-120x34")
    }

    @Test func render_80x24_usesTheCompactLayout() {
        let s = DashboardFixtures.state(width: 80, height: 24)
        let grid = Renderer.render(s)
        // Every service is still listed and every row fits.
        for name in ["migrate", "payments", "inventory", "orders", "gateway", "worker"] { #expect(grid.text.contains(name)) }
        check(s, "compact-80x24")
    }

    @Test func render_crashLoopingService_showsExitBackoffAndLastLines() {
        var s = DashboardFixtures.state()
        s.selected = "payments"
        let text = Renderer.render(s).text
        #expect(text.contains("exited with code 3"))
        #expect(text.contains("next restart in 2.4s"))
        #expect(text.contains("KeyError: 'PAYMENTS_KEY'"))
        check(s, "crash-panel")
    }

    @Test func render_mergedView_withSearch_highlightsMatches() {
        var s = DashboardFixtures.state()
        _ = s.reduce(.key(.char("a")))
        _ = s.reduce(.key(.char("s")))
        for c in "order" { _ = s.reduce(.key(.char(c))) }
        _ = s.reduce(.key(.enter))
        #expect(s.searchCursor != nil)
        check(s, "merged-search")
    }

    @Test func render_wrapAndJSONFields() {
        var s = DashboardFixtures.state(width: 100, height: 30)
        _ = s.reduce(.key(.char("a")))
        _ = s.reduce(.key(.char("W")))
        _ = s.reduce(.key(.char("e")))
        check(s, "wrap-fields-100x30")
    }

    @Test func render_helpOverlay_listsEveryKey_at80x24() {
        var s = DashboardFixtures.state(width: 80, height: 24)
        _ = s.reduce(.key(.char("?")))
        let text = Renderer.render(s).text
        for k in KeyHelp.all { #expect(text.contains(k.action), "help misses \(k.keys)") }
        check(s, "help-80x24")
    }

    @Test func render_dependencyView() {
        var s = DashboardFixtures.state()
        _ = s.reduce(.key(.char("g")))
        check(s, "graph")
    }

    @Test func render_probeDetail() {
        var s = DashboardFixtures.state()
        _ = s.reduce(.key(.char("h")))
        let text = Renderer.render(s).text
        #expect(text.contains("connection refused"))
        check(s, "probe")
    }

    @Test func render_monochrome_keepsStateVisibleWithoutColour() {
        var s = DashboardFixtures.state(width: 80, height: 24)
        s.color = false
        let grid = Renderer.render(s)
        for i in 0..<grid.cells.count {
            #expect(grid.cells[i].style.fg == .default && grid.cells[i].style.bg == .default)
        }
        check(s, "monochrome-80x24")
    }

    @Test func render_quitConfirmation_whenTheStackIsOwned() {
        var s = DashboardFixtures.state(owns: true)
        #expect(s.reduce(.key(.char("q"))).isEmpty)
        check(s, "confirm-quit")
    }

    @Test func render_filterWhileTyping() {
        var s = DashboardFixtures.state(width: 80, height: 24)
        _ = s.reduce(.key(.char("/")))
        for c in "ord" { _ = s.reduce(.key(.char(c))) }
        #expect(s.visibleServices.map(\.name) == ["orders"])
        check(s, "filter-typing-80x24")
    }

    @Test func render_tinyTerminal_saysSo() {
        let s = DashboardFixtures.state(width: 15, height: 4)
        #expect(Renderer.render(s).text.hasPrefix("msvc: terminal"))
    }

    @Test func render_beforeTheFirstSnapshot_waits() {
        let s = DashboardState(project: "shop", ownsStack: false, width: 80, height: 24, now: DashboardFixtures.now)
        #expect(Renderer.render(s).text.contains("waiting for the stack"))
    }
}

/// The cell grid itself: widths, clipping, wide characters.
@Suite struct DashboardCellGridTests {
    @Test func put_wideCharacters_takeTwoCells() {
        var g = CellGrid(width: 10, height: 1)
        let end = g.put("日本a", x: 0, y: 0, style: .plain)
        #expect(end == 5)
        #expect(g[0, 0].text == "日" && g[0, 0].width == 2 && g[1, 0].width == 0 && g[4, 0].text == "a")
        #expect(g.text == "日本a     \n")
    }

    @Test func put_wideCharacterAtTheEdge_isReplacedBySpace() {
        var g = CellGrid(width: 3, height: 1)
        g.put("ab日", x: 0, y: 0, style: .plain)
        #expect(g.text == "ab \n")
    }

    @Test func put_controlCharacters_showAsQuestionMarks() {
        var g = CellGrid(width: 4, height: 1)
        g.put("a\u{7}b", x: 0, y: 0, style: .plain)
        #expect(g.text == "a?b \n")
    }

    @Test func width_ofEmojiAndCombining() {
        #expect(CellGrid.width(of: "🚀") == 2)
        #expect(CellGrid.width(of: "é") == 1)
        #expect(CellGrid.width(of: "e\u{301}x") == 2)
        #expect(CellGrid.width(of: "✓") == 1)
    }
}
