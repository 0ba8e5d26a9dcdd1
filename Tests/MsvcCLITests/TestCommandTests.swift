import Foundation
import MsvcCore
import MsvcTestSupport
import Testing

@Suite("msvc test", .serialized)
struct TestCommandTests {
    func project(_ extra: String = "") throws -> TestProject {
        try TestProject(fixedPort: PortAllocator.allocate(avoiding: []) ?? 18_080, extraSuites: extra)
    }

    @Test func unit_runsEachServicesTestCommand_andShowsTheFailure() async throws {
        let p = try project()
        let pass = try await p.msvc(["test", "unit", "--suite", "store"])
        #expect(pass.status == 0, "\(pass.stdout)\(pass.stderr)")
        #expect(pass.stdout.contains("unit store  passed"))
        #expect(pass.stdout.contains("✓ sh store/tests.sh"))
        #expect(pass.stdout.contains("\n1 suite, 1 case: 1 passed, 0 failed, 0 skipped in "))

        let fail = try await p.msvc(["test", "unit"])
        #expect(fail.status == 1)
        #expect(fail.stdout.contains("unit front  FAILED"))
        #expect(fail.stdout.contains("✗ sh front/tests.sh"))
        #expect(fail.stdout.contains("exited with code 1"))
        #expect(fail.stdout.contains("front: test_forward FAILED: expected 200, got 502"), "the failing command's output is shown")
        #expect(fail.stdout.contains("2 suites, 2 cases: 1 passed, 1 failed, 0 skipped"))
        #expect(fail.stderr.contains("FAILED front"), "progress goes to stderr")
        #expect(p.leftovers().isEmpty)
    }

    @Test func integration_passesWithDiscoveryAndFreshState_andFailsWithTheServicesLogs() async throws {
        let p = try project()
        let pass = try await p.msvc(["test", "integration", "--suite", "store-empty"])
        #expect(pass.status == 0, "\(pass.stdout)\(pass.stderr)")
        #expect(pass.stderr.contains("store-empty: starting store"))
        #expect(pass.stderr.contains("store-empty: waiting until its services are ready"))
        #expect(pass.stderr.contains("store-empty: running"))

        let fail = try await p.msvc(["test", "integration", "--json"])
        #expect(fail.status == 1)
        let doc = try JSON.parse(fail.stdout)
        #expect(doc["passed"] == .bool(false))
        let suites = try #require(doc["suites"]?.arrayValue)
        #expect(suites.compactMap { $0["name"]?.stringValue } == ["store-empty", "store-full"])
        #expect(suites[0]["passed"] == .bool(true))
        let output = suites[0]["cases"]?.arrayValue?.first?["output"]?.stringValue ?? ""
        #expect(output.contains("MSVC_SUITE=store-empty state fresh"), "suites get MSVC_SUITE and an empty MSVC_STATE_DIR: \(output)")
        let failed = try #require(suites[1]["cases"]?.arrayValue?.first)
        #expect(failed["outcome"] == .string("failed"))
        #expect(failed["message"] == .string("exited with code 1"))
        #expect(failed["detail"]?.stringValue?.contains("store answered {'count': 0}") == true)
        let logs = (suites[1]["logs"]?["store"]?.arrayValue ?? []).compactMap { $0.stringValue }
        #expect(logs.contains { $0.hasSuffix("store | store listening") }, "\(logs)")
        #expect(p.leftovers().isEmpty)
    }

    @Test func e2e_capturesAndRetries_andAFailureShowsRequestResponseAndDiff() async throws {
        let p = try project()
        let pass = try await p.msvc(["test", "e2e", "--suite", "checkout"])
        #expect(pass.status == 0, "\(pass.stdout)\(pass.stderr)")
        #expect(pass.stdout.contains("e2e checkout  passed"))
        for step in ["place an order through the front", "read it back", "the store has it"] {
            #expect(pass.stdout.contains("✓ \(step)"))
        }

        let fail = try await p.msvc(["test", "e2e", "--suite", "broken"])
        #expect(fail.status == 1)
        let out = fail.stdout
        #expect(out.contains("✗ read it back at once"))
        #expect(out.contains("status 404, expected 200 (and 1 more) after 2 attempts"), "\(out)")
        #expect(out.contains("request: GET http://127.0.0.1:"))
        #expect(out.contains("(attempt 2 of 2, every 50ms"))
        #expect(out.contains("response: 404 Not Found in"))
        #expect(out.contains("\"error\": \"no item item-1\""))
        #expect(out.contains("expected:\n        status 404, expected 200\n        $.name: missing (expected \"gizmo\")"), "\(out)")
        #expect(out.contains("- never reached") && out.contains("skipped: not run: step \"read it back at once\" failed"))
        #expect(out.contains("front: last"), "the logs of every service of the suite follow")
        #expect(out.contains("store | stored item-1"))
        #expect(out.contains("full logs: .msvc/test/broken/logs/"))
        #expect(p.leftovers().isEmpty)
    }

