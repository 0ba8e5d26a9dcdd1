import Foundation
import MsvcCore
import Testing

/// Our own V3/V4 match cases, written from the Pact specification's descriptions of each
/// matcher, in the shape of the specification's test cases: a response a pact expects, one a
/// provider returned, and whether they match.
@Suite struct MatcherRuleTests {
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var match: Bool
        var rules: String
        var expected: String
        var actual: String
        var description: String { name }
    }

    static func c(_ name: String, _ match: Bool, rules: String, expected: String, actual: String) -> Case {
        Case(name: name, match: match, rules: rules, expected: expected, actual: actual)
    }

    static let cases: [Case] = [
        c("include matches a substring", true, rules: #"{"$.a": {"matchers": [{"match": "include", "value": "ell"}]}}"#, expected: #"{"a": "hello"}"#, actual: #"{"a": "yellow"}"#),
        c("include fails without the substring", false, rules: #"{"$.a": {"matchers": [{"match": "include", "value": "ell"}]}}"#, expected: #"{"a": "hello"}"#, actual: #"{"a": "world"}"#),
        c("integer accepts integers", true, rules: #"{"$.n": {"matchers": [{"match": "integer"}]}}"#, expected: #"{"n": 1}"#, actual: #"{"n": 42}"#),
        c("integer rejects decimals", false, rules: #"{"$.n": {"matchers": [{"match": "integer"}]}}"#, expected: #"{"n": 1}"#, actual: #"{"n": 4.5}"#),
        c("decimal accepts decimals", true, rules: #"{"$.n": {"matchers": [{"match": "decimal"}]}}"#, expected: #"{"n": 1.5}"#, actual: #"{"n": 100.25}"#),
        c("decimal rejects integers", false, rules: #"{"$.n": {"matchers": [{"match": "decimal"}]}}"#, expected: #"{"n": 1.5}"#, actual: #"{"n": 100}"#),
        c("number accepts any number", true, rules: #"{"$.n": {"matchers": [{"match": "number"}]}}"#, expected: #"{"n": 1}"#, actual: #"{"n": 2.5}"#),
        c("number rejects strings", false, rules: #"{"$.n": {"matchers": [{"match": "number"}]}}"#, expected: #"{"n": 1}"#, actual: #"{"n": "2"}"#),
        c("boolean accepts booleans and their strings", true, rules: #"{"$.b": {"matchers": [{"match": "boolean"}]}, "$.s": {"matchers": [{"match": "boolean"}]}}"#, expected: #"{"b": true, "s": "true"}"#, actual: #"{"b": false, "s": "false"}"#),
        c("boolean rejects other strings", false, rules: #"{"$.b": {"matchers": [{"match": "boolean"}]}}"#, expected: #"{"b": true}"#, actual: #"{"b": "yes"}"#),
        c("null accepts only null", true, rules: #"{"$.x": {"matchers": [{"match": "null"}]}}"#, expected: #"{"x": null}"#, actual: #"{"x": null}"#),
        c("null rejects a value", false, rules: #"{"$.x": {"matchers": [{"match": "null"}]}}"#, expected: #"{"x": null}"#, actual: #"{"x": 0}"#),
        c("date with a format", true, rules: #"{"$.d": {"matchers": [{"match": "date", "format": "dd/MM/yyyy"}]}}"#, expected: #"{"d": "01/02/2020"}"#, actual: #"{"d": "29/02/2024"}"#),
        c("date rejects an impossible day", false, rules: #"{"$.d": {"matchers": [{"match": "date", "format": "yyyy-MM-dd"}]}}"#, expected: #"{"d": "2020-01-01"}"#, actual: #"{"d": "2023-02-30"}"#),
        c("time with the default format", true, rules: #"{"$.t": {"matchers": [{"match": "time"}]}}"#, expected: #"{"t": "10:00:00"}"#, actual: #"{"t": "23:59:59"}"#),
        c("time rejects 24:00:00 for HH", false, rules: #"{"$.t": {"matchers": [{"match": "time", "format": "HH:mm:ss"}]}}"#, expected: #"{"t": "10:00:00"}"#, actual: #"{"t": "24:00:00"}"#),
        c("datetime with offset", true, rules: #"{"$.ts": {"matchers": [{"match": "datetime", "format": "yyyy-MM-dd'T'HH:mm:ssXXX"}]}}"#, expected: #"{"ts": "2020-01-01T00:00:00Z"}"#, actual: #"{"ts": "2024-05-06T07:08:09+02:00"}"#),
        c("datetime rejects trailing text", false, rules: #"{"$.ts": {"matchers": [{"match": "datetime", "format": "yyyy-MM-dd HH:mm"}]}}"#, expected: #"{"ts": "2020-01-01 00:00"}"#, actual: #"{"ts": "2020-01-01 00:00:00"}"#),
        c("values ignores the keys of a map", true, rules: #"{"$.m": {"matchers": [{"match": "values"}]}, "$.m.*": {"matchers": [{"match": "type"}]}}"#, expected: #"{"m": {"a": 1}}"#, actual: #"{"m": {"x": 2, "y": 3}}"#),
        c("values still checks each value", false, rules: #"{"$.m": {"matchers": [{"match": "values"}]}, "$.m.*": {"matchers": [{"match": "type"}]}}"#, expected: #"{"m": {"a": 1}}"#, actual: #"{"m": {"x": 2, "y": "3"}}"#),
        c("notEmpty accepts a non-empty list", true, rules: #"{"$.l": {"matchers": [{"match": "notEmpty"}]}}"#, expected: #"{"l": [1]}"#, actual: #"{"l": [1]}"#),
        c("notEmpty rejects an empty string", false, rules: #"{"$.s": {"matchers": [{"match": "notEmpty"}]}}"#, expected: #"{"s": "x"}"#, actual: #"{"s": ""}"#),
        c("semver accepts a pre-release", true, rules: #"{"$.v": {"matchers": [{"match": "semver"}]}}"#, expected: #"{"v": "1.0.0"}"#, actual: #"{"v": "2.10.3-rc.1+build.5"}"#),
        c("semver rejects two parts", false, rules: #"{"$.v": {"matchers": [{"match": "semver"}]}}"#, expected: #"{"v": "1.0.0"}"#, actual: #"{"v": "1.0"}"#),
        c("eachKey checks every key", true, rules: #"{"$.m": {"matchers": [{"match": "eachKey", "rules": [{"match": "regex", "regex": "[a-z]+"}]}, {"match": "eachValue", "rules": [{"match": "type"}]}]}}"#, expected: #"{"m": {"abc": 1}}"#, actual: #"{"m": {"x": 2, "yz": 3}}"#),
        c("eachKey fails on a bad key", false, rules: #"{"$.m": {"matchers": [{"match": "eachKey", "rules": [{"match": "regex", "regex": "[a-z]+"}]}]}}"#, expected: #"{"m": {"abc": 1}}"#, actual: #"{"m": {"abc": 1, "X1": 2}}"#),
        c("eachValue checks every item", true, rules: #"{"$.l": {"matchers": [{"match": "eachValue", "rules": [{"match": "regex", "regex": "\\d+"}]}]}}"#, expected: #"{"l": ["1"]}"#, actual: #"{"l": ["12", "345"]}"#),
        c("eachValue fails on a bad item", false, rules: #"{"$.l": {"matchers": [{"match": "eachValue", "rules": [{"match": "regex", "regex": "\\d+"}]}]}}"#, expected: #"{"l": ["1"]}"#, actual: #"{"l": ["12", "x"]}"#),
        c("arrayContains finds each variant", true, rules: #"{"$.l": {"matchers": [{"match": "arrayContains", "variants": [{"index": 0, "rules": {"$.id": {"matchers": [{"match": "integer"}]}}}, {"index": 1, "rules": {}}]}]}}"#, expected: #"{"l": [{"id": 1}, {"kind": "b"}]}"#, actual: #"{"l": [{"kind": "z"}, {"kind": "b"}, {"id": 99}]}"#),
        c("arrayContains fails when a variant is absent", false, rules: #"{"$.l": {"matchers": [{"match": "arrayContains", "variants": [{"index": 0, "rules": {}}]}]}}"#, expected: #"{"l": [{"kind": "a"}]}"#, actual: #"{"l": [{"kind": "b"}]}"#),
        c("type with min and max: in range", true, rules: #"{"$.l": {"matchers": [{"match": "type", "min": 1, "max": 3}]}}"#, expected: #"{"l": [1]}"#, actual: #"{"l": [1, 2, 3]}"#),
        c("type with max: too many", false, rules: #"{"$.l": {"matchers": [{"match": "type", "min": 1, "max": 2}]}}"#, expected: #"{"l": [1]}"#, actual: #"{"l": [1, 2, 3]}"#),
        c("combine OR: one matcher suffices", true, rules: #"{"$.s": {"combine": "OR", "matchers": [{"match": "regex", "regex": "a+"}, {"match": "regex", "regex": "b+"}]}}"#, expected: #"{"s": "a"}"#, actual: #"{"s": "bbb"}"#),
        c("combine AND: all must match", false, rules: #"{"$.s": {"combine": "AND", "matchers": [{"match": "regex", "regex": "[ab]+"}, {"match": "include", "value": "a"}]}}"#, expected: #"{"s": "a"}"#, actual: #"{"s": "bbb"}"#),
        c("regex must match the whole value", false, rules: #"{"$.s": {"matchers": [{"match": "regex", "regex": "\\d+"}]}}"#, expected: #"{"s": "1"}"#, actual: #"{"s": "12a"}"#),
        c("equality resets a cascading type matcher", false, rules: #"{"$": {"matchers": [{"match": "type"}]}, "$.id": {"matchers": [{"match": "equality"}]}}"#, expected: #"{"id": 1, "name": "a"}"#, actual: #"{"id": 2, "name": "b"}"#),
        c("the heaviest path wins: $.items[1].id over $.items[*].id", true, rules: #"{"$.items[*].id": {"matchers": [{"match": "equality"}]}, "$.items[1].id": {"matchers": [{"match": "type"}]}}"#, expected: #"{"items": [{"id": 1}, {"id": 2}]}"#, actual: #"{"items": [{"id": 1}, {"id": 99}]}"#),
        c("the heaviest path wins the other way round", false, rules: #"{"$.items[*].id": {"matchers": [{"match": "type"}]}, "$.items[0].id": {"matchers": [{"match": "equality"}]}}"#, expected: #"{"items": [{"id": 1}, {"id": 2}]}"#, actual: #"{"items": [{"id": 5}, {"id": 99}]}"#),
        c("extra keys in a response body are allowed", true, rules: "{}", expected: #"{"a": 1}"#, actual: #"{"a": 1, "b": 2}"#),
    ]

    @Test(arguments: cases)
    func bodyRule(_ c: Case) throws {
        let expected = try PactLoader.response(try JSON.parse("""
            {"status": 200, "headers": {"Content-Type": "application/json"}, "body": \(c.expected), "matchingRules": {"body": \(c.rules)}}
            """), v4: true)
        let actual = try PactLoader.response(try JSON.parse("""
            {"status": 200, "headers": {"Content-Type": "application/json"}, "body": \(c.actual)}
            """))
        let mismatches = PactMatcher.match(response: expected, actual: actual)
        #expect(mismatches.isEmpty == c.match, "\(c.name): \(mismatches.map(\.message))")
    }

    @Test func statusCodeMatcher_acceptsTheClassAndRejectsOthers() throws {
        let rules = #""matchingRules": {"status": {"matchers": [{"match": "statusCode", "status": "success"}]}}"#
        let expected = try PactLoader.response(try JSON.parse(#"{"status": 200, "# + rules + "}"), v4: true)
        #expect(PactMatcher.match(response: expected, actual: try PactLoader.response(try JSON.parse(#"{"status": 204}"#))).isEmpty)
        let failed = PactMatcher.match(response: expected, actual: try PactLoader.response(try JSON.parse(#"{"status": 404}"#)))
        #expect(failed.map(\.message) == ["Expected status code 404 to be a success"])
        let listed = try PactLoader.response(try JSON.parse(#"{"status": 200, "matchingRules": {"status": {"matchers": [{"match": "statusCode", "status": [200, 201]}]}}}"#))
        #expect(PactMatcher.match(response: listed, actual: try PactLoader.response(try JSON.parse(#"{"status": 201}"#))).isEmpty)
    }

    @Test func contentTypeMatcher_checksTheBytes() throws {
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0]
        let expected = try PactLoader.response(try JSON.parse("""
            {"status": 200, "headers": {"Content-Type": "image/png"},
             "body": {"content": "\(Data(png).base64EncodedString())", "encoded": "base64", "contentType": "image/png"},
             "matchingRules": {"body": {"$": {"matchers": [{"match": "contentType", "value": "image/png"}]}}}}
            """), v4: true)
        var actual = PactResponse()
        actual.headers = [("content-type", ["image/png"])]
        actual.body = .present(png + [1, 2, 3], contentType: nil)
        #expect(PactMatcher.match(response: expected, actual: actual).isEmpty)
        actual.body = .present(Array("GIF89a...".utf8), contentType: nil)
        #expect(!PactMatcher.match(response: expected, actual: actual).isEmpty)
    }

    @Test func contentTypeHeader_parametersComparedLikeTheVerifier() throws {
        func check(_ e: String, _ a: String) throws -> Bool {
            let expected = try PactLoader.response(try JSON.parse(#"{"headers": {"Content-Type": "\#(e)"}}"#))
            let actual = try PactLoader.response(try JSON.parse(#"{"headers": {"Content-Type": "\#(a)"}}"#))
            return PactMatcher.match(response: expected, actual: actual).isEmpty
        }
        #expect(try check("application/json", "application/json; charset=utf-8"))
        #expect(try check("application/json;charset=UTF-8", "application/json; charset=utf-8"))
        #expect(try !check("application/json;charset=UTF-8", "application/json;charset=UTF-16"))
        #expect(try !check("application/json;charset=UTF-8", "application/json"))
        #expect(try !check("application/json", "text/plain"))
    }

    @Test func formBodies_compareFieldsInAnyOrder_underBodyRules() throws {
        func form(_ body: String, rules: String = "{}") throws -> PactResponse {
            try PactLoader.response(try JSON.parse(#"{"headers": {"Content-Type": "application/x-www-form-urlencoded"}, "body": "\#(body)", "matchingRules": {"body": \#(rules)}}"#))
        }
        #expect(PactMatcher.match(response: try form("a=1&b=x+y"), actual: try form("b=x%20y&a=1")).isEmpty)
        #expect(PactMatcher.match(response: try form("a=1", rules: #"{"$.a": {"matchers": [{"match": "regex", "regex": "\\d+"}]}}"#),
                                  actual: try form("a=42")).isEmpty)
        #expect(PactMatcher.match(response: try form("a=1&b=2"), actual: try form("a=1")).map(\.message)
                == ["Expected form post parameter 'b' but was missing"])
    }

    @Test func v4BodyObject_jsonContentAndPending() throws {
        let pact = try PactLoader.parse(Array("""
            {"consumer": {"name": "c"}, "provider": {"name": "p"}, "metadata": {"pactSpecification": {"version": "4.0"}},
             "interactions": [
               {"type": "Synchronous/HTTP", "key": "k1", "description": "d", "pending": true, "comments": {"text": ["note"]},
                "request": {"method": "GET", "path": "/x"},
                "response": {"status": 200, "body": {"content": {"a": 1}, "contentType": "application/json", "encoded": false}}},
               {"type": "Asynchronous/Messages", "description": "m", "contents": {"content": "x"}}
             ]}
            """.utf8), source: "v4.json")
        #expect(pact.specification == .v4)
        #expect(pact.interactions.count == 1)
        let i = pact.interactions[0]
        #expect(i.key == "k1" && i.pending && i.comments?["text"] != nil)
        #expect(i.response.body == .present(Array(#"{"a":1}"#.utf8), contentType: MediaType("application/json")))
        #expect(pact.skippedKinds.map(\.kind) == ["Asynchronous/Messages"])
    }

    @Test func invalidPact_reportsLineAndColumn() {
        #expect(throws: PactLoadError(file: "bad.json", line: 2, column: 11, message: "not valid JSON: expected a value")) {
            _ = try PactLoader.parse(Array("{\n  \"a\": [1,,2]\n}".utf8), source: "bad.json")
        }
    }
}
