import Collections
import Foundation

/// Which suites to run: kinds from the command line (`msvc test integration e2e`) and names
/// from `--suite`.
public struct SuiteSelection: Sendable, Equatable {
    /// Kinds to run; empty means all.
    public var kinds: [SuiteKind]
    /// Suite names (for `unit`, service names); empty means every suite of the kinds.
    public var names: [String]

    /// Creates a selection.
    public init(kinds: [SuiteKind] = [], names: [String] = []) {
        self.kinds = kinds
        self.names = names
    }

    /// Reads `unit`, `contract`, `integration`, `e2e` and `all` as kinds.
    public static func kinds(_ words: [String]) throws(SuitePlanError) -> [SuiteKind] {
        var kinds: [SuiteKind] = []
        for word in words {
            if word == "all" { return [] }
            guard let kind = SuiteKind(rawValue: word) else {
                let options = SuiteKind.allCases.map(\.rawValue) + ["all"]
                var m = "unknown test kind \"\(word)\" (expected \(options.joined(separator: ", ")))"
                if let g = Suggest.closest(to: word, in: options) { m += "; did you mean \"\(g)\"?" }
                throw .usage(m)
            }
            if !kinds.contains(kind) { kinds.append(kind) }
        }
        return kinds.sorted()
    }
}

/// Builds contract suite bodies (Pact or OpenAPI verification); plugged in by the verifier.
public protocol ContractSuiteFactory: Sendable {
    /// The body that verifies `suite` (at key path `path` of msvc.yaml) against its running
    /// provider, whose address the body finds in the suite's environment
    /// (`PROVIDER_URL`); throws `.invalid` with positions when the suite cannot be verified.
    func body(for suite: ContractSuite, path: String, stack: LoadedStack) throws(SuitePlanError) -> any SuiteBody
}

/// Turns msvc.yaml's `tests:` section and the command line into suite plans, checking
/// everything that can be checked before a process starts: the subgraphs, folders, scenario
/// files and every `${VAR}` they use.
public struct SuitePlanner: Sendable {
    /// The stack.
    public var loaded: LoadedStack
    /// The time limit of a suite that sets none (`--timeout`).
    public var defaultTimeout: Duration
    /// msvc's environment: its names are known to `${VAR}` in scenarios.
    public var environment: [String: String]
    /// Contract verification (msvc's own unless another is given; nil reports contract suites
    /// as skipped).
    public var contracts: (any ContractSuiteFactory)?

    /// Creates a planner.
    public init(loaded: LoadedStack, defaultTimeout: Duration = .seconds(600), environment: [String: String] = [:],
                contracts: (any ContractSuiteFactory)? = ContractSuites()) {
        self.loaded = loaded
        self.defaultTimeout = defaultTimeout
        self.environment = environment
        self.contracts = contracts
    }

    /// One candidate suite before checks.
    struct Candidate {
        /// Kind, name, and index in its list (for unit: in services).
        var kind: SuiteKind
        var name: String
        var index: Int
    }

    /// Every suite of every kind, in run order.
    func candidates() -> [Candidate] {
        let tests = loaded.config.tests
        var out: [Candidate] = []
        for (i, s) in loaded.config.services.values.enumerated() where s.test != nil { out.append(Candidate(kind: .unit, name: s.name, index: i)) }
        for (i, s) in tests.contract.enumerated() { out.append(Candidate(kind: .contract, name: s.name, index: i)) }
        for (i, s) in tests.integration.enumerated() { out.append(Candidate(kind: .integration, name: s.name, index: i)) }
        for (i, s) in tests.e2e.enumerated() { out.append(Candidate(kind: .e2e, name: s.name, index: i)) }
        return out
    }

    /// The plans for `selection`, in run order: unit, contract, integration, e2e, each in file order.
    public func plan(_ selection: SuiteSelection) throws(SuitePlanError) -> [SuitePlan] {
        let kinds = selection.kinds.isEmpty ? SuiteKind.allCases : selection.kinds
        let all = candidates()
        var chosen = all.filter { kinds.contains($0.kind) }
        if !selection.names.isEmpty {
            for name in selection.names where !chosen.contains(where: { $0.name == name }) {
                if let other = all.first(where: { $0.name == name }) {
                    let what = other.kind == .unit ? "the unit tests of service \"\(name)\"" : "\(article(other.kind)) \(other.kind.rawValue) suite"
                    throw .usage("\"\(name)\" is \(what); run: msvc test \(other.kind.rawValue) --suite \(name)")
                }
                let names = chosen.map(\.name)
                var m = "unknown suite \"\(name)\""
                if let g = Suggest.closest(to: name, in: names) { m += "; did you mean \"\(g)\"?" }
                m += names.isEmpty ? " (msvc.yaml defines no \(kinds.map(\.rawValue).joined(separator: " or ")) suites)"
                    : " (\(kinds == SuiteKind.allCases ? "suites" : kinds.map(\.rawValue).joined(separator: "/") + " suites"): \(names.joined(separator: ", ")))"
                throw .usage(m)
            }
            chosen = chosen.filter { selection.names.contains($0.name) }
        }
        var sink = DiagnosticSink(file: loaded.file)
        var plans: [SuitePlan] = []
        for c in chosen {
            if let p = plan(c, &sink) { plans.append(p) }
        }
        if sink.hasErrors { throw .invalid(sink.sorted) }
        return plans
    }

    private func article(_ kind: SuiteKind) -> String { kind == .e2e || kind == .integration ? "an" : "a" }

    /// Where the value at `path` of msvc.yaml is.
    func mark(_ path: String) -> SourceMark {
        loaded.marks[path] ?? loaded.marks[path + "#key"] ?? SourceMark(line: 1, column: 1)
    }

