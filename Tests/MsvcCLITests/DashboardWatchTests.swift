import Foundation
import MsvcCore
import MsvcTUI
import MsvcTestSupport
import Testing

/// Watch mode, log-file problems, service URLs, JSON request fields and the first view: the
/// reducer and the renderer, with no terminal.
@Suite struct DashboardWatchTests {
    /// The fixture with `orders` watched in `state` (its build failed, when so).
    static func watched(_ state: WatchSnapshot.State, width: Int = 120, height: Int = 34) -> DashboardState {
        var s = DashboardFixtures.state(width: width, height: height)
        var snap = s.snapshot!
        let i = snap.services.firstIndex { $0.name == "orders" }!
        var w = WatchSnapshot(state: state, paths: ["/srv/shop/orders"])
        if state == .buildFailed {
            w.lastBuild = .exited(2)
            w.buildLines = ["compiling orders…", "error: app.py:3: invalid syntax", "make: *** [build] Error 2"]
        }
        snap.services[i].watch = w
        _ = s.reduce(.snapshot(snap))
        return s
    }

    @Test func firstView_isEveryServiceMerged() {
        let s = DashboardState(project: "shop", ownsStack: true)
        #expect(s.merged)
    }

    @Test func w_togglesWatch_forAWatchedService_andSaysWhyNot_otherwise() {
        var s = Self.watched(.watching)
        #expect(s.reduce(.key(.char("w"))) == [.perform(.watch("orders", false))])
        #expect(s.status?.text == "turning watch off for orders…")
        s = Self.watched(.off)
        #expect(s.reduce(.key(.char("w"))) == [.perform(.watch("orders", true))])
        s.selected = "gateway"
        #expect(s.reduce(.key(.char("w"))).isEmpty)
        #expect(s.status?.text.contains("gateway is not watched") == true && s.status?.ok == false)
        let wrapped = s.wrap
        _ = s.reduce(.key(.char("W")))
        #expect(s.wrap != wrapped)
    }

    @Test func quit_whenOwned_offersDetach() {
        var s = DashboardFixtures.state(owns: true)
        _ = s.reduce(.key(.char("q")))
        #expect(s.overlay == .confirmQuit)
        #expect(Renderer.render(s).text.contains("detach: leave the stack running"))
        #expect(s.reduce(.key(.char("d"))) == [.quit(.detached)])
    }

    @Test func ownedStack_thatGoesAway_endsTheDashboard() {
        var s = DashboardFixtures.state(owns: true)
        _ = s.reduce(.snapshotFailed("gone"))
        _ = s.reduce(.snapshotFailed("gone"))
        #expect(s.reduce(.snapshotFailed("gone")) == [.quit(.stackGone)])
    }

    @Test func render_watchMarks_inTheTable() {
        for (state, mark) in [(WatchSnapshot.State.watching, "◉"), (.building, "↻"), (.buildFailed, "✖"), (.off, "○")] {
            let text = Renderer.render(Self.watched(state)).text
            let row = text.split(separator: "\n").first { $0.contains(" orders ") && ($0.hasPrefix("  ") || $0.hasPrefix("▶")) }.map(String.init) ?? ""
            #expect(row.contains("orders \(mark)"), "\(state): \(row)")
        }
        let help = Renderer.render({ var s = Self.watched(.watching, width: 80, height: 24); _ = s.reduce(.key(.char("?"))); return s }()).text
        #expect(help.contains("watch mode on / off"))
    }

    @Test func render_buildFailed_isInTheHeader_andItsLinesInAPanel() {
        var s = Self.watched(.buildFailed)
        let grid = Renderer.render(s)
        let lines = grid.text.split(separator: "\n").map(String.init)
        #expect(lines[1].contains("build failed: orders (previous version still serving)"), "\(lines[1])")
        #expect(grid.text.contains("orders: build failed: exited with code 2"))
        #expect(grid.text.contains("error: app.py:3: invalid syntax"))
        // In red, at a glance.
        let y = 1, x = lines[1].firstIndex(of: "✖").map { lines[1].distance(from: lines[1].startIndex, to: $0) } ?? 0
        #expect(grid[x, y].style.fg == .red)
        // The merged view shows it too; c hides it and a new snapshot does not bring it back.
        s.merged = true
        #expect(Renderer.render(s).text.contains("invalid syntax"))
        _ = s.reduce(.key(.char("c")))
        _ = s.reduce(.snapshot(s.snapshot!))
        #expect(!Renderer.render(s).text.contains("invalid syntax"))
        DashboardRenderTests().check(Self.watched(.buildFailed), "build-failed")
    }

