import Foundation
import MsvcCore
import MsvcTestSupport
import Testing

@Suite("JUnit reports")
struct JUnitReportTests {
    static let schema = packageRoot() + "/Tests/MsvcCoreTests/Fixtures/junit/junit-10.xsd"

    func validate(_ xml: String) async throws -> CommandResult {
        let dir = try TemporaryDirectory(prefix: "msvc-junit")
        try dir.write("report.xml", xml)
        return try await Shell.run("xmllint", ["--noout", "--schema", Self.schema, "report.xml"], cwd: dir.path)
    }

    @Test func everyOutcome_andAwkwardText_validate() async throws {
        let when = Date(timeIntervalSince1970: 1_700_000_000)
        let report = JUnitReport(name: "msvc test", suites: [
            JUnitReport.Suite(name: "e2e.checkout", timestamp: when, time: .milliseconds(4321), cases: [
                .init(name: "create <order> & \"quote\"", classname: "e2e.checkout", time: .milliseconds(12), outcome: .passed,
                      systemOut: "line 1\nline\u{1B}[31m 2 ]]> \u{0}end"),
                .init(name: "read it back", classname: "e2e.checkout", time: .seconds(5),
                      outcome: .failed(message: "status 404, expected 200\nsecond line", detail: "expected:\n  $.id: missing (expected \"x\")"),
                      systemOut: "--- orders: last 2 lines ---\n12:00:00.000 orders | ünïcødé ✓"),
                .init(name: "start services", classname: "e2e.checkout", time: .zero, outcome: .error(message: "timed out after 2m", detail: "orders.1 starting")),
                .init(name: "later", classname: "e2e.checkout", time: .zero, outcome: .skipped(message: "not run: interrupted")),
            ], properties: [("kind", "e2e"), ("services", "orders,gateway")]),
            JUnitReport.Suite(name: "unit.orders", timestamp: when, time: .milliseconds(900), cases: []),
        ])
        let xml = report.xml()
        let lint = try await validate(xml)
        #expect(lint.status == 0, "\(lint.stderr)\n\(xml)")
        #expect(xml.contains("<testsuites name=\"msvc test\" tests=\"4\" failures=\"1\" errors=\"1\" time=\"5.221\">"))
        #expect(xml.contains("<testsuite name=\"e2e.checkout\" id=\"0\" tests=\"4\" failures=\"1\" errors=\"1\" skipped=\"1\" time=\"4.321\" timestamp=\"2023-11-14T22:13:20\""))
        #expect(xml.contains("<testcase name=\"create &lt;order&gt; &amp; &quot;quote&quot;\""))
        #expect(xml.contains("line\u{FFFD}[31m 2 ]]&gt; \u{FFFD}end"), "control characters XML cannot carry are replaced")
        #expect(xml.contains("<failure message=\"status 404, expected 200&#10;second line\" type=\"failure\">"))
        #expect(xml.contains("<skipped message=\"not run: interrupted\"/>"))
    }
}
