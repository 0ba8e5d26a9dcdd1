import Foundation

extension StackSupervisor: StackControl {
    /// The state of every selected service now.
    public func snapshot() async throws -> StackSnapshot {
        currentSnapshot()
    }

    func currentSnapshot() -> StackSnapshot {
        let list = order.compactMap { name -> ServiceSnapshot? in
            guard let s = services[name] else { return nil }
            var named = s.replicas.first?.snap.ports ?? [:]
            named.removeValue(forKey: "")
            let reps = s.replicas.map { r -> ReplicaSnapshot in
                var snap = r.snap
                if let p = r.process, let usage = sampler?.usage(of: p.pgid) {
                    snap.cpuPercent = usage.cpuPercent
                    snap.rssBytes = usage.rssBytes
                }
                return snap
            }
            return ServiceSnapshot(name: name, port: s.port, namedPorts: named, desiredReplicas: s.desired, replicas: reps)
        }
        return StackSnapshot(project: loaded.config.name, startedAt: startedAt, socketPath: options.stateDirectory.socket,
                             pid: getpid(), services: list)
    }

    public func logs(_ query: LogQuery) async throws -> [LogRecord] {
        try validate(query.services)
        return try hub.query(query)
    }

    public func follow(_ query: LogQuery) async throws -> AsyncThrowingStream<LogRecord, any Error> {
        try validate(query.services)
        return try hub.follow(query)
    }

    func validate(_ names: [String]) throws(ControlError) {
        for n in names where services[n] == nil {
            if loaded.config.services[n] != nil { throw .invalid("\(n) is not part of this run (disabled, or not selected)") }
            throw .unknownService(n)
        }
    }

    public func followBatches(_ query: LogQuery) async throws -> AsyncThrowingStream<[LogRecord], any Error> {
        try validate(query.services)
        return try hub.followBatches(query)
    }

    public func start(_ names: [String]) async throws -> ActionResult {
        try validate(names)
        guard !shuttingDown else { return ActionResult(ok: false, message: "the stack is shutting down") }
        var started: [String] = []
        for name in names {
            for i in services[name]!.replicas.indices where !services[name]!.replicas[i].running {
                launchLoop(name, i + 1)
                started.append(LogSource(service: name, replica: i + 1).description)
            }
        }
        return ActionResult(ok: true, message: started.isEmpty ? "already running: \(names.joined(separator: ", "))" : "starting \(started.joined(separator: ", "))")
    }

    /// Resets a replica and hands it to a new loop task.
    func launchLoop(_ name: String, _ replica: Int) {
        update(name, replica) {
            $0.running = true
            $0.stopRequested = false
            $0.restartRequested = false
            $0.unstableRestarts = 0
            $0.snap.state = .pending
            $0.snap.message = nil
            $0.snap.nextRestartAt = nil
        }
        commandSink.yield(.runReplica(name, replica))
    }

    public func stop(_ names: [String]) async throws -> ActionResult {
        try validate(names)
        await withTaskGroup(of: Void.self) { group in
            for name in names {
                for i in services[name]!.replicas.indices {
                    group.addTask { await self.stopReplica(name, i + 1) }
                }
            }
        }
        return ActionResult(ok: true, message: "stopped \(names.joined(separator: ", "))")
    }

    /// Stops one replica with its stop signal, then SIGKILL after its stop timeout.
    func stopReplica(_ name: String, _ replica: Int, restart: Bool = false, timeout: Duration? = nil) async {
        guard let r = replicaState(name, replica) else { return }
        let config = services[name]!.config
        update(name, replica) {
            if restart { $0.restartRequested = true } else { $0.stopRequested = true }
            if $0.process != nil { $0.snap.state = .stopping }
        }
        wake(name, replica)
        if let process = r.process {
            let signal = ProcessSignal.number(named: config.stopSignal) ?? SIGTERM
            let limit = timeout ?? config.stopTimeout
            let outcome = await process.stop(signal: signal, timeout: limit)
            if outcome.escalated {
                note(name, replica, "did not stop within \(Units.format(limit)) of SIG\(config.stopSignal); killed")
            }
        }
        // Wait for the loop to notice, so callers see the final state.
        while let cur = replicaState(name, replica), cur.running, cur.process != nil || cur.snap.state == .stopping {
            await changed()
        }
        if !restart {
            update(name, replica) { if !$0.running { $0.snap.state = .stopped } }
        }
    }

    public func restart(_ names: [String]) async throws -> ActionResult {
        try validate(names)
        for name in names {
            await withTaskGroup(of: Void.self) { group in
                for i in services[name]!.replicas.indices {
                    if services[name]!.replicas[i].running {
                        group.addTask { await self.stopReplica(name, i + 1, restart: true) }
                    } else {
                        launchLoop(name, i + 1)
                    }
                }
            }
        }
        return ActionResult(ok: true, message: "restarted \(names.joined(separator: ", "))")
    }

