import Foundation
import MsvcCore
import MsvcTestSupport
import Testing

/// A provider with provider states, pacts that pass and fail, an OpenAPI document it breaks,
/// and an e2e scenario that calls it: contract suites and e2e conformance checks through
/// `msvc test`.
struct ContractSuiteProject {
    let dir: TemporaryDirectory
    let token = UUID().uuidString

    /// Orders in memory, set up and torn down through POST /_pact/state, every state call
    /// written in order to `$MSVC_STATE_DIR/state-calls.txt`. Its list sends prices as
    /// strings, which its OpenAPI document says are numbers.
    static let provider = """
        import http.server, json, os, sys, signal, time
        signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
        calls = os.path.join(os.environ["MSVC_STATE_DIR"], "state-calls.txt")
        orders = {}
        class H(http.server.BaseHTTPRequestHandler):
            def reply(self, code, obj):
                body = json.dumps(obj).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def do_GET(self):
                if self.path == "/healthz": return self.reply(200, {"ok": True})
                if self.path == "/orders": return self.reply(200, {"orders": [{"id": "o-9", "price": "12.50"}]})
                if self.path == "/undocumented": return self.reply(200, {"anything": "goes"})
                if self.path == "/slow": time.sleep(60)
                if self.path.startswith("/orders/"):
                    key = self.path.rsplit("/", 1)[-1]
                    if key in orders: return self.reply(200, {"id": key, "name": orders[key], "price": 12.5})
                    return self.reply(404, {"error": "no order " + key})
                self.reply(404, {"error": "no route"})
            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(n) or b"{}")
                if self.path != "/_pact/state": return self.reply(404, {"error": "no route"})
                state, action, params = body.get("state"), body.get("action"), body.get("params") or {}
                with open(calls, "a") as f: f.write(f"{action} {state}\\n")
                print("state", action, state, flush=True)
                if state == "an order exists":
                    if action == "setup": orders[params["id"]] = params["name"]
                    else: orders.pop(params["id"], None)
                self.reply(200, {})
            def log_message(self, *a): pass
        print("orders listening", flush=True)
        http.server.HTTPServer(("127.0.0.1", int(os.environ["PORT"])), H).serve_forever()
        """

