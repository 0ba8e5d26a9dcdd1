import Foundation
import MsvcCore

/// Where each part of the dashboard goes on a screen of a given size.
public struct Layout: Sendable, Equatable {
    /// Rows of the header.
    public var headerRows = 2
    /// First row of the table (its column titles).
    public var tableTop: Int
    /// Service rows shown.
    public var tableRows: Int
    /// The log pane's title row.
    public var logTitle: Int
    /// First log row.
    public var logTop: Int
    /// Log rows.
    public var logRows: Int
    /// The status line.
    public var statusRow: Int
    /// The line with each service's URL, above the status line (nil: no service has a port,
    /// or the screen is too short).
    public var urlRow: Int?
    /// Narrow screen: fewer columns and shorter labels.
    public var compact: Bool

    /// Lays out `state`'s screen.
    public init(_ state: DashboardState) {
        let h = max(state.height, 6)
        compact = state.width < 110
        tableTop = headerRows
        let available = h - headerRows - 2
        let count = max(1, state.visibleServices.count)
        tableRows = min(count, max(1, available / 2 - 1))
        logTitle = tableTop + 1 + tableRows
        logTop = logTitle + 1
        statusRow = h - 1
        urlRow = !state.serviceURLs.isEmpty && h >= 12 ? h - 2 : nil
        logRows = max(0, (urlRow ?? statusRow) - logTop)
    }
}

extension DashboardState {
    /// Applies one event; returns what the loop should do about it.
    public mutating func reduce(_ event: DashboardEvent) -> [DashboardEffect] {
        switch event {
        case .snapshot(let s):
            snapshot = s
            dependencies = s.services.map { (service: $0.name, needs: $0.dependsOn) }
            connectionError = nil
            snapshotFailures = 0
            project = s.project
            if selected == nil || !s.services.contains(where: { $0.name == selected }) {
                selected = visibleServices.first?.name
            }
            for svc in s.services where !svc.replicas.contains(where: ServiceSummary.isCrashing) && svc.watch?.state != .buildFailed {
                crashPanelHidden.remove(svc.name)
            }
        case .snapshotFailed(let message):
            connectionError = message
            snapshotFailures += 1
            // A stack that was running is gone (msvc down elsewhere, or its supervisor ended).
            if snapshot != nil && snapshotFailures >= 3 { return [.quit(.stackGone)] }
        case .logs(let records):
            if !follow {
                let added = records.reduce(0) { $0 + (shows(LogEntry($1)) ? 1 : 0) }
                scroll += added
            }
            logs.append(records)
        case .logsMissed(let n):
            setStatus("\(n) log line\(n == 1 ? "" : "s") skipped: the dashboard fell behind (.msvc/logs/ has them)", ok: false)
        case .logsEnded(let message):
            setStatus(message.map { "log stream ended: \($0)" } ?? "log stream ended", ok: message == nil)
        case .resize(let w, let h):
            width = w
            height = h
        case .tick(let date):
            now = date
        case .actionDone(let result):
            pending = max(0, pending - 1)
            setStatus(result.message.isEmpty ? (result.ok ? "done" : "failed") : result.message, ok: result.ok)
        case .terminate:
            return [.quit(ownsStack ? .stopStack : .detached)]
        case .key(let key):
            return handle(key)
        }
        return []
    }

    /// Shows `text` in the status line.
    mutating func setStatus(_ text: String, ok: Bool) {
        status = (text, ok, now)
    }

    /// Lines the log pane shows at once.
    var pageRows: Int {
        let rows = Layout(self).logRows
        return max(1, rows - LogPane.panelRows(self, rows: rows))
    }

    /// Applies a key press.
    mutating func handle(_ key: Key) -> [DashboardEffect] {
        if key == .interrupt { return [.quit(ownsStack ? .stopStack : .detached)] }
        if let input { return typing(key, input) }
        if let overlay {
            if overlay == .confirmQuit {
                if key == .char("y") || key == .char("Y") { return [.quit(.stopStack)] }
                if key == .char("d") || key == .char("D") { return [.quit(.detached)] }
                self.overlay = nil
                return []
            }
            // Any key closes a box; keys other than the closing ones then act as usual.
            self.overlay = nil
            if key == .char("q") || key == .escape || key == .enter || key == .char("?") || overlay == .help
                || (overlay == .graph && key == .char("g")) || (overlay == .probe && key == .char("h")) {
                return []
            }
        }
        switch key {
        case .up, .char("k"): moveSelection(-1)
        case .down, .char("j"): moveSelection(1)
        case .pageUp: scrollBy(pageRows)
        case .pageDown: scrollBy(-pageRows)
        case .home: scroll = max(0, matchingCount() - pageRows); follow = false
        case .end, .char("f"): scroll = 0; follow = true
        case .char("a"): merged.toggle(); resetScroll()
        case .char("W"): wrap.toggle()
        case .char("w"):
            guard let svc = selectedService else { setStatus("no service selected", ok: false); return [] }
            guard let w = svc.watch else {
                setStatus("\(svc.name) is not watched: add watch: to it in msvc.yaml, or start with msvc up --watch", ok: false)
                return []
            }
            return act { .watch($0.name, w.state == .off) }
        case .char("e"): jsonFields.toggle()
        case .char("l"):
            let order: [LogLevel?] = [nil, .debug, .info, .warn, .error]
            let i = order.firstIndex(of: minLevel) ?? 0
            minLevel = order[(i + 1) % order.count]
            resetScroll()
        case .char("/"): input = .filter(filter)
        case .char("s"): input = .search(search)
        case .char("n"): findMatch(older: true)
        case .char("N"): findMatch(older: false)
        case .char("o"):
            let all = SortKey.allCases
            sort = all[((all.firstIndex(of: sort) ?? 0) + 1) % all.count]
            setStatus("sorted by \(sort.rawValue == "file" ? "file order" : sort.rawValue)", ok: true)
        case .char("O"): sortDescending.toggle()
        case .char("?"): overlay = .help
        case .char("g"): overlay = .graph
        case .char("h"): overlay = .probe
        case .char("c"):
            if let s = selected {
                if crashPanelHidden.contains(s) { crashPanelHidden.remove(s) } else { crashPanelHidden.insert(s) }
            }
        case .char("r"): return act { .restart($0.name) }
        case .char("x"):
            return act { svc in
                let running = svc.replicas.contains { [.running, .starting, .pending, .backoff, .stopping].contains($0.state) }
                return running ? .stop(svc.name) : .start(svc.name)
            }
        case .char("+"), .char("="): return act { .scale($0.name, $0.desiredReplicas + 1) }
        case .char("-"), .char("_"):
            return act { svc in svc.desiredReplicas > 1 ? .scale(svc.name, svc.desiredReplicas - 1) : nil }
        case .char("v"), .char("p"): return [.openPager]
        case .char("q"), .char("Q"):
            if ownsStack { overlay = .confirmQuit; return [] }
            return [.quit(.detached)]
        case .escape:
            if !search.isEmpty { search = ""; searchCursor = nil } else if !filter.isEmpty { filter = "" }
        default: break
        }
        return []
    }

