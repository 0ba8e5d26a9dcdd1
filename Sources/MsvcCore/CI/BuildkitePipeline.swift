/// `.buildkite/pipeline.yml`: steps in the docker plugin, `if_changed` per service (applied
/// by `buildkite-agent pipeline upload`), JUnit as artifacts annotated on the build.
enum BuildkitePipeline {
    /// The file's text for `plan`.
    static func render(_ plan: CIPlan) -> String {
        var steps: [CIYAML] = plan.services.map { serviceStep($0) }
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
            CIYAMLEntry("env", .pairs([
                ("MSVC_VERSION", .string(plan.msvcVersion)),
                ("MSVC_REPOSITORY", .string(CIPins.msvcRepository)),
            ]), comment: ["Turn on \"cancel intermediate builds\" in the pipeline settings to stop superseded runs."]),
            CIYAMLEntry("steps", .spacedList(steps)),
        ])
        return doc.document(header: plan.header(.buildkite))
    }

    /// Buildkite interpolates `$NAME` at upload; `$$` keeps a `$` for the shell.
    private static func escape(_ script: String) -> String { script.replacingOccurrences(of: "$", with: "$$") }

    private static func docker(_ image: String, environment: [String]) -> CIYAML {
        var opts: [(String, CIYAML)] = [
            ("image", .string(image)),
            ("shell", .strings(["/bin/bash", "-e", "-c"])),
        ]
        if !environment.isEmpty { opts.append(("environment", .strings(environment))) }
        return .list([.pairs([(CIPins.buildkiteDocker, .pairs(opts))])])
    }

    private static func serviceStep(_ job: CIServiceJob) -> CIYAML {
        var script = job.cwd == "." ? "" : "cd \(shellQuote(job.cwd))\n"
        script += [job.build, job.test].compactMap { $0 }.joined(separator: "\n") + "\n"
        return .pairs([
            ("label", .string("\(job.service) (\(job.toolchain.rawValue))")),
            ("key", .string(job.id)),
            ("if_changed", .strings(job.watch)),
            ("timeout_in_minutes", .int(CIPlan.serviceTimeout)),
            ("command", .block(escape(script))),
            ("plugins", docker(job.toolchain.image, environment: [])),
        ])
    }

    private static func suiteStep(_ job: CISuiteJob, plan: CIPlan) -> CIYAML {
        var pairs: [(String, CIYAML)] = [
            ("label", .string(job.kind.title)),
            ("key", .string(job.id)),
        ]
        if !plan.services.isEmpty { pairs.append(("depends_on", .strings(plan.services.map(\.id)))) }
        pairs += [
            ("timeout_in_minutes", .int(job.timeoutMinutes)),
            ("command", .block(escape(plan.installScript + plan.buildStackScript + plan.suiteCommand(job)))),
            ("artifact_paths", .strings(["reports/*"])),
            ("plugins", docker(CIPins.swiftImage, environment: ["MSVC_VERSION", "MSVC_REPOSITORY"])),
        ]
        return .pairs(pairs)
    }

    private static func gateStep(_ plan: CIPlan) -> CIYAML {
        let script = """
            RESULTS=""
            for step in \(plan.requiredIDs.joined(separator: " ")); do
              RESULTS="$RESULTS $(buildkite-agent step get outcome --step "$step" 2>/dev/null || echo skipped)"
            done

            """ + CIPlan.gateScript(variable: "RESULTS", failing: ["hard_failed"])
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
