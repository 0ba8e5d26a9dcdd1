import Foundation

extension StackSupervisor {
    /// Whether a service can be restarted replica by replica with old and new side by side:
    /// fixed named ports would be bound by both at once.
    func canRoll(_ config: ServiceConfig) -> Bool {
        !config.ports.values.contains { if case .fixed = $0 { true } else { false } }
    }

    /// How long a replacement may take to become ready before the rollout gives up.
    func readinessBudget(_ config: ServiceConfig) -> Duration {
        guard let probe = config.health else { return .seconds(30) }
        let probing = probe.startPeriod + (probe.interval + probe.timeout) * (probe.retries + 2)
        return max(.seconds(30), probing)
    }

    /// Replaces the replicas of `name` one at a time: start a new process on fresh ports,
    /// wait until it is ready, put it in the balancer, then take the old one out, let its
    /// connections finish and stop it. The balanced port never refuses a connection. Returns
    /// a problem for people (the old process then keeps serving), or nil.
    func rollingRestart(_ name: String) async -> String? {
        for index in services[name]?.replicas.keys.sorted() ?? [] {
            let id = ReplicaID(service: name, replica: index)
            guard !isStopping, let r = replica(id), r.intent != .stop else { return nil }
            switch r.phase {
            case .running(let old, _) where r.phase.isReady:
                if let problem = await rollOver(id, from: old) { return problem }
            case _ where r.phase.isTerminal:
                launchLoop(id)
            default:
                // Not serving yet (waiting, starting, backing off): a plain restart costs nothing.
                await restartReplica(id)
            }
        }
        return nil
    }

    /// Replaces one ready replica's process.
    func rollOver(_ id: ReplicaID, from old: LaunchedProcess) async -> String? {
        guard let launcher, let config = services[id.service]?.config else { return nil }
        let ports: [String: Int]
        do { ports = try replicaPorts(config) } catch { return "\(label(id)): \(error.description)" }
        guard let spec = launchSpec(id, ports: ports) else { return nil }
        if case .log(let pattern) = config.health?.check { outputs.watch(id, pattern: pattern) }
        let process: LaunchedProcess
        do {
            process = try await launcher.launch(spec)
        } catch {
            releasePorts(ports.values)
            note(id, "rolling restart: the replacement failed to start: \(error.description); the old process keeps serving")
            return "\(label(id)): the replacement failed to start: \(error.description)"
        }
        sampler?.track(process.pgid, true)
        services[id.service]?.definedEnv = environment.definedEnvironment(config)
        note(id, "rolling restart: replacement started: pid \(process.pid) on port \(ports[""].map(String.init) ?? "-")")
        update(id) { $0.successor = Successor(process: process, ports: ports, ready: false, startedAt: Date()) }
        writeRunRecord()

        if let why = await successorReadiness(id, process, ports: ports, config: config) {
            await stopProcess(id, process, timeout: nil)
            _ = await process.waitForOutputClosed(timeout: .seconds(2))
            sampler?.track(process.pgid, false)
            update(id) { if $0.successor?.process === process { $0.successor = nil } }
            releasePorts(ports.values)
            writeRunRecord()
            note(id, "rolling restart: the replacement \(why); the old process keeps serving")
            return "\(label(id)): the replacement \(why); the old process keeps serving"
        }
        // In the balancer first, then the old one out and drained: no moment without a backend.
        update(id) { r in
            r.successor?.ready = true
            if r.phase.process === old { r.phase = .stopping(old) }
        }
        if let lb = services[id.service]?.balancer, let oldPort = replica(id).flatMap({ r in r.phase.process === old ? r.ports[""] : nil }) {
            await lb.drain(port: oldPort, timeout: config.stopTimeout)
        }
        await stopProcess(id, old, timeout: nil)
        // The replica's loop adopts the successor once the old group is gone.
        while let r = replica(id), r.successor?.process === process {
            let version = signal.version
            if replica(id)?.successor?.process !== process { break }
            await signal.wait(after: version, topics: [id.service])
        }
        note(id, "rolling restart: now serving from pid \(process.pid)")
        return nil
    }

    /// Waits until a successor is ready: its readiness probe passes once, or (without one) its
    /// main port accepts connections, or (without a port) it stays up a moment. Returns why
    /// not, or nil when ready.
    func successorReadiness(_ id: ReplicaID, _ process: LaunchedProcess, ports: [String: Int], config: ServiceConfig) async -> String? {
        let budget = readinessBudget(config)
        return await withTaskGroup(of: String??.self) { group in
            group.addTask {
                // Cancellable, so the group can end while the successor keeps running.
                guard let status = await process.exited.wait() else { return nil }
                return "exited (\(status.description))"
            }
            group.addTask {
                try? await Task.sleep(for: budget)
                return Task.isCancelled ? .some(nil) : "was not ready within \(Units.format(budget))"
            }
            group.addTask { await self.probeSuccessor(id, ports: ports, config: config) ? .some(nil) : nil }
            group.addTask {
                await self.waitWhileWanted(id)
                return "was cancelled: the service is stopping"
            }
            var verdict: String? = "was cancelled"
            while let next = await group.next() {
                guard let result = next else { continue }
                verdict = result
                break
            }
            group.cancelAll()
            return verdict
        }
    }

    /// Probes a successor until it is ready; false when cancelled first.
    func probeSuccessor(_ id: ReplicaID, ports: [String: Int], config: ServiceConfig) async -> Bool {
        var probe = config.health ?? Probe(check: .tcp(port: nil))
        if config.health == nil { probe.interval = .milliseconds(50) }
        if config.health == nil, ports[""] == nil {
            try? await Task.sleep(for: .seconds(Self.settle))
            return !Task.isCancelled
        }
        while !Task.isCancelled {
            if await check(probe, id, ports: ports).ok { return true }
            try? await Task.sleep(for: min(probe.interval, .milliseconds(50)))
        }
        return false
    }

    /// Returns once the replica is no longer wanted running (stopped, or the stack stopping).
    func waitWhileWanted(_ id: ReplicaID) async {
        while !Task.isCancelled, let r = replica(id), r.intent != .stop, !isStopping {
            let version = signal.version
            await signal.wait(after: version, topics: [id.service])
        }
    }
}
