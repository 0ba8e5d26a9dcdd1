import Foundation
import MsvcCore

/// Draws a `DashboardState` into a `CellGrid`. Pure: the same state gives the same grid.
public enum Renderer {
    /// Renders the whole screen.
    public static func render(_ state: DashboardState) -> CellGrid {
        var grid = CellGrid(width: state.width, height: state.height)
        guard state.width >= 20, state.height >= 6 else {
            grid.put("msvc: terminal too small", x: 0, y: 0, style: CellStyle(bold: true))
            return grid
        }
        let layout = Layout(state)
        header(state, layout, into: &grid)
        table(state, layout, into: &grid)
        LogPane.render(state, layout, into: &grid)
        urlLine(state, layout, into: &grid)
        statusLine(state, layout, into: &grid)
        Overlays.render(state, layout, into: &grid)
        if !state.color {
            for y in 0..<grid.height { grid.restyle(x: 0, y: y, count: grid.width) { $0 = $0.monochrome } }
        }
        return grid
    }

    // MARK: header

    /// The two header rows: counts and uptime, then the socket.
    static func header(_ state: DashboardState, _ layout: Layout, into grid: inout CellGrid) {
        grid.fill(x: 0, y: 0, width: grid.width, height: 1, style: CellStyle(fg: .white, bg: .blue))
        let bar = CellStyle(fg: .white, bg: .blue, bold: true)
        var x = grid.put(" msvc ▸ \(state.project) ", x: 0, y: 0, style: bar)
        var counts: [ServiceSummary.Category: Int] = [:]
        for svc in state.snapshot?.services ?? [] { counts[ServiceSummary(svc, now: state.now).category, default: 0] += 1 }
        let items: [(ServiceSummary.Category, String, String, TermColor)] = [
            (.healthy, "●", "healthy", .green), (.starting, "◐", "starting", .yellow),
            (.unhealthy, "▲", "unhealthy", .magenta), (.crashed, "✖", "crashed", .red), (.stopped, "■", "stopped", .white),
        ]
        for (cat, mark, word, color) in items {
            let n = counts[cat, default: 0]
            let style = CellStyle(fg: n > 0 ? color : .white, bg: .blue, bold: n > 0)
            x = grid.put(" \(mark) \(n) \(word)", x: x, y: 0, style: style)
        }
        var uptime = ""
        if let snap = state.snapshot {
            uptime = "up \(Format.uptime(state.now.timeIntervalSince(snap.startedAt)))"
            let w = CellGrid.width(of: uptime) + 2
            if x + w < grid.width {
                grid.put(" \(uptime) ", x: grid.width - w, y: 0, style: CellStyle(fg: .white, bg: .blue))
                uptime = ""
            }
        }
        // Second row: where the socket is, and what quitting does.
        var line = " socket: \(state.snapshot?.socketPath.map(Format.shortPath) ?? "none")"
        if layout.compact {
            line += state.ownsStack ? " · owned" : " · attached"
            if !uptime.isEmpty { line += " · \(uptime)" }
        } else {
            line += state.ownsStack ? "  ·  q: stop the stack or detach" : "  ·  attached: q detaches, the stack keeps running"
        }
        let alerts = alerts(state)
        if let err = state.connectionError {
            grid.put(" ✖ \(err)", x: 0, y: 1, style: CellStyle(fg: .red, bold: true))
        } else if !alerts.isEmpty {
            // Problems that would otherwise go unseen take the line: a full disk, a failed build.
            grid.put(" ✖ " + alerts.joined(separator: " · "), x: 0, y: 1, style: CellStyle(fg: .red, bold: true))
        } else {
            grid.put(line, x: 0, y: 1, style: CellStyle(dim: true))
        }
    }

    /// Problems for the header's second row: log files that cannot be written, failed builds.
    static func alerts(_ state: DashboardState) -> [String] {
        var out: [String] = []
        let problems = state.logFileProblems
        if let first = problems.first {
            let missing = problems.reduce(0) { $0 + $1.problem.missingLines }
            let who = problems.count == 1 ? first.replica : "\(first.replica) and \(problems.count - 1) more"
            out.append("log file of \(who) not written: \(first.problem.error); \(missing) line\(missing == 1 ? "" : "s") missing (logs still shown here)")
        }
        let failed = state.failedBuilds
        if !failed.isEmpty { out.append("build failed: \(failed.joined(separator: ", ")) (previous version still serving)") }
        for svc in state.snapshot?.services ?? [] {
            if let problem = svc.watch?.problem { out.append("watch: \(svc.name): \(problem)") }
        }
        return out
    }

