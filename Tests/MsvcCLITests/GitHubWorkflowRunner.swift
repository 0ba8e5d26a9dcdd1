import Foundation
import MsvcCore
import MsvcTestSupport

/// Runs a generated GitHub Actions workflow on this machine, job by job in `needs` order, the
/// way a runner would: `run:` steps in bash with GitHub's flags, the job's working directory
/// and `env:`, expressions evaluated. The actions msvc's workflows use are replaced by what
/// they would do here; any other action, or an expression this runner does not know, is an
/// error rather than something skipped.
struct GitHubWorkflowRunner {
    /// Why a workflow could not be run as written.
    struct Unsupported: Error, CustomStringConvertible {
        var description: String
    }

    /// One step.
    struct Step {
        var label: String
        var uses: String?
        var with: [String: String] = [:]
        var run: String?
        var condition: String?
        var env: [(String, String)] = []
        var id: String?
    }

    /// One job.
    struct Job {
        var id: String
        var needs: [String] = []
        var condition: String?
        var workingDirectory: String?
        var outputs: [(String, String)] = []
        var steps: [Step] = []
    }

    /// What happened to one step that ran.
    struct StepRun {
        var job: String
        var step: String
        var result: CommandResult?
    }

    /// The jobs in file order.
    var jobs: [Job] = []
    /// The checkout: where steps run. When it is a git repository, each job starts from a
    /// clean checkout of its commit, as a fresh runner would.
    var workspace: String
    /// Where upload-artifact puts what it uploads (`ARTIFACTS/NAME/…`) and the step summary
    /// is written; outside the workspace, so it outlives the job.
    var outside: String
    /// Variables every step gets (besides GitHub's own).
    var environment: [String: String] = [:]
    /// Each job's result (`success`, `failure`, `skipped`).
    private(set) var results: [String: String] = [:]
    /// Every step that ran, in order.
    private(set) var log: [StepRun] = []
    private var outputs: [String: [String: String]] = [:]

    /// Reads the workflow at `file`.
    init(file: String, workspace: String, outside: String) throws {
        self.workspace = workspace
        self.outside = outside
        let text = try String(contentsOfFile: file, encoding: .utf8)
        guard let root = try YAMLParser.parse(text), let jobsNode = root["jobs"], case .mapping(let pairs) = jobsNode.content else {
            throw Unsupported(description: "\(file) has no jobs")
        }
        for pair in pairs {
            let node = pair.value
            var job = Job(id: pair.key.scalar ?? "")
            if let needs = node["needs"] { job.needs = needs.strings }
            job.condition = node["if"]?.scalar
            job.workingDirectory = node["defaults"]?["run"]?["working-directory"]?.scalar
            if case .mapping(let out)? = node["outputs"]?.content { job.outputs = out.map { ($0.key.scalar ?? "", $0.value.scalar ?? "") } }
            if case .sequence(let steps)? = node["steps"]?.content {
                job.steps = steps.enumerated().map { i, s in
                    var step = Step(label: s["name"]?.scalar ?? s["uses"]?.scalar ?? "step \(i + 1)")
                    step.uses = s["uses"]?.scalar
                    step.run = s["run"]?.scalar
                    step.condition = s["if"]?.scalar
                    step.id = s["id"]?.scalar
                    if case .mapping(let w)? = s["with"]?.content { for p in w { step.with[p.key.scalar ?? ""] = p.value.scalar ?? "" } }
                    if case .mapping(let e)? = s["env"]?.content { step.env = e.map { ($0.key.scalar ?? "", $0.value.scalar ?? "") } }
                    return step
                }
            }
            jobs.append(job)
        }
    }

    /// The jobs so that each comes after every job it needs; file order otherwise.
    func ordered() throws -> [Job] {
        var done: [String] = []
        var left = jobs
        while !left.isEmpty {
            guard let next = left.firstIndex(where: { $0.needs.allSatisfy(done.contains) }) else {
                throw Unsupported(description: "jobs \(left.map(\.id)) need jobs that never run")
            }
            done.append(left[next].id)
            left.remove(at: next)
        }
        return done.map { id in jobs.first { $0.id == id }! }
    }

