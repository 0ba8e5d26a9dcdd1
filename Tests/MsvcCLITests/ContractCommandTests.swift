import Foundation
import MsvcTestSupport
import Testing

/// `msvc contract verify` input errors: usage problems exit 64, unreadable or invalid pacts 65
/// with the position of the problem.
@Suite struct ContractCommandTests {
    @Test func missingOptions_areUsageErrors() async throws {
        let dir = try TemporaryDirectory()
        let r = try await MsvcBinary.run(["contract", "verify", "--provider-url", "http://127.0.0.1:1"], cwd: dir.path)
        #expect(r.status == 64)
        #expect(r.stderr == "error: missing --pact FILE|DIR (the pact file or folder to verify)\n")
        let r2 = try await MsvcBinary.run(["contract", "verify", "--pact", "x.json"], cwd: dir.path)
        #expect(r2.status == 64)
        #expect(r2.stderr.contains("missing --provider-url URL"))
    }

    @Test func badHeaderOrURL_areUsageErrors() async throws {
        let dir = try TemporaryDirectory()
        try dir.write("p.json", #"{"consumer": {"name": "a"}, "provider": {"name": "b"}, "interactions": []}"#)
        let r = try await MsvcBinary.run(["contract", "verify", "--pact", "p.json", "--provider-url", "http://127.0.0.1:1", "--header", "NoEquals"], cwd: dir.path)
        #expect(r.status == 64)
        #expect(r.stderr.contains("invalid --header \"NoEquals\" (expected NAME=VALUE"))
        let r2 = try await MsvcBinary.run(["contract", "verify", "--pact", "p.json", "--provider-url", "https://example.org"], cwd: dir.path)
        #expect(r2.status == 64)
        #expect(r2.stderr.contains("invalid provider URL \"https://example.org\""))
        let r3 = try await MsvcBinary.run(["contract", "verify", "--pact", "p.json", "--provider-url", "http://127.0.0.1:1", "--filter-state", "("], cwd: dir.path)
        #expect(r3.status == 64)
        #expect(r3.stderr.contains("invalid filter regular expression"))
    }

    @Test func invalidPact_exits65WithLineAndColumn() async throws {
        let dir = try TemporaryDirectory()
        try dir.write("broken.json", "{\n  \"consumer\": {\"name\": \"a\"},\n  \"interactions\": [,]\n}\n")
        let r = try await MsvcBinary.run(["contract", "verify", "--pact", "broken.json", "--provider-url", "http://127.0.0.1:1"], cwd: dir.path)
        #expect(r.status == 65)
        #expect(r.stderr == "broken.json:3:20: error: not valid JSON: expected a value\n")
        try dir.write("nodesc.json", #"{"interactions": [{"request": {}, "response": {}}]}"#)
        let r2 = try await MsvcBinary.run(["contract", "verify", "--pact", "nodesc.json", "--provider-url", "http://127.0.0.1:1"], cwd: dir.path)
        #expect(r2.status == 65)
        #expect(r2.stderr == "nodesc.json:1:19: error: interactions[0] (\"\"): \"description\" is missing\n")
        let r3 = try await MsvcBinary.run(["contract", "verify", "--pact", "nope.json", "--provider-url", "http://127.0.0.1:1"], cwd: dir.path)
        #expect(r3.status == 65)
        #expect(r3.stderr == "nope.json: error: no such file or folder\n")
    }

    @Test func unreachableProvider_isAnErrorPerInteraction_exit1() async throws {
        let dir = try TemporaryDirectory()
        try dir.write("p.json", """
            {"consumer": {"name": "a"}, "provider": {"name": "b"},
             "interactions": [{"description": "x", "request": {"method": "GET", "path": "/"}, "response": {"status": 200}}]}
            """)
        let r = try await MsvcBinary.run(["contract", "verify", "--pact", "p.json", "--provider-url", "http://127.0.0.1:1", "--json"], cwd: dir.path)
        #expect(r.status == 1)
        #expect(r.stdout.contains("\"status\": \"error\""))
        #expect(r.stdout.contains("request to the provider failed: connection failed"))
    }
}
