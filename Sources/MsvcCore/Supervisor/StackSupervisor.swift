import Foundation
import Synchronization

/// Runs one stack instance: processes, probes, restarts, balancers and logs. `StackRuntime`
/// composes it with the instance lock and the control socket; use that unless you need the
/// engine alone.
///
/// Several instances can run in one process (test orchestration starts subgraphs side by
/// side); the only shared state is the process-wide port registry. Modelled on
/// swift-service-lifecycle's ServiceGroup: one actor owns the state (one `Phase` per replica),
/// one child task per replica runs in `run()`'s task group, and shutdown stops services in
/// reverse dependency order before the group ends.
public actor StackSupervisor {
    /// Options.
    public nonisolated let options: SupervisorOptions
    /// Stored and live log lines.
    public nonisolated let hub: LogHub
    /// When the instance was created.
    public nonisolated let startedAt = Date()

    /// The stack's life as a whole.
    enum Lifecycle { case created, prepared, running, stopping, finished }

    struct Service {
        var config: ServiceConfig
        /// The balanced port clients use, if the service has one.
        var port: Int?
        var balancer: LoadBalancer?
        /// Replicas by index.
        var replicas: [Int: Replica]
        var desired: Int
        /// The environment msvc.yaml defined when a process of the service last started.
        var definedEnv: [String: String]?

        /// Replicas in index order.
        var ordered: [Replica] { replicas.keys.sorted().map { replicas[$0]! } }
    }

    enum Command: Sendable {
        case runReplica(ReplicaID)
        /// Debounce a watched service's changes, then act.
        case watchTimer(String)
    }

    /// The configuration now running (replaced by `apply`).
    var loaded: LoadedStack
    var services: [String: Service] = [:]
    /// Selected services in file order.
    var order: [String] = []
    var graph: StackGraph
    var environment: ReplicaEnvironment
    var discovery: [String: String] = [:]
    var launcher: ProcessLauncher?
    var capture: OutputCapture?
    let outputs: OutputRouter
    var sampler: ProcSampler?
    var lifecycle = Lifecycle.created
    let signal = ChangeSignal()
    /// Services with an action under way (scale, restart, apply), with who waits for them.
    var busy: [String: [CheckedContinuation<Void, Never>]] = [:]
    /// Ports this instance reserved in the process-wide registry.
    var heldPorts = Set<Int>()
    /// Ports `auto` services had last time, from `.msvc/ports.json`: service → port name → number.
    var rememberedPorts: [String: [String: Int]] = [:]
    /// Fulfilled as each thread this instance started (launcher, output, sampler, watcher) ends.
    var threadEnds: [OneShot<Void>] = []
    let commands: AsyncStream<Command>
    let commandSink: AsyncStream<Command>.Continuation
    /// Watch mode: the inotify watcher, each watched service's state, and its events.
    var watcher: FileWatcher?
    var watches: [String: ServiceWatch] = [:]
    let watchEvents: AsyncStream<[WatchEvent]>
    let watchSink: AsyncStream<[WatchEvent]>.Continuation
    /// When state.json was last written, whether it is out of date, and whether a write is due.
    var runRecord: (writtenAt: ContinuousClock.Instant?, dirty: Bool, scheduled: Bool) = (nil, false, false)
    /// When a process was last launched (the memory trim waits for launches to go quiet).
    var lastLaunch: ContinuousClock.Instant?
    /// Leftovers reaped by `prepare()`.
    public private(set) var reaped: LeftoverReaper.Report?

    /// Creates an instance for `loaded`; nothing starts until `prepare()` and `run()`.
    public init(_ loaded: LoadedStack, options: SupervisorOptions) {
        self.loaded = loaded
        self.options = options
        hub = LogHub(capacity: options.logCapacity)
        graph = StackGraph(loaded.config)
        environment = ReplicaEnvironment(stack: loaded.config, directory: loaded.directory, base: options.environment,
                                         dataDirectory: options.stateDirectory.data)
        outputs = OutputRouter(hub: hub, directory: options.stateDirectory, writeFiles: options.writeLogFiles,
                               maxFileSize: options.logFileMaxSize, onLines: options.onLines)
        (commands, commandSink) = AsyncStream.makeStream(of: Command.self)
        (watchEvents, watchSink) = AsyncStream.makeStream(of: [WatchEvent].self, bufferingPolicy: .bufferingNewest(4096))
    }

    /// The configuration now running.
    public var stack: LoadedStack { loaded }

    /// The service-discovery variables of the running stack (`ORDERS_URL`, ...), as every
    /// service gets them.
    public var discoveryEnvironment: [String: String] { discovery }

    // MARK: - Preparation

    /// Checks and reserves everything before any process starts: leftovers reaped, services
    /// selected, programs and folders present, fixed ports free, ports allocated, balancers
    /// listening. Throws without starting anything, and with everything it took released,
    /// when a check fails. The caller holds the instance lock (`StackRuntime` does).
    public func prepare() async throws(SupervisorError) {
        precondition(lifecycle == .created, "prepare() runs once")
        let dir = options.stateDirectory
        do { try dir.create() } catch { throw .stateDirectory(error.description) }
        reaped = LeftoverReaper.reap(dir)
        rememberedPorts = PortMemory.read(dir)
        do throws(SupervisorError) {
            order = try select(loaded.config, services: options.services, profiles: options.profiles)
            for name in order { services[name] = Service(config: loaded.config.services[name]!, port: nil, balancer: nil, replicas: [:], desired: 0, definedEnv: nil) }
            try checkPrograms(order.map { services[$0]!.config })
            try checkFixedPorts(order.map { services[$0]!.config })
            for name in order { try allocate(name) }
            for name in order { try await openBalancer(name) }
            discovery = Discovery.stackVariables(loaded.config, ports: portAssignment())
            PortMemory.write(rememberedPorts, to: dir)
            do {
                let capture = try OutputCapture(sink: outputs.sink)
                self.capture = capture
                threadEnds.append(capture.core.finished)
                var launcherOptions = ProcessLauncher.Options()
                // Escaped descendants found later go into state.json too.
                launcherOptions.onTrackingChange = { [weak self] in Task { await self?.writeRunRecord() } }
                let launcher = try ProcessLauncher(capture: capture, options: launcherOptions)
                self.launcher = launcher
                threadEnds.append(launcher.core.finished)
            } catch {
                throw SupervisorError.launcher(error)
            }
        } catch {
            await release()
            throw error
        }
        let sampler = ProcSampler()
        self.sampler = sampler
        threadEnds.append(sampler.finished)
        lifecycle = .prepared
        writeRunRecord()
    }

    /// The services to run: the named ones (or every enabled one) and what they depend on.
    func select(_ stack: StackConfig, services names: [String], profiles: [String]) throws(SupervisorError) -> [String] {
        for name in names where stack.services[name] == nil {
            var m = "unknown service \"\(name)\""
            if let g = Suggest.closest(to: name, in: Array(stack.services.keys)) { m += "; did you mean \"\(g)\"?" }
            throw .selection(m)
        }
        let known = Set(stack.services.values.flatMap(\.profiles))
        for p in profiles where !known.contains(p) {
            var m = "unknown profile \"\(p)\""
            if let g = Suggest.closest(to: p, in: Array(known)) {
                m += "; did you mean \"\(g)\"?"
            } else {
                m += known.isEmpty ? "; no service has profiles:" : " (profiles in msvc.yaml: \(known.sorted().joined(separator: ", ")))"
            }
            throw .selection(m)
        }
        let enabled = stack.services.values.filter { s in
            !s.disabled && (s.profiles.isEmpty || !Set(s.profiles).isDisjoint(with: profiles))
        }.map(\.name)
        let graph = StackGraph(stack)
        let chosen = graph.closure(of: names.isEmpty ? enabled : names)
        for name in chosen where stack.services[name]!.disabled {
            let by = graph.dependents(of: name).filter(chosen.contains)
            if by.isEmpty { throw .selection("\(name) is disabled (disabled: true in msvc.yaml); enable it to start it") }
            throw .selection("\(name) is disabled but \(by.joined(separator: ", ")) depend\(by.count == 1 ? "s" : "") on it; enable it or remove the dependency")
        }
        let selected = Array(stack.services.keys.filter(chosen.contains))
        guard !selected.isEmpty else {
            throw .selection("no service to start: every service is disabled or in a profile (use --profile NAME)")
        }
        return selected
    }

    func checkPrograms(_ configs: [ServiceConfig]) throws(SupervisorError) {
        var problems: [String] = []
        let fm = FileManager.default
        for config in configs {
            let name = config.name
            let cwd = environment.cwd(config)
            var isDir: ObjCBool = false
            if !fm.fileExists(atPath: cwd, isDirectory: &isDir) || !isDir.boolValue {
                problems.append("\(name): working directory \(cwd) does not exist; create it or fix cwd:")
                continue
            }
            // The same lookup `msvc doctor` does.
            guard let program = Doctor.commandProgram(config.command), !program.contains("${") else { continue }
            if Doctor.locate(program, cwd: cwd, environment: options.environment) == nil {
                problems.append(program.contains("/")
                    ? "\(name): program \(program) not found or not executable in \(cwd)"
                    : "\(name): program \"\(program)\" not found in PATH; install it or fix the command")
            }
        }
        if !problems.isEmpty { throw .missingPrograms(problems) }
    }

    func checkFixedPorts(_ configs: [ServiceConfig]) throws(SupervisorError) {
        var taken: [(what: String, port: Int, owner: PortOwner?)] = []
        for config in configs {
            let name = config.name
            for (portName, spec) in config.allPorts {
                guard case .fixed(let port) = spec, !heldPorts.contains(port) else { continue }
                if PortReservations.shared.isHeld(port) || !PortAllocator.isFree(port) {
                    taken.append((portName.isEmpty ? name : "\(name).\(portName)", port, PortAllocator.owner(of: port)))
                }
            }
        }
        if !taken.isEmpty { throw .portsTaken(taken) }
    }

    /// Reserves the service port and the desired replicas' own ports of `name`. An `auto`
    /// port gets the number it had last time when that is free, so bookmarks and curl
    /// history keep working across runs.
    func allocate(_ name: String) throws(SupervisorError) {
        let config = services[name]!.config
        let previous = rememberedPorts[name] ?? [:]
        switch config.port {
        case .fixed(let p): services[name]!.port = try reserve(p, for: name)
        case .auto:
            if let again = reuse(previous[""]) { services[name]!.port = again } else { services[name]!.port = try reserveFree() }
        case .none: break
        }
        for (_, spec) in config.ports {
            if case .fixed(let p) = spec { _ = try reserve(p, for: name) }
        }
        for index in 1...config.replicas {
            let id = ReplicaID(service: name, replica: index)
            services[name]!.replicas[index] = Replica(id: id, ports: try replicaPorts(config, preferred: index == 1 ? previous : [:]))
        }
        services[name]!.desired = config.replicas
        var remembered: [String: Int] = [:]
        remembered[""] = services[name]!.port
        for (portName, number) in services[name]!.replicas[1]?.ports ?? [:] where !portName.isEmpty { remembered[portName] = number }
        rememberedPorts[name] = remembered
    }

    /// Takes `port` again when this process holds it for no one and nothing listens on it.
    func reuse(_ port: Int?) -> Int? {
        guard let port, !heldPorts.contains(port), PortAllocator.isFree(port), PortReservations.shared.reserve(port) else { return nil }
        heldPorts.insert(port)
        return port
    }

    func reserve(_ port: Int, for name: String) throws(SupervisorError) -> Int {
        if heldPorts.contains(port) { return port }
        guard PortReservations.shared.reserve(port) else {
            throw .portsTaken([(what: name, port: port, owner: PortAllocator.owner(of: port))])
        }
        heldPorts.insert(port)
        return port
    }

    func reserveFree() throws(SupervisorError) -> Int {
        guard let p = PortReservations.shared.reserveFree() else {
            throw .portsTaken([(what: "an automatic port", port: 0, owner: nil)])
        }
        heldPorts.insert(p)
        return p
    }

    func releasePorts<S: Sequence<Int>>(_ ports: S) {
        let mine = ports.filter { heldPorts.remove($0) != nil }
        PortReservations.shared.release(mine)
    }

    /// A replica's own ports: the main one always automatic (the balancer owns the service
    /// port); named ports fixed when configured so (only with one replica), else automatic.
    func replicaPorts(_ config: ServiceConfig, preferred: [String: Int] = [:]) throws(SupervisorError) -> [String: Int] {
        var ports: [String: Int] = [:]
        if config.port != .none { ports[""] = try reserveFree() }
        for (name, spec) in config.ports {
            switch spec {
            case .fixed(let p): ports[name] = p
            case .auto:
                if let again = reuse(preferred[name]) { ports[name] = again } else { ports[name] = try reserveFree() }
            case .none: break
            }
        }
        return ports
    }

    /// Starts the balancer on the service port of `name`, if it has one.
    /// An automatic port was msvc's choice: when another program took it between choosing and
    /// listening (its connections use the same ephemeral range), another one is chosen.
    func openBalancer(_ name: String) async throws(SupervisorError) {
        guard var port = services[name]?.port, services[name]?.balancer == nil else { return }
        var attempts = 1
        if case .auto = services[name]!.config.port { attempts = 5 }
        while true {
            do {
                services[name]!.balancer = try await LoadBalancer.start(port: port)
                return
            } catch {
                attempts -= 1
                guard attempts > 0 else { throw .portsTaken([(what: name, port: port, owner: PortAllocator.owner(of: port))]) }
                releasePorts([port])
                port = try reserveFree()
                services[name]!.port = port
                rememberedPorts[name, default: [:]][""] = port
            }
        }
    }

    func portAssignment() -> PortAssignment {
        var a = PortAssignment()
        for name in order {
            guard let s = services[name] else { continue }
            var named = s.ordered.first?.ports ?? [:]
            named[""] = s.port
            if s.port == nil { named.removeValue(forKey: "") }
            if !named.isEmpty { a.ports[name] = named }
        }
        return a
    }

    /// Gives back everything `prepare()` took: balancers, ports, launcher and capture threads.
    func release() async {
        await watcher?.shutdown()
        watcher = nil
        watchSink.finish()
        for name in Array(services.keys) {
            await services[name]?.balancer?.stop()
            services[name]?.balancer = nil
        }
        releasePorts(Array(heldPorts))
        await launcher?.shutdown()
        launcher = nil
        await capture?.shutdown()
        capture = nil
        sampler?.stop()
        sampler = nil
    }

    /// Waits up to `timeout` until every thread this instance started has ended (they end
    /// once the stack has stopped); returns whether they did.
    public func threadsEnded(within timeout: Duration) async -> Bool {
        let ends = threadEnds
        for end in ends where await end.wait(timeout: timeout) == nil { return false }
        return true
    }

    // MARK: - Running

    /// Runs every selected replica until `stopAll()` (or `killAll()`) completes. Call after
    /// `prepare()`. Cancelling the calling task does not stop the stack: `StackRuntime` turns
    /// cancellation into a graceful stop.
    public func run() async {
        guard lifecycle == .prepared else { return }
        lifecycle = .running
        for name in order {
            for r in services[name]!.ordered { commandSink.yield(.runReplica(r.id)) }
        }
        startWatching()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.consumeWatchEvents() }
            group.addTask { await self.trimWhenQuiet() }
            for await command in commands {
                switch command {
                case .runReplica(let id):
                    group.addTask { await self.replicaLoop(id) }
                case .watchTimer(let name):
                    group.addTask { await self.watchTimer(name) }
                }
            }
            await group.waitForAll()
        }
    }

    /// How long launches must have been quiet before the supervisor trims its memory.
    static let trimQuiet: Duration = .seconds(5)

    /// Trims memory (`MemoryTrim`) once launches have been quiet for `trimQuiet`: after the
    /// stack started, and again after each later burst of starts. Looks every `trimQuiet`.
    func trimWhenQuiet() async {
        guard options.trimMemory else { return }
        var trimmedFor: ContinuousClock.Instant?
        while !isStopping {
            let version = signal.version
            if let last = lastLaunch, last != trimmedFor, ContinuousClock.now >= last + Self.trimQuiet {
                MemoryTrim.run()
                trimmedFor = last
            }
            // Only stack-wide changes (stopping) wake it early: no service is named so.
            await signal.wait(after: version, topics: [""], limit: Self.trimQuiet)
        }
    }

    /// Whether the stack has been asked to stop (or has stopped).
    var isStopping: Bool { lifecycle == .stopping || lifecycle == .finished }

    /// Records a change to `service` (nil: the whole stack) for waiters and the change stream.
    func changed(_ service: String? = nil) {
        signal.notify(service)
    }

    /// The least time between two writes of the run record: a stack of 200 services changes
    /// a thousand times while it starts, and each write records every group.
    static let runRecordInterval: Duration = .milliseconds(100)

    /// Records the running groups in state.json: at once when the last write is
    /// `runRecordInterval` old, else once that much after it (coalescing what changed meanwhile).
    /// The watchdog, not this file, is what stops every group if msvc dies; the record serves
    /// the reaper when the watchdog could not (docs/DECISIONS.md, "The run record is coalesced").
    func writeRunRecord() {
        runRecord.dirty = true
        guard !runRecord.scheduled else { return }
        let now = ContinuousClock.now
        guard let last = runRecord.writtenAt, now < last + Self.runRecordInterval else {
            flushRunRecord()
            return
        }
        runRecord.scheduled = true
        Task { [weak self] in
            try? await Task.sleep(until: last + Self.runRecordInterval, clock: .continuous)
            await self?.flushRunRecord()
        }
    }

    /// Writes state.json now if something changed since the last write (not once the stack
    /// has finished: `finish()` removed it for good).
    func flushRunRecord() {
        runRecord.scheduled = false
        guard runRecord.dirty, lifecycle != .finished else { return }
        runRecord.dirty = false
        runRecord.writtenAt = ContinuousClock.now
        var groups: [RunRecord.Group] = []
        for name in order {
            for r in services[name]?.ordered ?? [] {
                for p in [r.phase.process, r.successor?.process].compactMap({ $0 }) {
                    groups.append(RunRecord.Group(service: name, replica: r.id.replica, process: p))
                }
            }
        }
        let record = RunRecord.current(project: loaded.config.name, groups: groups, containment: launcher?.containment)
        try? record.write(to: options.stateDirectory.stateFile)
    }

    /// The display name of a replica under the one rule (`ReplicaID.label`).
    func label(_ id: ReplicaID) -> String {
        id.label(replicas: services[id.service]?.replicas.count ?? 1)
    }

    func note(_ id: ReplicaID, _ text: String) {
        outputs.system(id, text)
    }

    /// Points the balancer of `name` at its ready replicas and ready successors.
    func refreshBackends(_ name: String) {
        guard let s = services[name], let lb = s.balancer else { return }
        var ready: [Int] = []
        for r in s.ordered {
            if r.phase.isReady, let p = r.ports[""] { ready.append(p) }
            if let next = r.successor, next.ready, let p = next.ports[""] { ready.append(p) }
        }
        lb.setBackends(ready)
    }

    // MARK: - Exclusive actions

    /// Runs `body` while no other scale, restart or apply works on any of `names`; callers
    /// queue in order. Stopping never waits here: actions check `isStopping` and intents.
    func exclusive<T>(_ names: [String], _ body: () async throws -> T) async rethrows -> T {
        let unique = Array(Set(names)).sorted()
        for name in unique {
            while busy[name] != nil {
                await withCheckedContinuation { busy[name]!.append($0) }
            }
            busy[name] = []
        }
        defer {
            for name in unique {
                let waiters = busy.removeValue(forKey: name) ?? []
                for w in waiters { w.resume() }
            }
        }
        return try await body()
    }
}
