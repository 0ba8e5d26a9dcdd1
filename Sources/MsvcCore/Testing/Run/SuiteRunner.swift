import Foundation
import Synchronization

/// Where suites get their services.
public enum SuiteStackSource: Sendable {
    /// Each suite starts its own copy of its subgraph: automatic ports, a fresh state folder.
    case isolated(any SuiteStackLauncher)
    /// Every suite runs against this running stack (`--reuse`, `--keep-up`); never stopped here.
    case shared(any SuiteStack)
}

/// What a run is doing, for progress output.
public enum SuiteProgress: Sendable {
    /// Starting the suite's services.
    case starting(SuitePlan)
    /// Waiting until they are ready.
    case waiting(SuitePlan)
    /// Running the suite's body.
    case running(SuitePlan)
    /// A case finished.
    case caseFinished(SuitePlan, CaseResult)
    /// Stopping the suite's services.
    case stopping(SuitePlan)
    /// The suite is done.
    case finished(SuiteResult)
}

/// How to run suites.
public struct SuiteRunOptions: Sendable {
    /// Where the services come from.
    public var source: SuiteStackSource
    /// Suites run at once, each on its own copy (`--parallel`).
    public var parallel: Int = 1
    /// msvc's environment: the first source of every suite's environment.
    public var environment: [String: String]
    /// Log lines per service kept as evidence of a failed suite.
    public var logLines: Int = 30
    /// Hears what the run is doing.
    public var progress: @Sendable (SuiteProgress) -> Void = { _ in }
    /// Hears every output line of the suites' commands as it comes (`-v`).
    public var echo: (@Sendable (SuitePlan, String) -> Void)?

    /// Creates options.
    public init(source: SuiteStackSource, environment: [String: String]) {
        self.source = source
        self.environment = environment
    }
}

/// Runs planned suites: for each, starts its services (or uses the shared stack), waits until
/// they are ready, runs its body within its timeout, keeps evidence of a failure, and tears
/// its copy down; `parallel` at a time. Cancelling the task running `run` (Ctrl-C) stops every
/// suite and copy; `killAll` kills them at once.
public final class SuiteRunner: Sendable {
    /// The stack the suites belong to.
    let loaded: LoadedStack
    /// How to run them.
    let options: SuiteRunOptions
    /// Runs the suites' commands.
    let commands: CommandRunner
    /// HTTP for scenario steps.
    let http: HTTPClient
    private let live = Mutex<[Int: any SuiteStack]>([:])

    /// Creates a runner for the stack; suite commands run through `commands`.
    public init(loaded: LoadedStack, options: SuiteRunOptions, commands: CommandRunner, http: HTTPClient = HTTPClient()) {
        self.loaded = loaded
        self.options = options
        self.commands = commands
        self.http = http
    }

    /// Runs `plans` and returns every result, in plan order.
    public func run(_ plans: [SuitePlan]) async -> TestRunResult {
        let started = ContinuousClock.now
        var results = [SuiteResult?](repeating: nil, count: plans.count)
        await withTaskGroup(of: (Int, SuiteResult).self) { group in
            var next = 0
            while next < min(max(1, options.parallel), plans.count) {
                let i = next
                group.addTask { (i, await self.runSuite(plans[i], slot: i)) }
                next += 1
            }
            while let (i, result) = await group.next() {
                results[i] = result
                if next < plans.count, !Task.isCancelled {
                    let j = next
                    group.addTask { (j, await self.runSuite(plans[j], slot: j)) }
                    next += 1
                }
            }
        }
        let interrupted = Task.isCancelled
        let suites = plans.indices.map { i in
            results[i] ?? SuiteResult(kind: plans[i].kind, name: plans[i].name, services: plans[i].services, startedAt: Date(),
                                      cases: plans[i].body.plannedCases.map {
                                          CaseResult(name: $0, duration: .zero, outcome: .skipped(message: "not run: interrupted"))
                                      }, properties: plans[i].properties)
        }
        return TestRunResult(suites: suites, duration: ContinuousClock.now - started, interrupted: interrupted,
                             missingProgram: suites.contains(where: \.missingProgram))
    }

    /// Kills every copy and command at once (a second Ctrl-C).
    public func killAll() async {
        let stacks = live.withLock { Array($0.values) }
        for s in stacks { await s.kill() }
        await commands.shutdown()
    }

    // MARK: - One suite

    /// What a suite is doing, and what it holds, shared between its lifecycle and its timer.
    final class SuiteState: Sendable {
        /// Where the suite's lifecycle is.
        enum Phase: Sendable { case starting, waiting, running, done }
        /// Everything the lifecycle and the timer share.
        struct Value {
            var phase = Phase.starting
            var stack: (any SuiteStack)?
            var phases = SuitePhases()
            var setup: [CaseResult] = []
            var properties: [(String, String)] = []
            var missingProgram = false
        }
        /// The shared value.
        let value = Mutex(Value())
        /// Changes the value under the lock.
        func update<T>(_ body: (inout Value) -> T) -> T { value.withLock { body(&$0) } }
        /// A copy of the value.
        var snapshot: Value { value.withLock { $0 } }
    }

