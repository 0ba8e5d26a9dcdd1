extension StackDecoder {
    /// A service's `watch:` map (`watch: true` takes every default).
    mutating func watch(_ node: YAMLNode, _ path: String, build: String?) -> WatchSettings? {
        var w = WatchSettings()
        if case .scalar = node.content {
            guard let on = r.bool(node, path) else { return nil }
            return on ? w : nil
        }
        guard let pairs = r.map(node, path) else { return nil }
        let f = r.fields(pairs, path, allowed: ["paths", "ignore", "debounce", "action", "cascade"])
        if let n = f["paths"] {
            w.paths = r.strings(n, join(path, "paths")) ?? []
            for p in w.paths where p.isEmpty || p.hasPrefix("/") {
                r.sink.error(n.mark, join(path, "paths"), "watch path \"\(p)\" must be relative to the service's cwd (e.g. src)")
            }
        }
        if let n = f["ignore"] { w.ignore = r.strings(n, join(path, "ignore")) ?? [] }
        if let n = f["debounce"], let d = r.duration(n, join(path, "debounce")) {
            if d < .milliseconds(10) || d > .seconds(60) {
                r.sink.error(n.mark, join(path, "debounce"), "debounce \(Units.format(d)) is out of range (expected 10ms to 1m)")
            } else {
                w.debounce = d
            }
        }
        if let n = f["action"], let v = r.choice(n, join(path, "action"), WatchAction.allCases.map(\.rawValue)) {
            w.action = WatchAction(rawValue: v)!
            if w.action == .build && build == nil {
                r.sink.error(n.mark, join(path, "action"), "action: build needs the service's build: command; add build: or use action: restart")
            }
        }
        if let n = f["cascade"] {
            w.cascade = r.strings(n, join(path, "cascade")) ?? []
            r.marks[join(path, "cascade")] = n.mark
        }
        return w
    }
}
