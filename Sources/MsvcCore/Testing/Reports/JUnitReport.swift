import Foundation

/// Test results in the shape CI systems read as JUnit XML: suites of test cases, each passed,
/// failed, errored or skipped, with optional captured output. `msvc test` and
/// `msvc contract verify` both write it.
public struct JUnitReport: Sendable, Equatable {
    /// The outcome of one test case.
    public enum Outcome: Sendable, Equatable {
        /// It passed.
        case passed
        /// An expectation did not hold: a one-line message and the full detail (a diff).
        case failed(message: String, detail: String)
        /// It could not run to a verdict (a crash, a timeout, a setup failure).
        case error(message: String, detail: String)
        /// It was not run (filtered out, pending).
        case skipped(message: String)
    }

    /// One test case: a step, a command, an interaction, a service's unit tests.
    public struct TestCase: Sendable, Equatable {
        /// The case's name.
        public var name: String
        /// The group it belongs to, shown by CI as the class (usually `KIND.SUITE`).
        public var classname: String
        /// How long it took.
        public var time: Duration
        /// What happened.
        public var outcome: Outcome
        /// Output captured for the case (log lines of the services, the command's output).
        public var systemOut: String?
        /// Error output captured for the case.
        public var systemErr: String?

        /// Creates a case.
        public init(name: String, classname: String, time: Duration, outcome: Outcome,
                    systemOut: String? = nil, systemErr: String? = nil) {
            self.name = name
            self.classname = classname
            self.time = time
            self.outcome = outcome
            self.systemOut = systemOut
            self.systemErr = systemErr
        }
    }

    /// One suite.
    public struct Suite: Sendable, Equatable {
        /// The suite's name.
        public var name: String
        /// When it started.
        public var timestamp: Date
        /// How long it took in all (may exceed the sum of its cases: start-up and tear-down).
        public var time: Duration
        /// Its cases, in the order they ran.
        public var cases: [TestCase]
        /// Name/value pairs shown by some CI systems (kind, provider, services).
        public var properties: [(String, String)]
        /// Output that belongs to the suite as a whole.
        public var systemOut: String?

        /// Creates a suite.
        public init(name: String, timestamp: Date, time: Duration, cases: [TestCase],
                    properties: [(String, String)] = [], systemOut: String? = nil) {
            self.name = name
            self.timestamp = timestamp
            self.time = time
            self.cases = cases
            self.properties = properties
            self.systemOut = systemOut
        }

        public static func == (a: Suite, b: Suite) -> Bool {
            a.name == b.name && a.timestamp == b.timestamp && a.time == b.time && a.cases == b.cases
                && a.properties.elementsEqual(b.properties, by: ==) && a.systemOut == b.systemOut
        }

        /// Counts of cases by outcome.
        public var counts: (tests: Int, failures: Int, errors: Int, skipped: Int) {
            var c = (tests: cases.count, failures: 0, errors: 0, skipped: 0)
            for t in cases {
                switch t.outcome {
                case .passed: break
                case .failed: c.failures += 1
                case .error: c.errors += 1
                case .skipped: c.skipped += 1
                }
            }
            return c
        }
    }

    /// The name of the whole run (`msvc test`, `msvc contract verify`).
    public var name: String
    /// The suites, in the order they ran.
    public var suites: [Suite]

    /// Creates a report.
    public init(name: String, suites: [Suite] = []) {
        self.name = name
        self.suites = suites
    }

    /// The report as JUnit XML (UTF-8, `<testsuites>` root).
    public func xml() -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        let totals = suites.reduce(into: (tests: 0, failures: 0, errors: 0, skipped: 0)) { t, s in
            let c = s.counts
            t.tests += c.tests; t.failures += c.failures; t.errors += c.errors; t.skipped += c.skipped
        }
        let total = suites.reduce(Duration.zero) { $0 + $1.time }
        // The root has no `skipped` attribute: the common JUnit schema (Jenkins' junit-10.xsd)
        // does not allow it there, and readers sum the suites' own counts.
        out += "<testsuites name=\(Self.attr(name)) tests=\"\(totals.tests)\" failures=\"\(totals.failures)\""
            + " errors=\"\(totals.errors)\" time=\"\(Self.seconds(total))\">\n"
        for (index, suite) in suites.enumerated() {
            let c = suite.counts
            out += "  <testsuite name=\(Self.attr(suite.name)) id=\"\(index)\" tests=\"\(c.tests)\" failures=\"\(c.failures)\""
                + " errors=\"\(c.errors)\" skipped=\"\(c.skipped)\" time=\"\(Self.seconds(suite.time))\""
                + " timestamp=\"\(Self.timestamp(suite.timestamp))\" hostname=\"localhost\">\n"
            if !suite.properties.isEmpty {
                out += "    <properties>\n"
                for (k, v) in suite.properties {
                    out += "      <property name=\(Self.attr(k)) value=\(Self.attr(v))/>\n"
                }
                out += "    </properties>\n"
            }
            for t in suite.cases {
                out += "    <testcase name=\(Self.attr(t.name)) classname=\(Self.attr(t.classname)) time=\"\(Self.seconds(t.time))\""
                let body = Self.caseBody(t)
                if body.isEmpty {
                    out += "/>\n"
                } else {
                    out += ">\n" + body + "    </testcase>\n"
                }
            }
            if let s = suite.systemOut, !s.isEmpty { out += "    <system-out>\(Self.text(s))</system-out>\n" }
            out += "  </testsuite>\n"
        }
        out += "</testsuites>\n"
        return out
    }

    private static func caseBody(_ t: TestCase) -> String {
        var out = ""
        switch t.outcome {
        case .passed: break
        case .failed(let message, let detail):
            out += "      <failure message=\(attr(message)) type=\"failure\">\(text(detail))</failure>\n"
        case .error(let message, let detail):
            out += "      <error message=\(attr(message)) type=\"error\">\(text(detail))</error>\n"
        case .skipped(let message):
            out += "      <skipped message=\(attr(message))/>\n"
        }
        if let s = t.systemOut, !s.isEmpty { out += "      <system-out>\(text(s))</system-out>\n" }
        if let s = t.systemErr, !s.isEmpty { out += "      <system-err>\(text(s))</system-err>\n" }
        return out
    }

    /// Seconds with millisecond precision, as JUnit readers expect (`1.250`).
    static func seconds(_ d: Duration) -> String {
        let ms = max(0, Units.milliseconds(d))
        return String(format: "%d.%03d", Int(ms / 1000), Int(ms % 1000))
    }

    /// ISO 8601 without a zone suffix, as the JUnit schema's `timestamp` type requires.
    static func timestamp(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        return f.string(from: date)
    }

    /// A quoted attribute value.
    static func attr(_ s: String) -> String { "\"" + escape(s, attribute: true) + "\"" }

    /// Element text.
    static func text(_ s: String) -> String { escape(s, attribute: false) }

    /// XML-escapes `s`; characters XML 1.0 cannot carry at all (most C0 controls, lone
    /// surrogates cannot occur in Swift strings) become U+FFFD so the file always parses.
    static func escape(_ s: String, attribute: Bool) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"" where attribute: out += "&quot;"
            case "\n" where attribute: out += "&#10;"
            case "\r": out += "&#13;"
            case "\t" where attribute: out += "&#9;"
            case "\t", "\n": out.unicodeScalars.append(scalar)
            default:
                let v = scalar.value
                if v < 0x20 || v == 0xFFFE || v == 0xFFFF {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
