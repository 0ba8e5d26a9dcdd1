import Foundation
import MsvcCore

/// Every key the dashboard knows, for the help overlay (and the README).
public enum KeyHelp {
    /// (keys, what they do), in the order the help shows them.
    public static let all: [(keys: String, action: String)] = [
        ("↑ ↓  k j", "select a service"),
        ("/", "filter services by name (Enter keeps it, Esc clears)"),
        ("o  O", "sort by the next column / reverse the order"),
        ("h", "health: the last probe result of each replica"),
        ("a", "logs of all services merged / of the selected one"),
        ("PgUp PgDn", "scroll the logs; Home jumps to the oldest line"),
        ("End  f", "back to the newest line and follow"),
        ("s", "search the logs; matches are highlighted"),
        ("n  N", "next older / next newer match"),
        ("l", "level filter: all, debug+, info+, warn+, error+"),
        ("W  e", "wrap long lines / show every field of JSON lines"),
        ("v  p", "open the log view in $PAGER, to copy text"),
        ("c", "hide / show the crash or build-failed panel"),
        ("r", "restart the selected service"),
        ("x", "stop the selected service, or start it"),
        ("+  -", "scale the selected service up / down"),
        ("w", "watch mode on / off (◉ on, ↻ building, ✖ build failed)"),
        ("g", "dependency view"),
        ("?  Esc", "this help; Esc clears search, filter, boxes"),
        ("q  Ctrl-C", "quit (msvc up asks: stop or detach; msvc dash detaches)"),
    ]
}

/// Boxes drawn over the dashboard: help, dependencies, probe results, quit confirmation.
enum Overlays {
    /// Draws the open box, if any.
    static func render(_ state: DashboardState, _ layout: Layout, into grid: inout CellGrid) {
        guard let overlay = state.overlay else { return }
        switch overlay {
        case .help:
            let width = KeyHelp.all.map { 12 + CellGrid.width(of: $0.action) }.max() ?? 40
            let lines = KeyHelp.all.map { [Segment(text: Renderer.pad($0.keys, 11) + " ", style: CellStyle(fg: .cyan, bold: true)),
                                            Segment(text: $0.action, style: .plain)] }
            box(title: "keys (any key closes)", lines: lines, contentWidth: width, into: &grid)
        case .graph:
            box(title: "dependencies (g closes)", lines: graphLines(state), contentWidth: 40, into: &grid)
        case .probe:
            box(title: "health of \(state.selected ?? "-") (h closes)", lines: probeLines(state), contentWidth: 40, into: &grid)
        case .confirmQuit:
            let lines = [[Segment(text: "Quit the dashboard of \(state.project):", style: CellStyle(bold: true))],
                         [Segment(text: "y", style: CellStyle(fg: .red, bold: true)), Segment(text: "  stop every service and quit", style: .plain)],
                         [Segment(text: "d", style: CellStyle(fg: .green, bold: true)),
                          Segment(text: "  detach: leave the stack running (msvc dash returns, msvc down stops it)", style: .plain)],
                         [Segment(text: "any other key", style: CellStyle(fg: .cyan, bold: true)), Segment(text: "  back to the dashboard", style: .plain)]]
            box(title: "quit", lines: lines, contentWidth: 46, into: &grid)
        }
    }

