import Foundation
import MsvcTestSupport
import Testing

@Suite struct InitCommandTests {
    @Test func init_writesAValidCommentedConfigAndGitignoreEntry() async throws {
        let dir = try TemporaryDirectory(prefix: "My Shop")
        try dir.write(".gitignore", "node_modules/")
        let r = try await MsvcBinary.run(["init", "--name", "shop"], cwd: dir.path)
        #expect(r.status == 0, "\(r.stderr)")
        let yaml = try dir.read("msvc.yaml")
        #expect(yaml.contains("name: shop"))
        #expect(yaml.contains("# "))
        #expect(try dir.read(".gitignore") == "node_modules/\n.msvc/\n")
        #expect(try await MsvcBinary.run(["validate"], cwd: dir.path).status == 0)
        let again = try await MsvcBinary.run(["init"], cwd: dir.path)
        #expect(again.status == 1)
        #expect(again.stderr.contains("already exists; pass --force"))
        #expect(try await MsvcBinary.run(["init", "--force"], cwd: dir.path).status == 0)
        #expect(try dir.read(".gitignore") == "node_modules/\n.msvc/\n", "the entry is not added twice")
    }

    @Test func version_printsTheVersion() async throws {
        let r = try await MsvcBinary.run(["--version"], cwd: NSTemporaryDirectory())
        #expect(r.status == 0)
        #expect(r.stdout.wholeMatch(of: /\d+\.\d+\.\d+\n/) != nil)
    }
}

@Suite struct CompletionsTests {
    /// The committed scripts under completions/ must match what the binary generates.
    @Test(arguments: [("bash", "msvc.bash"), ("zsh", "_msvc"), ("fish", "msvc.fish")])
    func committedCompletionScripts_areUpToDate(shell: String, file: String) async throws {
        let root = packageRoot()
        let r = try await MsvcBinary.run(["completions", shell], cwd: root)
        #expect(r.status == 0)
        #expect(r.stdout.contains("validate"))
        let problem = Golden.check(r.stdout, against: "\(root)/completions/\(file)",
                                   rerun: "swift test --filter CompletionsTests")
        #expect(problem == nil, "\(problem ?? "")")
    }
}
