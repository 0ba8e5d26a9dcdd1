/// `msvc ci generate`: the pipeline text for a provider, and `--check`'s comparison with the
/// file on disk. Pure functions: the caller reads and writes files.
public enum CIGenerator {
    /// The pipeline file for `stack` on `provider`, with toolchain versions and lock files read
    /// from `files`; the same input gives the same bytes.
    public static func generate(_ stack: StackConfig, provider: CIProvider, files: CIProjectFiles,
                                configFile: String = "msvc.yaml") throws(CIError) -> String {
        let plan = try CIPlan.make(stack, files: files, configFile: configFile)
        return render(plan, provider: provider)
    }

    /// The pipeline file for an already-made plan.
    public static func render(_ plan: CIPlan, provider: CIProvider) -> String {
        switch provider {
        case .github: return GitHubWorkflow.render(plan)
        case .gitlab: return GitLabPipeline.render(plan)
        case .circleci: return CircleCIConfig.render(plan)
        case .azure: return AzurePipeline.render(plan)
        case .bitbucket: return BitbucketPipeline.render(plan)
        case .buildkite: return BuildkitePipeline.render(plan)
        }
    }

    /// nil when `current` (the file on disk) equals `generated`, else a unified diff from the
    /// file on disk to what would be generated.
    public static func check(current: String, generated: String, path: String) -> String? {
        current == generated ? nil : LineDiff.unified(current, generated, from: path, to: path + " (generated)")
    }
}

/// A small unified diff (longest common subsequence of lines, three lines of context).
public enum LineDiff {
    /// The unified diff turning `a` into `b`; empty when they are equal.
    public static func unified(_ a: String, _ b: String, from: String, to: String, context: Int = 3) -> String {
        let x = lines(a), y = lines(b)
        let ops = script(x, y)
        guard ops.contains(where: { $0.kind != " " }) else { return "" }
        var out = "--- \(from)\n+++ \(to)\n"
        var i = 0
        while i < ops.count {
            guard let start = ops[i...].firstIndex(where: { $0.kind != " " }) else { break }
            var end = start
            // Extend the hunk while the next change is within 2 * context lines.
            while let next = ops[(end + 1)...].firstIndex(where: { $0.kind != " " }), next - end <= 2 * context { end = next }
            let lo = max(start - context, i == 0 ? 0 : i), hi = min(end + context, ops.count - 1)
            let hunk = ops[lo...hi]
            let aStart = hunk.first!.aLine, bStart = hunk.first!.bLine
            let aCount = hunk.filter { $0.kind != "+" }.count, bCount = hunk.filter { $0.kind != "-" }.count
            out += "@@ -\(aStart + (aCount > 0 ? 1 : 0)),\(aCount) +\(bStart + (bCount > 0 ? 1 : 0)),\(bCount) @@\n"
            for op in hunk { out += "\(op.kind)\(op.text)\n" }
            i = hi + 1
        }
        return out
    }

    private struct Op { var kind: Character; var text: Substring; var aLine: Int; var bLine: Int }

    private static func lines(_ s: String) -> [Substring] {
        var l = s.split(separator: "\n", omittingEmptySubsequences: false)
        if l.last == "" { l.removeLast() }
        return l
    }

    private static func script(_ x: [Substring], _ y: [Substring]) -> [Op] {
        let n = x.count, m = y.count
        // lcs[i][j]: length of the LCS of x[i...] and y[j...]; files here are a few hundred lines.
        var lcs = [[Int]](repeating: [Int](repeating: 0, count: m + 1), count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                lcs[i][j] = x[i] == y[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
            }
        }
        var ops: [Op] = []
        var i = 0, j = 0
        while i < n || j < m {
            if i < n, j < m, x[i] == y[j] {
                ops.append(Op(kind: " ", text: x[i], aLine: i, bLine: j)); i += 1; j += 1
            } else if i < n, j == m || lcs[i + 1][j] >= lcs[i][j + 1] {
                ops.append(Op(kind: "-", text: x[i], aLine: i, bLine: j)); i += 1
            } else {
                ops.append(Op(kind: "+", text: y[j], aLine: i, bLine: j)); j += 1
            }
        }
        return ops
    }
}