    // MARK: table

    /// A table column.
    struct Column {
        var title: String
        var width: Int
        var right = false
    }

    /// The table's columns for the screen width.
    static func columns(_ state: DashboardState, nameWidth: Int) -> [Column] {
        if Layout(state).compact {
            return [Column(title: "SERVICE", width: nameWidth), Column(title: "STATE", width: 10), Column(title: "HEALTH", width: 9),
                    Column(title: "PID", width: 6, right: true), Column(title: "PORT", width: 6), Column(title: "RST", width: 3, right: true),
                    Column(title: "UP", width: 6, right: true), Column(title: "CPU%", width: 5, right: true),
                    Column(title: "RSS", width: 6, right: true), Column(title: "REPL", width: 4, right: true)]
        }
        return [Column(title: "SERVICE", width: nameWidth), Column(title: "STATE", width: 12), Column(title: "HEALTH", width: 10),
                Column(title: "PID", width: 8, right: true), Column(title: "PORTS", width: 16), Column(title: "RESTARTS", width: 8, right: true),
                Column(title: "UPTIME", width: 8, right: true), Column(title: "CPU%", width: 6, right: true),
                Column(title: "RSS", width: 9, right: true), Column(title: "REPLICAS", width: 8, right: true)]
    }

    /// The services table.
    static func table(_ state: DashboardState, _ layout: Layout, into grid: inout CellGrid) {
        let services = state.visibleServices
        let longest = services.map { $0.name.count + ($0.watch == nil ? 0 : 2) }.max() ?? 7
        var cols = columns(state, nameWidth: min(layout.compact ? 12 : 20, max(7, longest)))
        // Give spare width to the name and ports columns.
        let used = cols.reduce(2) { $0 + $1.width + 1 }
        if used > grid.width { cols[0].width = max(6, cols[0].width - (used - grid.width)) }
        let titleStyle = CellStyle(bold: true, underline: true)
        var x = 2
        for c in cols {
            grid.put(pad(c.title, c.width, right: c.right), x: x, y: layout.tableTop, style: titleStyle, limit: x + c.width)
            x += c.width + 1
        }
        var sortMark = state.sort == .file ? "" : " sort:\(state.sort.rawValue)\(state.sortDescending ? "↓" : "↑")"
        if !state.filter.isEmpty { sortMark += " filter:\"\(state.filter)\"" }
        if !sortMark.isEmpty, x + CellGrid.width(of: sortMark) <= grid.width {
            grid.put(sortMark, x: grid.width - CellGrid.width(of: sortMark), y: layout.tableTop, style: CellStyle(fg: .cyan))
        }
        if services.isEmpty {
            let why = state.snapshot == nil ? "waiting for the stack…" : (state.filter.isEmpty ? "no services" : "no service matches \"\(state.filter)\"")
            grid.put(why, x: 2, y: layout.tableTop + 1, style: CellStyle(dim: true))
            return
        }
        // Keep the selection visible when there are more services than rows.
        let selIndex = services.firstIndex { $0.name == state.selected } ?? 0
        let first = max(0, min(selIndex - layout.tableRows + 1, services.count - layout.tableRows))
        for (row, svc) in services.dropFirst(max(0, first)).prefix(layout.tableRows).enumerated() {
            let y = layout.tableTop + 1 + row
            let summary = ServiceSummary(svc, now: state.now)
            let cells = rowCells(svc, summary, state, compact: layout.compact)
            let stateStyle = Self.style(for: summary.category)
            let selected = svc.name == state.selected
            x = 0
            grid.put(selected ? "▶ " : "  ", x: 0, y: y, style: CellStyle(fg: .cyan, bold: true))
            x = 2
            for (i, c) in cols.enumerated() {
                var style = i == 1 ? stateStyle : CellStyle.plain
                if i == 2 { style = healthStyle(cells[i]) }
                if i == 0, let mark = WatchMark.glyph(svc.watch) {
                    // The watch mark goes after the name, cutting the name rather than the mark.
                    let name = truncate(svc.name, max(1, c.width - 2))
                    let end = grid.put(name, x: x, y: y, style: CellStyle(bold: true), limit: x + c.width)
                    grid.put(" " + mark, x: end, y: y, style: watchStyle(svc.watch!.state), limit: x + c.width)
                    x += c.width + 1
                    continue
                }
                if i == 0 { style.bold = true }
                grid.put(pad(truncate(cells[i], c.width), c.width, right: c.right), x: x, y: y, style: style, limit: x + c.width)
                x += c.width + 1
            }
            if selected { grid.restyle(x: 0, y: y, count: grid.width) { $0.reverse = true } }
        }
        if first > 0 { grid.put("↑", x: 0, y: layout.tableTop + 1, style: CellStyle(dim: true)) }
        if first + layout.tableRows < services.count { grid.put("↓", x: 0, y: layout.tableTop + layout.tableRows, style: CellStyle(dim: true)) }
    }

