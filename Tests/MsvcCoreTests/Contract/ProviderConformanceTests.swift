import Foundation
import MsvcCore
import MsvcTestSupport
import Testing

/// The response cases of ../shared/conformance/pact verified end to end: each case becomes an
/// interaction of a pact (one pact per specification version), a real provider on 127.0.0.1
/// answers each interaction with the case's `actual`, and `msvc contract verify` must pass
/// exactly the cases marked `match: true`.
@Suite(.serialized) struct ProviderConformanceTests {
    @Test(.enabled(if: PactCases.available, "../shared/conformance/pact is absent; these cases need the shared folder"))
    func responseCases_throughMsvcContractVerify_passExactlyTheMatchingCases() async throws {
        let fixture = try CaseProvider()
        defer { fixture.server.stop() }
        let r = try await MsvcBinary.run(["contract", "verify", "--pact", fixture.dir.path, "--provider-url", fixture.server.url, "--json"],
                                         cwd: fixture.dir.path, timeout: 300)
        let verdicts = try fixture.msvcVerdicts(r.stdout)
        var wrong: [String] = []
        for c in fixture.cases {
            guard let passed = verdicts[c.name] else { wrong.append("\(c.name): no verdict"); continue }
            if passed != c.match { wrong.append("\(c.name): expected match=\(c.match), msvc said \(passed ? "verified" : "failed")") }
        }
        #expect(wrong.isEmpty, "\(wrong.count) of \(fixture.cases.count) wrong:\n\(wrong.joined(separator: "\n"))")
        let anyFails = fixture.cases.contains { !$0.match }
        #expect(r.status == (anyFails ? 1 : 0), "\(r.stderr)")
    }
}

/// Pact files made from the response cases, and a stub provider that replays each case's `actual`.
final class CaseProvider: @unchecked Sendable {
    // Immutable after init.
    let dir: TemporaryDirectory
    let cases: [PactCase]
    let server: StubHTTPServer
    /// Pact file per specification version.
    let files: [String]

    init() throws {
        dir = try TemporaryDirectory(prefix: "msvc-pact-cases")
        cases = try PactCases.load(kind: "response")
        var responses: [String: StubResponse] = [:]
        var bySpec: [String: [JSON]] = [:]
        for (n, c) in cases.enumerated() {
            let path = "/case/\(n)"
            let actualJSON = c.json["actual"] ?? .object([])
            let actual = try PactLoader.response(actualJSON, v4: c.v4)
            var headers: [(String, String)] = []
            if case .object(let pairs)? = actualJSON["headers"] {
                for (k, v) in pairs {
                    if case .array(let items) = v { headers.append((k, items.compactMap(\.stringValue).joined(separator: ", "))) } else {
                        headers.append((k, v.stringValue ?? ValueRules_jsonText(v)))
                    }
                }
            }
            // HTTP cannot carry a line break in a header: a folded value is sent unfolded
            // (RFC 9112 section 5.2), which is what it means.
            headers = headers.map { ($0.0, $0.1.replacingOccurrences(of: "\\n\\s*", with: " ", options: .regularExpression)) }
            responses[path] = StubResponse(status: actual.status, headers: headers, body: actual.body.bytes)
            var fields: [(String, JSON)] = c.v4 ? [("type", .string("Synchronous/HTTP")), ("key", .string("case-\(n)"))] : []
            fields += [
                ("description", .string(c.name)),
                ("request", .object([("method", .string("GET")), ("path", .string(path))])),
                ("response", c.json["expected"] ?? .object([])),
            ]
            let interaction = JSON.object(fields)
            bySpec[c.specification, default: []].append(interaction)
        }
        let table = responses
        server = try StubHTTPServer { request in
            table[request.path] ?? StubResponse(status: 599, text: "no case at \(request.path)")
        }
        var files: [String] = []
        for (spec, interactions) in bySpec.sorted(by: { $0.key < $1.key }) {
            let version = spec == "version-2" ? "2.0.0" : spec == "version-3" ? "3.0.0" : "4.0"
            let pact = JSON.object([
                ("consumer", .object([("name", .string("cases-\(spec)"))])),
                ("provider", .object([("name", .string("case-provider"))])),
                ("interactions", .array(interactions)),
                ("metadata", .object([("pactSpecification", .object([("version", .string(version))]))])),
            ])
            files.append(try dir.write("\(spec).json", pact.serialized()))
        }
        self.files = files
    }

    /// Verdict per case description from `msvc contract verify --json`.
    func msvcVerdicts(_ stdout: String) throws -> [String: Bool] {
        let doc = try JSON.parse(stdout)
        var out: [String: Bool] = [:]
        for p in doc["pacts"]?.arrayValue ?? [] {
            for i in p["interactions"]?.arrayValue ?? [] {
                if let d = i["description"]?.stringValue { out[d] = i["status"]?.stringValue == "passed" }
            }
        }
        return out
    }
}

/// A JSON value as plain text (strings bare).
func ValueRules_jsonText(_ v: JSON) -> String {
    if case .string(let s) = v { return s }
    return v.serialized(pretty: false)
}