    public func scale(_ name: String, to count: Int) async throws -> ActionResult {
        try validate([name])
        guard (0...256).contains(count) else { throw ControlError.invalid("replicas must be 0 to 256, not \(count)") }
        let config = services[name]!.config
        if count > 1, config.ports.values.contains(where: { if case .fixed = $0 { true } else { false } }) {
            throw ControlError.invalid("\(name) has fixed named ports, which every replica would bind; make them auto to scale")
        }
        let current = services[name]!.replicas.count
        services[name]!.desired = count
        if count > current {
            for index in current + 1...count {
                var rep = Replica(snap: ReplicaSnapshot(service: name, replica: index))
                do { rep.snap.ports = try replicaPorts(config) } catch { throw ControlError.invalid(error.description) }
                services[name]!.replicas.append(rep)
                launchLoop(name, index)
            }
        } else if count < current {
            await withTaskGroup(of: Void.self) { group in
                for index in stride(from: current, to: count, by: -1) {
                    group.addTask { await self.stopReplica(name, index) }
                }
            }
            for index in count + 1...current {
                outputs.forget(LogSource(service: name, replica: index))
                for (_, p) in services[name]!.replicas[index - 1].snap.ports { allocated.remove(p) }
            }
            services[name]!.replicas.removeLast(current - count)
            refreshBackends(name)
            notifyChanged()
        }
        return ActionResult(ok: true, message: "\(name) scaled from \(current) to \(count)")
    }

    public func shutdown(timeout: Duration?) async throws -> ActionResult {
        await stopAll(timeout: timeout)
        return ActionResult(ok: true, message: "stopped \(order.count) service\(order.count == 1 ? "" : "s")")
    }

    /// Stops everything in reverse dependency order, then ends `run()`. Safe to call twice.
    public func stopAll(timeout: Duration? = nil) async {
        guard !shuttingDown else {
            while !finished { await changed() }
            return
        }
        shuttingDown = true
        notifyChanged()
        for level in graph.levels(of: Set(order)).reversed() {
            await withTaskGroup(of: Void.self) { group in
                for name in level {
                    for i in services[name]!.replicas.indices {
                        group.addTask { await self.stopReplica(name, i + 1, timeout: timeout) }
                    }
                }
            }
        }
        await finish()
    }

    /// Kills every process group at once (a second Ctrl-C), then finishes.
    public func killAll() async {
        shuttingDown = true
        for name in order {
            for i in services[name]!.replicas.indices {
                services[name]!.replicas[i].stopRequested = true
                services[name]!.replicas[i].process?.killGroup()
                wake(name, i + 1)
            }
        }
        notifyChanged()
    }

    func finish() async {
        guard !finished else { return }
        for name in order { await services[name]?.balancer?.stop() }
        commandSink.finish()
        sampler?.stop()
        await launcher?.shutdown()
        await capture?.shutdown()
        hub.finishAll()
        try? FileManager.default.removeItem(atPath: options.stateDirectory.stateFile)
        finished = true
        notifyChanged()
    }

    /// Waits until every selected service is ready, one has failed, or `timeout` passes.
    public func waitUntilReady(timeout: Duration) async -> ReadyOutcome {
        let deadline = ContinuousClock.now + timeout
        return await withTaskGroup(of: ReadyOutcome?.self) { group in
            group.addTask {
                try? await Task.sleep(until: deadline)
                return nil
            }
            group.addTask { await self.readiness(wait: true) }
            let first = await group.next() ?? nil
            group.cancelAll()
            self.notifyChanged()
            if let first { return first }
            return await self.readiness(wait: false) ?? .timedOut([])
        }
    }

    /// How long a replica without a readiness probe must stay up before it counts as ready,
    /// so `--wait` catches a service that exits right after it starts.
    static let settle: TimeInterval = 1

    /// Evaluates readiness; with `wait`, loops on state changes until decided or cancelled.
    func readiness(wait: Bool) async -> ReadyOutcome? {
        while true {
            var pending: [String] = []
            var settling: TimeInterval?
            for name in order {
                let s = services[name]!
                for r in s.replicas.map(\.snap) {
                    let id = LogSource(service: name, replica: r.replica).description
                    switch r.state {
                    case .crashLoop, .failed:
                        var reason = r.message ?? r.state.rawValue
                        if let last = r.lastLines.last { reason += "; last output: \(last)" }
                        return .failed(service: id, reason: reason)
                    case .exited where r.nextRestartAt == nil:
                        if r.lastExit != .exited(0) {
                            return .failed(service: id, reason: r.lastExit?.description ?? "exited")
                        }
                    case .running where r.health == .healthy:
                        continue
                    case .running where r.health == .none:
                        let up = r.startedAt.map { Date().timeIntervalSince($0) } ?? 0
                        if up < Self.settle {
                            settling = min(settling ?? Self.settle, Self.settle - up)
                            pending.append("\(id) starting")
                        }
                    case .stopped:
                        return .failed(service: id, reason: "stopped")
                    default:
                        let detail = r.lastProbe.map { ": \($0.detail)" } ?? (r.message.map { ": \($0)" } ?? "")
                        pending.append("\(id) \(r.health == .unhealthy ? "unhealthy" : r.state.rawValue)\(detail)")
                    }
                }
            }
            if pending.isEmpty { return .ready }
            if !wait || Task.isCancelled { return wait ? nil : .timedOut(pending) }
            if let settling {
                await changed(within: .milliseconds(Int64(settling * 1000) + 10))
            } else {
                await changed()
            }
        }
    }

    /// Suspends until the next state change or until `limit` passes.
    func changed(within limit: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.changed() }
            group.addTask { try? await Task.sleep(for: limit) }
            await group.next()
            group.cancelAll()
            self.notifyChanged()
        }
    }
}
