import Foundation
import MsvcCore
import MsvcTestSupport
import Testing

/// The suite jobs `msvc ci generate` writes, run as the CI system would run them, on a real stack.
@Suite("msvc test in generated CI pipelines", .serialized)
struct TestCIPipelineTests {
    /// The `run:` (GitHub) or `script:` (GitLab) steps of job `id`, from the generated file.
    func steps(_ file: String, job id: String, key: String) throws -> [String] {
        let root = try #require(try YAMLParser.parse(file))
        guard case .mapping(let top) = root.content else { return [] }
        let jobs: [YAMLPair]
        if case .mapping(let j)? = top.first(where: { $0.key.scalar == "jobs" })?.value.content { jobs = j } else { jobs = top }
        guard let job = jobs.first(where: { $0.key.scalar == id })?.value, case .mapping(let fields) = job.content,
              let list = fields.first(where: { $0.key.scalar == key })?.value, case .sequence(let items) = list.content else { return [] }
        return items.compactMap { item in
            if let s = item.scalar { return s }
            guard case .mapping(let step) = item.content else { return nil }
            return step.first { $0.key.scalar == "run" }?.value.scalar
        }
    }

    /// A project whose suites pass, with the built msvc where the pipelines install it.
    func project(failing: Bool = false) throws -> TestProject {
        let p = try TestProject(fixedPort: PortAllocator.allocate(avoiding: []) ?? 18_083)
        var yaml = try p.dir.read("msvc.yaml")
        let cut = yaml.range(of: "    - name: store-full")!.lowerBound
        let e2e = yaml.range(of: "  e2e:")!.lowerBound
        yaml.removeSubrange(cut..<e2e)
        if !failing { yaml = String(yaml[..<yaml.range(of: "    - name: broken")!.lowerBound]) }
        // Where the pipelines get msvc; the install step is skipped below, the built one is used.
        yaml += "\nci:\n  msvc: { git: \"https://example.org/msvc.git\", ref: v\(Msvc.version) }\n"
        try p.dir.write("msvc.yaml", yaml)
        try FileManager.default.createDirectory(atPath: p.dir.path + "/.msvc-ci/bin", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: p.dir.path + "/.msvc-ci/bin/msvc", withDestinationPath: MsvcBinary.path)
        return p
    }

    /// Runs the job's steps after the msvc install step, as bash with the provider's flags.
    func runJob(_ p: TestProject, _ steps: [String]) async throws -> [CommandResult] {
        let install = steps.firstIndex { $0.contains("swift build -c release --package-path .msvc-ci/src") }
        #expect(install != nil, "no msvc install step in \(steps)")
        var results: [CommandResult] = []
        for step in steps[((install ?? -1) + 1)...] {
            let r = try await Shell.run("/bin/bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step], cwd: p.dir.path,
                                        environment: p.environment, timeout: 180)
            results.append(r)
            if r.status != 0 { break }
        }
        return results
    }

    @Test func githubSuiteJobs_runAsGenerated_andWriteValidReports() async throws {
        let p = try project()
        let generate = try await MsvcBinary.run(["ci", "generate", "--provider", "github"], cwd: p.dir.path)
        #expect(generate.status == 0, "\(generate.stderr)")
        let workflow = try p.dir.read(".github/workflows/msvc.yml")
        let schema = packageRoot() + "/Tests/MsvcCoreTests/Fixtures/junit/junit-10.xsd"
        for kind in ["integration", "e2e"] {
            let jobSteps = try steps(workflow, job: "msvc-\(kind)", key: "steps")
            #expect(jobSteps.contains { $0.contains(".msvc-ci/bin/msvc test \(kind) --junit reports/\(kind).xml 2>&1 | tee reports/\(kind).txt") })
            let results = try await runJob(p, jobSteps.filter { !$0.contains("GITHUB_STEP_SUMMARY") })
            #expect(results.allSatisfy { $0.status == 0 }, "\(results.map { $0.stdout + $0.stderr })")
            let lint = try await Shell.run("xmllint", ["--noout", "--schema", schema, "reports/\(kind).xml"], cwd: p.dir.path)
            #expect(lint.status == 0, "\(lint.stderr)")
            let summary = try p.dir.read("reports/\(kind).txt")
            #expect(summary.contains("0 failed"), "\(summary)")
        }
        #expect(try p.dir.read("reports/e2e.txt").contains("e2e checkout  passed"))
        #expect(p.leftovers().isEmpty)
    }

    @Test func gitlabSuiteJob_failsTheJob_whenASuiteFails() async throws {
        let p = try project(failing: true)
        let generate = try await MsvcBinary.run(["ci", "generate", "--provider", "gitlab"], cwd: p.dir.path)
        #expect(generate.status == 0, "\(generate.stderr)")
        let pipeline = try p.dir.read(".gitlab-ci.yml")
        let script = try steps(pipeline, job: "msvc-e2e", key: "script")
        #expect(script.last == "set -o pipefail\nmkdir -p reports\n.msvc-ci/bin/msvc test e2e --junit reports/e2e.xml 2>&1 | tee reports/e2e.txt\n")
        let results = try await runJob(p, script)
        #expect(results.last?.status == 1, "the job fails with the suite: \(results.map(\.stdout))")
        let report = try p.dir.read("reports/e2e.xml")
        #expect(report.contains("<testsuite name=\"e2e.broken\"") && report.contains("<failure message=\"status 404, expected 200"))
        #expect(p.leftovers().isEmpty)
    }
}
