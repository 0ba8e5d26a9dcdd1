/// A service's language toolchain in CI: how it is set up and which dependency folder is
/// cached, keyed on which files.
public enum CIToolchain: String, Sendable, Equatable, CaseIterable {
    /// Python: setup-python or the python image, pip cache keyed on requirements.txt / pyproject.toml.
    case python
    /// Node.js: setup-node or the node image, npm cache keyed on package-lock.json.
    case node
    /// Go: setup-go or the golang image, module and build caches keyed on go.sum.
    case go
    /// Swift: the Swift image, `.build` cached on Package.resolved.
    case swift
    /// Anything else: a plain Ubuntu image, no cache.
    case generic

    /// The toolchain for a service's `language:` (aliases included); unknown ones are generic.
    public init(language: String?) {
        switch language?.lowercased() {
        case "python", "python3", "py": self = .python
        case "node", "nodejs", "javascript", "typescript", "js", "ts": self = .node
        case "go", "golang": self = .go
        case "swift": self = .swift
        default: self = .generic
        }
    }

    /// The product name, for comments (`Node.js`).
    public var displayName: String {
        switch self {
        case .python: return "Python"
        case .node: return "Node.js"
        case .go: return "Go"
        case .swift: return "Swift"
        case .generic: return "no known toolchain"
        }
    }

    /// The release used when the service's folder does not name one.
    public var pinnedVersion: String {
        switch self {
        case .python: return CIPins.python
        case .node: return CIPins.node
        case .go: return CIPins.go
        case .swift: return CIPins.swift
        case .generic: return ""
        }
    }

    /// The official container image of release `version`, for container-based providers.
    public func image(version: String) -> String {
        switch self {
        case .python: return "python:\(version)-slim-bookworm"
        case .node: return "node:\(version)-bookworm-slim"
        case .go: return "golang:\(version)-bookworm"
        case .swift: return CIPins.swiftImage
        case .generic: return CIPins.genericImage
        }
    }

    /// The CircleCI image of release `version`, and the checkout folder in it. cimg images carry
    /// git and ssh for `checkout`; a Node.js line cimg has no known tag for falls back to the
    /// official full image (built on buildpack-deps, so it has both too), which runs as root.
    public func circleImage(version: String) -> (image: String, project: String) {
        let cimg = "/home/circleci/project"
        switch self {
        case .python: return ("cimg/python:\(version)", cimg)
        case .go: return ("cimg/go:\(version)", cimg)
        case .node:
            if version.contains(".") { return ("cimg/node:\(version)", cimg) }
            if let tag = CIPins.circleNodeTags[version] { return ("cimg/node:\(tag)", cimg) }
            return ("node:\(version)-bookworm", "/root/project")
        case .swift: return (CIPins.swiftImage, "/root/project")
        case .generic: return (CIPins.circleBase, cimg)
        }
    }

    /// Lock files the dependency cache is keyed on, relative to the service folder.
    public var keyFiles: [String] {
        switch self {
        case .python: return ["requirements.txt", "pyproject.toml"]
        case .node: return ["package-lock.json"]
        case .go: return ["go.sum"]
        case .swift: return ["Package.resolved"]
        case .generic: return []
        }
    }

    /// Cached folders relative to the job's working directory (the repository root), given
    /// the service folder; providers that can only cache inside the checkout use these.
    public func cacheFolders(cwd: String) -> [String] {
        switch self {
        case .python: return [".cache/pip"]
        case .node: return [".cache/npm"]
        case .go: return [".cache/go-mod", ".cache/go-build"]
        case .swift: return [CIPlan.join(cwd, ".build")]
        case .generic: return []
        }
    }

    /// Environment that points the toolchain's caches into the checkout (`$ROOT` is the
    /// provider's checkout folder variable).
    public func cacheEnvironment(root: String) -> [(String, String)] {
        switch self {
        case .python: return [("PIP_CACHE_DIR", "\(root)/.cache/pip")]
        case .node: return [("npm_config_cache", "\(root)/.cache/npm")]
        case .go: return [("GOMODCACHE", "\(root)/.cache/go-mod"), ("GOCACHE", "\(root)/.cache/go-build")]
        case .swift, .generic: return []
        }
    }

    /// What the suite image needs to run this language's services (and to install their
    /// dependencies when `installs`): a shell test that passes when it is there, and the
    /// Debian/Ubuntu package that brings it.
    func suiteNeeds(installs: Bool) -> [(check: String, package: String)] {
        switch self {
        case .python: return [("command -v python3", "python3")] + (installs ? [("python3 -m pip --version", "python3-pip")] : [])
        case .node: return [("command -v node", "nodejs")] + (installs ? [("command -v npm", "npm")] : [])
        case .go: return [("command -v go", "golang-go")]
        case .swift, .generic: return []
        }
    }
}
