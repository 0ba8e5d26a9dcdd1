import Collections

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
    /// The toolchain version and dependency installs read from the service folder.
    public var setup: CIServiceSetup

    /// The toolchain's release for this service (`3.12`).
    public var version: String { setup.version }

    /// The container image for container-based providers, at the service's release.
    public var image: String { toolchain.image(version: version) }

    /// One line for the job's comment: toolchain, version and where it came from, and what
    /// is installed before build and test.
    public var summary: String {
        guard toolchain != .generic else { return "\(service): no known language (language: is not python, node, go or swift), so no toolchain set-up." }
        let from = toolchain == .swift ? "the Swift image" : setup.versionSource
        return "\(service): \(toolchain.displayName) \(version) (\(from)); \(setup.installNote)."
    }
}

/// What a suite job does for one service before `msvc test` starts the stack.
public struct CIStackService: Sendable, Equatable {
    /// The service folder relative to msvc.yaml.
    public var cwd: String
    /// The language toolchain.
    public var toolchain: CIToolchain
    /// Dependency installs (empty when another service in the same folder already ran them).
    public var install: [String]
    /// The build command.
    public var build: String?
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
    /// Installs and builds of every service, run before the suites start the stack.
    public var stackServices: [CIStackService]
    /// The msvc release that generated the file (for the header).
    public var msvcVersion: String
    /// Where the suite jobs get msvc; nil only when there are no suite jobs.
    public var msvc: CIMsvcSource?

    /// Id of the aggregate gate job.
    public static let gateID = "msvc-ci"
    /// Time limit of a service job.
    public static let serviceTimeout = 30

    /// Plans the pipeline for `stack`, reading toolchain versions and lock files from `files`.
    public static func make(_ stack: StackConfig, files: CIProjectFiles, configFile: String = "msvc.yaml",
                            msvcVersion: String = Msvc.version) throws(CIError) -> CIPlan {
        let reserved = Set(["msvc-changes", gateID] + CISuiteKind.allCases.map { "msvc-\($0.rawValue)" })
        var setups: [String: CIServiceSetup] = [:]
        func setup(_ s: ServiceConfig) -> CIServiceSetup {
            let key = "\(s.language ?? "")\u{0}\(normalize(s.cwd))"
            if let known = setups[key] { return known }
            let found = CIServiceSetup.detect(CIToolchain(language: s.language), cwd: normalize(s.cwd), files: files)
            setups[key] = found
            return found
        }
        var services: [CIServiceJob] = []
        for (name, s) in stack.services where s.build != nil || s.test != nil {
            let cwd = normalize(s.cwd)
            let folder = cwd == "." ? "**" : cwd + "/**"
            services.append(CIServiceJob(
                service: name, id: reserved.contains(name) ? "service-\(name)" : name, cwd: cwd,
                watch: [folder, configFile], toolchain: CIToolchain(language: s.language), build: s.build, test: s.test,
                setup: setup(s)))
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
        if !suites.isEmpty && stack.ci.msvc == nil { throw .msvcSourceMissing(configFile: configFile) }
        let running = stack.services.values.filter { !$0.disabled }
        let toolchains = Set(running.map { CIToolchain(language: $0.language) })
        var installed: Set<String> = []
        let stackServices = running.compactMap { s -> CIStackService? in
            let cwd = normalize(s.cwd)
            // Services sharing a folder (a migration job and its service) install once.
            let install = installed.insert(cwd).inserted ? setup(s).install : []
            return install.isEmpty && s.build == nil ? nil
                : CIStackService(cwd: cwd, toolchain: CIToolchain(language: s.language), install: install, build: s.build)
        }
        return CIPlan(project: stack.name, configFile: configFile, services: services, suites: suites,
                      stackToolchains: CIToolchain.allCases.filter { toolchains.contains($0) },
                      stackServices: stackServices, msvcVersion: msvcVersion, msvc: suites.isEmpty ? nil : stack.ci.msvc)
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

    /// The shell of a service job: dependency installs, build, then test, in the service folder.
    public func serviceScript(_ job: CIServiceJob) -> [String] {
        job.setup.install + [job.build, job.test].compactMap { $0 }
    }

    /// The shell that installs every service's dependencies and builds it before a suite
    /// starts the stack.
    public var buildStackScript: String {
        // The suite image is a throwaway container: let pip install into its system Python.
        var out = stackToolchains.contains(.python) ? "export PIP_BREAK_SYSTEM_PACKAGES=1\n" : ""
        for s in stackServices {
            let commands = s.install + [s.build].compactMap { $0 }
            out += "(cd \(shellQuote(s.cwd)) && \(commands.joined(separator: " && ")))\n"
        }
        return stackServices.isEmpty ? out + "true\n" : out
    }

    /// The shell line that runs one test kind and keeps its console summary.
    public func suiteCommand(_ job: CISuiteJob) -> String {
        "set -o pipefail\nmkdir -p reports\n.msvc-ci/bin/msvc test \(job.kind.rawValue) --junit \(job.report) 2>&1 | tee reports/\(job.kind.rawValue).txt\n"
    }

    /// The shell that fails unless every word of `$variable` (job outcomes) is one of
    /// `passing`: an outcome the gate does not know, such as a timeout, fails it too.
    public static func gateScript(variable: String, passing: [String]) -> String {
        """
        for result in $\(variable); do
          case "$result" in
            \(passing.joined(separator: "|"))) ;;
            *) echo "a required job did not pass: $result"; exit 1 ;;
          esac
        done
        echo "every required job passed or was skipped: $\(variable)"

        """
    }

    /// `text` as comment lines of at most `width` characters, broken at spaces.
    public static func wrap(_ text: String, width: Int = 92) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty && line.count + 1 + word.count > width {
                lines.append(line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        if !line.isEmpty { lines.append(line) }
        return lines
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
