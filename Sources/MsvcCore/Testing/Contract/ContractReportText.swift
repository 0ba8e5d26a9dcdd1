import Foundation

/// Colours for the console report; identity functions for plain text.
public struct ReportPaint: Sendable {
    /// Success marks.
    public var ok: @Sendable (String) -> String
    /// Failure marks.
    public var bad: @Sendable (String) -> String
    /// Warnings (pending, skipped).
    public var warn: @Sendable (String) -> String
    /// Secondary text.
    public var dim: @Sendable (String) -> String
    /// Headings.
    public var bold: @Sendable (String) -> String

    /// Creates a palette.
    public init(ok: @escaping @Sendable (String) -> String, bad: @escaping @Sendable (String) -> String,
                warn: @escaping @Sendable (String) -> String, dim: @escaping @Sendable (String) -> String,
                bold: @escaping @Sendable (String) -> String) {
        self.ok = ok
        self.bad = bad
        self.warn = warn
        self.dim = dim
        self.bold = bold
    }

    /// No colour at all.
    public static let plain = ReportPaint(ok: { $0 }, bad: { $0 }, warn: { $0 }, dim: { $0 }, bold: { $0 })
}

extension ContractReport {
    /// The console report, shaped like the official verifier's: each pact, each interaction
    /// with its states and verdict, then every failure with each mismatch's path, what was
    /// expected and what came back, then a summary line.
    public func text(paint: ReportPaint = .plain) -> String {
        var out: [String] = []
        var failures: [(String, InteractionResult)] = []
        for p in pacts {
            out.append("")
            out.append(paint.bold("Verifying a pact between \(p.consumer) and \(p.provider)") + paint.dim(" (\(p.specification), \(p.source))"))
            for i in p.interactions {
                out.append("")
                out.append("  " + i.description + paint.dim(" (\(Units.format(i.duration)))") + (i.pending ? paint.warn(" [pending]") : ""))
                for s in i.states { out.append("     Given " + s) }
                switch i.outcome {
                case .passed:
                    out += Self.responseLines(i, [], paint)
                case .skipped(let why):
                    out.append("    " + paint.warn("SKIPPED") + " " + why)
                case .error(let why):
                    out.append("    " + i.request + " " + paint.bad("ERROR") + " " + why)
                    failures.append(("\(p.consumer) -> \(p.provider)", i))
                case .failed(let ms):
                    out += Self.responseLines(i, ms, paint)
                    failures.append(("\(p.consumer) -> \(p.provider)", i))
                }
            }
        }
        if !failures.isEmpty {
            out.append("")
            out.append(paint.bold("Failures:"))
            for (n, (pact, i)) in failures.enumerated() {
                out.append("")
                out.append("\(n + 1)) \(pact) - \(i.description)" + (i.pending ? paint.warn(" (pending, not counted)") : ""))
                switch i.outcome {
                case .error(let why):
                    out.append("    " + paint.bad(why))
                case .failed(let ms):
                    for (k, m) in ms.enumerated() {
                        let place: String
                        switch m.kind {
                        case .body, .bodyType: place = "body " + m.path
                        case .header: place = "header " + m.path
                        case .query: place = "query " + m.path
                        case .status: place = "status"
                        case .path: place = "path"
                        case .method: place = "method"
                        }
                        out.append("    \(n + 1).\(k + 1)) \(place): \(m.message)")
                        if !m.expected.isEmpty || !m.actual.isEmpty {
                            out.append("         " + paint.ok("expected: ") + Self.clip(m.expected))
                            out.append("         " + paint.bad("actual:   ") + Self.clip(m.actual))
                        }
                    }
                default: break
                }
            }
        }
        let c = counts
        out.append("")
        var summary = "\(c.total) interaction\(c.total == 1 ? "" : "s"), \(c.passed) passed, \(c.failed) failed"
        if c.errors > 0 { summary += ", \(c.errors) errors" }
        if c.skipped > 0 { summary += ", \(c.skipped) skipped" }
        if c.pending > 0 { summary += ", \(c.pending) pending failed (not counted)" }
        if cancelled { summary += " (cancelled)" }
        out.append(passed ? paint.ok(summary) : paint.bad(summary))
        return out.joined(separator: "\n") + "\n"
    }

    /// "returns a response which / has status code 200 (OK) / includes headers / ...".
    static func responseLines(_ i: InteractionResult, _ ms: [PactMismatch], _ paint: ReportPaint) -> [String] {
        let bad = i.pending ? paint.warn("(FAILED, pending)") : paint.bad("(FAILED)")
        func mark(_ failed: Bool) -> String { failed ? bad : paint.ok("(OK)") }
        var out = ["    \(i.request) returns a response which"]
        out.append("      has status code \(i.expectedStatus.map(String.init) ?? "") " + mark(ms.contains { $0.kind == .status }))
        if !i.expectedHeaderOrder.isEmpty {
            out.append("      includes headers")
            for name in i.expectedHeaderOrder {
                let failed = ms.contains { $0.kind == .header && $0.path.lowercased() == name.lowercased() }
                out.append("        \"\(name)\" with value \"\(i.expectedHeaders[name] ?? "")\" " + mark(failed))
            }
        }
        out.append("      has a matching body " + mark(ms.contains { $0.kind == .body || $0.kind == .bodyType }))
        return out
    }

    /// One line, at most 300 characters.
    static func clip(_ s: String) -> String {
        let one = s.replacingOccurrences(of: "\n", with: "\\n")
        return one.count > 300 ? String(one.prefix(300)) + "…" : one
    }
}