    @Test func junit_validatesAgainstTheSchema_andParsesWithJunitparser() async throws {
        let p = try project()
        let run = try await p.msvc(["test", "unit", "integration", "e2e", "--parallel", "2", "--junit", "reports/all.xml"], timeout: 180)
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        let report = p.dir.path + "/reports/all.xml"
        let schema = packageRoot() + "/Tests/MsvcCoreTests/Fixtures/junit/junit-10.xsd"
        let lint = try await Shell.run("xmllint", ["--noout", "--schema", schema, report], cwd: p.dir.path)
        #expect(lint.status == 0, "\(lint.stderr)")
        let script = """
            import sys
            from junitparser import JUnitXml, Failure, Error, Skipped
            xml = JUnitXml.fromfile(sys.argv[1])
            for suite in xml:
                for case in suite:
                    kinds = [type(r).__name__ for r in case.result]
                    message = case.result[0].message if case.result else ""
                    out = (case.system_out or "").splitlines()
                    print(f"{suite.name}|{suite.tests}|{suite.failures}|{suite.errors}|{suite.skipped}|{case.classname}|{case.name}|{','.join(kinds)}|{message}|{len(out)}|{out[0] if out else ''}")
            """
        let parsed = try await Shell.run("python3", ["-c", script, report], cwd: p.dir.path)
        #expect(parsed.status == 0, "\(parsed.stderr)")
        let rows = parsed.stdout.split(separator: "\n").map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
        #expect(rows.map { "\($0[0]) \($0[6]) \($0[7])" } == [
            "unit.store sh store/tests.sh ",
            "unit.front sh front/tests.sh Failure",
            "integration.store-empty python3 tests/check_store.py 0 ",
            "integration.store-full python3 tests/check_store.py 5 Failure",
            "e2e.checkout place an order through the front ",
            "e2e.checkout read it back ",
            "e2e.checkout the store has it ",
            "e2e.broken place an order ",
            "e2e.broken read it back at once Failure",
            "e2e.broken never reached Skipped",
        ])
        let broken = try #require(rows.first { $0[6] == "read it back at once" })
        #expect(broken[1...4] == ["3", "1", "0", "1"], "tests, failures, errors, skipped of the suite")
        #expect(broken[5] == "e2e.broken")
        #expect(broken[8] == "status 404, expected 200 (and 1 more) after 2 attempts")
        #expect(Int(broken[9])! >= 4 && broken[10].hasPrefix("--- store: last ") && broken[10].hasSuffix(" lines ---"),
                "the failed case's system-out holds the services' last lines: \(broken)")
        #expect(p.leftovers().isEmpty)
    }

    @Test func invalidSuites_exit65WithPositions_andUnknownNamesExit64() async throws {
        let p = try project("""
                - name: typo
                  scenario: tests/e2e/typo.yaml
            """)
        try p.dir.write("tests/e2e/typo.yaml", "steps:\n  - request: { url: \"${FRONT_URL}/x\" }\n    expct: { status: 200 }\n")
        let invalid = try await p.msvc(["test", "e2e"])
        #expect(invalid.status == 65)
        #expect(invalid.stderr == "tests/e2e/typo.yaml:3:5: error: steps[0].expct: unknown key \"expct\"; did you mean \"expect\"?\n")
        let unknown = try await p.msvc(["test", "e2e", "--suite", "chekout"])
        #expect(unknown.status == 64)
        #expect(unknown.stderr == "error: unknown suite \"chekout\"; did you mean \"checkout\"? (e2e suites: checkout, broken, typo)\n")
        let kind = try await p.msvc(["test", "intgration"])
        #expect(kind.status == 64)
        #expect(kind.stderr.contains("did you mean \"integration\"?"))
        #expect(try await p.msvc(["test", "--parallel", "0"]).status == 64)
        #expect(try await p.msvc(["test", "--keep-up", "--reuse"]).status == 64)
    }

    @Test func timeouts_comeFromTheFlag_unlessTheSuiteSetsOne() async throws {
        // Limits leave room for start-up on a loaded machine; the commands outlast them clearly.
        let p = try project("""
                - name: sleepy
                  needs: [store]
                  run: sleep 60
                - name: patient
                  needs: [store]
                  run: sleep 10; echo done
                  timeout: 60s
            """)
        let started = Date()
        let run = try await p.msvc(["test", "e2e", "--suite", "sleepy", "--suite", "patient", "--timeout", "8s", "--parallel", "2"])
        #expect(Date().timeIntervalSince(started) < 45, "the 60 s command was cut short")
        #expect(run.status == 1)
        #expect(run.stdout.contains("e2e sleepy  FAILED"))
        #expect(run.stdout.contains("✗ sleep 60") && run.stdout.contains("timed out after 8s while running \"sleep 60\""), "\(run.stdout)")
        #expect(run.stdout.contains("e2e patient  passed"), "its own timeout: 60s wins over --timeout 8s: \(run.stdout)")
        #expect(p.leftovers().isEmpty)
    }
}
