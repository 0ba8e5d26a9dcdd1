import Foundation

extension StackSupervisor: StackControl {
    /// The state of every selected service now.
    public func snapshot() async throws -> StackSnapshot {
        currentSnapshot()
    }

    /// The snapshot, derived from each replica's phase.
    func currentSnapshot() -> StackSnapshot {
        let fileProblems = outputs.fileProblems()
        let list = order.compactMap { name -> ServiceSnapshot? in
            guard let s = services[name] else { return nil }
            var named = s.ordered.first?.ports ?? [:]
            named.removeValue(forKey: "")
            let count = s.replicas.count
            let reps = s.ordered.map { r -> ReplicaSnapshot in
                var snap = ReplicaSnapshot(service: name, replica: r.id.replica, name: r.id.label(replicas: count))
                snap.state = r.phase.state
                snap.health = r.phase.health(probed: s.config.health != nil)
                snap.lastProbe = r.lastProbe
                snap.pid = r.phase.process?.pid
                snap.ports = r.ports
                snap.restarts = r.restarts
                snap.startedAt = r.phase.process == nil ? nil : r.startedAt
                snap.lastExit = r.lastExit
                if case .backingOff(let until, _) = r.phase { snap.nextRestartAt = until }
                snap.message = r.phase.message(maxRestarts: s.config.maxRestarts)
                snap.lastLines = r.lastLines
                snap.successorPID = r.successor?.process.pid
                snap.logFileProblem = fileProblems[r.id]
                if let p = r.phase.process, let usage = sampler?.usage(of: p.pgid) {
                    snap.cpuPercent = usage.cpuPercent
                    snap.rssBytes = usage.rssBytes
                }
                return snap
            }
            return ServiceSnapshot(name: name, port: s.port, namedPorts: named, desiredReplicas: s.desired, replicas: reps,
                                   dependsOn: s.config.dependsOn, watch: watchSnapshot(name))
        }
        var snapshot = StackSnapshot(project: loaded.config.name, startedAt: startedAt, socketPath: options.socketPath ?? options.stateDirectory.socket,
                                     pid: getpid(), services: list)
        snapshot.containment = launcher?.containment
        return snapshot
    }

    // Log queries run off the actor: only the name check needs its state, so a slow query
    // never holds up probes, restarts or `ps`.

    public nonisolated func logs(_ query: LogQuery) async throws -> [LogRecord] {
        try await validate(query.services)
        return try await hub.records(query)
    }

    public nonisolated func follow(_ query: LogQuery) async throws -> AsyncThrowingStream<LogEvent, any Error> {
        try await validate(query.services)
        return try hub.follow(query)
    }

    /// Checks that every name is a service of this run, with did-you-mean for typos.
    func validate(_ names: [String]) throws(ControlError) {
        for n in names where services[n] == nil {
            if loaded.config.services[n] != nil { throw .invalid("\(n) is not part of this run (disabled, or not selected)") }
            var m = "unknown service \"\(n)\""
            if let g = Suggest.closest(to: n, in: order) { m += "; did you mean \"\(g)\"?" }
            throw .unknownService(m)
        }
    }

    public func start(_ names: [String]) async throws -> ActionResult {
        try validate(names)
        guard !isStopping else { return ActionResult(ok: false, message: "the stack is shutting down") }
        var started: [String] = []
        for name in names {
            for r in services[name]!.ordered where r.phase.isTerminal {
                launchLoop(r.id)
                started.append(label(r.id))
            }
        }
        return ActionResult(ok: true, message: started.isEmpty ? "already running: \(names.joined(separator: ", "))" : "starting \(started.joined(separator: ", "))")
    }

    /// Resets a replica that is not running and hands it to a new loop task.
    func launchLoop(_ id: ReplicaID) {
        guard lifecycle == .running || lifecycle == .prepared else { return }
        update(id) {
            $0.intent = .run
            $0.unstableRestarts = 0
            $0.streak = nil
            $0.phase = .waiting([])
        }
        if lifecycle == .running { commandSink.yield(.runReplica(id)) }
    }

    public func stop(_ names: [String]) async throws -> ActionResult {
        try validate(names)
        await withTaskGroup(of: Void.self) { group in
            for name in names {
                for r in services[name]!.ordered {
                    group.addTask { await self.stopReplica(r.id) }
                }
            }
        }
        return ActionResult(ok: true, message: "stopped \(names.joined(separator: ", "))")
    }

    /// Stops one replica (and any successor) with its stop signal, SIGKILL after `timeout`
    /// (default: its stop_timeout), and waits until its loop has ended.
    func stopReplica(_ id: ReplicaID, timeout: Duration? = nil) async {
        guard let r = replica(id) else { return }
        update(id) {
            $0.intent = .stop
            if let p = $0.phase.process { $0.phase = .stopping(p) }
        }
        await withTaskGroup(of: Void.self) { group in
            if let p = r.phase.process { group.addTask { await self.stopProcess(id, p, timeout: timeout) } }
            if let next = r.successor {
                group.addTask { await self.stopProcess(id, next.process, timeout: timeout) }
            }
        }
        await waitUntilTerminal(id)
    }