    /// Applies a key while the filter or search line is open.
    mutating func typing(_ key: Key, _ mode: InputMode) -> [DashboardEffect] {
        var text: String
        switch mode { case .filter(let t), .search(let t): text = t }
        switch key {
        case .escape:
            input = nil
            if case .filter = mode { filter = "" } else { search = ""; searchCursor = nil }
            return []
        case .enter:
            input = nil
            if case .search = mode {
                search = text
                searchCursor = nil
                if !text.isEmpty { findMatch(older: true) }
            } else {
                filter = text
            }
            return []
        case .backspace: if !text.isEmpty { text.removeLast() }
        case .char(let c): text.append(c)
        default: return []
        }
        if case .filter = mode {
            input = .filter(text)
            filter = text  // live: the table narrows while typing
            if let first = visibleServices.first, !visibleServices.contains(where: { $0.name == selected }) { selected = first.name }
        } else {
            input = .search(text)
        }
        return []
    }

    /// Asks for an action on the selected service, noting it in the status line.
    mutating func act(_ make: (ServiceSnapshot) -> StackAction?) -> [DashboardEffect] {
        guard let svc = selectedService, let action = make(svc) else {
            setStatus(selectedService == nil ? "no service selected" : "already at 1 replica", ok: false)
            return []
        }
        pending += 1
        switch action {
        case .restart(let n): setStatus("restarting \(n)…", ok: true)
        case .stop(let n): setStatus("stopping \(n)…", ok: true)
        case .start(let n): setStatus("starting \(n)…", ok: true)
        case .scale(let n, let c): setStatus("scaling \(n) to \(c)…", ok: true)
        case .watch(let n, let on): setStatus(on ? "watching \(n)…" : "turning watch off for \(n)…", ok: true)
        }
        return [.perform(action)]
    }

    /// Moves the table selection by `delta` rows.
    mutating func moveSelection(_ delta: Int) {
        let list = visibleServices
        guard !list.isEmpty else { return }
        let i = list.firstIndex { $0.name == selected } ?? 0
        let next = list[min(list.count - 1, max(0, i + delta))].name
        if next != selected {
            selected = next
            if !merged { resetScroll() }
        }
    }

    /// Back to the newest line, following.
    mutating func resetScroll() {
        scroll = 0
        follow = true
    }

    /// Scrolls the log pane up (positive) or down by `rows` lines.
    mutating func scrollBy(_ rows: Int) {
        scroll = min(max(0, scroll + rows), max(0, matchingCount() - pageRows))
        follow = scroll == 0
    }

    /// How many stored lines the current view shows.
    func matchingCount() -> Int {
        logs.entries.reduce(0) { $0 + (shows($1) ? 1 : 0) }
    }

    /// Moves the search cursor to the next older (or newer) matching line and scrolls to it.
    mutating func findMatch(older: Bool) {
        guard !search.isEmpty else { setStatus("no search; press s to search", ok: false); return }
        let entries = logs.entries
        var fromBottom = 0  // index among shown lines, counted from the newest
        var positions: [(seq: UInt64, fromBottom: Int)] = []
        for e in entries.reversed() where shows(e) {
            if e.record.text.range(of: search, options: .caseInsensitive) != nil {
                positions.append((e.record.seq, fromBottom))
            }
            fromBottom += 1
        }
        guard !positions.isEmpty else { setStatus("\"\(search)\" not found", ok: false); return }
        let target: (seq: UInt64, fromBottom: Int)?
        if let cursor = searchCursor {
            target = older ? positions.first(where: { $0.seq < cursor }) : positions.last(where: { $0.seq > cursor })
        } else {
            // First search: the newest match in or above the view.
            target = positions.first(where: { $0.fromBottom >= scroll }) ?? positions.first
        }
        guard let target else { setStatus(older ? "no older match" : "no newer match", ok: false); return }
        searchCursor = target.seq
        let index = positions.firstIndex { $0.seq == target.seq }.map { $0 + 1 } ?? 1
        setStatus("match \(index) of \(positions.count) for \"\(search)\"", ok: true)
        scroll = max(0, target.fromBottom - pageRows / 2)
        follow = scroll == 0 && target.fromBottom < pageRows
    }
}