    /// The absolute form of a folder relative to msvc.yaml.
    func absolute(_ path: String) -> String { SuiteFiles(loaded).absolute(path) }

    private func plan(_ c: Candidate, _ sink: inout DiagnosticSink) -> SuitePlan? {
        let stack = loaded.config
        let names = Discovery.names(stack)
        switch c.kind {
        case .unit:
            let service = stack.services.values[c.index]
            let path = "services.\(service.name)"
            guard let cwd = folder(service.cwd, path + ".cwd", &sink) else { return nil }
            return SuitePlan(kind: .unit, name: service.name, roots: [], services: [], timeout: defaultTimeout, cwd: cwd,
                             body: CommandSuiteBody(command: service.test!, startTimeNames: names),
                             properties: [("command", service.test!)])
        case .contract:
            let suite = stack.tests.contract[c.index]
            let path = "tests.contract[\(c.index)]"
            let timeout = explicitTimeout(path) ?? defaultTimeout
            guard let contracts else {
                return SuitePlan(kind: .contract, name: suite.name, roots: [suite.provider], services: [], timeout: timeout,
                                 cwd: loaded.directory, body: UnverifiedContractBody(suite: suite),
                                 properties: [("provider", suite.provider)])
            }
            guard let services = subgraph(.services([suite.provider]), path + ".provider", &sink) else { return nil }
            do throws(SuitePlanError) {
                let body = try contracts.body(for: suite, path: path, stack: loaded)
                var properties = [("provider", suite.provider)]
                if let pact = suite.pact { properties.append(("pact", pact)) }
                if let document = suite.openapi { properties.append(("openapi", document)) }
                if let state = suite.stateChange { properties.append(("state_change", state)) }
                return SuitePlan(kind: .contract, name: suite.name, roots: [suite.provider], services: services, timeout: timeout,
                                 cwd: loaded.directory, body: body, properties: properties)
            } catch {
                switch error {
                case .invalid(let list): for d in list { sink.append(d) }
                case .usage(let m): sink.error(mark(path), path, m)
                }
                return nil
            }
        case .integration, .e2e:
            let suite = c.kind == .e2e ? stack.tests.e2e[c.index] : stack.tests.integration[c.index]
            let path = "tests.\(c.kind.rawValue)[\(c.index)]"
            // An end-to-end suite without `needs` runs against the whole stack.
            let needs: SuiteNeeds = c.kind == .e2e && loaded.marks[path + ".needs"] == nil ? .all : suite.needs
            let services = subgraph(needs, path + ".needs", &sink)
            let cwd = folder(suite.cwd, path + ".cwd", &sink)
            let roots: [String] = if case .services(let list) = needs { list } else { services ?? [] }
            var properties: [(String, String)] = []
            let body: (any SuiteBody)?
            if let run = suite.run {
                body = CommandSuiteBody(command: run, startTimeNames: names)
                properties.append(("command", run))
            } else if let file = suite.scenario {
                properties.append(("scenario", file))
                let documents = responseContracts(services ?? [], &sink)
                body = scenario(file, path + ".scenario", suite: suite, services: services ?? [], &sink)
                    .map { ScenarioSuiteBody(scenario: $0, contracts: documents) }
            } else {
                body = nil
            }
            guard let services, let cwd, let body else { return nil }
            return SuitePlan(kind: c.kind, name: suite.name, roots: roots, services: services,
                             timeout: explicitTimeout(path) ?? defaultTimeout, cwd: cwd, environment: suite.env,
                             body: body, properties: properties)
        }
    }

    /// The timeout written in msvc.yaml for the suite at `path`, if one was.
    func explicitTimeout(_ path: String) -> Duration? {
        guard loaded.marks[path + ".timeout"] != nil else { return nil }
        if path.hasPrefix("tests.integration["), let i = index(path) { return loaded.config.tests.integration[i].timeout }
        if path.hasPrefix("tests.e2e["), let i = index(path) { return loaded.config.tests.e2e[i].timeout }
        return nil
    }

    private func index(_ path: String) -> Int? {
        guard let open = path.firstIndex(of: "["), let close = path.firstIndex(of: "]") else { return nil }
        return Int(path[path.index(after: open)..<close])
    }

    /// An existing folder relative to msvc.yaml, made absolute.
    func folder(_ relative: String, _ path: String, _ sink: inout DiagnosticSink) -> String? {
        let full = absolute(relative)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: full, isDirectory: &isDir), isDir.boolValue else {
            sink.error(mark(path), path, "folder \(relative) does not exist (relative to msvc.yaml's folder); create it or fix the path")
            return nil
        }
        return full
    }

    /// The services a suite starts, in msvc.yaml order: the roots and their `depends_on` closure.
    func subgraph(_ needs: SuiteNeeds, _ path: String, _ sink: inout DiagnosticSink) -> [String]? {
        let stack = loaded.config
        let roots: [String]
        switch needs {
        case .all:
            roots = stack.services.values.filter { !$0.disabled && $0.profiles.isEmpty }.map(\.name)
            if roots.isEmpty {
                sink.error(mark(path), path, "needs: all, but every service is disabled or in a profile; name the services to start")
                return nil
            }
        case .services(let list):
            roots = list
        }
        let closure = StackGraph(stack).closure(of: roots)
        var ok = true
        for name in closure.sorted() where stack.services[name]?.disabled == true {
            let via = roots.contains(name) ? "" : " (a dependency of \(StackGraph(stack).dependents(of: name).filter(closure.contains).joined(separator: ", ")))"
            sink.error(mark(path), path, "\(name)\(via) is disabled (disabled: true), so this suite cannot start it; enable it or leave it out")
            ok = false
        }
        return ok ? stack.services.keys.filter(closure.contains) : nil
    }
}
