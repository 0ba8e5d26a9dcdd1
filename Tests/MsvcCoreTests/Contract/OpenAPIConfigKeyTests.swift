import Foundation
import MsvcCore
import Testing

/// The per-service `openapi:` key in msvc.yaml.
@Suite struct OpenAPIConfigKeyTests {
    static func context(files: [String: String]) -> LoadContext {
        LoadContext(environment: [:], directory: "/stack") { files[$0] }
    }

    @Test func openapiKey_isReadAndRendered() throws {
        let yaml = """
            services:
              orders:
                command: python3 app.py
                openapi: services/orders/openapi.yaml
            """
        let loaded = try ConfigLoader.load(text: yaml, file: "msvc.yaml",
                                           context: Self.context(files: ["/stack/services/orders/openapi.yaml": "openapi: 3.0.3"]))
        #expect(loaded.config.services["orders"]?.openapi == "services/orders/openapi.yaml")
        #expect(ConfigRenderer.json(loaded.config)["services"]?["orders"]?["openapi"] == .string("services/orders/openapi.yaml"))
    }

    @Test func missingDocument_isReportedAtTheKey() {
        let yaml = """
            services:
              orders:
                command: python3 app.py
                openapi: api.yaml
            """
        do {
            _ = try ConfigLoader.load(text: yaml, file: "msvc.yaml", context: Self.context(files: [:]))
            Issue.record("a missing OpenAPI document must be an error")
        } catch {
            #expect(error.description == "msvc.yaml:4:14: error: services.orders.openapi: OpenAPI document \"api.yaml\" not found (the path is relative to msvc.yaml)")
        }
    }
}