    @Test func render_watchProblem_isInTheHeader() {
        var s = Self.watched(.watching)
        var snap = s.snapshot!
        snap.services[3].watch?.problem = "the inotify watch limit (8192) is reached"
        _ = s.reduce(.snapshot(snap))
        let header = Renderer.render(s).text.split(separator: "\n")[1]
        #expect(header.contains("watch: orders: the inotify watch limit (8192) is reached"), "\(header)")
    }

    @Test func render_logFileProblem_isNeverSilent() {
        var s = DashboardFixtures.state()
        var snap = s.snapshot!
        // As the socket carries it (the type has no public initialiser: only the log writer makes one).
        let problem = JSON.object([("path", .string("/srv/shop/.msvc/logs/inventory.log")), ("missing_lines", .int(118_098)),
                                   ("since", .int(1_800_000_000)), ("error", .string("No space left on device"))])
        snap.services[2].replicas[0].logFileProblem = try! Wire.decode(LogFileProblem.self, from: problem)
        _ = s.reduce(.snapshot(snap))
        let header = Renderer.render(s).text.split(separator: "\n")[1]
        #expect(header.contains("log file of inventory not written: No space left on device; 118098 lines missing"), "\(header)")
    }

    @Test func render_statusLine_showsEachServiceURL() {
        let s = DashboardFixtures.state()
        let lines = Renderer.render(s).text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // Four URLs do not fit in 120 columns: the address once, then each port.
        let urls = lines[s.height - 2]
        #expect(urls.hasPrefix(" http://127.0.0.1  payments :41004  inventory :41003  orders :41000  gateway :8080"), "\(urls)")
        #expect(!urls.contains("migrate"), "a service without a port has no URL")
        // Where they fit, each service's whole URL.
        var one = s
        one.snapshot!.services = one.snapshot!.services.filter { $0.name == "gateway" || $0.port == nil }
        let line = Renderer.render(one).text.split(separator: "\n", omittingEmptySubsequences: false)[s.height - 2]
        #expect(line.hasPrefix(" gateway http://127.0.0.1:8080 "), "\(line)")
    }

    @Test func structuredLine_showsRequestFieldsInline() {
        let flat = StructuredLine(#"{"level":"info","msg":"request","method":"GET","path":"/orders/7","status":200,"duration_ms":12,"trace":"ab12","user":"u1"}"#)
        #expect(flat?.request == ["GET", "/orders/7", "200", "12ms"])
        #expect(flat?.fields == ["trace=ab12", "user=u1"])
        // pino: the request and response are objects; the duration is responseTime in ms.
        let pino = StructuredLine(#"{"level":"info","msg":"request completed","req":{"method":"POST","url":"/pay"},"res":{"statusCode":502},"responseTime":7.5}"#)
        #expect(pino?.request == ["POST", "/pay", "502", "7.5ms"])
        // A duration of unknown unit keeps its name.
        #expect(StructuredLine(#"{"msg":"x","duration":0.25}"#)?.request == ["duration=0.25"])
        #expect(StructuredLine(#"{"msg":"x","latency":"3.2ms"}"#)?.request == ["3.2ms"])
    }

    @Test func render_jsonRequestFields_inline_andSearchShowsFoldedMatches() {
        var s = DashboardFixtures.state()
        let line = #"{"level":"info","msg":"request","method":"GET","path":"/orders/7","status":200,"duration_ms":12,"trace":"ab12cd","user":"u1"}"#
        _ = s.reduce(.logs([LogRecord(seq: 50, time: DashboardFixtures.now, service: "orders", replica: 1, stream: .stdout, text: line)]))
        var text = Renderer.render(s).text
        #expect(text.contains("INFO  request  GET /orders/7 200 12ms  {+2}"), "\(text)")
        // A search for a folded field's value shows that field, highlighted.
        _ = s.reduce(.key(.char("s")))
        for c in "ab12" { _ = s.reduce(.key(.char(c))) }
        _ = s.reduce(.key(.enter))
        let grid = Renderer.render(s)
        text = grid.text
        let rows = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let y = try! #require(rows.firstIndex { $0.contains("GET /orders/7") })
        #expect(rows[y].contains("trace=ab12cd  {+1}"), "\(rows[y])")
        let x = rows[y].distance(from: rows[y].startIndex, to: rows[y].range(of: "ab12cd")!.lowerBound)
        #expect(grid[x, y].style.bg == .yellow, "the match is highlighted")
    }
}
