import Foundation
import MsvcCore

/// A run of text in one style.
struct Segment {
    var text: String
    var style: CellStyle
}

/// The log pane: title, crash panel, and the lines of the selected or all services.
enum LogPane {
    static let palette: [CellStyle] = [
        CellStyle(fg: .cyan), CellStyle(fg: .green), CellStyle(fg: .yellow), CellStyle(fg: .blue),
        CellStyle(fg: .magenta), CellStyle(fg: .cyan, bold: true), CellStyle(fg: .green, bold: true),
        CellStyle(fg: .yellow, bold: true), CellStyle(fg: .blue, bold: true), CellStyle(fg: .magenta, bold: true),
    ]

    /// Rows the crash or build-failed panel takes in a pane of `rows` rows.
    static func panelRows(_ state: DashboardState, rows: Int) -> Int {
        let count: Int
        if let r = state.crashingReplica { count = r.lastLines.count } else if let b = state.failedBuild { count = b.watch.buildLines.count } else { return 0 }
        let lines = max(1, min(count, rows >= 14 ? 5 : 2))
        let height = min(rows / 2, 3 + lines)
        return height >= 3 ? height : 0
    }

    /// Draws the log pane.
    static func render(_ state: DashboardState, _ layout: Layout, into grid: inout CellGrid) {
        title(state, layout, into: &grid)
        var top = layout.logTop
        var rows = layout.logRows
        let panel = panelRows(state, rows: rows)
        if panel > 0 {
            if let r = state.crashingReplica {
                crashPanel(state, r, x: 0, y: top, width: grid.width, height: panel, into: &grid)
            } else if let b = state.failedBuild {
                buildPanel(b.service, b.watch, x: 0, y: top, width: grid.width, height: panel, into: &grid)
            }
            top += panel
            rows -= panel
        }
        guard rows > 0 else { return }
        lines(state, layout, top: top, rows: rows, into: &grid)
    }

    /// The rule above the logs, with the view's settings.
    static func title(_ state: DashboardState, _ layout: Layout, into grid: inout CellGrid) {
        let y = layout.logTitle
        let rule = CellStyle(fg: .blue)
        grid.put(String(repeating: "─", count: grid.width), x: 0, y: y, style: rule)
        var parts: [String] = [state.merged ? "logs: all services" : "logs: \(state.selected ?? "-")"]
        parts.append(state.follow && state.scroll == 0 ? "follow" : "paused ↑\(state.scroll)")
        if let l = state.minLevel { parts.append("level≥\(l.label.lowercased())") }
        if state.wrap { parts.append("wrap") }
        if state.jsonFields { parts.append("fields") }
        if !state.search.isEmpty { parts.append("search \"\(state.search)\"") }
        var x = grid.put("─ ", x: 0, y: y, style: rule)
        for (i, p) in parts.enumerated() {
            x = grid.put(p, x: x, y: y, style: i == 0 ? CellStyle(bold: true) : CellStyle(fg: .cyan))
            x = grid.put(" ─ ", x: x, y: y, style: rule)
        }
        if state.logs.dropped > 0 && !layout.compact {
            let note = " \(state.logs.entries.count) lines kept "
            grid.put(note, x: grid.width - CellGrid.width(of: note) - 2, y: y, style: CellStyle(dim: true))
        }
    }

    /// The box with a crashing replica's exit, backoff and last lines.
    static func crashPanel(_ state: DashboardState, _ r: ReplicaSnapshot, x: Int, y: Int, width: Int, height: Int,
                           into grid: inout CellGrid) {
        var head = "✖ \(r.name) \(r.state == .crashLoop ? "is crash-looping" : r.state == .failed ? "failed" : "crashed")"
        if let e = r.lastExit { head += ": \(e)" }
        head += " · \(r.restarts) restart\(r.restarts == 1 ? "" : "s")"
        var line2: String
        if let at = r.nextRestartAt {
            line2 = String(format: "next restart in %.1fs", max(0, at.timeIntervalSince(state.now)))
        } else if r.state == .crashLoop || r.state == .failed {
            line2 = "not restarting; press x to start it again"
        } else {
            line2 = "not restarting"
        }
        if let m = r.message, !m.isEmpty { line2 += " · \(m)" }
        line2 += " · c hides this panel"
        var last = r.lastLines
        if last.isEmpty {
            last = Array(state.logs.entries.filter { $0.record.service == r.service && $0.record.replica == r.replica }.suffix(5).map(\.record.text))
        }
        panel(head: head, line2: line2, lines: last, x: x, y: y, width: width, height: height, into: &grid)
    }

