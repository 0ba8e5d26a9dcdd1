import Foundation
import MsvcCore
import MsvcTestSupport
import Testing

/// The Pact specification's match cases in ../shared/conformance/pact, checked through the
/// matcher directly (requests as a mock server sees them, responses as a verifier does).
/// `ProviderConformanceTests` runs the response cases against a real provider as well.
@Suite struct ConformanceCaseTests {
    @Test(.enabled(if: PactCases.available, "../shared/conformance/pact is absent; these cases need the shared folder"))
    func requestCases_matchExactlyWhenTheCaseSaysTheyMatch() throws {
        let cases = try PactCases.load(kind: "request")
        #expect(cases.count > 50)
        var wrong: [String] = []
        for c in cases {
            let expected = try PactLoader.request(c.json["expected"] ?? .object([]), v4: c.v4)
            let actual = try PactLoader.request(c.json["actual"] ?? .object([]), v4: c.v4)
            let mismatches = PactMatcher.match(request: expected, actual: actual)
            if mismatches.isEmpty != c.match {
                wrong.append("\(c.name): expected match=\(c.match), got \(mismatches.map(\.message))")
            }
        }
        #expect(wrong.isEmpty, "\(wrong.count) of \(cases.count) wrong:\n\(wrong.joined(separator: "\n"))")
    }

    @Test(.enabled(if: PactCases.available, "../shared/conformance/pact is absent; these cases need the shared folder"))
    func responseCases_matchExactlyWhenTheCaseSaysTheyMatch() throws {
        let cases = try PactCases.load(kind: "response")
        #expect(cases.count > 50)
        var wrong: [String] = []
        for c in cases {
            let expected = try PactLoader.response(c.json["expected"] ?? .object([]), v4: c.v4)
            let actual = try PactLoader.response(c.json["actual"] ?? .object([]), v4: c.v4)
            let mismatches = PactMatcher.match(response: expected, actual: actual)
            if mismatches.isEmpty != c.match {
                wrong.append("\(c.name): expected match=\(c.match), got \(mismatches.map(\.message))")
            }
        }
        #expect(wrong.isEmpty, "\(wrong.count) of \(cases.count) wrong:\n\(wrong.joined(separator: "\n"))")
    }
}

/// One specification match case.
struct PactCase: Sendable {
    var name: String
    var match: Bool
    var json: JSON
    var v4: Bool
    var specification: String
}

/// Finds the case files.
enum PactCases {
    /// The shared conformance folder, resolved from the package root.
    static var root: String {
        URL(fileURLWithPath: packageRoot()).appendingPathComponent("../shared/conformance/pact").standardized.path
    }

    /// Extra case folders (e.g. the full published suite) from MSVC_PACT_CASES, colon-separated.
    static var roots: [String] {
        var r = [root]
        if let extra = ProcessInfo.processInfo.environment["MSVC_PACT_CASES"] { r += extra.split(separator: ":").map(String.init) }
        return r.filter { FileManager.default.fileExists(atPath: $0) }
    }

    static var available: Bool { FileManager.default.fileExists(atPath: root) }

    /// Every case of `kind` (`request` or `response`) under the case roots.
    static func load(kind: String) throws -> [PactCase] {
        var out: [PactCase] = []
        for root in roots {
            let versions = try FileManager.default.contentsOfDirectory(atPath: root).filter { $0.hasPrefix("version-") }.sorted()
            for v in versions {
                let dir = "\(root)/\(v)/\(kind)"
                guard let e = FileManager.default.enumerator(atPath: dir) else { continue }
                for case let rel as String in e where rel.hasSuffix(".json") {
                    let data = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/\(rel)"))
                    let json = try JSON.parse(bytes: Array(data))
                    out.append(PactCase(name: "\(root.hasSuffix("/pact") ? "" : root + ":")\(v)/\(kind)/\(rel)", match: json["match"]?.boolValue ?? false,
                                        json: json, v4: v == "version-4", specification: v))
                }
            }
        }
        return out.sorted { $0.name < $1.name }
    }
}
