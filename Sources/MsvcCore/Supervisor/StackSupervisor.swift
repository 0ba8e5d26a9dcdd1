import Foundation
import Synchronization

/// Runs one stack instance: processes, probes, restarts, balancers and logs.
///
/// Several instances can run in one process (test orchestration starts subgraphs side by
/// side); nothing here is process-global. Modelled on swift-service-lifecycle's ServiceGroup:
/// one actor owns the state, one child task per replica runs in `run()`'s task group, and
/// shutdown stops services in reverse dependency order before the group ends.
public actor StackSupervisor {
    /// The configuration this instance runs.
    public nonisolated let loaded: LoadedStack
    /// Options.
    public nonisolated let options: SupervisorOptions
    /// Stored and live log lines.
    public nonisolated let hub: LogHub
    /// When the instance was created.
    public nonisolated let startedAt = Date()

    struct Replica {
        var snap: ReplicaSnapshot
        var process: LaunchedProcess?
        var generation = 0
        var stopRequested = false
        var restartRequested = false
        var livenessFailure: String?
        var unstableRestarts = 0
        var wake: CheckedContinuation<Void, Never>?
        var running = false  // a loop task owns this replica
    }

    struct Service {
        var config: ServiceConfig
        var port: Int?
        var balancer: LoadBalancer?
        var replicas: [Replica]
        var desired: Int
    }

    enum Command: Sendable {
        case runReplica(String, Int)
    }

    var services: [String: Service] = [:]
    /// Selected services in file order.
    var order: [String] = []
    let graph: StackGraph
    let environment: ReplicaEnvironment
    var discovery: [String: String] = [:]
    var allocated = Set<Int>()
    var launcher: ProcessLauncher?
    var capture: OutputCapture?
    let outputs: OutputRouter
    var sampler: ProcSampler?
    var waiters: [CheckedContinuation<Void, Never>] = []
    var shuttingDown = false
    var finished = false
    let commands: AsyncStream<Command>
    let commandSink: AsyncStream<Command>.Continuation
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
    }

    // MARK: - Preparation

    /// Checks and reserves everything before any process starts: leftovers reaped, services
    /// selected, programs and folders present, fixed ports free, ports allocated, balancers
    /// listening. Throws without starting anything when a check fails.
    public func prepare() async throws(SupervisorError) {
        let dir = options.stateDirectory
        do { try dir.create() } catch { throw .stateDirectory("\(dir.root): \(error.localizedDescription)") }
        let report = LeftoverReaper.reap(dir)
        if let pid = report.liveSupervisor { throw .alreadyRunning(pid: pid) }
        reaped = report
        order = try select()
        try checkPrograms()
        try checkFixedPorts()
        try allocatePorts()
        for name in order where services[name]!.port != nil {
            do {
                let lb = try await LoadBalancer.start(port: services[name]!.port!)
                services[name]!.balancer = lb
            } catch {
                let port = services[name]!.port!
                throw .portsTaken([(what: name, port: port, owner: PortAllocator.owner(of: port))])
            }
        }
        discovery = Discovery.stackVariables(loaded.config, ports: portAssignment())
        do {
            let capture = try OutputCapture(sink: outputs.sink)
            self.capture = capture
            launcher = try ProcessLauncher(capture: capture)
        } catch {
            throw .launcher(error)
        }
        sampler = ProcSampler()
        writeRunRecord()
    }

    func select() throws(SupervisorError) -> [String] {
        let stack = loaded.config
        for name in options.services where stack.services[name] == nil {
            var m = "unknown service \"\(name)\""
            if let g = Suggest.closest(to: name, in: Array(stack.services.keys)) { m += "; did you mean \"\(g)\"?" }
            throw .selection(m)
        }
        let enabled = stack.services.values.filter { s in
            !s.disabled && (s.profiles.isEmpty || !Set(s.profiles).isDisjoint(with: options.profiles))
        }.map(\.name)
        let roots = options.services.isEmpty ? enabled : options.services
        let chosen = graph.closure(of: roots)
        for name in chosen where stack.services[name]!.disabled {
            let by = graph.dependents(of: name).filter(chosen.contains)
            throw .selection("\(name) is disabled but \(by.joined(separator: ", ")) depend\(by.count == 1 ? "s" : "") on it; enable it or remove the dependency")
        }
        let selected = Array(stack.services.keys.filter(chosen.contains))
        guard !selected.isEmpty else {
            throw .selection("no service to start: every service is disabled or in a profile (use --profile NAME)")
        }
        for name in selected {
            let config = stack.services[name]!
            let replicas = (1...config.replicas).map { Replica(snap: ReplicaSnapshot(service: name, replica: $0)) }
            services[name] = Service(config: config, port: nil, balancer: nil, replicas: replicas, desired: config.replicas)
        }
        return selected
    }

    func checkPrograms() throws(SupervisorError) {
        var problems: [String] = []
        let fm = FileManager.default
        for name in order {
            let config = services[name]!.config
            let cwd = environment.cwd(config)
            var isDir: ObjCBool = false
            if !fm.fileExists(atPath: cwd, isDirectory: &isDir) || !isDir.boolValue {
                problems.append("\(name): working directory \(cwd) does not exist; create it or fix cwd:")
                continue
            }
            guard case .argv(let args) = config.command, let program = args.first, !program.contains("${") else { continue }
            let path = options.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
            if program.contains("/") {
                let full = program.hasPrefix("/") ? program : (cwd as NSString).appendingPathComponent(program)
                if !fm.isExecutableFile(atPath: full) {
                    problems.append("\(name): program \(program) not found or not executable in \(cwd)")
                }
            } else if !path.split(separator: ":").contains(where: { fm.isExecutableFile(atPath: "\($0)/\(program)") }) {
                problems.append("\(name): program \"\(program)\" not found in PATH; install it or fix the command")
            }
        }
        if !problems.isEmpty { throw .missingPrograms(problems) }
    }

    func checkFixedPorts() throws(SupervisorError) {
        var taken: [(what: String, port: Int, owner: PortOwner?)] = []
        for name in order {
            for (portName, spec) in services[name]!.config.allPorts {
                guard case .fixed(let port) = spec else { continue }
                if !PortAllocator.isFree(port) {
                    taken.append((portName.isEmpty ? name : "\(name).\(portName)", port, PortAllocator.owner(of: port)))
                }
            }
        }
        if !taken.isEmpty { throw .portsTaken(taken) }
    }

    func allocatePorts() throws(SupervisorError) {
        // Fixed ports first, so automatic ones never collide with them.
        for name in order {
            for (_, spec) in services[name]!.config.allPorts {
                if case .fixed(let p) = spec { allocated.insert(p) }
            }
        }
        for name in order {
            let config = services[name]!.config
            switch config.port {
            case .fixed(let p): services[name]!.port = p
            case .auto: services[name]!.port = try freePort()
            case .none: break
            }
            for i in services[name]!.replicas.indices {
                services[name]!.replicas[i].snap.ports = try replicaPorts(config)
            }
        }
    }

    func freePort() throws(SupervisorError) -> Int {
        guard let p = PortAllocator.allocate(avoiding: allocated) else {
            throw .portsTaken([(what: "an automatic port", port: 0, owner: nil)])
        }
        allocated.insert(p)
        return p
    }

    /// A replica's own ports: the main one always automatic (the balancer owns the service
    /// port); named ports fixed when configured so (only with one replica), else automatic.
    func replicaPorts(_ config: ServiceConfig) throws(SupervisorError) -> [String: Int] {
        var ports: [String: Int] = [:]
        if config.port != .none { ports[""] = try freePort() }
        for (name, spec) in config.ports {
            switch spec {
            case .fixed(let p): ports[name] = p
            case .auto: ports[name] = try freePort()
            case .none: break
            }
        }
        return ports
    }

    func portAssignment() -> PortAssignment {
        var a = PortAssignment()
        for name in order {
            let s = services[name]!
            var named = s.replicas.first?.snap.ports ?? [:]
            named[""] = s.port
            if s.port == nil { named.removeValue(forKey: "") }
            if !named.isEmpty { a.ports[name] = named }
        }
        return a
    }

    // MARK: - Running

    /// Runs every selected replica until `shutdown()` completes. Call after `prepare()`.
    public func run() async {
        for name in order {
            for i in services[name]!.replicas.indices {
                services[name]!.replicas[i].running = true
                commandSink.yield(.runReplica(name, i + 1))
            }
        }
        await withTaskGroup(of: Void.self) { group in
            for await command in commands {
                switch command {
                case .runReplica(let name, let replica):
                    group.addTask { await self.replicaLoop(name, replica) }
                }
            }
            await group.waitForAll()
        }
    }

    /// Resumes everything waiting for a state change.
    func notifyChanged() {
        let pending = waiters
        waiters.removeAll()
        for w in pending { w.resume() }
    }

    /// Suspends until the next state change.
    func changed() async {
        await withCheckedContinuation { waiters.append($0) }
    }

    func writeRunRecord() {
        var groups: [RunRecord.Group] = []
        for name in order {
            for r in services[name]!.replicas {
                guard let p = r.process else { continue }
                groups.append(RunRecord.Group(service: name, replica: r.snap.replica, pgid: p.pgid,
                                              startTicks: ProcInfo.startTicks(of: p.pid) ?? 0))
            }
        }
        let me = getpid()
        let record = RunRecord(supervisorPID: me, supervisorStartTicks: ProcInfo.startTicks(of: me) ?? 0,
                               project: loaded.config.name, groups: groups)
        try? record.write(to: options.stateDirectory.stateFile)
    }

    func note(_ name: String, _ replica: Int, _ text: String) {
        outputs.system(LogSource(service: name, replica: replica), text)
    }

    /// Points the balancer of `name` at its ready replicas.
    func refreshBackends(_ name: String) {
        guard let s = services[name], let lb = s.balancer else { return }
        let ready = s.replicas.filter { r in
            r.process != nil && r.snap.state == .running && (r.snap.health == .healthy || r.snap.health == .none)
        }.compactMap { $0.snap.ports[""] }
        lb.setBackends(ready)
    }
}
