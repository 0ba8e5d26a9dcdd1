import Foundation
import MsvcCore
import MsvcTestSupport
import Testing

/// A small provider with provider states, verified through `msvc contract verify`; and an
/// OpenAPI check of the same provider with a schema violation found by JSON path.
@Suite(.serialized) struct ContractEndToEndTests {
    /// The provider: orders kept in memory, set up and torn down through a state endpoint that
    /// records every call in order.
    final class Provider: @unchecked Sendable {
        // Guarded by `lock`.
        private let lock = NSLock()
        private var orders: [Int: String] = [:]
        private var calls: [String] = []
        var server: StubHTTPServer!

        init() throws {
            server = try StubHTTPServer { [unowned self] r in self.handle(r) }
        }

        var stateCalls: [String] { lock.withLock { calls } }

        func handle(_ r: StubRequest) -> StubResponse {
            lock.lock()
            defer { lock.unlock() }
            if r.path == "/_pact/state" {
                guard let body = try? JSON.parse(bytes: r.body), let state = body["state"]?.stringValue,
                      let action = body["action"]?.stringValue else { return StubResponse(status: 400, text: "bad state body") }
                calls.append("\(action) \(state)")
                if state == "the database is down", action == "setup" {
                    return StubResponse(status: 500, headers: [("Content-Type", "text/plain")], text: "cannot reach the database")
                }
                if state == "an order exists", action == "setup" {
                    let id = body["params"]?["id"]?.intValue ?? 1
                    orders[id] = "widget"
                    return StubResponse(headers: [("Content-Type", "application/json")], text: #"{"orderId": \#(id)}"#)
                }
                if state == "an order exists", action == "teardown" { orders.removeAll() }
                return StubResponse(status: 200)
            }
            if r.path == "/orders" {
                let items = orders.keys.sorted().map { #"{"id": \#($0), "name": "\#(orders[$0]!)", "price": "12.50"}"# }
                return StubResponse(headers: [("Content-Type", "application/json")], text: #"{"items": [\#(items.joined(separator: ","))]}"#)
            }
            if r.path.hasPrefix("/orders/"), let id = Int(r.path.dropFirst(8)) {
                guard let name = orders[id] else { return StubResponse(status: 404, headers: [("Content-Type", "application/json")], text: #"{"error": "not found"}"#) }
                return StubResponse(headers: [("Content-Type", "application/json; charset=utf-8"), ("X-Request-Id", "r-1")],
                                    text: #"{"id": \#(id), "name": "\#(name)", "status": "NEW"}"#)
            }
            return StubResponse(status: 404)
        }
    }

    static let pact = """
        {
          "consumer": {"name": "web"}, "provider": {"name": "orders"},
          "metadata": {"pactSpecification": {"version": "4.0"}},
          "interactions": [
            {"type": "Synchronous/HTTP", "key": "get-order", "description": "get an existing order",
             "providerStates": [{"name": "an order exists", "params": {"id": 7}}, {"name": "the user is logged in"}],
             "request": {"method": "GET", "path": "/orders/1",
                         "generators": {"path": {"type": "ProviderState", "expression": "/orders/${orderId}"}}},
             "response": {"status": 200, "headers": {"Content-Type": "application/json"},
                          "body": {"content": {"id": 1, "name": "gadget", "status": "NEW"}, "contentType": "application/json", "encoded": false},
                          "matchingRules": {"body": {"$.id": {"matchers": [{"match": "integer"}]}}}}},
            {"type": "Synchronous/HTTP", "key": "missing", "description": "get a missing order",
             "request": {"method": "GET", "path": "/orders/99"},
             "response": {"status": 404}},
            {"type": "Synchronous/HTTP", "key": "down", "description": "orders while the database is down",
             "providerStates": [{"name": "the database is down"}],
             "request": {"method": "GET", "path": "/orders"}, "response": {"status": 503}},
            {"type": "Synchronous/HTTP", "key": "future", "description": "a pending new feature", "pending": true,
             "request": {"method": "GET", "path": "/orders/1/invoice"}, "response": {"status": 200}}
          ]
        }
        """

    @Test func verify_runsStatesInOrder_reportsTheDiff_andWritesJUnit() async throws {
        let provider = try Provider()
        defer { provider.server.stop() }
        let dir = try TemporaryDirectory()
        let pactFile = try dir.write("web-orders.json", Self.pact)
        let junit = "\(dir.path)/report.xml"
        let r = try await MsvcBinary.run(["contract", "verify", "--pact", pactFile, "--provider-url", provider.server.url,
                                          "--state-change-url", provider.server.url + "/_pact/state", "--junit", junit], cwd: dir.path)
        #expect(r.status == 1, "\(r.stdout)\n\(r.stderr)")
        // One call per state, in order, setup before and teardown after each interaction.
        #expect(provider.stateCalls == [
            "setup an order exists", "setup the user is logged in",
            "teardown an order exists", "teardown the user is logged in",
            "setup the database is down", "teardown the database is down",
        ])
        // The failing interaction shows its diff: path, expected, actual.
        #expect(r.stdout.contains("get an existing order"))
        #expect(r.stdout.contains("body $.name: Expected 'widget' (String) to be equal to 'gadget' (String)"), "\(r.stdout)")
        #expect(r.stdout.contains("expected: \"gadget\""))
        #expect(r.stdout.contains("actual:   \"widget\""))
        // The failed setup fails its interaction and shows the handler's answer.
        #expect(r.stdout.contains("provider state setup for \"the database is down\" failed: the state change handler answered 500: cannot reach the database"))
        #expect(r.stdout.contains("a pending new feature"))
        #expect(r.stdout.contains("4 interactions, 1 passed, 1 failed, 1 errors, 1 pending failed (not counted)"), "\(r.stdout)")
        let xml = try String(contentsOfFile: junit, encoding: .utf8)
        #expect(xml.contains(#"<testsuite name="web -&gt; orders" id="0" tests="4" failures="1" errors="1" skipped="1""#), "\(xml)")
        #expect(xml.contains(#"<testcase name="get a missing order" classname="contract.web-orders""#))
        #expect(xml.contains("key: get-order"))
    }

    @Test func verify_json_and_filters() async throws {
        let provider = try Provider()
        defer { provider.server.stop() }
        let dir = try TemporaryDirectory()
        let pactFile = try dir.write("web-orders.json", Self.pact)
        let r = try await MsvcBinary.run(["contract", "verify", "--pact", pactFile, "--provider-url", provider.server.url,
                                          "--filter-description", "missing", "--json"], cwd: dir.path)
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        let doc = try JSON.parse(r.stdout)
        #expect(doc["result"]?.stringValue == "passed")
        let statuses = doc["pacts"]?.arrayValue?.first?["interactions"]?.arrayValue?.map { $0["status"]?.stringValue ?? "" }
        #expect(statuses == ["skipped", "passed", "skipped", "skipped"])
    }

    static let openapi = """
        openapi: 3.0.3
        info: { title: orders, version: "1" }
        paths:
          /orders:
            get:
              responses:
                "200":
                  description: all orders
                  content:
                    application/json:
                      schema: { $ref: "#/components/schemas/OrderList" }
          /orders/{id}:
            get:
              parameters:
                - { name: id, in: path, required: true, schema: { type: integer, example: 1 } }
              responses:
                "200":
                  description: one order
                  headers:
                    X-Request-Id: { required: true, schema: { type: string } }
                  content:
                    application/json:
                      schema: { $ref: "#/components/schemas/Order" }
                "404": { description: not found }
        components:
          schemas:
            Order:
              type: object
              required: [id, name, price]
              properties:
                id: { type: integer }
                name: { type: string }
                price: { type: number }
                status: { type: string, enum: [NEW, PAID] }
              additionalProperties: false
            OrderList:
              type: object
              required: [items]
              properties:
                items: { type: array, items: { $ref: "#/components/schemas/Order" } }
        """

    @Test func openapi_reportsSchemaViolationsByJSONPath() async throws {
        let provider = try Provider()
        defer { provider.server.stop() }
        _ = provider.handle(StubRequest(method: "POST", target: "/_pact/state", headers: [],
                                        body: Array(#"{"state": "an order exists", "params": {"id": 1}, "action": "setup"}"#.utf8)))
        let document = try OpenAPIDocument.parse(Self.openapi, source: "orders.yaml")
        #expect(document.operations.map(\.name) == ["GET /orders", "GET /orders/{id}"])
        let report = try await OpenAPIConformance.check(document: document, baseURL: provider.server.url)
        #expect(!report.passed)
        guard case .failed(let list) = report.results[0].outcome else { Issue.record("GET /orders should fail"); return }
        #expect(list.contains(OpenAPICheckFailure(check: "response_schema_conformance", path: "$.items[0].price",
                                                  message: "expected number, found string (\"12.50\")")), "\(list)")
        guard case .failed(let one) = report.results[1].outcome else { Issue.record("GET /orders/1 should fail"); return }
        #expect(one.map(\.description) == [
            "response_schema_conformance: $.price: required property \"price\" is missing",
        ])
        #expect(report.results[1].request == "GET /orders/1")
        // The same checks on one response, as e2e steps use them.
        let missing = HTTPResponse(status: 500, reason: "", headers: [], body: [])
        #expect(OpenAPIConformance.check(response: missing, method: "GET", path: "/orders/5", in: document).map(\.check) == ["status_code_conformance"])
        let wrongType = HTTPResponse(status: 200, reason: "", headers: [("Content-Type", "text/html"), ("X-Request-Id", "a")], body: Array("<p>".utf8))
        #expect(OpenAPIConformance.check(response: wrongType, method: "GET", path: "/orders/5", in: document).map(\.check) == ["content_type_conformance"])
        let noHeader = HTTPResponse(status: 200, reason: "", headers: [("Content-Type", "application/json")],
                                    body: Array(#"{"id": 5, "name": "n", "price": 1, "extra": true}"#.utf8))
        #expect(OpenAPIConformance.check(response: noHeader, method: "GET", path: "/orders/5", in: document).map(\.description) == [
            "response_headers_conformance: required header \"X-Request-Id\" is missing",
            "response_schema_conformance: $.extra: property \"extra\" is not allowed (additionalProperties: false)",
        ])
    }
}
