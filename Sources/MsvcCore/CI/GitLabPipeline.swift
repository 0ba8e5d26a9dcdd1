/// `.gitlab-ci.yml`: merge-request pipelines (no duplicate branch pipelines), service jobs
/// gated by `rules: changes` with `compare_to`, JUnit through `artifacts:reports:junit`.
enum GitLabPipeline {
    /// The file's text for `plan`.
    static func render(_ plan: CIPlan) -> String {
        var top: [CIYAMLEntry] = [
            CIYAMLEntry("workflow", .pairs([
                ("rules", .list([
                    .pairs([("if", .string("$CI_PIPELINE_SOURCE == \"merge_request_event\""))]),
                    .pairs([("if", .string("$CI_COMMIT_BRANCH && $CI_OPEN_MERGE_REQUESTS")), ("when", .string("never"))]),
                    .pairs([("if", .string("$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"))]),
                    .pairs([("if", .string("$CI_PIPELINE_SOURCE == \"web\""))]),
                ])),
                ("auto_cancel", .pairs([("on_new_commit", .string("interruptible"))])),
            ]), comment: ["Merge-request pipelines, plus the default branch; a new commit cancels the superseded run."]),
            CIYAMLEntry("stages", .strings(["build", "test", "gate"])),
            CIYAMLEntry("default", .pairs([
                ("interruptible", .bool(true)),
                ("timeout", .string("\(CIPlan.serviceTimeout)m")),
            ])),
        ]
        top += plan.services.map { serviceJob($0, plan: plan) }
        top += plan.suites.map { suiteJob($0, plan: plan) }
        top.append(gateJob(plan))
        return CIYAML.map(top).document(header: plan.header(.gitlab))
    }

    private static func serviceJob(_ job: CIServiceJob, plan: CIPlan) -> CIYAMLEntry {
        let changes: [(String, CIYAML)] = [("paths", .strings(job.watch))]
        var pairs: [(String, CIYAML)] = [
            ("stage", .string("build")),
            ("image", .string(job.image)),
            ("rules", .list([
                .pairs([("if", .string("$CI_PIPELINE_SOURCE == \"merge_request_event\"")),
                        ("changes", .pairs(changes + [("compare_to", .string("refs/heads/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME"))]))]),
                .pairs([("if", .string("$CI_COMMIT_BRANCH")), ("changes", .pairs(changes))]),
                .pairs([("if", .string("$CI_PIPELINE_SOURCE == \"web\""))]),
            ])),
        ]
        let env = job.toolchain.cacheEnvironment(root: "$CI_PROJECT_DIR")
        if !env.isEmpty { pairs.append(("variables", .pairs(env.map { ($0.0, .string($0.1)) }))) }
        let folders = job.toolchain.cacheFolders(cwd: job.cwd)
        if !folders.isEmpty {
            let files = job.toolchain.keyFiles.prefix(2).map { CIPlan.join(job.cwd, $0) }
            pairs.append(("cache", .pairs([
                ("key", .pairs([("files", .strings(files)), ("prefix", .string("\(job.service)-\(job.toolchain.rawValue)"))])),
                ("paths", .strings(folders)),
            ])))
        }
        let cd = job.cwd == "." ? [] : ["cd \(shellQuote(job.cwd))"]
        pairs.append(("script", .strings(cd + plan.serviceScript(job))))
        return CIYAMLEntry(job.id, .pairs(pairs), comment: CIPlan.wrap(job.summary + " Runs when \(job.watch.joined(separator: " or ")) changed."))
    }

    private static func suiteJob(_ job: CISuiteJob, plan: CIPlan) -> CIYAMLEntry {
        var pairs: [(String, CIYAML)] = [
            ("stage", .string("test")),
            ("image", .string(CIPins.swiftImage)),
            ("timeout", .string("\(job.timeoutMinutes)m")),
        ]
        if !plan.services.isEmpty {
            // optional: a service job left out by its rules is not waited for.
            pairs.append(("needs", .list(plan.services.map { .pairs([("job", .string($0.id)), ("optional", .bool(true)), ("artifacts", .bool(false))]) })))
        } else {
            pairs.append(("needs", .list([])))
        }
        pairs += [
            ("cache", .pairs([("key", .string(plan.msvcCacheKey)), ("paths", .strings([".msvc-ci/bin/"]))])),
            ("script", .list([.block(plan.installScript), .block(plan.buildStackScript), .block(plan.suiteCommand(job))])),
            ("artifacts", .pairs([("when", .string("always")), ("paths", .strings(["reports/"])),
                                  ("reports", .pairs([("junit", .string(job.report))]))])),
        ]
        return CIYAMLEntry(job.id, .pairs(pairs), comment: CIPlan.wrap("\(job.kind.title): \(job.suites.joined(separator: ", ")). \(plan.msvcSummary)"))
    }

    private static func gateJob(_ plan: CIPlan) -> CIYAMLEntry {
        CIYAMLEntry(CIPlan.gateID, .pairs([
            ("stage", .string("gate")),
            ("image", .string(CIPins.genericImage)),
            ("timeout", .string("5m")),
            ("needs", .list(plan.requiredIDs.map { .pairs([("job", .string($0)), ("optional", .bool(true)), ("artifacts", .bool(false))]) })),
            ("script", .strings(["echo \"every required job passed or was left out by its rules\""])),
        ]), comment: [
            "The one required check. GitLab starts it only when every job it needs passed: a failed,",
            "timed-out or cancelled job leaves it unstarted and fails the pipeline. Jobs left out by",
            "their rules (nothing changed) do not count.",
        ])
    }
}
