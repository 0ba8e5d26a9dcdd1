import Foundation
import MsvcCore
import MsvcTestSupport
import Testing

@Suite("suite planning")
struct SuitePlannerTests {
    static let yaml = """
        name: plan
        services:
          db:
            command: python3 db.py
            port: 5432
            health: { tcp: true }
            test: echo db unit
          api:
            command: python3 api.py
            port: auto
            depends_on: { db: healthy }
            cwd: api
            test: echo api unit
          web:
            command: python3 web.py
            port: 8080
            depends_on: [api]
          legacy:
            command: python3 legacy.py
            disabled: true
          load:
            command: python3 load.py
            profiles: [load]
            depends_on: [web]
        tests:
          integration:
            - name: api-db
              needs: [api]
              run: ./check.sh
              timeout: 45s
            - name: old
              needs: [legacy]
              run: ./old.sh
          e2e:
            - name: journey
              scenario: tests/journey.yaml
            - name: smoke
              needs: [web]
              run: ./smoke.sh
              cwd: nowhere
        """

    func planner(_ yaml: String = yaml, files: [String: String] = [:]) throws -> (SuitePlanner, TemporaryDirectory) {
        let dir = try TemporaryDirectory(prefix: "msvc-plan")
        try FileManager.default.createDirectory(atPath: dir.path + "/api", withIntermediateDirectories: true)
        for (path, text) in files { try dir.write(path, text) }
        try dir.write("msvc.yaml", yaml)
        let loaded = try ConfigLoader.load(path: dir.path + "/msvc.yaml", environment: ["HOME": "/root"])
        return (SuitePlanner(loaded: loaded, defaultTimeout: .seconds(90), environment: ["HOME": "/root"]), dir)
    }

    func invalid(_ body: () throws -> Void) -> [String] {
        do {
            try body()
            Issue.record("expected the plan to be invalid")
            return []
        } catch SuitePlanError.invalid(let list) {
            return list.map { d in
                var d = d
                d.file = (d.file as NSString).lastPathComponent
                return d.description
            }
        } catch {
            Issue.record("unexpected \(error)")
            return []
        }
    }

    let journey = """
        steps:
          - request: { url: "${WEB_URL}/", headers: { X-Api: "${API_URL}", X-Db: "${DB_PORT}" } }
        """

    @Test func kinds_readFromWords() throws {
        #expect(try SuiteSelection.kinds(["e2e", "integration", "e2e"]) == [.integration, .e2e])
        #expect(try SuiteSelection.kinds(["unit", "all"]) == [])
        #expect(throws: SuitePlanError.self) { try SuiteSelection.kinds(["e3e"]) }
        do { _ = try SuiteSelection.kinds(["intgration"]) } catch {
            #expect(error.description == "unknown test kind \"intgration\" (expected unit, contract, integration, e2e, all); did you mean \"integration\"?")
        }
    }

    @Test func subgraphs_areNeedsPlusTransitiveDependencies_inFileOrder() throws {
        let (p, dir) = try planner(files: ["tests/journey.yaml": journey])
        let plans = try p.plan(SuiteSelection(kinds: [.unit, .integration, .e2e], names: ["db", "api", "api-db", "journey"]))
        #expect(plans.map(\.id) == ["unit.db", "unit.api", "integration.api-db", "e2e.journey"])
        #expect(plans[0].services == [] && plans[0].cwd == dir.path)
        #expect(plans[1].cwd == dir.path + "/api", "unit tests run in the service's cwd")
        #expect(plans[2].services == ["db", "api"])
        #expect(plans[2].timeout == .seconds(45), "a timeout in the file wins")
        #expect(plans[3].services == ["db", "api", "web"], "an e2e suite without needs gets every enabled service outside profiles")
        #expect(plans[3].timeout == .seconds(90), "without one, --timeout applies")
    }

