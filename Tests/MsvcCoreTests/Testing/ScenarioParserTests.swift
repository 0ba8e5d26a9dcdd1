import MsvcCore
import Testing

@Suite("scenario files")
struct ScenarioParserTests {
    func parse(_ text: String) throws -> Scenario {
        try ScenarioParser.parse(text, file: "tests/e2e/x.yaml", defaultName: "x")
    }

    func errors(_ text: String) -> [String] {
        do {
            _ = try ScenarioParser.parse(text, file: "tests/e2e/x.yaml", defaultName: "x")
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    @Test func designExample_parsesEveryPart() throws {
        let s = try parse("""
            name: checkout
            steps:
              - name: create order
                request:
                  method: post
                  url: ${GATEWAY_URL}/orders
                  headers: { Content-Type: application/json, X-Trace: "t-${MSVC_SUITE}" }
                  json: { sku: abc-1, qty: 2, gift: false, note: null, price: 1.5, tags: [a, "2"] }
                expect:
                  status: [200, 201]
                  headers: { X-Request-ID: { $match: "[0-9a-f]+" } }
                  json: { status: created, id: { $type: string } }
                capture: { order_id: $.id, first: "$.items[0]['sku name']" }
              - request: { url: "${GATEWAY_URL}/orders/${order_id}" }
                expect: { status: 200, json: { id: "${order_id}" }, body: { $match: ".*" } }
                retry: { attempts: 20, interval: 250ms }
                timeout: 2s
              - run: ./check.sh ${order_id}
            """)
        #expect(s.name == "checkout")
        #expect(s.steps.count == 3)
        guard case .request(let r) = s.steps[0].action else { Issue.record("not a request"); return }
        #expect(r.method == "POST")
        #expect(r.url == "${GATEWAY_URL}/orders")
        #expect(r.headers.map(\.0) == ["Content-Type", "X-Trace"])
        guard case .json(let body) = r.body else { Issue.record("no json body"); return }
        #expect(body == .object([("sku", .string("abc-1")), ("qty", .int(2)), ("gift", .bool(false)), ("note", .null),
                                 ("price", .double(1.5)), ("tags", .array([.string("a"), .string("2")]))]))
        #expect(s.steps[0].expect.status == [200, 201])
        #expect(s.steps[0].expect.json == .object([("status", .string("created")), ("id", .object([("$type", .string("string"))]))]))
        #expect(s.steps[0].captures.map(\.name) == ["order_id", "first"])
        #expect(s.steps[0].captures[1].path.segments == [.key("items"), .index(0), .key("sku name")])
        #expect(s.steps[1].name == "GET ${GATEWAY_URL}/orders/${order_id}", "a step without a name is named by its request")
        #expect(s.steps[1].retry == ScenarioRetry(attempts: 20, interval: .milliseconds(250)))
        #expect(s.steps[1].timeout == .seconds(2))
        #expect(s.steps[1].expect.status == [200])
        guard case .run(let command) = s.steps[2].action else { Issue.record("not a run step"); return }
        #expect(command == "./check.sh ${order_id}")
        #expect(s.templates.map(\.path).contains("steps[1].request.url"))
        #expect(s.templates.first { $0.path == "steps[0].request.headers.X-Trace" }?.mark == SourceMark(line: 7, column: 59))
    }

    @Test func mistakes_areAllReportedWithPositions() {
        let e = errors("""
            steps:
              - name: a
                request: { method: "GE T", url: "https://example.org/x", jsn: {} }
                expect: { status: 99, json: { id: { $typ: string }, n: { $type: text }, m: { $match: "(" } } }
                capture: { 1x: $.id, y: "$.a[*]", z: id }
              - name: b
                request: { url: "${A_URL}" }
                run: echo
              - name: c
                run: echo
                expect: { status: 200 }
                retry: { attempts: 0 }
              - {}
            """)
        #expect(e == [
            "tests/e2e/x.yaml:3:24: error: steps[0].request.method: invalid method \"GE T\" (expected e.g. GET, POST, PUT, DELETE)",
            "tests/e2e/x.yaml:3:37: error: steps[0].request.url: invalid url \"https://example.org/x\": msvc talks plain HTTP to local services; use http://",
            "tests/e2e/x.yaml:3:62: error: steps[0].request.jsn: unknown key \"jsn\"; did you mean \"json\"?",
            "tests/e2e/x.yaml:4:23: error: steps[0].expect.status: 99 is out of range (expected 100 to 599)",
            "tests/e2e/x.yaml:4:41: error: steps[0].expect.json.id.$typ: unknown matcher \"$typ\"; expected $type or $match (did you mean \"$type\"?)",
            "tests/e2e/x.yaml:4:69: error: steps[0].expect.json.n.$type: unknown type \"text\" (expected one of: string, number, integer, boolean, array, object, null)",
            "tests/e2e/x.yaml:4:90: error: steps[0].expect.json.m.$match: invalid regular expression \"(\": expected ')'",
            "tests/e2e/x.yaml:5:16: error: steps[0].capture.1x: invalid capture name \"1x\"; use letters, digits and _, not starting with a digit",
            "tests/e2e/x.yaml:5:34: error: steps[0].capture.y: invalid JSONPath \"$.a[*]\": expected an index or a quoted name in [...], found \"*\" (wildcards and filters are not supported)",
            "tests/e2e/x.yaml:5:42: error: steps[0].capture.z: invalid JSONPath \"id\": a JSONPath starts with $ (e.g. $.id)",
            "tests/e2e/x.yaml:6:5: error: steps[1]: a step has either \"request\" or \"run\", not both; split it into two steps",
            "tests/e2e/x.yaml:11:13: error: steps[2].expect: a run step passes when its command exits 0; \"expect\" is for request steps",
            "tests/e2e/x.yaml:12:24: error: steps[2].retry.attempts: 0 is out of range (expected 1 to 10000)",
            "tests/e2e/x.yaml:13:5: error: steps[3]: a step needs \"request\" (an HTTP call) or \"run\" (a command)",
        ], "\(e.joined(separator: "\n"))")
    }

    @Test func emptyOrStepless_saysWhatIsMissing() {
        #expect(errors("") == ["tests/e2e/x.yaml:1:1: error: the scenario file is empty; it needs steps: (see E2E scenario files in docs/reference.md)"])
        #expect(errors("name: x\n") == ["tests/e2e/x.yaml:1:1: error: steps: required key \"steps\" is missing (a list of requests or commands)"])
        #expect(errors("steps: []\n") == ["tests/e2e/x.yaml:1:8: error: steps: no steps; add at least one request or run step"])
        #expect(errors("steps:\n  - request: { url: \"x\n") .first?.hasPrefix("tests/e2e/x.yaml:2:") == true, "YAML syntax errors keep their position")
    }
}

