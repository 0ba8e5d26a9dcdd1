/// `azure-pipelines.yml`: a `changes` job sets one output variable per service; service jobs
/// run on that condition, suites publish JUnit with PublishTestResults@2. Azure reads every
/// scalar as a string and its published schema says so, so numbers and booleans are quoted.
enum AzurePipeline {
    /// The file's text for `plan`.
    static func render(_ plan: CIPlan) -> String {
        var jobs: [CIYAML] = []
        if !plan.services.isEmpty { jobs.append(changesJob(plan)) }
        jobs += plan.services.map { serviceJob($0, plan: plan) }
        jobs += plan.suites.map { suiteJob($0, plan: plan) }
        jobs.append(gateJob(plan))
        let doc = CIYAML.map([
            CIYAMLEntry("trigger", .pairs([("batch", .string("true")), ("branches", .pairs([("include", .strings(["main"]))]))])),
            CIYAMLEntry("pr", .pairs([("autoCancel", .string("true")), ("branches", .pairs([("include", .strings(["*"]))]))]),
                        comment: ["A new push to a pull request cancels its superseded run."]),
            CIYAMLEntry("jobs", .spacedList(jobs)),
        ])
        return doc.document(header: plan.header(.azure))
    }

    /// Azure job names allow letters, digits and `_` only.
    private static func name(_ id: String) -> String { id.replacingOccurrences(of: "-", with: "_") }

    private static var pool: CIYAML { .pairs([("vmImage", .string(CIPins.ubuntu))]) }
    private static var checkout: CIYAML { .pairs([("checkout", .string("self")), ("persistCredentials", .string("false"))]) }

    private static func bash(_ name: String, _ script: String, extra: [(String, CIYAML)] = []) -> CIYAML {
        .pairs([("bash", script.contains("\n") ? .block(script) : .string(script)), ("displayName", .string(name))] + extra)
    }

    private static func changesJob(_ plan: CIPlan) -> CIYAML {
        var script = """
            if [ -n "${SYSTEM_PULLREQUEST_TARGETBRANCH:-}" ]; then
              base=$(git merge-base HEAD "origin/${SYSTEM_PULLREQUEST_TARGETBRANCH#refs/heads/}")
            else
              base=HEAD~1
            fi
            changed() { ! git rev-parse -q --verify "$base" >/dev/null || ! git diff --quiet "$base" HEAD -- "$@"; }

            """
        for s in plan.services {
            let paths = s.watch.map { $0 == "**" ? "." : ($0.hasSuffix("/**") ? String($0.dropLast(3)) : $0) }
            script += "if changed \(paths.map(shellQuote).joined(separator: " ")); then v=true; else v=false; fi\n"
            script += "echo \"##vso[task.setvariable variable=\(name(s.id));isOutput=true]$v\"\n"
        }
        return .pairs([
            ("job", .string("msvc_changes")), ("displayName", .string("changes")),
            ("pool", pool), ("timeoutInMinutes", .string(String(5))),
            ("steps", .list([
                .pairs([("checkout", .string("self")), ("fetchDepth", .string(String(0))), ("persistCredentials", .string("false"))]),
                bash("which services changed", script, extra: [("name", .string("detect"))]),
            ])),
        ])
    }

    private static func setup(_ job: CIServiceJob) -> [CIYAML] {
        let files = job.toolchain.keyFiles.map { CIPlan.join(job.cwd, $0) }
        let keyStep = bash("cache key", "echo \"##vso[task.setvariable variable=depsKey]$(cat \(files.map(shellQuote).joined(separator: " ")) 2>/dev/null | sha256sum | cut -c1-16)\"")
        func cache(_ path: String) -> CIYAML {
            .pairs([("task", .string("Cache@2")), ("displayName", .string("cache dependencies")), ("inputs", .pairs([
                ("key", .string("\(job.toolchain.rawValue) | \"$(Agent.OS)\" | \(job.service) | \"$(depsKey)\"")),
                ("restoreKeys", .string("\(job.toolchain.rawValue) | \"$(Agent.OS)\" | \(job.service)")),
                ("path", .string(path)),
            ]))])
        }
        let root = "$(Build.SourcesDirectory)"
        // NodeTool takes a semver spec (22.x); GoTool an exact release (1.25.0).
        let parts = job.version.split(separator: ".").count
        switch job.toolchain {
        case .python:
            return [.pairs([("task", .string("UsePythonVersion@0")), ("inputs", .pairs([("versionSpec", .string(job.version))]))]),
                    keyStep, cache("\(root)/.cache/pip")]
        case .node:
            return [.pairs([("task", .string("NodeTool@0")), ("inputs", .pairs([("versionSpec", .string(parts < 3 ? job.version + ".x" : job.version))]))]),
                    keyStep, cache("\(root)/.cache/npm")]
        case .go:
            return [.pairs([("task", .string("GoTool@0")), ("inputs", .pairs([("version", .string(parts < 3 ? job.version + ".0" : job.version))]))]),
                    keyStep, cache("\(root)/.cache/go-mod")]
        case .swift:
            return [keyStep, cache("\(root)/\(CIPlan.join(job.cwd, ".build"))")]
        case .generic:
            return []
        }
    }