    /// Runs one suite within its timeout, then keeps evidence and tears its copy down.
    func runSuite(_ plan: SuitePlan, slot: Int) async -> SuiteResult {
        let startedAt = Date()
        let began = ContinuousClock.now
        let progress = options.progress
        let recorder = CaseRecorder { progress(.caseFinished(plan, $0)) }
        let state = SuiteState()
        state.update { $0.properties = plan.properties }
        let timedOut = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await self.lifecycle(plan, slot: slot, recorder: recorder, state: state)
                return false
            }
            group.addTask {
                try? await Task.sleep(for: plan.timeout)
                return !Task.isCancelled
            }
            let first = await group.next() ?? false
            group.cancelAll()
            await group.waitForAll()
            return first
        }
        let interrupted = Task.isCancelled && !timedOut
        let held = state.snapshot
        var cases = held.setup + recorder.cases
        let reason = interrupted ? "interrupted" : "timed out after \(Units.format(plan.timeout))"
        var unrun = "not run: " + (interrupted ? "interrupted" : timedOut ? "the suite timed out" : "its services did not start")
        if let current = recorder.current, timedOut || interrupted {
            var detail = "\(reason) while running \"\(current.name)\" (for \(ScenarioSuiteBody.seconds(current.elapsed)))"
            if let d = current.detail { detail += ", \(d)" }
            cases.append(CaseResult(name: current.name, duration: current.elapsed, outcome: .error(message: reason, detail: detail)))
        } else if (timedOut || interrupted) && held.phase != .running && held.setup.isEmpty {
            let pending = await Self.pending(held.stack)
            let doing = held.phase == .starting ? "starting its services" : "waiting for its services to be ready"
            let detail = "\(reason) while \(doing)" + (pending.isEmpty ? "" : ": " + pending.joined(separator: "; "))
            cases.append(CaseResult(name: "start services", duration: ContinuousClock.now - began,
                                    outcome: .error(message: "\(reason) while \(doing)", detail: detail)))
        } else if timedOut || interrupted {
            unrun = "not run: " + (interrupted ? "interrupted" : "the suite timed out")
        }
        let recorded = recorder.cases.count + (recorder.current != nil && (timedOut || interrupted) ? 1 : 0)
        for name in plan.body.plannedCases.dropFirst(recorded) {
            cases.append(CaseResult(name: name, duration: .zero, outcome: .skipped(message: unrun)))
        }
        var result = SuiteResult(kind: plan.kind, name: plan.name, services: plan.services, startedAt: startedAt,
                                 cases: cases, properties: held.properties)
        result.missingProgram = held.missingProgram
        if let stack = held.stack {
            if !result.passed { result.logs = await evidence(stack, plan, since: startedAt) }
            if case .isolated = options.source {
                progress(.stopping(plan))
                let stopping = ContinuousClock.now
                await stack.stop()
                state.update { $0.phases.stop = ContinuousClock.now - stopping }
                _ = live.withLock { $0.removeValue(forKey: slot) }
            }
        }
        result.phases = state.snapshot.phases
        result.duration = ContinuousClock.now - began
        progress(.finished(result))
        return result
    }

    /// Starts (or checks) the services, waits until they are ready, and runs the body.
    func lifecycle(_ plan: SuitePlan, slot: Int, recorder: CaseRecorder, state: SuiteState) async {
        var discovery: [String: String] = [:]
        var stack: (any SuiteStack)?
        var dataDirectory: String?
        if plan.needsStack {
            let began = ContinuousClock.now
            switch options.source {
            case .isolated(let launcher):
                options.progress(.starting(plan))
                let dir = SuiteIsolation.stateDirectory(suite: plan.name, configDirectory: loaded.directory)
                let (copy, remapped) = SuiteIsolation.remapPorts(loaded)
                state.update { s in
                    s.properties.append(("state", shown(dir.root)))
                    for r in remapped where plan.services.contains(r.service) {
                        s.properties.append(("remapped", "\(r.service)\(r.port.isEmpty ? "" : "." + r.port) \(r.fixed) -> automatic"))
                    }
                }
                do throws(SuiteStackError) {
                    try SuiteIsolation.makeFresh(dir)
                    let request = SuiteStackRequest(stack: copy, services: plan.services, stateDirectory: dir,
                                                    environment: options.environment)
                    let started = try await launcher.start(request)
                    stack = started
                    live.withLock { $0[slot] = started }
                    state.update { $0.stack = started }
                } catch {
                    setupFailed(state, began, error.message, missingProgram: error.missingProgram)
                    return
                }
            case .shared(let shared):
                stack = shared
                state.update { $0.stack = shared }
                let running = Set(((try? await shared.control.snapshot())?.services ?? []).map(\.name))
                let missing = plan.services.filter { !running.contains($0) }
                if !missing.isEmpty {
                    setupFailed(state, began, "the running stack does not run \(missing.joined(separator: ", ")), which this suite needs; start \(missing.count == 1 ? "it" : "them") (msvc up) or run without --reuse")
                    return
                }
            }
            guard let stack else { return }
            state.update { $0.phases.start = ContinuousClock.now - began; $0.phase = .waiting }
            options.progress(.waiting(plan))
            let waiting = ContinuousClock.now
            let outcome = (try? await stack.control.waitUntilReady(timeout: plan.timeout)) ?? .timedOut(["the stack stopped answering"])
            guard !Task.isCancelled else { return }
            state.update { $0.phases.ready = ContinuousClock.now - waiting }
            switch outcome {
            case .ready: break
            case .failed(let service, let reason):
                setupFailed(state, waiting, "\(service) failed: \(reason)")
                return
            case .timedOut(let pending):
                setupFailed(state, waiting, "not ready: \(pending.joined(separator: "; "))")
                return
            }
            if let snapshot = try? await stack.control.snapshot() {
                discovery = Self.discovery(loaded.config, snapshot)
                // A stack started elsewhere keeps its data beside its socket: STATE/run/msvc.sock.
                if stack.dataDirectory == nil, let socket = snapshot.socketPath {
                    dataDirectory = ((socket as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent + "/data"
                }
            }
        }
        var environment = options.environment
        for (k, v) in plan.environment { environment[k] = v }
        var set = discovery
        set["MSVC_SUITE"] = plan.name
        set["MSVC_PROJECT"] = loaded.config.name
        if let data = stack?.dataDirectory ?? dataDirectory { set["MSVC_STATE_DIR"] = data }
        environment.merge(set) { _, new in new }
        let names = Discovery.names(loaded.config)
        for (k, v) in plan.environment where v.contains("${") {
            environment[k] = Discovery.resolveDeferred(v, known: set, names: names)
        }
        state.update { $0.phase = .running }
        options.progress(.running(plan))
        let running = ContinuousClock.now
        var echo: (@Sendable (String) -> Void)?
        if let e = options.echo { echo = { line in e(plan, line) } }
        let context = SuiteContext(plan: plan, directory: loaded.directory, environment: environment, control: stack?.control,
                                   commands: commands, http: http, recorder: recorder, echo: echo)
        await plan.body.run(context)
        state.update { $0.phases.run = ContinuousClock.now - running; $0.phase = .done }
    }

    private func setupFailed(_ state: SuiteState, _ since: ContinuousClock.Instant, _ message: String, missingProgram: Bool = false) {
        let first = message.split(separator: "\n").first.map(String.init) ?? message
        state.update { s in
            s.setup.append(CaseResult(name: "start services", duration: ContinuousClock.now - since,
                                      outcome: .error(message: first, detail: message)))
            if missingProgram { s.missingProgram = true }
        }
    }

    /// The discovery variables of a running stack.
    static func discovery(_ config: StackConfig, _ snapshot: StackSnapshot) -> [String: String] {
        var ports = PortAssignment()
        for s in snapshot.services {
            var named = s.namedPorts
            if let p = s.port { named[""] = p }
            if !named.isEmpty { ports.ports[s.name] = named }
        }
        return Discovery.stackVariables(config, ports: ports)
    }

    /// The replicas not ready yet, with what they are doing.
    static func pending(_ stack: (any SuiteStack)?) async -> [String] {
        guard let stack, let snapshot = try? await stack.control.snapshot() else { return [] }
        return snapshot.services.flatMap { s in s.replicas.map { (s.replicas.count, $0) } }.compactMap { count, r in
            if r.state == .running && (r.health == .healthy || r.health == .none) { return nil }
            if r.state == .exited && r.lastExit == .exited(0) { return nil }
            let id = ServiceLogTail.label(r.service, r.replica, replicas: count)
            var text = "\(id) \(r.health == .unhealthy ? "unhealthy" : r.state.rawValue)"
            if let probe = r.lastProbe, !probe.ok { text += " (\(probe.detail))" } else if let m = r.message { text += " (\(m))" }
            return text
        }
    }

    /// `path` as the user should see it: under msvc.yaml's folder as they named it.
    func shown(_ path: String) -> String { SuiteFiles(loaded).shown(path) }

    /// The last lines of every service of the suite since it started.
    func evidence(_ stack: any SuiteStack, _ plan: SuitePlan, since: Date) async -> [ServiceLogTail] {
        // What a service printed while answering the failing request may still be on its way
        // through the output reader.
        try? await Task.sleep(for: .milliseconds(150))
        var tails: [ServiceLogTail] = []
        for service in plan.services {
            let lines = (try? await stack.control.logs(LogQuery(services: [service], tail: options.logLines, since: since))) ?? []
            tails.append(ServiceLogTail(service: service, replicas: loaded.config.services[service]?.replicas ?? 1, lines: lines))
        }
        return tails
    }
}