    /// The box with a failed watch-mode build's exit and last lines.
    static func buildPanel(_ service: String, _ w: WatchSnapshot, x: Int, y: Int, width: Int, height: Int, into grid: inout CellGrid) {
        var head = "✖ \(service): build failed"
        if let e = w.lastBuild { head += ": \(e)" }
        let line2 = "still serving the previous version; saving a file builds again · w stops watching · c hides this panel"
        panel(head: head, line2: line2, lines: w.buildLines, x: x, y: y, width: width, height: height, into: &grid)
    }

    /// A red box: a bold head on the border, a yellow second line, then the newest `lines`.
    static func panel(head: String, line2: String, lines: [String], x: Int, y: Int, width: Int, height: Int, into grid: inout CellGrid) {
        let border = CellStyle(fg: .red)
        grid.put("┌" + String(repeating: "─", count: max(0, width - 2)) + "┐", x: x, y: y, style: border)
        grid.put(" " + head + " ", x: x + 2, y: y, style: CellStyle(fg: .red, bold: true), limit: x + width - 2)
        for row in 1..<(height - 1) {
            grid.put("│", x: x, y: y + row, style: border)
            grid.put("│", x: x + width - 1, y: y + row, style: border)
        }
        grid.put("└" + String(repeating: "─", count: max(0, width - 2)) + "┘", x: x, y: y + height - 1, style: border)
        grid.put(line2, x: x + 2, y: y + 1, style: CellStyle(fg: .yellow), limit: x + width - 2)
        let room = height - 3
        for (i, text) in lines.suffix(room).enumerated() {
            grid.put("› " + text, x: x + 2, y: y + 2 + i, style: CellStyle(dim: false), limit: x + width - 2)
        }
    }

    /// The shown entries, newest last, enough to fill `rows` rows above `state.scroll`.
    static func visible(_ state: DashboardState, rows: Int) -> [LogEntry] {
        var out: [LogEntry] = []
        var skip = state.scroll
        let entries = state.logs.entries
        var i = entries.count - 1
        while i >= 0 && out.count < rows {
            let e = entries[i]
            i -= 1
            guard state.shows(e) else { continue }
            if skip > 0 { skip -= 1; continue }
            out.append(e)
        }
        return out.reversed()
    }

    /// The log lines themselves, wrapped or cut, search matches highlighted.
    static func lines(_ state: DashboardState, _ layout: Layout, top: Int, rows: Int, into grid: inout CellGrid) {
        let entries = visible(state, rows: rows)
        if entries.isEmpty {
            let why = state.logs.entries.isEmpty ? "no output yet" : "no lines match the current view (a: all services, l: level)"
            grid.put(why, x: 2, y: top, style: CellStyle(dim: true))
            return
        }
        let nameWidth = state.merged ? min(16, (state.snapshot?.services.map { $0.name.count + ($0.desiredReplicas > 1 ? 2 : 0) }.max() ?? 8)) : 0
        let colorIndex = Dictionary(uniqueKeysWithValues: (state.snapshot?.services ?? []).enumerated().map { ($1.name, $0) })
        let counts = Dictionary((state.snapshot?.services ?? []).map { ($0.name, $0.replicas.count) }) { a, _ in a }
        var rendered: [[Segment]] = []
        var current: [Bool] = []
        for e in entries {
            rendered.append(segments(e, state, nameWidth: nameWidth, colorIndex: colorIndex, counts: counts, compact: layout.compact))
            current.append(e.record.seq == state.searchCursor)
        }
        // Lay out bottom-up so the newest line sits on the last row.
        var rowsOut: [(cells: [(Character, CellStyle)], current: Bool)] = []
        for (segs, cur) in zip(rendered, current).reversed() {
            let wrapped = wrap(segs, width: grid.width, search: state.search, current: cur, wrapLines: state.wrap)
            for r in wrapped.reversed() {
                rowsOut.append((r, cur))
                if rowsOut.count == rows { break }
            }
            if rowsOut.count == rows { break }
        }
        // Fewer lines than rows: start at the top, like tail; otherwise the newest is last.
        let startRow = top
        for (i, row) in rowsOut.reversed().enumerated() {
            var x = 0
            for (ch, style) in row.cells { x = grid.put(String(ch), x: x, y: startRow + i, style: style) }
        }
    }

