/// Every tool version a generated pipeline uses, in one place, so an upgrade is one edit and
/// one re-record of the golden files.
public enum CIPins {
    /// A GitHub action pinned by full commit SHA, with the release it is.
    public struct Action: Sendable {
        /// `owner/name`.
        public let name: String
        /// The 40-hex commit.
        public let sha: String
        /// The release tag the commit is, written as a comment.
        public let version: String

        /// `owner/name@sha`.
        public var uses: String { "\(name)@\(sha)" }
    }

    /// actions/checkout.
    public static let checkout = Action(name: "actions/checkout", sha: "11bd71901bbe5b1630ceea73d27597364c9af683", version: "v4.2.2")
    /// actions/setup-python.
    public static let setupPython = Action(name: "actions/setup-python", sha: "a26af69be951a213d495a4c3e4e4022e16d87065", version: "v5.6.0")
    /// actions/setup-node.
    public static let setupNode = Action(name: "actions/setup-node", sha: "49933ea5288caeca8642d1e84afbd3f7d6820020", version: "v4.4.0")
    /// actions/setup-go.
    public static let setupGo = Action(name: "actions/setup-go", sha: "d35c59abb061a4a6fb18e82ac0862c26744d6ab5", version: "v5.5.0")
    /// actions/cache.
    public static let cache = Action(name: "actions/cache", sha: "5a3ec84eff668545956fd18022155c47e93e2684", version: "v4.2.3")
    /// actions/upload-artifact.
    public static let uploadArtifact = Action(name: "actions/upload-artifact", sha: "ea165f8d65b6e75b540449e92b4886f43607fa02", version: "v4.6.2")
    /// dorny/paths-filter.
    public static let pathsFilter = Action(name: "dorny/paths-filter", sha: "de90cc6fb38fc0963ad72b210f1f284cd68cea36", version: "v3.0.2")

    /// Python for `language: python` when the service's folder does not say.
    public static let python = "3.13"
    /// Node.js for `language: node` when the service's folder does not say.
    public static let node = "22"
    /// Go for `language: go` when the service's go.mod does not say.
    public static let go = "1.25"
    /// Python release lines a `requires-python` range is matched against.
    public static let pythonLines = ["3.9", "3.10", "3.11", "3.12", "3.13", "3.14"]
    /// Node.js release lines (the long-term-support ones) an `engines.node` range is matched against.
    public static let nodeLines = ["18", "20", "22", "24"]
    /// The Swift release msvc and `language: swift` services build with.
    public static let swift = "6.3.1"

    /// The hosted runner or VM image for GitHub and Azure.
    public static let ubuntu = "ubuntu-24.04"
    /// The Swift image msvc is built in (and Swift services run in).
    public static let swiftImage = "swift:6.3.1-noble"
    /// Image for a service with no known language.
    public static let genericImage = "ubuntu:24.04"
    /// CircleCI Node.js image tags per release line: cimg/node has `MAJOR.MINOR` tags, no `MAJOR`.
    public static let circleNodeTags = ["18": "18.20", "20": "20.19", "22": "22.14", "24": "24.11"]
    /// CircleCI image for a service with no known language.
    public static let circleBase = "cimg/base:2025.01"
    /// The Buildkite docker plugin.
    public static let buildkiteDocker = "docker#v5.12.0"
    /// The Buildkite plugin that annotates builds with JUnit failures.
    public static let buildkiteJUnit = "junit-annotate#v2.6.0"
    /// The Buildkite plugin that keeps the msvc binary between builds.
    public static let buildkiteCache = "cache#v1.12.0"
}
