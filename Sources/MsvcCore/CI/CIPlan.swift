import Collections

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

    /// The container image for container-based providers.
    public var image: String {
        switch self {
        case .python: return CIPins.pythonImage
        case .node: return CIPins.nodeImage
        case .go: return CIPins.goImage
        case .swift: return CIPins.swiftImage
        case .generic: return CIPins.genericImage
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

    /// The Debian/Ubuntu packages that run this language's services in the suite image.
    var suitePackages: [String] {
        switch self {
        case .python: return ["python3", "python3-pip", "python3-venv"]
        case .node: return ["nodejs", "npm"]
        case .go: return ["golang-go"]
        case .swift, .generic: return []
        }
    }
}

/// One service's build-and-test job.
public struct CIServiceJob: Sendable, Equatable {
    /// The service name.
    public var service: String
    /// The job's id in the pipeline (the service name unless it collides with msvc's jobs).
    public var id: String
    /// The service folder relative to msvc.yaml (`.` for the root).
    public var cwd: String
    /// Globs whose change runs the job: the folder and msvc.yaml.
    public var watch: [String]
    /// The language toolchain.
    public var toolchain: CIToolchain
    /// The build command.
    public var build: String?
    /// The test command.
    public var test: String?
}

/// A test kind `msvc test` runs.
public enum CISuiteKind: String, Sendable, CaseIterable {
    /// `msvc test contract`.
    case contract
    /// `msvc test integration`.
    case integration
    /// `msvc test e2e`.
    case e2e

    /// The job title.
    public var title: String {
        switch self {
        case .contract: return "contract tests"
        case .integration: return "integration tests"
        case .e2e: return "end-to-end tests"
        }
    }
}

/// One `msvc test KIND` job.
public struct CISuiteJob: Sendable, Equatable {
    /// The test kind.
    public var kind: CISuiteKind
    /// The job id.
    public var id: String
    /// The suite names, for the job's comment.
    public var suites: [String]
    /// The job's time limit.
    public var timeoutMinutes: Int

    /// The JUnit report path, relative to the repository root.
    public var report: String { "reports/\(kind.rawValue).xml" }
}

/// What every provider's generator turns into its own file: the same jobs, in the same order.
public struct CIPlan: Sendable, Equatable {
    /// The project name.
    public var project: String
    /// The msvc.yaml path relative to the repository root.
    public var configFile: String
    /// Service jobs in msvc.yaml order.
    public var services: [CIServiceJob]
    /// Suite jobs in contract, integration, e2e order.
    public var suites: [CISuiteJob]
    /// Languages the suite jobs need to run the stack, sorted.
    public var stackToolchains: [CIToolchain]
    /// Builds of every service, run before the suites start the stack: (folder, command).
    public var stackBuilds: [(cwd: String, command: String)]
    /// The msvc release the suites install.
    public var msvcVersion: String

    /// Id of the aggregate gate job.
    public static let gateID = "msvc-ci"
    /// Time limit of a service job.
    public static let serviceTimeout = 30

    /// Plans the pipeline for `stack`.
    public static func make(_ stack: StackConfig, configFile: String = "msvc.yaml", msvcVersion: String = Msvc.version) throws(CIError) -> CIPlan {
        let reserved = Set(["msvc-changes", gateID] + CISuiteKind.allCases.map { "msvc-\($0.rawValue)" })
        var services: [CIServiceJob] = []
        for (name, s) in stack.services where s.build != nil || s.test != nil {
            let cwd = normalize(s.cwd)
            let folder = cwd == "." ? "**" : cwd + "/**"
            services.append(CIServiceJob(
                service: name, id: reserved.contains(name) ? "service-\(name)" : name, cwd: cwd,
                watch: [folder, configFile], toolchain: CIToolchain(language: s.language), build: s.build, test: s.test))
        }
        var suites: [CISuiteJob] = []
        let groups: [(CISuiteKind, [String], Int)] = [
            (.contract, stack.tests.contract.map(\.name), stack.tests.contract.count * 5),
            (.integration, stack.tests.integration.map(\.name), minutes(stack.tests.integration.map(\.timeout))),
            (.e2e, stack.tests.e2e.map(\.name), minutes(stack.tests.e2e.map(\.timeout))),
        ]
        for (kind, names, budget) in groups where !names.isEmpty {
            // Building msvc and the services on a cold cache takes about 20 minutes.
            suites.append(CISuiteJob(kind: kind, id: "msvc-\(kind.rawValue)", suites: names,
                                     timeoutMinutes: min(360, 20 + budget)))
        }
        if services.isEmpty && suites.isEmpty { throw .nothingToRun }
        let toolchains = Set(stack.services.values.filter { !$0.disabled }.map { CIToolchain(language: $0.language) })
        let builds = stack.services.values.filter { !$0.disabled }.compactMap { s in s.build.map { (normalize(s.cwd), $0) } }
        return CIPlan(project: stack.name, configFile: configFile, services: services, suites: suites,
                      stackToolchains: CIToolchain.allCases.filter { toolchains.contains($0) },
                      stackBuilds: builds, msvcVersion: msvcVersion)
    }

    /// Equality ignoring nothing but tuple labels.
    public static func == (a: CIPlan, b: CIPlan) -> Bool {
        a.project == b.project && a.configFile == b.configFile && a.services == b.services && a.suites == b.suites
            && a.stackToolchains == b.stackToolchains && a.msvcVersion == b.msvcVersion
            && a.stackBuilds.map { "\($0.cwd)\u{0}\($0.command)" } == b.stackBuilds.map { "\($0.cwd)\u{0}\($0.command)" }
    }

    /// Ids of every job the gate waits for.
    public var requiredIDs: [String] { services.map(\.id) + suites.map(\.id) }

    /// The comment lines every generated file starts with.
    public func header(_ provider: CIProvider) -> [String] {
        [
            "Generated by msvc \(msvcVersion) from \(configFile) (project \(project)). Do not edit by hand:",
            "change \(configFile), then run `msvc ci generate --provider \(provider.rawValue)`.",
            "`msvc ci generate --provider \(provider.rawValue) --check` fails when this file is out of date.",
        ]
    }

    /// The shell that installs what the suites need in the Swift image and builds msvc at
    /// the pinned release (skipped when the cached binary is there).
    public var installScript: String {
        let packages = ["git", "libyaml-dev", "libncurses-dev", "pkg-config"] + stackToolchains.flatMap(\.suitePackages)
        return """
            if [ "$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi
            $SUDO apt-get update -qq
            $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \(packages.joined(separator: " ")) >/dev/null
            if [ ! -x .msvc-ci/bin/msvc ]; then
              git clone --quiet --depth 1 --branch "v$MSVC_VERSION" "$MSVC_REPOSITORY" .msvc-ci/src
              swift build -c release --package-path .msvc-ci/src
              install -D .msvc-ci/src/.build/release/msvc .msvc-ci/bin/msvc
            fi
            .msvc-ci/bin/msvc --version

            """
    }

    /// The shell that builds every service before a suite starts the stack.
    public var buildStackScript: String {
        // The suite image is a throwaway container: let pip install into its system Python.
        (stackToolchains.contains(.python) ? "export PIP_BREAK_SYSTEM_PACKAGES=1\n" : "")
            + stackBuilds.map { "(cd \(shellQuote($0.cwd)) && \($0.command))" }.joined(separator: "\n") + (stackBuilds.isEmpty ? "true\n" : "\n")
    }

    /// The shell line that runs one test kind and keeps its console summary.
    public func suiteCommand(_ job: CISuiteJob) -> String {
        "set -o pipefail\nmkdir -p reports\n.msvc-ci/bin/msvc test \(job.kind.rawValue) --junit \(job.report) 2>&1 | tee reports/\(job.kind.rawValue).txt\n"
    }

    /// The shell of a service job: build then test, in the service folder.
    public func serviceScript(_ job: CIServiceJob) -> [String] {
        [job.build, job.test].compactMap { $0 }
    }

    /// The shell that fails when any of the `results` words (job outcomes) is a failure.
    public static func gateScript(variable: String, failing: [String]) -> String {
        """
        for result in $\(variable); do
          case "$result" in
            \(failing.joined(separator: "|"))) echo "a required job finished with: $result"; exit 1 ;;
          esac
        done
        echo "every required job passed or was skipped: $\(variable)"

        """
    }

    /// `a/b` from folder `a` and name `b` (`.` is dropped).
    public static func join(_ a: String, _ b: String) -> String { a == "." || a.isEmpty ? b : a + "/" + b }

    /// A service folder without `./` and trailing `/` (`.` for the root).
    static func normalize(_ cwd: String) -> String {
        var c = cwd
        while c.hasPrefix("./") { c.removeFirst(2) }
        while c.count > 1 && c.hasSuffix("/") { c.removeLast() }
        return c.isEmpty ? "." : c
    }

    /// The sum of `ds`, rounded up to whole minutes.
    static func minutes(_ ds: [Duration]) -> Int {
        let seconds = ds.reduce(Int64(0)) { $0 + $1.components.seconds }
        return Int((seconds + 59) / 60)
    }
}

/// `s` quoted for POSIX sh when it is not a plain word.
func shellQuote(_ s: String) -> String {
    let safe = s.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:@%+".contains($0) }
    return safe && !s.isEmpty ? s : "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