    /// The texts of one service's row.
    static func rowCells(_ svc: ServiceSnapshot, _ summary: ServiceSummary, _ state: DashboardState, compact: Bool) -> [String] {
        let reps = svc.replicas
        let live = reps.filter { $0.pid != nil }
        let health: String = {
            let hs = reps.map(\.health)
            if hs.allSatisfy({ $0 == .none }) { return "-" }
            if hs.contains(.unhealthy) { return "unhealthy" }
            if hs.contains(.unknown) { return live.isEmpty ? "-" : "checking" }
            return "healthy"
        }()
        let pid: String = live.count > 1 ? "\(live[0].pid!)+" : live.first.flatMap(\.pid).map(String.init) ?? "-"
        var ports: [String] = []
        if let p = svc.port { ports.append(reps.count > 1 ? "\(p)⇄" : "\(p)") }
        for (name, p) in svc.namedPorts.sorted(by: { $0.key < $1.key }) { ports.append("\(name)=\(p)") }
        var portText = ports.isEmpty ? "-" : ports.joined(separator: " ")
        if compact, let p = svc.port ?? svc.namedPorts.values.first { portText = "\(p)" + (ports.count > 1 ? "+" : "") }
        let restarts = reps.map(\.restarts).reduce(0, +)
        let oldest = live.compactMap(\.startedAt).min()
        let uptime = oldest.map { Format.uptime(state.now.timeIntervalSince($0)) } ?? "-"
        let cpus = live.compactMap(\.cpuPercent)
        let cpu = cpus.isEmpty ? "-" : String(format: "%.1f", cpus.reduce(0, +))
        let rss = live.compactMap(\.rssBytes)
        let mem = rss.isEmpty ? "-" : Format.bytes(rss.reduce(0, +))
        return [svc.name, summary.stateText, health, pid, portText, String(restarts), uptime, cpu, mem,
                "\(summary.ready)/\(svc.desiredReplicas)"]
    }

    /// The colour of a state category.
    static func style(for c: ServiceSummary.Category) -> CellStyle {
        switch c {
        case .healthy: return CellStyle(fg: .green, bold: true)
        case .starting: return CellStyle(fg: .yellow)
        case .unhealthy: return CellStyle(fg: .magenta, bold: true)
        case .crashed: return CellStyle(fg: .red, bold: true)
        case .stopped: return CellStyle(dim: true)
        }
    }

    /// The colour of a watch mark: failures red, work under way yellow, off dim.
    static func watchStyle(_ s: WatchSnapshot.State) -> CellStyle {
        switch s {
        case .watching: return CellStyle(fg: .cyan, bold: true)
        case .pending, .building, .restarting: return CellStyle(fg: .yellow, bold: true)
        case .buildFailed: return CellStyle(fg: .red, bold: true)
        case .off: return CellStyle(dim: true)
        }
    }

    /// The colour of a health word.
    static func healthStyle(_ text: String) -> CellStyle {
        switch text {
        case "healthy": return CellStyle(fg: .green)
        case "unhealthy": return CellStyle(fg: .magenta, bold: true)
        case "checking": return CellStyle(fg: .yellow)
        default: return CellStyle(dim: true)
        }
    }

    // MARK: status line

    /// The line above the status line: each service's URL, so it can be copied or clicked;
    /// when they do not all fit, the address once and each service's port.
    static func urlLine(_ state: DashboardState, _ layout: Layout, into grid: inout CellGrid) {
        guard let y = layout.urlRow else { return }
        let urls = state.serviceURLs
        let full = urls.reduce(1) { $0 + CellGrid.width(of: "\($1.service) \($1.url)") + 2 } <= grid.width
        var x = grid.put(" ", x: 0, y: y, style: .plain)
        if !full { x = grid.put(DashboardState.localBase + "  ", x: x, y: y, style: CellStyle(fg: .cyan)) }
        for (i, item) in urls.enumerated() {
            let address = full ? item.url : String(item.url.dropFirst(DashboardState.localBase.count))
            let room = grid.width - x - 1
            if CellGrid.width(of: "\(item.service) \(address)") + 3 > room {
                grid.put("…", x: x, y: y, style: CellStyle(dim: true))
                break
            }
            if i > 0 { x = grid.put("  ", x: x, y: y, style: .plain) }
            x = grid.put(item.service + " ", x: x, y: y, style: CellStyle(dim: true))
            x = grid.put(address, x: x, y: y, style: CellStyle(fg: .cyan, underline: full))
        }
    }

