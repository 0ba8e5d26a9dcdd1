import Foundation
@testable import MsvcCore
import Testing

@Suite struct ScaffoldRegistrationTests {
    let entry = ServiceRegistration.entry(
        service: "orders", block: "command: python3 app.py\nport: auto\nhealth:\n  http: /healthz", cwd: "services/orders",
        port: nil, language: "python", unit: 2)

    @Test func entry_putsCwdFirst_andLanguageLast() {
        #expect(entry == ["orders:", "  cwd: services/orders", "  command: python3 app.py", "  port: auto",
                          "  health:", "    http: /healthz", "  language: python"])
    }

    @Test func entry_portOption_replacesTheTemplatePort() {
        let e = ServiceRegistration.entry(service: "a", block: "command: x\nport: auto", cwd: "a", port: "8081", language: nil, unit: 4)
        #expect(e == ["a:", "    cwd: a", "    command: x", "    port: 8081"])
    }

    @Test func append_whenServicesIsLast_keepsCommentsAndAddsAtTheEnd() {
        let text = "# top comment\nversion: 1\nservices:\n  # a comment\n  web:\n    command: x   # trailing\n\n# closing comment\n"
        let out = ServiceRegistration.append(entry: entry, to: text)
        #expect(out.hasPrefix("# top comment\nversion: 1\nservices:\n  # a comment\n  web:\n    command: x   # trailing\n\n  orders:\n    cwd: services/orders\n"))
        #expect(out.hasSuffix("    language: python\n\n# closing comment\n"))
    }

    @Test func append_whenServicesIsInTheMiddle_insertsBeforeTheNextKey() {
        let text = "version: 1\nservices:\n    web:\n        command: x\ntests:\n  e2e: []\n"
        let e = ServiceRegistration.entry(service: "b", block: "command: y", cwd: "b", port: nil, language: nil,
                                          unit: ServiceRegistration.indentUnit(in: text))
        let out = ServiceRegistration.append(entry: e, to: text)
        #expect(out == "version: 1\nservices:\n    web:\n        command: x\n\n    b:\n        cwd: b\n        command: y\ntests:\n  e2e: []\n")
    }

    @Test func append_withoutServices_addsTheKey() {
        let out = ServiceRegistration.append(entry: ["b:", "  command: y"], to: "version: 1")
        #expect(out == "version: 1\n\nservices:\n  b:\n    command: y\n")
    }

    @Test func append_emptyFlowServices_becomesABlock() {
        let out = ServiceRegistration.append(entry: ["b:", "  command: y"], to: "version: 1\nservices: {}\n")
        #expect(out == "version: 1\nservices:\n  b:\n    command: y\n")
    }
}

@Suite struct ScaffoldManifestTests {
    let text = """
        name: demo
        description: A demo
        language: python
        variables:
          - { name: owner, prompt: "Team", default: team, pattern: "^[a-z]+$" }
          - { name: flavour, default: plain, choices: [plain, fancy] }
          - { name: docker, default: true }
        conditional: { "Dockerfile": docker }
        hooks: { post: ["echo hi"] }
        service:
          command: python3 app.py   # comment kept
          port: auto
        """

    @Test func parse_readsEveryField_andKeepsTheServiceBlockText() throws {
        let m = try TemplateManifest.parse(text, path: "t/template.yaml", folderName: "t")
        #expect(m.name == "demo" && m.language == "python" && m.postHooks == ["echo hi"])
        #expect(m.variables.map(\.name) == ["owner", "flavour", "docker"])
        #expect(m.variables[2].isBool)
        #expect(m.conditional == ["Dockerfile": "docker"])
        #expect(m.serviceBlock == "command: python3 app.py   # comment kept\nport: auto")
    }

    @Test func resolve_checksPatternsChoicesAndUnknownNames() throws {
        let m = try TemplateManifest.parse(text, path: "t/template.yaml", folderName: "t")
        func resolve(_ set: [String: String]) throws(ScaffoldError) -> TemplateValues {
            try TemplateValues.resolve(manifest: m, service: "order-db", project: "shop", port: "auto", set: set)
        }
        let v = try resolve(["flavour": "fancy", "docker": "no"])
        #expect(v.strings["service_upper"] == "ORDER_DB" && v.strings["service_pascal"] == "OrderDb")
        #expect(v.strings["service_title"] == "Order Db" && v.strings["service_snake"] == "order_db")
        #expect(!v.isTruthy("docker") && v.strings["owner"] == "team")
        #expect(throws: ScaffoldError.self) { try resolve(["owner": "Bad Team"]) }
        #expect(throws: ScaffoldError.self) { try resolve(["flavour": "odd"]) }
        #expect(throws: ScaffoldError.unknownVariable(name: "nope", template: "demo", known: ["owner", "flavour", "docker"])) {
            try resolve(["nope": "1"])
        }
    }

    @Test func parse_rejectsUnknownKeys_andFlowServiceBlocks() {
        #expect(throws: ScaffoldError.self) { try TemplateManifest.parse("name: x\nbogus: 1\nservice:\n  command: a\n", path: "p", folderName: "x") }
        #expect(throws: ScaffoldError.self) { try TemplateManifest.parse("name: x\nservice: { command: a }\n", path: "p", folderName: "x") }
        #expect(throws: ScaffoldError.self) { try TemplateManifest.parse("name: x\nservice:\n  port: auto\n", path: "p", folderName: "x") }
    }

    @Test func renderText_doesNotEscapeHTML() throws {
        let v = TemplateValues(service: "a", project: "p<&>", port: "auto")
        #expect(try TemplateRenderer.renderText("x {{project}} y", values: v, path: "f") == "x p<&> y")
    }

    @Test func normalize_refusesEscapes() throws {
        #expect(try TemplateRenderer.normalize(["a", "..", "b"], source: "s") == ["b"])
        #expect(throws: ScaffoldError.self) { try TemplateRenderer.normalize(["..", "x"], source: "s") }
        #expect(throws: ScaffoldError.self) { try TemplateRenderer.normalize(["a/../../x"], source: "s") }
        #expect(throws: ScaffoldError.self) { try TemplateRenderer.normalize(["/etc/passwd"], source: "s") }
    }
}
