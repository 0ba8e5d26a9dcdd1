import Collections

extension StackDecoder {
    /// A readiness (`health:`) or liveness probe: exactly one kind plus timings.
    mutating func probe(_ node: YAMLNode, _ path: String, liveness: Bool) -> Probe? {
        if !node.isNull, !node.content.isMapping {
            r.marks[path] = node.mark
            r.sink.error(node.mark, path, "expected a map with one of http, tcp, exec, log, found \(node.kindName) (e.g. { http: /healthz })")
            return nil
        }
        guard let pairs = r.map(node, path) else { return nil }
        var allowed = Self.probeKinds + Self.probeTimings
        if liveness { allowed.append("failure_threshold") }
        let f = r.fields(pairs, path, allowed: allowed)
        let kinds = Self.probeKinds.filter { f[$0] != nil }
        guard kinds.count == 1, let kind = kinds.first, let kn = f[kind] else {
            let message = kinds.isEmpty
                ? "a probe needs one of: http, tcp, exec, log (e.g. http: /healthz)"
                : "a probe has one kind, found \(kinds.joined(separator: " and ")); keep one"
            r.sink.error(node.mark, path, message)
            return nil
        }
        let kp = join(path, kind)
        var check: ProbeCheck?
        switch kind {
        case "http":
            if case .mapping(let hp) = kn.content {
                let hf = r.fields(hp, kp, allowed: ["path", "port", "status", "headers"])
                var probePath = "/"
                if let v = hf["path"], let s = r.string(v, join(kp, "path")) { probePath = s }
                let portName = hf["port"].flatMap { r.string($0, join(kp, "port")) }
                var status = 200...399
                if let v = hf["status"], let st = statusRange(v, join(kp, "status")) { status = st }
                var headers: OrderedDictionary<String, String> = [:]
                if let v = hf["headers"] { headers = r.labels(v, join(kp, "headers")) ?? [:] }
                check = .http(path: probePath, port: portName, status: status, headers: headers)
            } else if let s = r.string(kn, kp) {
                check = .http(path: s, port: nil, status: 200...399, headers: [:])
            }
            if case .http(let p, _, _, _)? = check, !p.hasPrefix("/") {
                r.sink.error(kn.mark, kp, "http probe path \"\(p)\" must start with \"/\"")
            }
        case "tcp":
            if case .scalar(let raw, .plain) = kn.content, raw == "true" {
                check = .tcp(port: nil)
            } else if case .scalar(let raw, .plain) = kn.content, raw == "false" {
                r.sink.error(kn.mark, kp, "tcp: false disables nothing; remove the probe instead")
            } else if let s = r.string(kn, kp) {
                check = .tcp(port: s)
            }
        case "exec":
            if let s = r.string(kn, kp) {
                if s.isEmpty { r.sink.error(kn.mark, kp, "exec probe command is empty; write a command that exits 0 when ready, e.g. exec: pg_isready") }
                check = .exec(s)
            }
        default:
            if let s = r.string(kn, kp) {
                do throws(PatternError) {
                    try LinePattern.validate(s)
                } catch {
                    r.sink.error(Self.mark(of: error, in: kn, pattern: s), kp, "invalid regular expression \"\(s)\" \(error)")
                }
                check = .log(s)
            }
        }
        guard let check else { return nil }
        var probe = Probe(check: check)
        if let v = f["interval"], let d = r.duration(v, join(path, "interval")) {
            if d == .zero { r.sink.error(v.mark, join(path, "interval"), "interval must be longer than 0s") } else { probe.interval = d }
        }
        if let v = f["timeout"], let d = r.duration(v, join(path, "timeout")) {
            if d == .zero { r.sink.error(v.mark, join(path, "timeout"), "timeout must be longer than 0s") } else { probe.timeout = d }
        }
        if let v = f["start_period"], let d = r.duration(v, join(path, "start_period")) { probe.startPeriod = d }
        if let v = f["retries"], let n = r.int(v, join(path, "retries"), in: 1...10_000) { probe.retries = n }
        if let v = f["failure_threshold"] {
            if f["retries"] != nil {
                r.sink.error(v.mark, join(path, "failure_threshold"), "failure_threshold and retries mean the same here; keep one")
            } else if let n = r.int(v, join(path, "failure_threshold"), in: 1...10_000) {
                probe.retries = n
            }
        }
        return probe
    }

    /// Where a pattern error is in the file: at the bad character when the scalar was written
    /// as is (plain, or quoted without escapes), else at the start of the value.
    static func mark(of error: PatternError, in node: YAMLNode, pattern: String) -> SourceMark {
        guard case .scalar(let raw, let style) = node.content, raw == pattern else { return node.mark }
        let shift: Int
        switch style {
        case .plain: shift = 0
        case .singleQuoted where !raw.contains("'"): shift = 1
        case .doubleQuoted where !raw.contains("\\") && !raw.contains("\""): shift = 1
        default: return node.mark
        }
        guard !raw.contains("\n") else { return node.mark }
        return SourceMark(line: node.mark.line, column: node.mark.column + shift + error.column - 1)
    }

    /// An HTTP status code (`200`) or inclusive range (`200-399`), codes 100 to 599.
    mutating func statusRange(_ node: YAMLNode, _ path: String) -> ClosedRange<Int>? {
        guard let text = r.string(node, path) else { return nil }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        if parts.count == 1, let a = parts[0], (100...599).contains(a) { return a...a }
        if parts.count == 2, let a = parts[0], let b = parts[1], (100...599).contains(a), (100...599).contains(b), a <= b {
            return a...b
        }
        var message = "invalid status \"\(text)\" (expected a code like 200 or a range like 200-399, codes 100 to 599)"
        if parts.count == 2, let a = parts[0], let b = parts[1], a > b { message += "; the range is reversed, write \(b)-\(a)" }
        r.sink.error(node.mark, path, message)
        return nil
    }
}
