import Foundation
@testable import MsvcCore
import Testing

/// Where problems in pacts and OpenAPI documents are reported, and which responses of an e2e
/// step are checked against which document.
@Suite struct ContractPositionTests {
    @Test func locator_findsMembersAndItems_throughStringsAndNesting() {
        let text = Array(#"{"a": "x,]}\"", "b": [1, {"c": [true, null]}, "z"], "d": {"e": -1.5e3}}"#.utf8)
        func at(_ path: [JSONLocator.Step]) -> String? {
            JSONLocator.offset(of: path, in: text).map { String(decoding: text[$0...].prefix(6), as: UTF8.self) }
        }
        #expect(at([.key("a")]) == #""x,]}\"#)
        #expect(at([.key("b"), .index(1), .key("c"), .index(1)]) == "null]}")
        #expect(at([.key("b"), .index(2)]) == #""z"], "#)
        #expect(at([.key("d"), .key("e")]) == "-1.5e3")
        #expect(at([.key("nope")]) == nil)
        #expect(at([.key("b"), .index(3)]) == nil)
        #expect(at([.key("a"), .key("x")]) == nil)
    }

    @Test func pactErrors_pointAtTheValueThatIsWrong() {
        func error(_ text: String) -> String {
            do {
                _ = try PactLoader.parse(Array(text.utf8), source: "p.json")
                return "no error"
            } catch {
                return error.description
            }
        }
        let status = """
            {"interactions": [
              {"description": "ok", "request": {}, "response": {"status": 200}},
              {"description": "bad", "request": {"path": "/"},
               "response": {"status": 700}}
            ]}
            """
        #expect(error(status) == #"p.json:4:27: error: interactions[1] ("bad"): "status" must be a number from 100 to 599"#)
        let rules = """
            {"interactions": [{"description": "r", "request": {}, "response": {
              "matchingRules": {"body": {"$.a": {"matchers": [{"match": "nonsense"}]}}}}}]}
            """
        #expect(error(rules).hasPrefix(#"p.json:2:20: error: interactions[0] ("r"): "#), "\(error(rules))")
        #expect(error(#"{"interactions": {}}"#) == #"p.json:1:18: error: "interactions" must be a list"#)
        #expect(error("\n  [1]") == "p.json:2:3: error: a pact file must be a JSON object with consumer, provider and interactions")
    }

    @Test func openAPIErrors_pointIntoTheDocument() {
        func error(_ text: String) -> String {
            do {
                _ = try OpenAPIDocument.parse(text, source: "o.yaml")
                return "no error"
            } catch {
                return error.description
            }
        }
        let noTitle = "openapi: 3.0.3\ninfo:\n  version: \"1\"\npaths: {}\n"
        #expect(error(noTitle).hasPrefix("o.yaml:3:3: error: invalid OpenAPI document"), "\(error(noTitle))")
        let version = "openapi: 2.5.0\ninfo: { title: t, version: \"1\" }\npaths: {}\n"
        #expect(error(version) == "o.yaml:1:10: error: unsupported OpenAPI version 2.5.0 (3.0 and 3.1 are supported)")
        let external = """
            openapi: 3.1.0
            info: { title: t, version: "1" }
            paths:
              /a:
                get:
                  responses:
                    "200":
                      description: ok
                      content: { application/json: { schema: { $ref: "common.yaml#/Thing" } } }
                      headers: { X-A: { $ref: "#/components/headers/A" } }
            components: { headers: { A: { schema: { type: string } } } }
            """
        #expect(error(external) == #"o.yaml:9:58: error: $ref "common.yaml#/Thing" points into another file; msvc reads one self-contained document, so bundle it first (e.g. redocly bundle)"#)
        let exampleData = """
            openapi: 3.1.0
            info: { title: t, version: "1" }
            paths: {}
            components:
              schemas:
                A: { type: object, example: { $ref: "not a reference, just data" } }
            """
        #expect(error(exampleData) == "no error", "an example's members are data")
    }

    @Test func responses_areCheckedAgainstTheDocumentOfTheServiceTheyCameFrom() throws {
        let document = try OpenAPIDocument.parse("""
            openapi: 3.0.3
            info: { title: orders, version: "1" }
            paths:
              /orders/{id}:
                get:
                  parameters: [{ name: id, in: path, required: true, schema: { type: string } }]
                  responses:
                    "200":
                      description: one
                      content: { application/json: { schema: { type: object, required: [id], properties: { id: { type: string } } } } }
            """, source: "services/orders/openapi.yaml")
        let contracts = ResponseContracts([ResponseContracts.Entry(service: "orders", document: document)])
        let env = ["ORDERS_PORT": "4100", "ORDERS_HOST": "127.0.0.1", "FRONT_PORT": "4200"]
        let bad = HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: Array(#"{"id": 7}"#.utf8))
        let get = try #require(HTTPRequest(url: "http://127.0.0.1:4100/orders/o-1?full=1"))
        #expect(contracts.check(get, bad, environment: env) == ResponseContracts.Verdict(problems: [
            "response_schema_conformance: $.id: expected string, found integer (7) (orders GET /orders/{id}, services/orders/openapi.yaml)",
        ]))
        let viaLocalhost = try #require(HTTPRequest(url: "http://localhost:4100/orders/o-1"))
        #expect(contracts.check(viaLocalhost, bad, environment: env).problems.count == 1)
        let otherService = try #require(HTTPRequest(url: "http://127.0.0.1:4200/orders/o-1"))
        #expect(contracts.check(otherService, bad, environment: env) == ResponseContracts.Verdict())
        let undocumented = try #require(HTTPRequest(url: "http://127.0.0.1:4100/admin", method: "DELETE"))
        #expect(contracts.check(undocumented, bad, environment: env) == ResponseContracts.Verdict(
            note: "openapi: DELETE /admin matches no operation of services/orders/openapi.yaml (orders); the response was not checked"))
        #expect(contracts.check(get, bad, environment: [:]) == ResponseContracts.Verdict(), "a service the suite does not start")
    }
}