    /// The bottom line: input, the last action's result, key hints.
    static func statusLine(_ state: DashboardState, _ layout: Layout, into grid: inout CellGrid) {
        let y = layout.statusRow
        grid.fill(x: 0, y: y, width: grid.width, height: 1, style: CellStyle(reverse: true))
        if let input = state.input {
            let label: String, text: String
            switch input {
            case .filter(let t): (label, text) = ("filter services: ", t)
            case .search(let t): (label, text) = ("search logs: ", t)
            }
            let x = grid.put(" " + label, x: 0, y: y, style: CellStyle(bold: true, reverse: true))
            let end = grid.put(text, x: x, y: y, style: CellStyle(reverse: true))
            grid.put("█", x: end, y: y, style: CellStyle(reverse: true))
            let hint = "Enter apply · Esc clear "
            if end + 2 + hint.count < grid.width { grid.put(hint, x: grid.width - hint.count, y: y, style: CellStyle(dim: true, reverse: true)) }
            return
        }
        var x = 0
        if let status = state.status, state.now.timeIntervalSince(status.at) < 8 {
            let style = CellStyle(fg: status.ok ? .green : .red, bold: true, reverse: true)
            x = grid.put(" \(status.ok ? "✓" : "✗") \(status.text) ", x: 0, y: y, style: style)
        }
        let hints = layout.compact
            ? "?:help q:quit /:filter a:all s:search r:restart x:stop/start w:watch"
            : "? help  q quit  / filter  a all logs  s search  l level  r restart  x stop/start  +/- scale  w watch  g deps  v pager"
        let room = grid.width - x - 1
        if room > 10 {
            let shown = truncate(hints, room)
            grid.put(shown, x: grid.width - CellGrid.width(of: shown) - 1, y: y, style: CellStyle(reverse: true))
        }
    }

    // MARK: helpers

    /// Pads to `width` columns.
    static func pad(_ s: String, _ width: Int, right: Bool = false) -> String {
        let w = CellGrid.width(of: s)
        guard w < width else { return s }
        let spaces = String(repeating: " ", count: width - w)
        return right ? spaces + s : s + spaces
    }

    /// Cuts to `width` columns, ending in `…` when cut.
    static func truncate(_ s: String, _ width: Int) -> String {
        guard CellGrid.width(of: s) > width else { return s }
        guard width > 1 else { return String(s.prefix(max(0, width))) }
        var out = ""
        var used = 0
        for ch in s {
            let w = max(1, CellGrid.width(of: ch))
            if used + w > width - 1 { break }
            out.append(ch)
            used += w
        }
        return out + "…"
    }
}

/// Number and time formatting shared by the views.
enum Format {
    /// `42s`, `3m07s`, `2h05m`, `1d03h`.
    static func uptime(_ t: TimeInterval) -> String {
        let s = max(0, Int(t))
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m\(String(format: "%02d", s % 60))s" }
        if s < 86400 { return "\(s / 3600)h\(String(format: "%02d", (s % 3600) / 60))m" }
        return "\(s / 86400)d\(String(format: "%02d", (s % 86400) / 3600))h"
    }

    /// `512K`, `21.5M`, `1.20G`.
    static func bytes(_ b: Int) -> String {
        if b < 1 << 20 { return "\(b >> 10)K" }
        if b < 1 << 30 { return String(format: "%.1fM", Double(b) / Double(1 << 20)) }
        return String(format: "%.2fG", Double(b) / Double(1 << 30))
    }

    /// A path relative to the current folder when inside it.
    static func shortPath(_ p: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath + "/"
        return p.hasPrefix(cwd) ? String(p.dropFirst(cwd.count)) : p
    }

    /// `HH:MM:SS` of a date, shifted by `offset` seconds from UTC.
    static func clock(_ d: Date, offset: Int) -> String {
        let t = (Int(d.timeIntervalSince1970) + offset) % 86400
        let h = t / 3600, m = (t % 3600) / 60, s = t % 60
        return (h < 10 ? "0" : "") + String(h) + (m < 10 ? ":0" : ":") + String(m) + (s < 10 ? ":0" : ":") + String(s)
    }
}
