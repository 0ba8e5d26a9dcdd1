/// `bitbucket-pipelines.yml`: service steps in parallel with `condition: changesets`, then one
/// step per test kind; Bitbucket reads JUnit from `test-results/` by itself.
enum BitbucketPipeline {
    /// The file's text for `plan`.
    static func render(_ plan: CIPlan) -> String {
        var caches: [(String, CIYAML)] = []
        for s in plan.services {
            let folders = s.toolchain.cacheFolders(cwd: s.cwd)
            guard let folder = folders.first else { continue }
            caches.append((cacheName(s), .pairs([
                ("key", .pairs([("files", .strings(s.toolchain.keyFiles.map { CIPlan.join(s.cwd, $0) }))])),
                ("path", .string(folder)),
            ])))
        }
        if !plan.suites.isEmpty {
            // The pipeline file names where msvc comes from, so a new ref is a new cache.
            caches.append(("msvc", .pairs([("key", .pairs([("files", .strings(["bitbucket-pipelines.yml"]))])), ("path", .string(".msvc-ci/bin"))])))
        }
        var steps: [CIYAML] = []
        let serviceSteps = plan.services.map { serviceStep($0, plan: plan) }
        if serviceSteps.count == 1 { steps += serviceSteps }
        if serviceSteps.count > 1 { steps.append(.pairs([("parallel", .pairs([("steps", .list(serviceSteps))]))])) }
        steps += plan.suites.map { suiteStep($0, plan: plan) }
        steps.append(gateStep(plan))
        var top: [CIYAMLEntry] = [
            CIYAMLEntry("image", .string(CIPins.genericImage)),
            CIYAMLEntry("options", .pairs([("max-time", .int(CIPlan.serviceTimeout))]),
                        comment: ["Every step has a time limit; turn on \"auto-cancel\" in the repository settings",
                                  "to stop superseded runs."]),
        ]
        if !caches.isEmpty { top.append(CIYAMLEntry("definitions", .pairs([("caches", .pairs(caches))]))) }
        top.append(CIYAMLEntry("pipelines", .pairs([("default", .spacedList(steps))])))
        return CIYAML.map(top).document(header: plan.header(.bitbucket))
    }

    private static func cacheName(_ s: CIServiceJob) -> String { String("\(s.id)-\(s.toolchain.rawValue)".prefix(50)) }

    private static func serviceStep(_ job: CIServiceJob, plan: CIPlan) -> CIYAML {
        var script: [String] = job.toolchain.cacheEnvironment(root: "$BITBUCKET_CLONE_DIR").map { "export \($0.0)=\"\($0.1)\"" }
        if job.cwd != "." { script.append("cd \(shellQuote(job.cwd))") }
        script += plan.serviceScript(job)
        var pairs: [(String, CIYAML)] = [
            ("name", .string("\(job.service) (\(job.toolchain.rawValue))")),
            ("image", .string(job.image)),
            ("max-time", .int(CIPlan.serviceTimeout)),
            ("condition", .pairs([("changesets", .pairs([("includePaths", .strings(job.watch))]))])),
        ]
        if !job.toolchain.cacheFolders(cwd: job.cwd).isEmpty { pairs.append(("caches", .strings([cacheName(job)]))) }
        pairs.append(("script", .strings(script)))
        return .map([CIYAMLEntry("step", .pairs(pairs), comment: CIPlan.wrap(job.summary))])
    }

    private static func suiteStep(_ job: CISuiteJob, plan: CIPlan) -> CIYAML {
        .map([CIYAMLEntry("step", .pairs([
            ("name", .string(job.kind.title)),
            ("image", .string(CIPins.swiftImage)),
            ("max-time", .int(job.timeoutMinutes)),
            ("caches", .strings(["msvc"])),
            ("script", .list([.block(plan.installScript), .block(plan.buildStackScript), .block(plan.suiteCommand(job))])),
            // Bitbucket picks up JUnit XML under test-results/ even when the step fails.
            ("after-script", .strings(["mkdir -p test-results && cp reports/*.xml test-results/ 2>/dev/null || true"])),
            ("artifacts", .strings(["reports/**"])),
        ]), comment: CIPlan.wrap("\(job.kind.title): \(job.suites.joined(separator: ", ")). \(plan.msvcSummary)"))])
    }

    private static func gateStep(_ plan: CIPlan) -> CIYAML {
        .map([CIYAMLEntry("step", .pairs([
            ("name", .string(CIPlan.gateID)),
            ("max-time", .int(5)),
            ("script", .strings(["echo \"\(plan.requiredIDs.joined(separator: ", ")): passed or skipped\""])),
        ]), comment: [
            "The one required check. Steps run in order and a failure stops the pipeline, so this",
            "runs only when everything above passed; Bitbucket reports one status per pipeline.",
        ])])
    }
}
