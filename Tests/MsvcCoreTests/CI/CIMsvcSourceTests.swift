import Foundation
@testable import MsvcCore
import MsvcTestSupport
import Testing

/// `ci.msvc`: validated like every other key, and what the suite jobs do with it.
@Suite struct CIMsvcSourceTests {
    static let services = """
        name: demo
        services:
          api: { command: python3 app.py, test: python3 -m unittest, language: python }
        tests:
          e2e: [{ name: smoke, needs: all, run: ./smoke.sh }]

        """

    static func load(_ ci: String) throws(ConfigError) -> StackConfig {
        try ConfigLoader.load(text: services + ci, file: "msvc.yaml", context: Fixtures.context).config
    }

    /// The error lines of loading `ci`, or [] when it loads.
    static func errors(_ ci: String) -> [String] {
        do throws(ConfigError) {
            _ = try load(ci)
            return []
        } catch {
            return error.diagnostics.filter { $0.severity == .error }.map(\.description)
        }
    }

    @Test func gitAndRef_orInstall_load() throws {
        #expect(try Self.load("ci:\n  msvc: { git: \"https://github.com/o/msvc.git\", ref: v0.2.0 }\n").ci.msvc
                == .git(url: "https://github.com/o/msvc.git", ref: "v0.2.0"))
        #expect(try Self.load("ci:\n  msvc:\n    install: |\n      ./get-msvc.sh\n").ci.msvc == .install(command: "./get-msvc.sh\n"))
        #expect(try Self.load("ci: { provider: github }\n").ci.msvc == nil)
    }

    @Test(arguments: [
        ("ci:\n  msvc: { git: \"https://x/msvc.git\" }\n", "msvc.yaml:7:9: error: ci.msvc: git: needs ref:, the tag, branch or commit to build (e.g. ref: v\(Msvc.version))"),
        ("ci:\n  msvc: { ref: v1 }\n", "msvc.yaml:7:9: error: ci.msvc: ref: needs git:"),
        ("ci:\n  msvc: {}\n", "msvc.yaml:7:9: error: ci.msvc: says nothing about where CI gets msvc"),
        ("ci:\n  msvc: https://x/msvc.git\n", "msvc.yaml:7:9: error: ci.msvc: expected a map such as { git: https://github.com/OWNER/msvc.git, ref: v0.2.0 } or { install: COMMAND }, found a string"),
        ("ci:\n  msvc: { git: x, ref: v1, install: ./i.sh }\n", "msvc.yaml:7:37: error: ci.msvc.install: set either install: or git: with ref:, not both"),
        ("ci:\n  msvc: { git: x, reff: v1 }\n", "msvc.yaml:7:19: error: ci.msvc.reff: unknown key \"reff\"; did you mean \"ref\"?"),
        ("ci:\n  msvc: { git: \"-uhttps://x\", ref: v1 }\n", "msvc.yaml:7:16: error: ci.msvc.git: invalid git repository \"-uhttps://x\""),
        ("ci:\n  msvc: { git: x, ref: \"v1 --upload-pack=x\" }\n", "msvc.yaml:7:24: error: ci.msvc.ref: invalid git ref \"v1 --upload-pack=x\""),
        ("ci:\n  msvc: { git: x, ref: \"a..b\" }\n", "msvc.yaml:7:24: error: ci.msvc.ref: invalid git ref \"a..b\""),
        ("ci:\n  msvc: { install: \"  \" }\n", "msvc.yaml:7:20: error: ci.msvc.install: expected a shell command that puts msvc on PATH"),
        ("ci:\n  msvcc: {}\n", "msvc.yaml:7:3: error: ci.msvcc: unknown key \"msvcc\"; did you mean \"msvc\"?"),
    ])
    func badSettings_areReportedAtTheirPosition(ci: String, expected: String) {
        let errors = Self.errors(ci)
        #expect(errors.contains { $0.hasPrefix(expected) }, "\(errors)")
    }

    @Test func missingSource_failsGeneration_whenThereAreSuites_only() throws {
        let stack = try Self.load("")
        #expect(throws: CIError.msvcSourceMissing(configFile: "msvc.yaml")) { try CIPlan.make(stack, files: .none) }
        let message = CIError.msvcSourceMissing(configFile: "msvc.yaml").description
        #expect(message.contains("add ci.msvc to msvc.yaml"))
        #expect(message.contains("msvc: { git: https://github.com/OWNER/msvc.git, ref: v\(Msvc.version) }"))
        #expect(message.contains("msvc: { install: ./ci/install-msvc.sh }"))
        var noSuites = stack
        noSuites.tests = TestSuites()
        let plan = try CIPlan.make(noSuites, files: .none)
        #expect(plan.msvc == nil, "service jobs alone do not use msvc")
        for provider in CIProvider.allCases {
            let text = CIGenerator.render(plan, provider: provider)
            #expect(!text.contains(".msvc-ci/bin") && !text.contains("MSVC_"), "\(provider): \(text)")
        }
    }

    @Test func installScript_gitMode_fetchesTheRef_andSkipsWhatIsThere() throws {
        let plan = try CIPlan.make(Self.load("ci:\n  msvc: { git: \"https://x.org/o/msvc.git\", ref: release/1.0 }\n"), files: .none)
        let script = plan.installScript
        #expect(script.contains("git -C .msvc-ci/src fetch -q --depth 1 https://x.org/o/msvc.git release/1.0\n"))
        #expect(script.contains("pkg-config --exists yaml-0.1 >/dev/null 2>&1 || need=\"$need libyaml-dev\"\n"))
        #expect(script.contains("command -v python3 >/dev/null 2>&1 || need=\"$need python3\"\n") && !script.contains("python3-pip"), "pip only when a service installs with it")
        #expect(script.contains("if [ -n \"$need\" ]; then"), "apt-get runs only when something is missing")
        #expect(plan.msvcCacheKey.hasPrefix("msvc-release-1.0-") && plan.msvcCacheKey.hasSuffix("-swift-6.3.1-noble"))
        let other = try CIPlan.make(Self.load("ci:\n  msvc: { git: \"https://x.org/fork/msvc.git\", ref: release/1.0 }\n"), files: .none)
        #expect(other.msvcCacheKey != plan.msvcCacheKey, "another repository is another cache entry")
    }

    @Test func installScript_installMode_runsTheCommand_andChecksItWorked() throws {
        let plan = try CIPlan.make(Self.load("ci:\n  msvc:\n    install: |\n      a\n\n      b\n"), files: .none)
        let script = plan.installScript
        #expect(script.contains("if [ ! -x .msvc-ci/bin/msvc ]; then\n  a\n\n  b\n  if ! command -v msvc >/dev/null; then\n"), "\(script)")
        #expect(script.contains("ci.msvc.install in msvc.yaml ran, but msvc is not on PATH"))
        #expect(!script.contains("libyaml-dev") && !script.contains("git "), "nothing is built from source")
        #expect(plan.msvcCacheKey.hasPrefix("msvc-install-"))
    }

    /// A folder with stand-ins: `swift build` writes a fake msvc that names the commit it was
    /// built from; `apt-get` fails, so a test never installs packages on this machine.
    static func standIns(_ dir: TemporaryDirectory) throws -> String {
        try dir.write("bin/swift", """
            #!/bin/sh
            # swift build -c release --package-path DIR
            [ "$1" = build ] || exit 64
            src=$5
            mkdir -p "$src/.build/release"
            printf '#!/bin/sh\\necho "msvc built from %s"\\n' "$(git -C "$src" rev-parse HEAD)" > "$src/.build/release/msvc"
            chmod +x "$src/.build/release/msvc"

            """)
        try dir.write("bin/apt-get", "#!/bin/sh\necho \"apt-get $*: this machine lacks what the suites need\" >&2\nexit 1\n")
        for tool in ["swift", "apt-get"] {
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path + "/bin/" + tool)
        }
        return dir.path + "/bin"
    }

    @Test(arguments: ["tag", "branch", "commit"])
    func installScript_gitMode_buildsTheRef_andKeepsTheCachedBinary(kind: String) async throws {
        let dir = try TemporaryDirectory(prefix: "msvc-ci-git")
        let bin = try Self.standIns(dir)
        let setup = try await Shell.run("/bin/sh", ["-c", """
            set -e
            git init -q -b main repo && cd repo
            git -c user.name=t -c user.email=t@t commit -q --allow-empty -m one && git tag v1.0.0
            git -c user.name=t -c user.email=t@t commit -q --allow-empty -m two
            git config uploadpack.allowAnySHA1InWant true   # as GitHub and GitLab allow fetching a commit
            git rev-parse v1.0.0
            """], cwd: dir.path)
        try #require(setup.status == 0, "\(setup.stderr)")
        let tagged = setup.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let ref = ["tag": "v1.0.0", "branch": "main", "commit": tagged][kind]!
        let yaml = "ci:\n  msvc: { git: \"file://\(dir.path)/repo\", ref: \"\(ref)\" }\n"
        let plan = try CIPlan.make(Self.load(yaml).withoutLanguages, files: .none)
        let work = try TemporaryDirectory(prefix: "msvc-ci-checkout")
        let env = ["PATH": bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "")]
        let first = try await Shell.run("/bin/bash", ["-eo", "pipefail", "-c", plan.installScript], cwd: work.path, environment: env)
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        let expected = try await Shell.run("git", ["-C", dir.path + "/repo", "rev-parse", kind == "branch" ? "main" : "v1.0.0"], cwd: dir.path)
        #expect(first.stdout == "msvc built from \(expected.stdout)", "\(first.stdout)")
        // A cached binary is kept: no fetch, no build (the repository is gone).
        try FileManager.default.removeItem(atPath: dir.path + "/repo")
        let second = try await Shell.run("/bin/bash", ["-eo", "pipefail", "-c", plan.installScript], cwd: work.path, environment: env)
        #expect(second.status == 0 && second.stdout == first.stdout, "\(second.stderr)")
    }
}

extension StackConfig {
    /// The stack with every service's language dropped, so the suites need no toolchain here.
    var withoutLanguages: StackConfig {
        var s = self
        for name in s.services.keys { s.services[name]?.language = nil }
        return s
    }
}