    private static func serviceJob(_ job: CIServiceJob, plan: CIPlan) -> CIYAML {
        var pairs: [(String, CIYAML)] = [
            ("displayName", .string("\(job.service) (\(job.toolchain.rawValue))")),
            ("dependsOn", .string("msvc_changes")),
            ("condition", .string("eq(dependencies.msvc_changes.outputs['detect.\(name(job.id))'], 'true')")),
            ("pool", pool),
        ]
        if job.toolchain == .swift { pairs.append(("container", .string(CIPins.swiftImage))) }
        pairs.append(("timeoutInMinutes", .string(String(CIPlan.serviceTimeout))))
        let env = job.toolchain.cacheEnvironment(root: "$(Build.SourcesDirectory)")
        if !env.isEmpty { pairs.append(("variables", .pairs(env.map { ($0.0, .string($0.1)) }))) }
        let wd: [(String, CIYAML)] = [("workingDirectory", .string("$(Build.SourcesDirectory)/\(job.cwd == "." ? "" : job.cwd)"))]
        var steps = [checkout] + setup(job)
        if !job.setup.install.isEmpty {
            steps.append(bash("install dependencies", job.setup.install.joined(separator: "\n") + (job.setup.install.count > 1 ? "\n" : ""), extra: wd))
        }
        if let b = job.build { steps.append(bash("build", b, extra: wd)) }
        if let t = job.test { steps.append(bash("test", t, extra: wd)) }
        pairs.append(("steps", .list(steps)))
        return .map([CIYAMLEntry("job", .string(name(job.id)), comment: CIPlan.wrap(job.summary))] + pairs.map { CIYAMLEntry($0.0, $0.1) })
    }

    private static func suiteJob(_ job: CISuiteJob, plan: CIPlan) -> CIYAML {
        let inner = plan.installScript + plan.buildStackScript + plan.suiteCommand(job)
        var pairs: [(String, CIYAML)] = [("displayName", .string(job.kind.title))]
        if !plan.services.isEmpty {
            pairs.append(("dependsOn", .strings(["msvc_changes"] + plan.services.map { name($0.id) })))
            // Skipped service jobs (nothing changed) must not skip the suites.
            pairs.append(("condition", .string("and(not(failed()), not(canceled()))")))
        }
        pairs += [
            ("pool", pool), ("timeoutInMinutes", .string(String(job.timeoutMinutes))),
            ("steps", .list([
                checkout,
                .pairs([("task", .string("Cache@2")), ("displayName", .string("cache msvc")), ("inputs", .pairs([
                    ("key", .string("\"\(plan.msvcCacheKey)\"")),
                    ("path", .string("$(Build.SourcesDirectory)/.msvc-ci/bin")),
                ]))]),
                bash("msvc test \(job.kind.rawValue) (in \(CIPins.swiftImage))", """
                    docker run --rm -e SUITE \\
                      -v "$(Build.SourcesDirectory):/src" -w /src \(CIPins.swiftImage) bash -eu -c "$SUITE"

                    """, extra: [("env", .pairs([("SUITE", .block(inner))]))]),
                .pairs([("task", .string("PublishTestResults@2")), ("displayName", .string("publish JUnit report")),
                        ("condition", .string("succeededOrFailed()")), ("inputs", .pairs([
                            ("testResultsFormat", .string("JUnit")),
                            ("testResultsFiles", .string(job.report)),
                            ("testRunTitle", .string(job.kind.title)),
                        ]))]),
            ])),
        ]
        let comment = CIPlan.wrap("\(job.kind.title): \(job.suites.joined(separator: ", ")). \(plan.msvcSummary)")
        return .map([CIYAMLEntry("job", .string(name(job.id)), comment: comment)] + pairs.map { CIYAMLEntry($0.0, $0.1) })
    }

    private static func gateJob(_ plan: CIPlan) -> CIYAML {
        let ids = plan.requiredIDs.map(name)
        let results = ids.map { "$(r_\($0))" }.joined(separator: " ")
        return .pairs([
            ("job", .string("msvc_ci")), ("displayName", .string(CIPlan.gateID)),
            ("dependsOn", .strings((plan.services.isEmpty ? [] : ["msvc_changes"]) + ids)),
            ("condition", .string("always()")),
            ("pool", pool), ("timeoutInMinutes", .string(String(5))),
            ("variables", .pairs(ids.map { ("r_\($0)", .string("$[ dependencies.\($0).result ]")) })),
            ("steps", .list([
                .pairs([("checkout", .string("none"))]),
                bash("check required jobs", "RESULTS=\"\(results)\"\n" + CIPlan.gateScript(variable: "RESULTS", passing: ["Succeeded", "SucceededWithIssues", "Skipped"])),
            ])),
        ])
    }
}
