import Foundation
import MsvcCore
import MsvcTestSupport

/// The CI fixtures: stacks under `Fixtures/ci/stacks`, golden files under `Fixtures/ci/golden`.
enum CIFixtures {
    /// `Tests/MsvcCoreTests/Fixtures/ci`.
    static let root = Fixtures.root.appendingPathComponent("ci")

    /// The stack fixtures by name (file name without `.yaml`), sorted.
    static let stacks: [String] = {
        let dir = root.appendingPathComponent("stacks").path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
    }()

    /// Loads a stack fixture as `msvc.yaml`.
    static func load(_ stack: String) throws -> StackConfig {
        let url = root.appendingPathComponent("stacks/\(stack).yaml")
        return try ConfigLoader.load(bytes: Fixtures.bytes(url), file: "msvc.yaml", context: Fixtures.context).config
    }

    /// The project files of a stack fixture: `trees/STACK/` stands for the folder holding msvc.yaml.
    static func files(_ stack: String) -> CIProjectFiles {
        .directory(root.appendingPathComponent("trees/\(stack)").path)
    }

    /// The pipeline of a stack fixture on `provider`, with its project files.
    static func generate(_ stack: String, _ provider: CIProvider) throws -> String {
        try CIGenerator.generate(load(stack), provider: provider, files: files(stack))
    }

    /// The golden file of a stack on a provider: `golden/STACK/PROVIDER-FILE-NAME`.
    static func golden(_ stack: String, _ provider: CIProvider) -> String {
        root.appendingPathComponent("golden/\(stack)/\(provider.rawValue).yml").path
    }

    /// The check-jsonschema built-in schema of each provider.
    static func schema(_ provider: CIProvider) -> String {
        switch provider {
        case .github: return "vendor.github-workflows"
        case .gitlab: return "vendor.gitlab-ci"
        case .circleci: return "vendor.circle-ci"
        case .azure: return "vendor.azure-pipelines"
        case .bitbucket: return "vendor.bitbucket-pipelines"
        case .buildkite: return "vendor.buildkite"
        }
    }
}

/// The external validators, found on PATH. They are required: a missing one fails the test
/// with the command that installs it.
enum Validators {
    /// Runs `program` with `arguments`; returns nil and a failure message when it is missing.
    static func run(_ program: String, _ arguments: [String], cwd: String, pipPackage: String) async throws -> (CommandResult?, String?) {
        let r = try await Shell.run(program, arguments, cwd: cwd, timeout: 120)
        // /usr/bin/env exits 127 when the program is not on PATH.
        if r.status == 127 {
            return (nil, "\(program) is not installed; run .ci/run, or: pip install \(pipPackage)")
        }
        return (r, nil)
    }
}