    /// Waits until no loop owns the replica (or it is gone).
    func waitUntilTerminal(_ id: ReplicaID) async {
        while let r = replica(id), !r.phase.isTerminal {
            let version = signal.version
            if replica(id)?.phase.isTerminal ?? true { return }
            await signal.wait(after: version, topics: [id.service])
        }
    }

    public func restart(_ names: [String]) async throws -> ActionResult {
        try validate(names)
        guard !isStopping else { return ActionResult(ok: false, message: "the stack is shutting down") }
        var problems: [String] = []
        for name in names {
            await exclusive([name]) {
                if let problem = await restartService(name) { problems.append(problem) }
            }
        }
        if !problems.isEmpty { return ActionResult(ok: false, message: problems.joined(separator: "\n")) }
        return ActionResult(ok: true, message: "restarted \(names.joined(separator: ", "))")
    }

    /// Restarts one service: rolling, replica by replica, when it sits behind a balancer;
    /// otherwise every replica at once. Returns a problem for people, or nil.
    func restartService(_ name: String) async -> String? {
        guard let s = services[name] else { return nil }
        if s.balancer != nil, canRoll(s.config) {
            return await rollingRestart(name)
        }
        await withTaskGroup(of: Void.self) { group in
            for r in s.ordered {
                if r.phase.isTerminal {
                    launchLoop(r.id)
                } else {
                    group.addTask { await self.restartReplica(r.id) }
                }
            }
        }
        return nil
    }

    /// Stops the replica's process so its loop starts a new one at once.
    func restartReplica(_ id: ReplicaID) async {
        guard let r = replica(id) else { return }
        update(id) {
            $0.intent = .restart
            if let p = $0.phase.process { $0.phase = .stopping(p) }
        }
        if let p = r.phase.process { await stopProcess(id, p, timeout: nil) }
    }

    /// Turns watch mode on or off for a watched service (the dashboard's `w`).
    public func watch(_ service: String, enabled: Bool) async throws -> ActionResult {
        ActionResult(ok: true, message: try setWatch(service, enabled: enabled))
    }

    public func scale(_ name: String, to count: Int) async throws -> ActionResult {
        try validate([name])
        guard (0...Self.maxReplicas).contains(count) else {
            throw ControlError.usage("replicas must be 0 to \(Self.maxReplicas), not \(count)")
        }
        guard !isStopping else { return ActionResult(ok: false, message: "the stack is shutting down") }
        let config = services[name]!.config
        if count > 1, config.ports.values.contains(where: { if case .fixed = $0 { true } else { false } }) {
            throw ControlError.invalid("\(name) has fixed named ports, which every replica would bind; make them auto to scale")
        }
        return try await exclusive([name]) {
            let current = services[name]?.replicas.count ?? 0
            try await scaleService(name, to: count)
            return ActionResult(ok: true, message: "\(name) scaled from \(current) to \(count)")
        }
    }

    /// The most replicas a service may have.
    public static let maxReplicas = 256

    /// Adds or removes replicas (the highest indices go first). Call inside `exclusive`.
    func scaleService(_ name: String, to count: Int) async throws(ControlError) {
        guard let s = services[name] else { return }
        services[name]!.desired = count
        let current = s.replicas.count
        if count > current {
            for index in current + 1...count {
                let id = ReplicaID(service: name, replica: index)
                let ports: [String: Int]
                do { ports = try replicaPorts(s.config) } catch { throw .invalid(error.description) }
                services[name]!.replicas[index] = Replica(id: id, ports: ports)
                launchLoop(id)
            }
        } else if count < current {
            let removed = (count + 1...current).map { ReplicaID(service: name, replica: $0) }
            await withTaskGroup(of: Void.self) { group in
                for id in removed { group.addTask { await self.stopReplica(id) } }
            }
            for id in removed {
                outputs.forget(id)
                if let r = services[name]?.replicas.removeValue(forKey: id.replica) {
                    releasePorts(r.ports.values)
                }
            }
        }
        refreshBackends(name)
        changed(name)
    }

    public func shutdown(timeout: Duration?) async throws -> ActionResult {
        await stopAll(timeout: timeout)
        return ActionResult(ok: true, message: "stopped \(order.count) service\(order.count == 1 ? "" : "s")")
    }

    /// Stops everything in reverse dependency order, then ends `run()`. Safe to call twice
    /// and before `run()`; a second call waits for the first.
    public func stopAll(timeout: Duration? = nil) async {
        guard !isStopping else {
            await waitUntilFinished()
            return
        }
        if lifecycle != .running {
            // Prepared but never run (or never prepared): no process, nothing to stop.
            lifecycle = .stopping
            await finish()
            return
        }
        lifecycle = .stopping
        for name in order {
            for r in services[name]?.ordered ?? [] { update(r.id) { $0.intent = .stop } }
        }
        changed()
        for level in graph.levels(of: Set(order)).reversed() {
            await withTaskGroup(of: Void.self) { group in
                for name in level {
                    for r in services[name]?.ordered ?? [] {
                        group.addTask { await self.stopReplica(r.id, timeout: timeout) }
                    }
                }
            }
        }
        await finish()
    }

