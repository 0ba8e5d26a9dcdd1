import Foundation

/// The console summary of a run: every case with pass/fail and time, each failure with its
/// detail (the diff), and the last log lines of a failed suite's services.
public struct ConsoleReport: Sendable {
    /// Whether to use ANSI colours.
    public var color: Bool
    /// Log lines shown per service of a failed suite.
    public var logLines: Int

    /// Creates a renderer.
    public init(color: Bool, logLines: Int = 20) {
        self.color = color
        self.logLines = logLines
    }

    /// `text` in an ANSI style when colour is on.
    func paint(_ text: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }

    /// The whole summary, ending with a newline.
    public func render(_ run: TestRunResult) -> String {
        var out: [String] = []
        for suite in run.suites { out += render(suite) + [""] }
        out.append(totals(run))
        return out.joined(separator: "\n") + "\n"
    }

    /// One suite: a heading, a line per case, failures in detail, then the logs.
    public func render(_ suite: SuiteResult) -> [String] {
        var out: [String] = []
        let c = suite.counts
        let verdict = !suite.passed ? paint("FAILED", "1;31") : suite.allSkipped ? paint("skipped", "33") : paint("passed", "32")
        var heading = "\(paint(suite.kind.rawValue, "2")) \(paint(suite.name, "1"))  \(verdict)  \(TestReportTime.short(suite.duration))"
        if !suite.services.isEmpty {
            heading += paint("  (\(suite.services.count) service\(suite.services.count == 1 ? "" : "s"): start \(TestReportTime.short(suite.phases.start + suite.phases.ready)), run \(TestReportTime.short(suite.phases.run)), stop \(TestReportTime.short(suite.phases.stop)))", "2")
        }
        out.append(heading)
        let width = min(60, suite.cases.map(\.name.count).max() ?? 0)
        for k in suite.cases {
            let name = k.name.count > 60 ? String(k.name.prefix(57)) + "..." : k.name
            let pad = String(repeating: " ", count: max(1, width - name.count + 2))
            switch k.outcome {
            case .passed:
                out.append("  \(paint("✓", "32")) \(name)\(pad)\(paint(TestReportTime.short(k.duration), "2"))")
            case .skipped(let why):
                out.append("  \(paint("-", "33")) \(name)\(pad)\(paint("skipped: \(why)", "2"))")
            case .failed(let message, let detail), .error(let message, let detail):
                out.append("  \(paint("✗", "1;31")) \(name)\(pad)\(TestReportTime.short(k.duration))  \(paint(message, "31"))")
                if detail != message {
                    out += detail.split(separator: "\n", omittingEmptySubsequences: false).map { "      " + $0 }
                }
            }
        }
        if c.failed + c.errors > 0 {
            for tail in suite.logs {
                let lines = tail.formatted().suffix(logLines)
                out.append(paint("    \(tail.service): \(lines.isEmpty ? "no output" : "last \(lines.count) log lines") during the suite", "2"))
                out += lines.map { "      " + $0 }
            }
            if !suite.logs.isEmpty, let state = suite.properties.first(where: { $0.0 == "state" })?.1 {
                out.append(paint("    full logs: \(state)/logs/", "2"))
            }
        }
        return out
    }

    /// `3 suites, 12 cases: 11 passed, 1 failed, 0 skipped in 9.21 s`.
    public func totals(_ run: TestRunResult) -> String {
        var t = (passed: 0, failed: 0, skipped: 0, cases: 0)
        for s in run.suites {
            let c = s.counts
            t.passed += c.passed
            t.failed += c.failed + c.errors
            t.skipped += c.skipped
            t.cases += s.cases.count
        }
        let failedSuites = run.suites.filter { !$0.passed }.count
        var line = "\(run.suites.count) suite\(run.suites.count == 1 ? "" : "s"), \(t.cases) case\(t.cases == 1 ? "" : "s"): "
        line += "\(t.passed) passed, \(t.failed) failed, \(t.skipped) skipped in \(TestReportTime.short(run.duration))"
        if run.interrupted { return paint(line + " (interrupted)", "1;33") }
        return failedSuites > 0 ? paint(line, "1;31") : paint(line, "32")
    }
}
