import Foundation

extension ServiceLogTail {
    /// The lines as `msvc logs` prints them: time, replica, `|` stdout, `!` stderr, `*` msvc's notes.
    public func formatted() -> [String] {
        lines.map { r in
            let mark = r.stream == .stdout ? "|" : r.stream == .stderr ? "!" : "*"
            return "\(TestReportTime.clock(r.time)) \(Self.label(r.service, r.replica, replicas: replicas)) \(mark) \(r.text)"
        }
    }

    /// The replica display rule of `ps` and `logs`: `orders` while the service has one
    /// replica, `orders.1`, `orders.2` when it has more.
    static func label(_ service: String, _ replica: Int, replicas: Int) -> String {
        replicas > 1 || replica > 1 ? "\(service).\(replica)" : service
    }
}

/// Times as reports print them.
enum TestReportTime {
    /// `14:03:07.250`, local time.
    static func clock(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "HH:mm:ss.SSS"
        return f.string(from: date)
    }

    /// `12 ms`, `1.25 s`, `2m05s`.
    static func short(_ d: Duration) -> String {
        let ms = Units.milliseconds(d)
        if ms < 1000 { return "\(ms) ms" }
        if ms < 60_000 { return String(format: "%.2f s", Double(ms) / 1000) }
        return "\(ms / 60_000)m\(String(format: "%02d", (ms / 1000) % 60))s"
    }
}

extension TestRunResult {
    /// Output kept per case in reports.
    static let outputLimit = 64 << 10

    /// The run as JUnit: one `<testsuite>` per suite, one `<testcase>` per step, command or
    /// service; the last service log lines of a failed suite as `<system-out>` of its failed cases.
    public func junit(name: String = "msvc test") -> JUnitReport {
        JUnitReport(name: name, suites: suites.map { s in
            let logs = s.logs.map { tail in
                (["--- \(tail.service): last \(tail.lines.count) lines ---"] + tail.formatted()).joined(separator: "\n")
            }.joined(separator: "\n")
            let cases = s.cases.map { c -> JUnitReport.TestCase in
                var out: String? = c.output.map { Self.cap($0) }
                if c.isFailure, !logs.isEmpty { out = logs }
                return JUnitReport.TestCase(name: c.name, classname: s.id, time: c.duration, outcome: c.outcome, systemOut: out)
            }
            return JUnitReport.Suite(name: s.id, timestamp: s.startedAt, time: s.duration, cases: cases, properties: s.reportProperties)
        })
    }

    /// The newest `outputLimit` bytes of `text`.
    static func cap(_ text: String) -> String {
        guard text.utf8.count > outputLimit else { return text }
        let tail = String(decoding: Array(text.utf8.suffix(outputLimit)), as: UTF8.self)
        return "... (earlier output cut)\n" + tail
    }

    /// The run as one JSON document for scripts (`msvc test --json`).
    public func json() -> JSON {
        let totals = suites.reduce(into: (0, 0, 0, 0)) { t, s in
            let c = s.counts
            t.0 += c.passed; t.1 += c.failed; t.2 += c.errors; t.3 += c.skipped
        }
        return .object([
            ("passed", .bool(passed)),
            ("interrupted", .bool(interrupted)),
            ("duration_ms", .int(Int(Units.milliseconds(duration)))),
            ("totals", .object([("suites", .int(suites.count)), ("passed", .int(totals.0)), ("failed", .int(totals.1)),
                                ("errors", .int(totals.2)), ("skipped", .int(totals.3))])),
            ("suites", .array(suites.map(\.json))),
        ])
    }
}

extension SuiteResult {
    /// Properties for reports: kind, services, phase times, then the suite's own.
    var reportProperties: [(String, String)] {
        var p: [(String, String)] = [("kind", kind.rawValue)]
        if !services.isEmpty { p.append(("services", services.joined(separator: ","))) }
        if phases.start > .zero { p.append(("start_seconds", JUnitReport.seconds(phases.start))) }
        if phases.ready > .zero { p.append(("ready_seconds", JUnitReport.seconds(phases.ready))) }
        if phases.run > .zero { p.append(("run_seconds", JUnitReport.seconds(phases.run))) }
        if phases.stop > .zero { p.append(("stop_seconds", JUnitReport.seconds(phases.stop))) }
        return p + properties
    }

    /// The suite as JSON.
    var json: JSON {
        let ms = { (d: Duration) in JSON.int(Int(Units.milliseconds(d))) }
        return .object([
            ("kind", .string(kind.rawValue)),
            ("name", .string(name)),
            ("passed", .bool(passed)),
            ("services", .array(services.map(JSON.string))),
            ("started_at", .string(ISO8601DateFormatter().string(from: startedAt))),
            ("duration_ms", ms(duration)),
            ("phases_ms", .object([("start", ms(phases.start)), ("ready", ms(phases.ready)), ("run", ms(phases.run)),
                                   ("stop", ms(phases.stop))])),
            ("properties", .object(properties.map { ($0.0, JSON.string($0.1)) })),
            ("cases", .array(cases.map(\.json))),
            ("logs", .object(logs.map { ($0.service, JSON.array($0.formatted().map(JSON.string))) })),
        ])
    }
}

extension CaseResult {
    /// The case as JSON.
    var json: JSON {
        var fields: [(String, JSON)] = [("name", .string(name)), ("duration_ms", .int(Int(Units.milliseconds(duration))))]
        switch outcome {
        case .passed: fields.append(("outcome", .string("passed")))
        case .failed(let m, let d): fields += [("outcome", .string("failed")), ("message", .string(m)), ("detail", .string(d))]
        case .error(let m, let d): fields += [("outcome", .string("error")), ("message", .string(m)), ("detail", .string(d))]
        case .skipped(let m): fields += [("outcome", .string("skipped")), ("message", .string(m))]
        }
        if let output { fields.append(("output", .string(TestRunResult.cap(output)))) }
        return .object(fields)
    }
}