    /// Waits until the stack has finished stopping.
    func waitUntilFinished() async {
        while lifecycle != .finished {
            let version = signal.version
            if lifecycle == .finished { return }
            await signal.wait(after: version)
        }
    }

    /// Kills every process group at once (a second Ctrl-C); a `stopAll` under way then
    /// finishes promptly, and one is started if none was.
    public func killAll() async {
        for name in order {
            for r in services[name]?.ordered ?? [] {
                update(r.id) { $0.intent = .stop }
                r.phase.process?.killGroup()
                r.successor?.process.killGroup()
            }
        }
        changed()
        if !isStopping { await stopAll(timeout: .zero) }
    }

    func finish() async {
        guard lifecycle != .finished else { return }
        commandSink.finish()
        await release()
        hub.finishAll()
        try? FileManager.default.removeItem(atPath: options.stateDirectory.stateFile)
        lifecycle = .finished
        changed()
    }

    /// Waits until every selected service is ready, one has failed, or `timeout` passes.
    public func waitUntilReady(timeout: Duration) async -> ReadyOutcome {
        let deadline = ContinuousClock.now + timeout
        while true {
            let version = signal.version
            let (outcome, recheck) = readiness()
            if let outcome { return outcome }
            let now = ContinuousClock.now
            if now >= deadline || Task.isCancelled { return readiness().outcome ?? .timedOut(pendingList()) }
            let limit = min(now.duration(to: deadline), recheck ?? now.duration(to: deadline))
            await signal.wait(after: version, limit: limit)
        }
    }

    /// How long a replica without a readiness probe must stay up before it counts as ready,
    /// so `--wait` catches a service that exits right after it starts.
    static let settle: TimeInterval = 1

    /// How many identical failures in a row (before ever being ready) `--wait` reports as a
    /// crash loop, without waiting for the backoff to run out.
    static let sameFailureLimit = 3

    /// The readiness verdict now (nil: undecided) and when to look again without a change
    /// (a replica settling).
    func readiness() -> (outcome: ReadyOutcome?, recheck: Duration?) {
        switch lifecycle {
        case .created: return (nil, nil)
        case .stopping, .finished: return (.failed(service: loaded.config.name, reason: "the stack is stopping"), nil)
        case .prepared, .running: break
        }
        var settling: TimeInterval?
        var pending = false
        // Runs after every change while `--wait` waits (a thousand times as 200 services
        // start): names and messages are built only for the verdict.
        for name in order {
            guard let s = services[name] else { continue }
            for r in s.replicas.count == 1 ? Array(s.replicas.values) : s.ordered {
                var id: String { label(r.id) }
                var last: String { r.lastLines.last.map { "; last output: \($0)" } ?? "" }
                switch r.phase {
                case .crashLoop, .failed:
                    return (.failed(service: id, reason: (r.phase.message(maxRestarts: s.config.maxRestarts) ?? r.phase.state.rawValue) + last), nil)
                case .exited(let status):
                    if !status.isSuccess { return (.failed(service: id, reason: status.description + last), nil) }
                case .stopped:
                    return (.failed(service: id, reason: "stopped"), nil)
                case .running(_, .healthy):
                    continue
                case .running(_, .none):
                    let up = r.startedAt.map { Date().timeIntervalSince($0) } ?? 0
                    if up < Self.settle {
                        settling = min(settling ?? Self.settle, Self.settle - up)
                        pending = true
                    }
                default:
                    if let streak = r.streak, streak.count >= Self.sameFailureLimit {
                        return (.failed(service: id, reason: "crash-looping: \(streak.status.description) \(streak.count) times in a row"
                            + (streak.lastLine.map { "; last output: \($0)" } ?? "")), nil)
                    }
                    pending = true
                }
            }
        }
        if !pending { return (.ready, nil) }
        return (nil, settling.map { .milliseconds(Int64($0 * 1000) + 10) })
    }

    /// What is not ready yet, for a timeout message.
    func pendingList() -> [String] {
        var out: [String] = []
        for name in order {
            guard let s = services[name] else { continue }
            for r in s.ordered {
                switch r.phase {
                case .running(_, .healthy), .exited(.exited(0)): continue
                case .running(_, .none) where (r.startedAt.map { Date().timeIntervalSince($0) } ?? 0) >= Self.settle: continue
                default:
                    let health = r.phase.health(probed: s.config.health != nil)
                    let detail = r.lastProbe.map { ": \($0.detail)" } ?? (r.phase.message(maxRestarts: s.config.maxRestarts).map { ": \($0)" } ?? "")
                    out.append("\(label(r.id)) \(health == .unhealthy ? "unhealthy" : r.phase.state.rawValue)\(detail)")
                }
            }
        }
        return out
    }
}
