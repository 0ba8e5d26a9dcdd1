/// `.github/workflows/msvc.yml`: a `changes` job (dorny/paths-filter) decides which service
/// jobs run, so the workflow itself always runs and the `msvc-ci` gate always reports.
enum GitHubWorkflow {
    /// The file's text for `plan`.
    static func render(_ plan: CIPlan) -> String {
        var jobs: [CIYAMLEntry] = []
        if !plan.services.isEmpty { jobs.append(changesJob(plan)) }
        jobs += plan.services.map { serviceJob($0, plan: plan) }
        jobs += plan.suites.map { suiteJob($0, plan: plan) }
        jobs.append(gateJob(plan))
        let doc = CIYAML.map([
            CIYAMLEntry("name", .string("msvc")),
            CIYAMLEntry("on", .pairs([
                ("push", .pairs([("branches", .strings(["main"]))])),
                ("pull_request", .map([])),
                ("workflow_dispatch", .map([])),
            ])),
            CIYAMLEntry("permissions", .pairs([("contents", .string("read"))]),
                        comment: ["Least privilege: jobs only read the repository."]),
            CIYAMLEntry("concurrency", .pairs([
                ("group", .string("${{ github.workflow }}-${{ github.ref }}")),
                ("cancel-in-progress", .string("${{ github.event_name == 'pull_request' }}")),
            ]), comment: ["A new push to a pull request cancels its superseded run."]),
            CIYAMLEntry("defaults", .pairs([("run", .pairs([("shell", .string("bash"))]))])),
            CIYAMLEntry("jobs", .spacedMap(jobs)),
        ])
        return doc.document(header: plan.header(.github))
    }

    private static func uses(_ a: CIPins.Action, with: [(String, CIYAML)] = [], name: String? = nil, id: String? = nil) -> CIYAML {
        var e: [CIYAMLEntry] = []
        if let name { e.append(CIYAMLEntry("name", .string(name))) }
        if let id { e.append(CIYAMLEntry("id", .string(id))) }
        e.append(CIYAMLEntry("uses", .string(a.uses), trailing: a.version))
        if !with.isEmpty { e.append(CIYAMLEntry("with", .pairs(with))) }
        return .map(e)
    }

    private static var checkout: CIYAML { uses(CIPins.checkout, with: [("persist-credentials", .bool(false))]) }

    private static func run(_ name: String, _ script: String, extra: [(String, CIYAML)] = []) -> CIYAML {
        .map([CIYAMLEntry("name", .string(name))] + extra.map { CIYAMLEntry($0.0, $0.1) }
             + [CIYAMLEntry("run", script.contains("\n") ? .block(script) : .string(script))])
    }

    private static func changesJob(_ plan: CIPlan) -> CIYAMLEntry {
        var filters = ""
        for s in plan.services {
            filters += "\(s.id):\n" + s.watch.map { "  - '\($0)'\n" }.joined()
        }
        return CIYAMLEntry("msvc-changes", .pairs([
            ("name", .string("changes")),
            ("runs-on", .string(CIPins.ubuntu)),
            ("timeout-minutes", .int(5)),
            ("permissions", .pairs([("contents", .string("read")), ("pull-requests", .string("read"))])),
            ("outputs", .pairs(plan.services.map { ($0.id, .string("${{ steps.filter.outputs['\($0.id)'] }}")) })),
            ("steps", .list([checkout, uses(CIPins.pathsFilter, with: [("filters", .block(filters))], id: "filter")])),
        ]), comment: ["Which services changed; their jobs are skipped otherwise."])
    }

    private static func setup(_ job: CIServiceJob) -> [CIYAML] {
        let hash = "${{ hashFiles(" + job.toolchain.keyFiles.map { "'\(CIPlan.join(job.cwd, $0))'" }.joined(separator: ", ") + ") }}"
        func cache(_ paths: [String], _ prefix: String) -> CIYAML {
            uses(CIPins.cache, with: [
                ("path", paths.count == 1 ? .string(paths[0]) : .block(paths.joined(separator: "\n") + "\n")),
                ("key", .string("\(prefix)-${{ runner.os }}-\(job.service)-\(hash)")),
                ("restore-keys", .string("\(prefix)-${{ runner.os }}-\(job.service)-")),
            ])
        }
        switch job.toolchain {
        case .python:
            return [uses(CIPins.setupPython, with: [("python-version", .string(job.version))]), cache(["~/.cache/pip"], "pip")]
        case .node:
            return [uses(CIPins.setupNode, with: [("node-version", .string(job.version))]), cache(["~/.npm"], "npm")]
        case .go:
            return [uses(CIPins.setupGo, with: [("go-version", .string(job.version)), ("cache", .bool(false))]),
                    cache(["~/go/pkg/mod", "~/.cache/go-build"], "go")]
        case .swift:
            return [cache([CIPlan.join(job.cwd, ".build")], "swiftpm")]
        case .generic:
            return []
        }
    }