    /// Runs every job; a job whose `if:` is false is skipped, a failing step fails its job.
    mutating func runAll(stepTimeout: Double) async throws {
        for job in try ordered() {
            if let c = job.condition, try !truth(c, needs: job.needs, steps: [:]) {
                results[job.id] = "skipped"
                continue
            }
            if FileManager.default.fileExists(atPath: workspace + "/.git") {
                let clean = try await Shell.run("/bin/sh", ["-c", "git clean -ffdxq && git checkout -q -- ."], cwd: workspace)
                guard clean.status == 0 else { throw Unsupported(description: "cannot reset the checkout: \(clean.stderr)") }
            }
            var stepOutputs: [String: [String: String]] = [:]
            var failed = false
            for step in job.steps {
                if failed { break }
                if let c = step.condition, try !truth(c, needs: job.needs, steps: stepOutputs) { continue }
                if let uses = step.uses {
                    let produced = try await act(uses, step.with)
                    if let id = step.id { stepOutputs[id] = produced }
                    log.append(StepRun(job: job.id, step: step.label, result: nil))
                    continue
                }
                guard let script = step.run else { throw Unsupported(description: "\(job.id): step \(step.label) has neither run: nor uses:") }
                var env = environment
                env["GITHUB_WORKSPACE"] = workspace
                env["GITHUB_ACTIONS"] = "true"
                env["CI"] = "true"
                env["GITHUB_STEP_SUMMARY"] = outside + "/step-summary.md"
                for (k, v) in step.env { env[k] = try substitute(v, needs: job.needs, steps: stepOutputs) }
                let cwd = job.workingDirectory.map { (workspace as NSString).appendingPathComponent($0) } ?? workspace
                let r = try await Shell.run("/bin/bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                                            cwd: cwd, environment: env, timeout: stepTimeout)
                log.append(StepRun(job: job.id, step: step.label, result: r))
                if r.status != 0 { failed = true }
            }
            results[job.id] = failed ? "failure" : "success"
            var out: [String: String] = [:]
            for (k, v) in job.outputs { out[k] = try substitute(v, needs: job.needs, steps: stepOutputs) }
            outputs[job.id] = out
        }
    }

    // What each action would do here; returns the step's outputs.
    private func act(_ uses: String, _ with: [String: String]) async throws -> [String: String] {
        let name = String(uses.split(separator: "@").first ?? "")
        switch name {
        case "actions/checkout", "actions/cache":
            // The workspace is the checkout; a cache miss restores nothing.
            return [:]
        case "actions/setup-python", "actions/setup-node", "actions/setup-go":
            // The installed toolchain stands in for the requested release.
            let program = ["actions/setup-python": "python3", "actions/setup-node": "node", "actions/setup-go": "go"][name]!
            guard Self.onPath(program) != nil else { throw Unsupported(description: "\(name) needs \(program) on PATH") }
            return [:]
        case "actions/upload-artifact":
            let path = with["path"] ?? "", name = with["name"] ?? "artifact"
            guard FileManager.default.fileExists(atPath: (workspace as NSString).appendingPathComponent(path)) else {
                throw Unsupported(description: "upload-artifact: \(path) does not exist, there is nothing to upload")
            }
            let target = "\(outside)/artifacts/\(name)"
            try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
            let copy = try await Shell.run("/bin/cp", ["-R", (workspace as NSString).appendingPathComponent(path), target], cwd: workspace)
            guard copy.status == 0 else { throw Unsupported(description: "upload-artifact: \(copy.stderr)") }
            return [:]
        case "dorny/paths-filter":
            // In a fresh repository every file is new, so every filter matches.
            let filters = (with["filters"] ?? "").split(separator: "\n").filter { !$0.hasPrefix(" ") && $0.hasSuffix(":") }
            return Dictionary(uniqueKeysWithValues: filters.map { (String($0.dropLast()), "true") })
        default:
            throw Unsupported(description: "the workflow uses \(uses), which this runner does not stand in for")
        }
    }

    /// `program`'s path on PATH, or nil.
    static func onPath(_ program: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(dir)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    private func truth(_ condition: String, needs: [String], steps: [String: [String: String]]) throws -> Bool {
        try evaluate(condition, needs: needs, steps: steps) == "true"
    }

    // Replaces each ${{ … }} in `text` by its value.
    private func substitute(_ text: String, needs: [String], steps: [String: [String: String]]) throws -> String {
        var out = ""
        var rest = Substring(text)
        while let open = rest.range(of: "${{") {
            guard let close = rest[open.upperBound...].range(of: "}}") else { throw Unsupported(description: "unclosed ${{ in \(text)") }
            out += rest[..<open.lowerBound]
            out += try evaluate(String(rest[open.upperBound..<close.lowerBound]), needs: needs, steps: steps)
            rest = rest[close.upperBound...]
        }
        return out + rest
    }

    // The expressions msvc's workflows use, and nothing else.
    private func evaluate(_ raw: String, needs: [String], steps: [String: [String: String]]) throws -> String {
        var e = raw.trimmingCharacters(in: .whitespaces)
        if e.hasPrefix("${{") && e.hasSuffix("}}") { e = String(e.dropFirst(3).dropLast(2)).trimmingCharacters(in: .whitespaces) }
        let parts = e.components(separatedBy: " && ")
        if parts.count > 1 { return try parts.allSatisfy { try evaluate($0, needs: needs, steps: steps) == "true" } ? "true" : "false" }
        let needResults = needs.map { results[$0] ?? "skipped" }
        switch e {
        case "always()", "!cancelled()": return "true"
        case "!contains(needs.*.result, 'failure')": return needResults.contains("failure") ? "false" : "true"
        case "join(needs.*.result, ' ')": return needResults.joined(separator: " ")
        default: break
        }
        if let m = e.wholeMatch(of: /needs\.([\w-]+)\.outputs\['([\w-]+)'\] == 'true'/) {
            return outputs[String(m.1)]?[String(m.2)] == "true" ? "true" : "false"
        }
        if let m = e.wholeMatch(of: /steps\.([\w-]+)\.outputs\['([\w-]+)'\]/) {
            return steps[String(m.1)]?[String(m.2)] ?? ""
        }
        throw Unsupported(description: "the workflow runner does not know the expression \(raw)")
    }
}

extension YAMLNode {
    /// The value of `key` in a mapping.
    subscript(key: String) -> YAMLNode? {
        guard case .mapping(let pairs) = content else { return nil }
        return pairs.first { $0.key.scalar == key }?.value
    }

    /// A scalar as a one-item list, or a list's scalars.
    var strings: [String] {
        if case .sequence(let items) = content { return items.compactMap(\.scalar) }
        return scalar.map { [$0] } ?? []
    }
}
