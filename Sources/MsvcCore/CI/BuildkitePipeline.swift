/// `.buildkite/pipeline.yml`: steps in the docker plugin, `if_changed` per service (applied
/// by `buildkite-agent pipeline upload`), JUnit as artifacts annotated on the build.
enum BuildkitePipeline {
    /// The file's text for `plan`.
    static func render(_ plan: CIPlan) -> String {
        var steps: [CIYAML] = plan.services.map { serviceStep($0, plan: plan) }
        steps += plan.suites.map { suiteStep($0, plan: plan) }
        steps.append(.pairs([
            ("label", .string(":junit: test reports")),
            ("key", .string("msvc-junit")),
            ("depends_on", .strings(plan.suites.map(\.id))),
            ("allow_dependency_failure", .bool(true)),
            ("timeout_in_minutes", .int(5)),
            ("plugins", .list([.pairs([(CIPins.buildkiteJUnit, .pairs([("artifacts", .string("reports/*.xml"))]))])])),
        ]))
        if plan.suites.isEmpty { steps.removeLast() }
        steps.append(gateStep(plan))
        let doc = CIYAML.map([
            CIYAMLEntry("steps", .spacedList(steps),
                        comment: ["Turn on \"cancel intermediate builds\" in the pipeline settings to stop superseded runs."]),
        ])
        return doc.document(header: plan.header(.buildkite))
    }

    /// Buildkite interpolates `$NAME` at upload; `$$` keeps a `$` for the shell.
    private static func escape(_ script: String) -> String { script.replacingOccurrences(of: "$", with: "$$") }

    private static func docker(_ image: String) -> CIYAML {
        .pairs([(CIPins.buildkiteDocker, .pairs([
            ("image", .string(image)),
            ("shell", .strings(["/bin/bash", "-e", "-c"])),
        ]))])
    }

    private static func serviceStep(_ job: CIServiceJob, plan: CIPlan) -> CIYAML {
        var script = job.cwd == "." ? "" : "cd \(shellQuote(job.cwd))\n"
        script += plan.serviceScript(job).joined(separator: "\n") + "\n"
        return .map([
            CIYAMLEntry("label", .string("\(job.service) (\(job.toolchain.rawValue))"), comment: CIPlan.wrap(job.summary)),
            CIYAMLEntry("key", .string(job.id)),
            CIYAMLEntry("if_changed", .strings(job.watch)),
            CIYAMLEntry("timeout_in_minutes", .int(CIPlan.serviceTimeout)),
            CIYAMLEntry("command", .block(escape(script))),
            CIYAMLEntry("plugins", .list([docker(job.image)])),
        ])
    }

    private static func suiteStep(_ job: CISuiteJob, plan: CIPlan) -> CIYAML {
        var entries = [
            CIYAMLEntry("label", .string(job.kind.title), comment: CIPlan.wrap("\(job.kind.title): \(job.suites.joined(separator: ", ")). \(plan.msvcSummary)")),
            CIYAMLEntry("key", .string(job.id)),
        ]
        if !plan.services.isEmpty { entries.append(CIYAMLEntry("depends_on", .strings(plan.services.map(\.id)))) }
        // The cache plugin restores before the docker plugin runs the command and saves after
        // it passed; the key names the msvc source, so a new ref is a new entry. soft-fail:
        // an agent without a cache store builds msvc instead of failing the step.
        let cache = CIYAML.pairs([(CIPins.buildkiteCache, .pairs([
            ("path", .string(".msvc-ci/bin")),
            ("restore", .string("pipeline")),
            ("save", .string("pipeline")),
            ("key-extra", .string(plan.msvcCacheKey)),
            ("soft-fail", .bool(true)),
        ]))])
        entries += [
            CIYAMLEntry("timeout_in_minutes", .int(job.timeoutMinutes)),
            CIYAMLEntry("command", .block(escape(plan.installScript + plan.buildStackScript + plan.suiteCommand(job)))),
            CIYAMLEntry("artifact_paths", .strings(["reports/*"])),
            CIYAMLEntry("plugins", .list([cache, docker(CIPins.swiftImage)])),
        ]
        return .map(entries)
    }

    private static func gateStep(_ plan: CIPlan) -> CIYAML {
        let script = """
            RESULTS=""
            for step in \(plan.requiredIDs.joined(separator: " ")); do
              RESULTS="$RESULTS $(buildkite-agent step get outcome --step "$step" 2>/dev/null || echo skipped)"
            done

            """ + CIPlan.gateScript(variable: "RESULTS", passing: ["passed", "neutral", "skipped"])
        return .pairs([
            ("label", .string(CIPlan.gateID)),
            ("key", .string(CIPlan.gateID)),
            ("depends_on", .strings(plan.requiredIDs)),
            ("allow_dependency_failure", .bool(true)),
            ("timeout_in_minutes", .int(5)),
            ("command", .block(escape(script))),
        ])
    }
}