    @Test func unknownSuite_isAUsageError_withDidYouMean() throws {
        let (p, dir) = try planner()
        _ = dir
        #expect(throws: SuitePlanError.self) { try p.plan(SuiteSelection(names: ["jorney"])) }
        do { _ = try p.plan(SuiteSelection(kinds: [.e2e], names: ["jorney"])) } catch {
            #expect(error.description == "unknown suite \"jorney\"; did you mean \"journey\"? (e2e suites: journey, smoke)")
        }
        do { _ = try p.plan(SuiteSelection(kinds: [.e2e], names: ["api-db"])) } catch {
            #expect(error.description == "\"api-db\" is an integration suite; run: msvc test integration --suite api-db")
        }
        do { _ = try p.plan(SuiteSelection(kinds: [.contract], names: ["x"])) } catch {
            #expect(error.description == "unknown suite \"x\" (msvc.yaml defines no contract suites)")
        }
    }

    @Test func invalidSuites_areReportedTogether_withPositions() throws {
        let (p, dir) = try planner()
        _ = dir
        let errors = invalid { _ = try p.plan(SuiteSelection(kinds: [.integration, .e2e])) }
        #expect(errors == [
            "msvc.yaml:32:14: error: tests.integration[1].needs: legacy is disabled (disabled: true), so this suite cannot start it; enable it or leave it out",
            "msvc.yaml:36:17: error: tests.e2e[0].scenario: scenario file tests/journey.yaml not found (relative to msvc.yaml's folder)",
            "msvc.yaml:40:12: error: tests.e2e[1].cwd: folder nowhere does not exist (relative to msvc.yaml's folder); create it or fix the path",
        ])
    }

    @Test func scenarioVariables_areCheckedAgainstTheSubgraph() throws {
        let yaml = Self.yaml.replacingOccurrences(of: "      scenario: tests/journey.yaml", with: "      needs: [api]\n      scenario: tests/journey.yaml")
        let scenario = """
            steps:
              - request: { url: "${WEB_URL}/x?home=${HOME}&id=${order}&d=${MISSING:-none}&s=${MSVC_SUITE}" }
              - request: { method: POST, url: "${API_URL}/orders", json: { at: "${DB_URL}", n: "${NOPE}" } }
                capture: { order: $.id }
            """
        let (p, dir) = try planner(yaml, files: ["tests/journey.yaml": scenario])
        _ = dir
        let errors = invalid { _ = try p.plan(SuiteSelection(kinds: [.e2e], names: ["journey"])) }
        #expect(errors == [
            "journey.yaml:2:22: error: steps[0].request.url: ${WEB_URL} is the address of web, which this suite does not start; add web to its needs (or use needs: all)",
            "journey.yaml:2:51: error: steps[0].request.url: ${order} is captured by step 2 (\"POST ${API_URL}/orders\"), which runs later; capture it in an earlier step",
            "journey.yaml:3:85: error: steps[1].request.json.n: ${NOPE} is not set: it is not captured by an earlier step, not the address of a service this suite starts (API_URL, DB_URL), and not in the suite's env or msvc's environment; set it there, or write ${NOPE:-default}",
        ])
    }

    @Test func suiteFolders_neverLeaveMsvcTest() {
        #expect(SuiteIsolation.folderName("checkout") == "checkout")
        #expect(SuiteIsolation.folderName("api.v2_smoke-1") == "api.v2_smoke-1")
        for name in ["..", ".", "../../etc", "a/b", "", "new suite", ".hidden"] {
            let folder = SuiteIsolation.folderName(name)
            #expect(!folder.contains("/") && !folder.hasPrefix(".") && !folder.isEmpty, "\(name) -> \(folder)")
        }
        #expect(SuiteIsolation.folderName("a/b") != SuiteIsolation.folderName("a_b"))
        let dir = SuiteIsolation.stateDirectory(suite: "../..", configDirectory: "/p")
        #expect(dir.root.hasPrefix("/p/.msvc/test/_") && !dir.root.split(separator: "/").contains(".."))
    }
}