    private static func serviceJob(_ job: CIServiceJob, plan: CIPlan) -> CIYAMLEntry {
        var pairs: [(String, CIYAML)] = [
            ("name", .string("\(job.service) (\(job.toolchain.rawValue))")),
            ("needs", .string("msvc-changes")),
            ("if", .string("needs.msvc-changes.outputs['\(job.id)'] == 'true'")),
            ("runs-on", .string(CIPins.ubuntu)),
        ]
        if job.toolchain == .swift { pairs.append(("container", .string(CIPins.swiftImage))) }
        pairs.append(("timeout-minutes", .int(CIPlan.serviceTimeout)))
        if job.cwd != "." { pairs.append(("defaults", .pairs([("run", .pairs([("working-directory", .string(job.cwd))]))]))) }
        var steps = [checkout] + setup(job)
        if !job.setup.install.isEmpty { steps.append(run("install dependencies", job.setup.install.joined(separator: "\n") + (job.setup.install.count > 1 ? "\n" : ""))) }
        if let b = job.build { steps.append(run("build", b)) }
        if let t = job.test { steps.append(run("test", t)) }
        pairs.append(("steps", .list(steps)))
        return CIYAMLEntry(job.id, .pairs(pairs), comment: CIPlan.wrap(job.summary))
    }

    private static func suiteJob(_ job: CISuiteJob, plan: CIPlan) -> CIYAMLEntry {
        let kind = job.kind.rawValue
        let needs = plan.services.isEmpty ? [] : ["msvc-changes"] + plan.services.map(\.id)
        var pairs: [(String, CIYAML)] = [("name", .string(job.kind.title))]
        if !needs.isEmpty {
            pairs.append(("needs", .strings(needs)))
            // Skipped service jobs (nothing changed) must not skip the suites.
            pairs.append(("if", .string("${{ !cancelled() && !contains(needs.*.result, 'failure') }}")))
        }
        pairs += [
            ("runs-on", .string(CIPins.ubuntu)),
            ("container", .string(CIPins.swiftImage)),
            ("timeout-minutes", .int(job.timeoutMinutes)),
            ("steps", .list([
                checkout,
                uses(CIPins.cache, with: [
                    ("path", .string(".msvc-ci/bin")),
                    ("key", .string(plan.msvcCacheKey)),
                ], name: "cache msvc"),
                run("install msvc", plan.installScript),
                run("build services", plan.buildStackScript),
                run("msvc test \(kind)", plan.suiteCommand(job)),
                run("job summary", """
                    { echo "### \(job.kind.title)"; echo '```'; cat reports/\(kind).txt 2>/dev/null || echo "no output"; echo '```'; } >> "$GITHUB_STEP_SUMMARY"

                    """, extra: [("if", .string("${{ !cancelled() }}"))]),
                uses(CIPins.uploadArtifact, with: [
                    ("name", .string("junit-\(kind)")),
                    ("path", .string("reports/")),
                    ("if-no-files-found", .string("warn")),
                ], name: "upload JUnit report").withIf("${{ !cancelled() }}"),
            ])),
        ]
        return CIYAMLEntry(job.id, .pairs(pairs), comment: CIPlan.wrap("Suites: \(job.suites.joined(separator: ", ")). \(plan.msvcSummary)"))
    }

    private static func gateJob(_ plan: CIPlan) -> CIYAMLEntry {
        let needs = (plan.services.isEmpty ? [] : ["msvc-changes"]) + plan.requiredIDs
        return CIYAMLEntry(CIPlan.gateID, .pairs([
            ("name", .string(CIPlan.gateID)),
            ("needs", .strings(needs)),
            ("if", .string("always()")),
            ("runs-on", .string(CIPins.ubuntu)),
            ("timeout-minutes", .int(5)),
            ("steps", .list([run("check required jobs", CIPlan.gateScript(variable: "RESULTS", passing: ["success", "skipped"]),
                                 extra: [("env", .pairs([("RESULTS", .string("${{ join(needs.*.result, ' ') }}"))]))])])),
        ]), comment: ["The one required check: it always runs and fails unless every job above passed or was skipped."])
    }
}

private extension CIYAML {
    /// The same step with `if:` inserted after its name.
    func withIf(_ condition: String) -> CIYAML {
        guard case .map(var entries) = self else { return self }
        let at = entries.first?.key == "name" ? 1 : 0
        entries.insert(CIYAMLEntry("if", .string(condition)), at: at)
        return .map(entries)
    }
}
