/// `.circleci/config.yml`: one workflow; service jobs halt early when their folder did not
/// change (CircleCI has no per-job path filter without dynamic config), JUnit through
/// `store_test_results`.
enum CircleCIConfig {
    /// The file's text for `plan`.
    static func render(_ plan: CIPlan) -> String {
        var jobs: [CIYAMLEntry] = plan.services.map { serviceJob($0, plan: plan) }
        jobs += plan.suites.map { suiteJob($0, plan: plan) }
        jobs.append(gateJob(plan))
        var workflowJobs: [CIYAML] = plan.services.map { .string($0.id) }
        for s in plan.suites {
            workflowJobs.append(plan.services.isEmpty ? .string(s.id)
                : .pairs([(s.id, .pairs([("requires", .strings(plan.services.map(\.id)))]))]))
        }
        // Halted (unchanged) jobs count as passed, so the gate never waits on a skipped job.
        workflowJobs.append(.pairs([(CIPlan.gateID, .pairs([("requires", .strings(plan.requiredIDs))]))]))
        let doc = CIYAML.map([
            CIYAMLEntry("version", .raw("2.1")),
            CIYAMLEntry("jobs", .spacedMap(jobs)),
            CIYAMLEntry("workflows", .pairs([("msvc", .pairs([("jobs", .list(workflowJobs))]))]),
                        comment: ["Enable \"auto-cancel redundant workflows\" in the project settings to cancel superseded runs."]),
        ])
        return doc.document(header: plan.header(.circleci))
    }

    private static func docker(_ image: String) -> CIYAML { .list([.pairs([("image", .string(image))])]) }

    private static func run(_ name: String, _ command: String, timeout: Int = CIPlan.serviceTimeout, extra: [(String, CIYAML)] = []) -> CIYAML {
        .pairs([("run", .pairs([("name", .string(name)), ("command", command.contains("\n") ? .block(command) : .string(command))]
                               + extra + [("no_output_timeout", .string("\(timeout)m"))]))])
    }

    private static func changedScript(_ job: CIServiceJob) -> String {
        let paths = job.watch.map { $0.hasSuffix("/**") ? String($0.dropLast(3)) : ($0 == "**" ? "." : $0) }
        return """
            base=$(git merge-base HEAD origin/main 2>/dev/null || true)
            if [ -z "$base" ] || [ "$base" = "$(git rev-parse HEAD)" ]; then base=$(git rev-parse -q --verify HEAD~1 || true); fi
            if [ -n "$base" ] && git diff --quiet "$base" HEAD -- \(paths.map(shellQuote).joined(separator: " ")); then
              echo "\(job.service): nothing changed since $base; skipping"
              circleci-agent step halt
            fi

            """
    }

    private static func serviceJob(_ job: CIServiceJob, plan: CIPlan) -> CIYAMLEntry {
        // checksum fails on a missing file, so the key is the hash of whichever lock files exist.
        let keyFile = ".msvc-ci/\(job.service).deps"
        let cacheKey = "\(job.toolchain.rawValue)-\(job.service)-v1-{{ checksum \"\(keyFile)\" }}"
        let folders = job.toolchain.cacheFolders(cwd: job.cwd)
        var steps: [CIYAML] = [.string("checkout"), run("skip unless \(job.watch.joined(separator: " or ")) changed", changedScript(job))]
        if !folders.isEmpty {
            let files = job.toolchain.keyFiles.map { shellQuote(CIPlan.join(job.cwd, $0)) }.joined(separator: " ")
            steps.append(run("cache key", "mkdir -p .msvc-ci && cat \(files) > \(keyFile) 2>/dev/null || true"))
            steps.append(.pairs([("restore_cache", .pairs([("keys", .strings([cacheKey, "\(job.toolchain.rawValue)-\(job.service)-v1-"]))]))]))
        }
        let wd: [(String, CIYAML)] = job.cwd == "." ? [] : [("working_directory", .string("~/project/\(job.cwd)"))]
        if !job.setup.install.isEmpty {
            steps.append(run("install dependencies", job.setup.install.joined(separator: "\n") + (job.setup.install.count > 1 ? "\n" : ""), extra: wd))
        }
        if let b = job.build { steps.append(run("build", b, extra: wd)) }
        if let t = job.test { steps.append(run("test", t, extra: wd)) }
        if !folders.isEmpty {
            steps.append(.pairs([("save_cache", .pairs([("key", .string(cacheKey)), ("paths", .strings(folders))]))]))
        }
        let image = job.toolchain.circleImage(version: job.version)
        var pairs: [(String, CIYAML)] = [("docker", docker(image.image))]
        let env = job.toolchain.cacheEnvironment(root: image.project)
        if !env.isEmpty { pairs.append(("environment", .pairs(env.map { ($0.0, .string($0.1)) }))) }
        if job.toolchain == .swift { pairs.append(("working_directory", .string("~/project"))) }
        pairs += [("resource_class", .string("medium")), ("steps", .list(steps))]
        return CIYAMLEntry(job.id, .pairs(pairs), comment: CIPlan.wrap(job.summary))
    }

    private static func suiteJob(_ job: CISuiteJob, plan: CIPlan) -> CIYAMLEntry {
        let kind = job.kind.rawValue
        let steps: [CIYAML] = [
            .string("checkout"),
            .pairs([("restore_cache", .pairs([("keys", .strings([plan.msvcCacheKey]))]))]),
            run("install msvc", plan.installScript),
            .pairs([("save_cache", .pairs([("key", .string(plan.msvcCacheKey)), ("paths", .strings([".msvc-ci/bin"]))]))]),
            run("build services", plan.buildStackScript),
            run("msvc test \(kind)", plan.suiteCommand(job), timeout: job.timeoutMinutes),
            .pairs([("store_test_results", .pairs([("path", .string(job.report))]))]),
            .pairs([("store_artifacts", .pairs([("path", .string("reports"))]))]),
        ]
        return CIYAMLEntry(job.id, .pairs([
            ("docker", docker(CIPins.swiftImage)),
            ("resource_class", .string("medium")),
            ("steps", .list(steps)),
        ]), comment: CIPlan.wrap("\(job.kind.title): \(job.suites.joined(separator: ", ")). \(plan.msvcSummary)"))
    }

    private static func gateJob(_ plan: CIPlan) -> CIYAMLEntry {
        CIYAMLEntry(CIPlan.gateID, .pairs([
            ("docker", docker(CIPins.circleBase)),
            ("resource_class", .string("small")),
            ("steps", .list([run("all required jobs passed", "echo \"\(plan.requiredIDs.joined(separator: ", ")): passed or skipped\"", timeout: 5)])),
        ]), comment: [
            "The one required check. CircleCI starts a job only when its requirements pass, so when",
            "one fails this job is not run and the workflow (ci/circleci: msvc) reports the failure.",
        ])
    }
}
