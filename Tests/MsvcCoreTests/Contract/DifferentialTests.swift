import Foundation
import MsvcCore
import MsvcTestSupport
import Testing

/// msvc and the official Pact verifier (`pact verifier` from the PyPI package pact-python-cli)
/// verify the same pacts against the same provider and must reach the same verdict on every
/// interaction. Skipped only when `pact` is not installed outside CI; .ci/run installs it.
@Suite(.serialized) struct DifferentialTests {
    static var pactCLI: String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/pact"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static var runnable: Bool {
        PactCases.available && (pactCLI != nil || ProcessInfo.processInfo.environment["CI"] != nil)
    }

    @Test(.enabled(if: runnable, "needs ../shared/conformance/pact and the official verifier (pip install pact-python-cli)"))
    func conformanceCases_msvcAndOfficialVerifierAgreeOnEveryCase() async throws {
        let pact = try #require(Self.pactCLI, "the official verifier `pact` is not on PATH; .ci/run installs pact-python-cli")
        let fixture = try CaseProvider()
        defer { fixture.server.stop() }
        let mine = try await MsvcBinary.run(["contract", "verify", "--pact", fixture.dir.path, "--provider-url", fixture.server.url, "--json"],
                                            cwd: fixture.dir.path, timeout: 300)
        let msvc = try fixture.msvcVerdicts(mine.stdout)
        let official = try await Self.officialVerdicts(pact: pact, files: fixture.files, port: fixture.server.port, cwd: fixture.dir)
        var disagreements: [String] = []
        for c in fixture.cases {
            let m = msvc[c.name], o = official[c.name]
            if m == nil || o == nil || m != o {
                disagreements.append("\(c.name) (case says match=\(c.match)): msvc=\(m.map { $0 ? "verified" : "failed" } ?? "none"), official=\(o.map { $0 ? "verified" : "failed" } ?? "none")")
            }
        }
        #expect(official.count >= fixture.cases.count, "the official verifier reported \(official.count) of \(fixture.cases.count) interactions")
        #expect(disagreements.isEmpty, "\(disagreements.count) disagreements:\n\(disagreements.joined(separator: "\n"))")
    }

    /// Runs `pact verifier` on each file and reads its JSON report: description → verified.
    static func officialVerdicts(pact: String, files: [String], port: Int, cwd: TemporaryDirectory) async throws -> [String: Bool] {
        var out: [String: Bool] = [:]
        for (n, file) in files.enumerated() {
            let report = "\(cwd.path)/official-\(n).json"
            let r = try await Shell.run(pact, ["verifier", "-f", file, "--hostname", "127.0.0.1", "--port", String(port),
                                               "--json", report, "--no-colour",
                                               // (Its default, 5 s, is about the provider's speed, which this test does not judge.)
                                               "--request-timeout", "60000"],
                                        cwd: cwd.path, environment: ["PACT_DO_NOT_TRACK": "true"], timeout: 600)
            guard let data = FileManager.default.contents(atPath: report) else {
                Issue.record("pact verifier wrote no report for \(file) (exit \(r.status)): \(r.stderr.suffix(2000))")
                continue
            }
            let doc = try JSON.parse(bytes: Array(data))
            for i in doc["interactionResults"]?.arrayValue ?? [] {
                if let d = i["description"]?.stringValue { out[d] = i["result"]?.stringValue == "OK" }
            }
        }
        return out
    }
}