    static func interaction(_ description: String, states: [(String, String, String)], path: String, status: Int, body: String) -> String {
        let given = states.map { #"{"name": "\#($0.0)", "params": {"id": "\#($0.1)", "name": "\#($0.2)"}}"# }
        return """
                {"description": "\(description)", "providerStates": [\(given.joined(separator: ", "))],
                 "request": {"method": "GET", "path": "\(path)"},
                 "response": {"status": \(status), "headers": {"Content-Type": "application/json"}, "body": \(body)}}
            """
    }

    static func pact(_ interactions: [String]) -> String {
        """
        {
          "consumer": {"name": "web"}, "provider": {"name": "orders"},
          "metadata": {"pactSpecification": {"version": "3.0.0"}},
          "interactions": [
        \(interactions.joined(separator: ",\n"))
          ]
        }
        """
    }

    static let goodPact = pact([
        interaction("an existing order", states: [("an order exists", "o-1", "widget"), ("a customer is logged in", "", "")],
                    path: "/orders/o-1", status: 200, body: #"{"id": "o-1", "name": "widget"}"#),
        interaction("a missing order", states: [], path: "/orders/o-404", status: 404, body: #"{"error": "no order o-404"}"#),
        interaction("another order", states: [("an order exists", "o-2", "gadget")],
                    path: "/orders/o-2", status: 200, body: #"{"name": "gadget"}"#),
    ])

    static let badPact = pact([
        interaction("an order by its name", states: [("an order exists", "o-3", "widget")],
                    path: "/orders/o-3", status: 200, body: #"{"id": "o-3", "name": "gadget"}"#),
        interaction("a missing order", states: [], path: "/orders/o-404", status: 404, body: "{}"),
    ])

    static let openapi = """
        openapi: 3.0.3
        info: { title: orders, version: "1" }
        paths:
          /orders:
            get:
              responses:
                "200":
                  description: every order
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [orders]
                        properties:
                          orders: { type: array, items: { $ref: "#/components/schemas/Order" } }
          /orders/{id}:
            get:
              parameters:
                - { name: id, in: path, required: true, schema: { type: string }, example: o-1 }
              responses:
                "200":
                  description: one order
                  content: { application/json: { schema: { $ref: "#/components/schemas/Order" } } }
                "404":
                  description: no such order
                  content: { application/json: { schema: { $ref: "#/components/schemas/Error" } } }
        components:
          schemas:
            Order:
              type: object
              required: [id]
              properties: { id: { type: string }, name: { type: string }, price: { type: number } }
            Error:
              type: object
              required: [error]
              properties: { error: { type: string } }
        """

    static let scenario = """
        name: browse
        steps:
          - name: an undocumented path is not checked
            request: { url: "${ORDERS_URL}/undocumented" }
            expect: { json: { anything: goes } }
          - name: a documented 404
            request: { url: "${ORDERS_URL}/orders/o-404" }
            expect: { status: 404 }
          - name: list the orders
            request: { url: "${ORDERS_URL}/orders" }
            expect: { status: 200, json: { orders: [{ id: o-9 }] } }
          - name: never reached
            request: { url: "${ORDERS_URL}/orders/o-1" }
        """

    init() throws {
        dir = try TemporaryDirectory(prefix: "msvc-contract-suites")
        try dir.write("orders.py", Self.provider)
        try dir.write("pacts/good/web-orders.json", Self.goodPact)
        try dir.write("pacts/bad.json", Self.badPact)
        try dir.write("openapi.yaml", Self.openapi)
        try dir.write("tests/browse.yaml", Self.scenario)
        try dir.write("msvc.yaml", """
            name: contracts
            services:
              orders:
                command: python3 orders.py
                port: 8080
                health: { http: /healthz, interval: 100ms }
                openapi: openapi.yaml
            tests:
              contract:
                - name: web-orders
                  provider: orders
                  pact: pacts/good
                  state_change: /_pact/state
                - name: web-orders-broken
                  provider: orders
                  pact: pacts/bad.json
                  state_change: /_pact/state
                - name: orders-api
                  provider: orders
                  openapi: openapi.yaml
              e2e:
                - name: browse
                  scenario: tests/browse.yaml
            """)
    }

    /// Runs msvc with the token in its environment, so every process it starts can be found.
    func msvc(_ args: [String], timeout: Double = 120) async throws -> CommandResult {
        try await MsvcBinary.run(args, cwd: dir.path, environment: ["MSVC_TEST_TOKEN": token], timeout: timeout)
    }

    /// Processes started by this project's msvc runs that are still alive.
    func leftovers() -> [Int32] {
        let needle = Array("MSVC_TEST_TOKEN=\(token)".utf8)
        return ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { entry in
            guard let pid = Int32(entry), let data = FileManager.default.contents(atPath: "/proc/\(entry)/environ") else { return nil }
            return [UInt8](data).split(separator: 0).contains { Array($0) == needle } ? pid : nil
        }
    }
}

@Suite("msvc test contract", .serialized)
struct TestContractSuitesTests {
    @Test func pactSuite_setsUpAndTearsDownStatesInOrder_onTheProvidersCopy() async throws {
        let p = try ContractSuiteProject()
        let run = try await p.msvc(["test", "contract", "--suite", "web-orders"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.contains("web-orders: starting orders"))
        #expect(run.stdout.contains("contract web-orders  passed"))
        for name in ["an existing order", "a missing order", "another order"] {
            #expect(run.stdout.contains("✓ \(name)"), "\(run.stdout)")
        }
        #expect(run.stdout.contains("1 suite, 3 cases: 3 passed, 0 failed, 0 skipped"))
        // One call per state, in order: setup before and teardown after each interaction;
        // none for the interaction without states.
        let calls = try String(contentsOfFile: p.dir.path + "/.msvc/test/web-orders/data/state-calls.txt", encoding: .utf8)
        #expect(calls.split(separator: "\n") == [
            "setup an order exists", "setup a customer is logged in",
            "teardown an order exists", "teardown a customer is logged in",
            "setup an order exists", "teardown an order exists",
        ])
        #expect(p.leftovers().isEmpty)
    }

    @Test func failingInteraction_andSchemaViolation_showTheirDiffs_inConsoleAndJUnit() async throws {
        let p = try ContractSuiteProject()
        let run = try await p.msvc(["test", "contract", "--parallel", "3", "--junit", "reports/contract.xml"])
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        let out = run.stdout
        #expect(out.contains("contract web-orders  passed"))
        #expect(out.contains("contract web-orders-broken  FAILED"))
        #expect(out.contains("✗ an order by its name"))
        #expect(out.contains("1 mismatch: body $.name: Expected 'widget' (String) to be equal to 'gadget' (String)"), "\(out)")
        #expect(out.contains("      request: GET /orders/o-3\n      given: an order exists\n      1) body $.name: Expected 'widget' (String) to be equal to 'gadget' (String)\n           expected: \"gadget\"\n           actual:   \"widget\""), "\(out)")
        #expect(out.contains("✓ a missing order"))
        #expect(out.contains("orders: last "), "the provider's log lines follow the failed suite")
        #expect(out.contains("orders | state setup an order exists"))
        #expect(out.contains("contract orders-api  FAILED"))
        #expect(out.contains("✗ GET /orders ") && out.contains("response_schema_conformance: $.orders[0].price: expected number, found string (\"12.50\")"), "\(out)")
        #expect(out.contains("✓ GET /orders/{id}"))
        #expect(out.contains("3 suites, 7 cases: 5 passed, 2 failed, 0 skipped"), "\(out)")

        let report = p.dir.path + "/reports/contract.xml"
        let schema = packageRoot() + "/Tests/MsvcCoreTests/Fixtures/junit/junit-10.xsd"
        let lint = try await Shell.run("xmllint", ["--noout", "--schema", schema, report], cwd: p.dir.path)
        #expect(lint.status == 0, "\(lint.stderr)")
        let xml = try String(contentsOfFile: report, encoding: .utf8)
        #expect(xml.contains(#"<testsuite name="contract.web-orders" "#) && xml.contains(#"tests="3" failures="0""#), "\(xml)")
        #expect(xml.contains(#"<testsuite name="contract.web-orders-broken" "#) && xml.contains(#"tests="2" failures="1""#))
        #expect(xml.contains(#"<testcase name="an order by its name" classname="contract.web-orders-broken""#))
        #expect(xml.contains("1) body $.name: Expected 'widget' (String) to be equal to 'gadget' (String)\n     expected: \"gadget\"\n     actual:   \"widget\"</failure>"),
                "the JUnit failure holds the diff")
        #expect(xml.contains(#"<testcase name="GET /orders" classname="contract.orders-api""#))
        #expect(xml.contains("$.orders[0].price: expected number, found string"))
        #expect(p.leftovers().isEmpty)
    }

    @Test func e2eSteps_areCheckedAgainstTheServicesOpenAPIDocument() async throws {
        let p = try ContractSuiteProject()
        let run = try await p.msvc(["test", "e2e", "--json"])
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        let suite = try #require(JSON.parse(run.stdout)["suites"]?.arrayValue?.first)
        let cases = try #require(suite["cases"]?.arrayValue)
        #expect(cases.map { $0["outcome"]?.stringValue ?? "" } == ["passed", "passed", "failed", "skipped"])
        #expect(cases[0]["output"]?.stringValue == "openapi: GET /undocumented matches no operation of openapi.yaml (orders); the response was not checked")
        #expect(cases[2]["message"]?.stringValue
                == "response_schema_conformance: $.orders[0].price: expected number, found string (\"12.50\") (orders GET /orders, openapi.yaml)")
        let detail = cases[2]["detail"]?.stringValue ?? ""
        #expect(detail.contains("request: GET http://127.0.0.1:") && detail.contains("\"price\": \"12.50\""), "\(detail)")
        #expect(p.leftovers().isEmpty)
    }

    @Test func aSuiteTimeout_cutsAHangingInteractionShort() async throws {
        let p = try ContractSuiteProject()
        try p.dir.write("pacts/slow.json", ContractSuiteProject.pact([
            ContractSuiteProject.interaction("a slow answer", states: [], path: "/slow", status: 200, body: "{}"),
            ContractSuiteProject.interaction("never reached", states: [], path: "/orders/o-1", status: 404, body: "{}"),
        ]))
        try p.dir.write("slow.yaml", """
            services:
              orders: { command: python3 orders.py, port: auto, health: { http: /healthz, interval: 100ms } }
            tests:
              contract:
                - { name: slow, provider: orders, pact: pacts/slow.json }
            """)
        let started = Date()
        let run = try await p.msvc(["-f", "slow.yaml", "test", "contract", "--timeout", "8s"])
        #expect(Date().timeIntervalSince(started) < 25, "neither the 60 s answer nor the 30 s request timeout was waited for")
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("✗ a slow answer") && run.stdout.contains("timed out after 8s while running \"a slow answer\""), "\(run.stdout)")
        #expect(run.stdout.contains("- never reached") && run.stdout.contains("skipped: not run: the suite timed out"), "\(run.stdout)")
        #expect(p.leftovers().isEmpty)
    }

    @Test func invalidPactsAndDocuments_exit65WithPositions_beforeAnythingStarts() async throws {
        let p = try ContractSuiteProject()
        try p.dir.write("pacts/broken.json", """
            {
              "consumer": {"name": "web"}, "provider": {"name": "orders"},
              "interactions": [
                {"description": "no response", "request": {"method": "GET", "path": "/"}}
              ]
            }
            """)
        try p.dir.write("broken-openapi.yaml", """
            openapi: 3.0.3
            info: { title: orders, version: "1" }
            paths:
              /orders:
                get:
                  responses:
                    "200":
                      description: ok
                      content: { application/json: { schema: { $ref: "#/components/schemas/Ordr" } } }
            components: { schemas: { Order: { type: object } } }
            """)
        try p.dir.write("invalid.yaml", """
            services:
              orders:
                command: python3 orders.py
                port: auto
                openapi: broken-openapi.yaml
            tests:
              contract:
                - name: broken-pact
                  provider: orders
                  pact: pacts/broken.json
                - name: bad-state-path
                  provider: orders
                  pact: pacts/bad.json
                  state_change: _pact/state
                - name: broken-document
                  provider: orders
                  openapi: broken-openapi.yaml
              e2e:
                - name: browse
                  scenario: tests/browse.yaml
            """)
        let run = try await p.msvc(["-f", "invalid.yaml", "test"])
        #expect(run.status == 65, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").sorted() == [
            "3 errors",
            ##"broken-openapi.yaml:9:58: error: $ref "#/components/schemas/Ordr" does not resolve: the document has nothing at that path"##,
            #"invalid.yaml:14:21: error: tests.contract[1].state_change: state_change is a path on the provider, such as /_pact/state, not "_pact/state""#,
            #"pacts/broken.json:4:5: error: interactions[0] ("no response"): "response" is missing"#,
        ], "the document's error is reported once, for the contract suite and the e2e suite")
        #expect(!run.stderr.contains("starting"))
        #expect(p.leftovers().isEmpty)
    }
}