    /// One log line as styled runs: stream mark, time, name, level, message.
    static func segments(_ e: LogEntry, _ state: DashboardState, nameWidth: Int, colorIndex: [String: Int], counts: [String: Int],
                         compact: Bool) -> [Segment] {
        var segs: [Segment] = []
        let r = e.record
        switch r.stream {
        case .stderr: segs.append(Segment(text: "!", style: CellStyle(fg: .red, bold: true)))
        case .system: segs.append(Segment(text: "*", style: CellStyle(fg: .cyan)))
        case .stdout: segs.append(Segment(text: " ", style: .plain))
        }
        if !compact { segs.append(Segment(text: Format.clock(r.time, offset: state.utcOffset) + " ", style: CellStyle(dim: true))) }
        if state.merged {
            let name = ReplicaID.label(service: r.service, replica: r.replica, replicas: counts[r.service] ?? 1)
            let style = palette[(colorIndex[r.service] ?? 0) % palette.count]
            segs.append(Segment(text: Renderer.pad(Renderer.truncate(name, nameWidth), nameWidth), style: style))
            segs.append(Segment(text: " │ ", style: CellStyle(dim: true)))
        } else if (counts[r.service] ?? 1) > 1 || r.replica > 1 {
            segs.append(Segment(text: "[\(r.replica)] ", style: CellStyle(dim: true)))
        }
        var textStyle = CellStyle.plain
        if r.stream == .system { textStyle = CellStyle(fg: .cyan) }
        switch e.level {
        case .error?, .fatal?: textStyle = CellStyle(fg: .red)
        case .warn?: textStyle = CellStyle(fg: .yellow)
        case .debug?, .trace?: textStyle = CellStyle(dim: true)
        default: break
        }
        if r.stream == .stderr && e.level == nil { textStyle = CellStyle(fg: .red) }
        if let s = StructuredLine(r.text) {
            if let l = s.level {
                segs.append(Segment(text: Renderer.pad(l, 5) + " ", style: CellStyle(fg: textStyle.fg, bold: true)))
            }
            segs.append(Segment(text: s.message, style: textStyle))
            if !s.request.isEmpty { segs.append(Segment(text: "  " + s.request.joined(separator: " "), style: CellStyle(bold: true))) }
            if !s.fields.isEmpty {
                if state.jsonFields {
                    segs.append(Segment(text: "  " + s.fields.joined(separator: " "), style: CellStyle(dim: true)))
                } else {
                    // Folded, except the fields the search matches: they show, so the highlight does.
                    let shown = state.search.isEmpty ? [] : s.fields.filter { $0.range(of: state.search, options: .caseInsensitive) != nil }
                    if !shown.isEmpty { segs.append(Segment(text: "  " + shown.joined(separator: " "), style: .plain)) }
                    let folded = s.fields.count - shown.count
                    if folded > 0 { segs.append(Segment(text: "  {+\(folded)}", style: CellStyle(dim: true))) }
                }
            }
        } else {
            segs.append(Segment(text: r.text.replacingOccurrences(of: "\t", with: "    "), style: textStyle))
        }
        return segs
    }

    /// Splits segments into screen rows of `width` columns (one row, cut with `›`, unless
    /// wrapping), highlighting `search`.
    static func wrap(_ segs: [Segment], width: Int, search: String, current: Bool, wrapLines: Bool) -> [[(Character, CellStyle)]] {
        var chars: [(Character, CellStyle)] = []
        for s in segs { for ch in s.text { chars.append((ch, s.style)) } }
        if !search.isEmpty {
            let plain = String(chars.map(\.0))
            let hl = current ? CellStyle(fg: .black, bg: .yellow, bold: true) : CellStyle(fg: .black, bg: .cyan, reverse: false)
            var offsets: [Int] = []
            var searchStart = plain.startIndex
            while let range = plain.range(of: search, options: .caseInsensitive, range: searchStart..<plain.endIndex) {
                let from = plain.distance(from: plain.startIndex, to: range.lowerBound)
                let len = plain.distance(from: range.lowerBound, to: range.upperBound)
                offsets.append(contentsOf: from..<(from + len))
                searchStart = range.upperBound
                if range.isEmpty { break }
            }
            for o in offsets where o < chars.count { chars[o].1 = hl }
        }
        var rows: [[(Character, CellStyle)]] = [[]]
        var col = 0
        for (i, c) in chars.enumerated() {
            let w = max(1, CellGrid.width(of: c.0))
            if col + w > width {
                if !wrapLines {
                    if i < chars.count, var last = rows[0].last {
                        // Mark the cut.
                        last.0 = "›"
                        last.1 = CellStyle(fg: .cyan, bold: true)
                        rows[0][rows[0].count - 1] = last
                    }
                    return rows
                }
                rows.append([(" ", .plain), (" ", .plain)])
                col = 2
            }
            rows[rows.count - 1].append(c)
            col += w
        }
        return rows
    }
}