    /// The dependency view: services by start level, with what each needs.
    static func graphLines(_ state: DashboardState) -> [[Segment]] {
        guard !state.dependencies.isEmpty else {
            return [[Segment(text: "the dependency graph is not available (msvc.yaml could not be read)", style: CellStyle(dim: true))]]
        }
        var states: [String: ServiceSummary.Category] = [:]
        for svc in state.snapshot?.services ?? [] { states[svc.name] = ServiceSummary(svc, now: state.now).category }
        // Levels: a service sits one level above the deepest thing it needs.
        var level: [String: Int] = [:]
        let deps = Dictionary(state.dependencies.map { ($0.service, $0.needs) }, uniquingKeysWith: { a, _ in a })
        func depth(_ s: String, _ seen: Set<String>) -> Int {
            if let l = level[s] { return l }
            if seen.contains(s) { return 0 }
            let d = (deps[s] ?? []).map { depth($0.service, seen.union([s])) + 1 }.max() ?? 0
            level[s] = d
            return d
        }
        for (s, _) in state.dependencies { _ = depth(s, []) }
        var out: [[Segment]] = []
        let maxLevel = level.values.max() ?? 0
        for l in 0...maxLevel {
            let names = state.dependencies.map(\.service).filter { level[$0] == l }
            guard !names.isEmpty else { continue }
            out.append([Segment(text: "level \(l)", style: CellStyle(dim: true))])
            for n in names {
                let st = states[n].map(Renderer.style(for:)) ?? CellStyle(dim: true)
                var line = [Segment(text: "  ● ", style: st), Segment(text: n, style: CellStyle(bold: true))]
                let needs = deps[n] ?? []
                if !needs.isEmpty {
                    line.append(Segment(text: "  → ", style: CellStyle(dim: true)))
                    for (i, d) in needs.enumerated() {
                        let ds = states[d.service].map(Renderer.style(for:)) ?? CellStyle.plain
                        line.append(Segment(text: d.service, style: ds))
                        line.append(Segment(text: " (\(d.condition.rawValue))" + (i < needs.count - 1 ? ", " : ""), style: CellStyle(dim: true)))
                    }
                }
                out.append(line)
            }
        }
        return out
    }

    /// Each replica's readiness and last probe result.
    static func probeLines(_ state: DashboardState) -> [[Segment]] {
        guard let svc = state.selectedService else { return [[Segment(text: "no service selected", style: .plain)]] }
        var out: [[Segment]] = []
        for r in svc.replicas {
            let name = r.name
            var line = [Segment(text: name + "  ", style: CellStyle(bold: true)),
                        Segment(text: r.health.rawValue, style: Renderer.healthStyle(r.health == .unknown ? "checking" : r.health.rawValue))]
            if let p = r.lastProbe {
                let ago = max(0, Int(state.now.timeIntervalSince(p.at)))
                line.append(Segment(text: "  last probe \(ago)s ago: ", style: CellStyle(dim: true)))
                line.append(Segment(text: (p.ok ? "ok " : "failed ") + p.detail, style: CellStyle(fg: p.ok ? .green : .red)))
            } else {
                line.append(Segment(text: r.health == .none ? "  no readiness probe" : "  no probe result yet", style: CellStyle(dim: true)))
            }
            out.append(line)
            if let m = r.message, !m.isEmpty { out.append([Segment(text: "    " + m, style: CellStyle(fg: .yellow))]) }
        }
        return out
    }

    /// A centred, bordered box with a title.
    static func box(title: String, lines: [[Segment]], contentWidth: Int, into grid: inout CellGrid) {
        let widest = lines.map { $0.reduce(0) { $0 + CellGrid.width(of: $1.text) } }.max() ?? 0
        let w = min(grid.width - 2, max(contentWidth, widest, CellGrid.width(of: title) + 4) + 4)
        let h = min(grid.height - 2, lines.count + 2)
        guard w > 6, h > 2 else { return }
        let x0 = (grid.width - w) / 2, y0 = max(1, (grid.height - h) / 2)
        let border = CellStyle(fg: .cyan, bold: true)
        grid.fill(x: x0, y: y0, width: w, height: h, style: .plain)
        grid.put("╭" + String(repeating: "─", count: w - 2) + "╮", x: x0, y: y0, style: border)
        grid.put(" \(title) ", x: x0 + 2, y: y0, style: CellStyle(bold: true), limit: x0 + w - 2)
        for row in 1..<(h - 1) {
            grid.put("│", x: x0, y: y0 + row, style: border)
            grid.put("│", x: x0 + w - 1, y: y0 + row, style: border)
        }
        grid.put("╰" + String(repeating: "─", count: w - 2) + "╯", x: x0, y: y0 + h - 1, style: border)
        for (i, line) in lines.prefix(h - 2).enumerated() {
            var x = x0 + 2
            for seg in line { x = grid.put(seg.text, x: x, y: y0 + 1 + i, style: seg.style, limit: x0 + w - 2) }
        }
        if lines.count > h - 2 {
            grid.put(" … \(lines.count - (h - 2)) more ", x: x0 + w - 16, y: y0 + h - 1, style: CellStyle(dim: true))
        }
    }
}