@Suite("JSONPath and JSON matching")
struct JSONMatchTests {
    let order = try! JSON.parse(#"{"id": "ord-1a2b", "qty": 2, "price": 12.5, "items": [{"sku": "a"}, {"sku": "b"}], "ok": true, "n": null}"#)

    @Test func paths_findMembersAndItems() throws {
        #expect(try JSONPath.parse("$").evaluate(order) == order)
        #expect(try JSONPath.parse("$.id").evaluate(order) == .string("ord-1a2b"))
        #expect(try JSONPath.parse("$.items[1].sku").evaluate(order) == .string("b"))
        #expect(try JSONPath.parse("$.items[-1]['sku']").evaluate(order) == .string("b"))
        #expect(try JSONPath.parse("$.items[2]").evaluate(order) == nil)
        #expect(try JSONPath.parse("$.nope.x").evaluate(order) == nil)
        #expect(throws: JSONPathError.self) { try JSONPath.parse("$..id") }
        #expect(throws: JSONPathError.self) { try JSONPath.parse("$.items[") }
    }

    @Test func subset_ignoresExtraMembers_andComparesNumbersByValue() throws {
        let expected = try JSON.parse(#"{"qty": 2.0, "items": [{"sku": "a"}, {}], "ok": true}"#)
        #expect(JSONMatcher.mismatches(expected: expected, actual: order).isEmpty)
    }

    @Test func specials_matchTypesAndPatterns() throws {
        let expected = try JSON.parse(#"{"id": {"$match": "ord-[0-9a-f]{4}"}, "qty": {"$type": "integer"}, "price": {"$type": "number"}, "items": {"$type": "array"}, "n": {"$type": "null"}, "ok": {"$match": "true"}}"#)
        #expect(JSONMatcher.mismatches(expected: expected, actual: order).isEmpty)
        let wrong = try JSON.parse(#"{"id": {"$match": "ord-"}, "price": {"$type": "integer"}, "items": {"$type": "object"}}"#)
        #expect(JSONMatcher.mismatches(expected: wrong, actual: order).map(\.description) == [
            #"$.id: expected a value matching /ord-/, got "ord-1a2b""#,
            "$.price: expected an integer, got 12.5",
            #"$.items: expected an object, got [{"sku":"a"},{"sku":"b"}]"#,
        ])
    }

    @Test func differences_readAsPaths() throws {
        let expected = try JSON.parse(#"{"id": "ord-x", "items": [{"sku": "b"}], "missing": {"$type": "string"}, "odd key": 1}"#)
        #expect(JSONMatcher.mismatches(expected: expected, actual: order).map(\.description) == [
            #"$.id: expected "ord-x", got "ord-1a2b""#,
            #"$.items: expected 1 item, got 2 items: [{"sku":"a"},{"sku":"b"}]"#,
            #"$.items[0].sku: expected "b", got "a""#,
            "$.missing: missing (expected a string)",
            "$['odd key']: missing (expected 1)",
        ])
    }
}
