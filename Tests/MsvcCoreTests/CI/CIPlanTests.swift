import Foundation
@testable import MsvcCore
import MsvcTestSupport
import Testing

@Suite struct CIPlanTests {
    @Test func plan_makesAJobPerServiceWithACommand_inFileOrder() throws {
        let plan = try CIPlan.make(CIFixtures.load("polyglot"), files: CIFixtures.files("polyglot"))
        #expect(plan.services.map(\.service) == ["gateway", "orders", "inventory-api", "pricing", "legacy", "tools"])
        #expect(plan.services.map(\.toolchain) == [.node, .python, .go, .swift, .generic, .generic])
        #expect(plan.services[1].cwd == "services/orders", "cwd is normalised")
        #expect(plan.services[1].watch == ["services/orders/**", "msvc.yaml"])
        #expect(plan.services.last?.watch == ["**", "msvc.yaml"], "a service at the root watches everything")
        #expect(plan.suites.map(\.kind) == [.contract, .integration, .e2e])
        #expect(plan.suites.map(\.timeoutMinutes) == [30, 25, 35])
        #expect(plan.stackToolchains == [.python, .node, .go, .swift, .generic])
    }

    @Test func plan_renamesAServiceThatCollidesWithMsvcsJobs() throws {
        var stack = StackConfig()
        stack.name = "x"
        var s = ServiceConfig(name: "msvc-ci")
        s.test = "true"
        stack.services["msvc-ci"] = s
        #expect(try CIPlan.make(stack, files: .none).services.map(\.id) == ["service-msvc-ci"])
    }

    @Test func plan_withNothingToRun_says_whatToAdd() {
        var stack = StackConfig()
        stack.services["a"] = ServiceConfig(name: "a")
        #expect(throws: CIError.nothingToRun) { try CIPlan.make(stack, files: .none) }
        #expect(CIError.nothingToRun.description.contains("add a test: command"))
    }

    @Test func toolchain_readsLanguageAliases() {
        #expect(CIToolchain(language: "TypeScript") == .node)
        #expect(CIToolchain(language: "golang") == .go)
        #expect(CIToolchain(language: "py") == .python)
        #expect(CIToolchain(language: "rust") == .generic)
        #expect(CIToolchain(language: nil) == .generic)
    }

    @Test func provider_comesFromTheFlag_thenCiProvider_thenTheOnlyCIFolder() throws {
        var settings = CISettings()
        #expect(try CIProvider.resolve(explicit: .azure, settings: settings, directory: "/r", exists: { _ in true }) == .azure)
        #expect(try CIProvider.resolve(explicit: nil, settings: settings, directory: "/r", exists: { $0 == "/r/.circleci" }) == .circleci)
        #expect(throws: CIError.noProvider) { try CIProvider.resolve(explicit: nil, settings: settings, directory: "/r", exists: { _ in false }) }
        #expect(throws: CIError.ambiguousProvider([.github, .gitlab])) {
            try CIProvider.resolve(explicit: nil, settings: settings, directory: "/r",
                                   exists: { $0 == "/r/.github/workflows" || $0 == "/r/.gitlab-ci.yml" })
        }
        settings.provider = "bitbucket"
        #expect(try CIProvider.resolve(explicit: nil, settings: settings, directory: "/r", exists: { _ in true }) == .bitbucket)
    }

    @Test func yamlScalar_quotesWhatWouldReadDifferently() {
        #expect(CIYAML.scalar("main") == "main")
        #expect(CIYAML.scalar("${{ github.ref }}") == "${{ github.ref }}")
        #expect(CIYAML.scalar("on") == "'on'")
        #expect(CIYAML.scalar("3.13") == "'3.13'")
        #expect(CIYAML.scalar("1.25") == "'1.25'")
        #expect(CIYAML.scalar("22") == "'22'")
        #expect(CIYAML.scalar("**") == "'**'")
        #expect(CIYAML.scalar("a: b") == "'a: b'")
        #expect(CIYAML.scalar("it's") == "it's")
        #expect(CIYAML.scalar("'x'") == #""'x'""#)
        #expect(CIYAML.scalar(#"#"'"#) == #"'#"'''"#)
        #expect(CIYAML.scalar("") == "''")
        #expect(CIYAML.scalar("a\nb") == "\"a\\nb\"")
    }

    @Test func yamlDocument_roundTripsThroughMsvcsParser() throws {
        let doc = CIYAML.map([
            CIYAMLEntry("steps", .list([
                .pairs([("name", .string("x")), ("run", .block("echo 'a: b'\n\nexit 0\n"))]),
                .string("- not a list"),
            ]), comment: ["a comment"]),
            CIYAMLEntry("empty", .map([])),
        ]).document(header: ["head"])
        let root = try #require(try YAMLParser.parse(doc))
        guard case .mapping(let pairs) = root.content else { Issue.record("not a map: \(doc)"); return }
        #expect(pairs.count == 2, "\(doc)")
        #expect(doc.contains("      echo 'a: b'\n\n      exit 0\n"), "\(doc)")
    }

    @Test func lineDiff_showsChangedLinesWithContext() {
        let a = (1...10).map(String.init).joined(separator: "\n") + "\n"
        let b = a.replacingOccurrences(of: "5\n", with: "five\n")
        let d = LineDiff.unified(a, b, from: "x", to: "y")
        #expect(d.contains("--- x\n+++ y\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n"), "\(d)")
        #expect(LineDiff.unified(a, a, from: "x", to: "y").isEmpty)
        #expect(CIGenerator.check(current: a, generated: a, path: "p") == nil)
    }
}
