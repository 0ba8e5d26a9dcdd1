import Foundation

extension StackSupervisor {
    /// Whether a dependency condition holds, cannot hold any more, or is pending.
    enum DependencyState { case satisfied, pending, failed(String) }

    func dependencyState(_ dep: Dependency) -> DependencyState {
        guard let s = services[dep.service] else { return .failed("\(dep.service) is not part of this run") }
        let reps = s.ordered
        if let dead = reps.first(where: { if case .crashLoop = $0.phase { true } else if case .failed = $0.phase { true } else { false } }) {
            let why = dead.phase.message(maxRestarts: s.config.maxRestarts).map { ": \($0)" } ?? ""
            return .failed("\(label(dead.id)) is \(dead.phase.state.rawValue)\(why)")
        }
        switch dep.condition {
        case .started:
            let started = reps.contains { r in
                switch r.phase {
                case .starting, .running, .backingOff, .exited: return true
                default: return false
                }
            }
            return started ? .satisfied : .pending
        case .healthy:
            if reps.contains(where: { if case .running(_, .healthy) = $0.phase { true } else { false } }) { return .satisfied }
            if s.config.health == nil, reps.contains(where: { if case .running = $0.phase { true } else { false } }) {
                return .satisfied
            }
            if reps.allSatisfy({ $0.phase.isTerminal }) {
                return .failed("\(dep.service) stopped before it became healthy")
            }
            return .pending
        case .completed:
            if !reps.isEmpty, reps.allSatisfy({ if case .exited(.exited(0)) = $0.phase { true } else { false } }) { return .satisfied }
            if let bad = reps.first(where: { if case .exited = $0.phase { true } else { false } }), case .exited(let status) = bad.phase {
                return .failed("\(dep.service) \(status.description)")
            }
            if reps.contains(where: { if case .stopped = $0.phase { true } else { false } }) {
                return .failed("\(dep.service) was stopped before it completed")
            }
            return .pending
        }
    }

    /// Waits until every dependency of the replica holds; false (replica left failed or
    /// stopped) if one never will or the replica is stopped meanwhile.
    func waitForDependencies(_ id: ReplicaID) async -> Bool {
        while true {
            guard let r = replica(id), let s = services[id.service] else { return false }
            if r.intent == .stop || isStopping {
                set(id, .stopped)
                return false
            }
            let version = signal.version
            var pending: [String] = []
            for dep in s.config.dependsOn {
                switch dependencyState(dep) {
                case .satisfied: continue
                case .pending: pending.append("\(dep.service) (\(dep.condition.rawValue))")
                case .failed(let why):
                    set(id, .failed("dependency failed: \(why)"))
                    note(id, "not started: dependency failed: \(why)")
                    return false
                }
            }
            if pending.isEmpty { return true }
            if case .waiting(let shown) = r.phase, shown == pending {} else { set(id, .waiting(pending)) }
            await signal.wait(after: version, topics: Set(s.config.dependsOn.map(\.service) + [id.service]))
        }
    }

    func replica(_ id: ReplicaID) -> Replica? {
        services[id.service]?.replicas[id.replica]
    }

    /// Changes one replica and tells waiters and the balancer.
    func update(_ id: ReplicaID, _ change: (inout Replica) -> Void) {
        guard services[id.service]?.replicas[id.replica] != nil else { return }
        change(&services[id.service]!.replicas[id.replica]!)
        refreshBackends(id.service)
        changed(id.service)
    }

    /// Moves a replica to `phase`.
    func set(_ id: ReplicaID, _ phase: Phase) {
        update(id) { $0.phase = phase }
    }

    /// One replica's whole life: wait for dependencies, run, restart by policy, adopt a
    /// rolling restart's successor, until stopped or left down. Ends in a terminal phase.
    func replicaLoop(_ id: ReplicaID) async {
        guard await waitForDependencies(id) else { return }
        var carried: Successor?
        while let r = replica(id) {
            if carried == nil, r.intent == .stop || isStopping {
                set(id, .stopped)
                return
            }
            let process: LaunchedProcess
            var ready = false
            if let next = carried {
                process = next.process
                ready = next.ready
                carried = nil
            } else {
                update(id) { if $0.intent == .restart { $0.intent = .run } }
                guard let p = await launch(id) else { return }
                process = p
            }
            let status = await supervise(id, process, alreadyReady: ready)
            guard let after = replica(id) else { return }
            if let next = after.successor {
                // A rolling restart stopped the old process: the successor takes its place,
                // in one step so the balancer never sees the replica without a process.
                let probed = services[id.service]?.config.health != nil
                let oldPorts = after.ports.values
                update(id) {
                    $0.successor = nil
                    $0.ports = next.ports
                    $0.startedAt = next.startedAt
                    $0.phase = next.ready ? .running(next.process, probed ? .healthy : .none) : .starting(next.process)
                }
                releasePorts(oldPorts)
                carried = next
                continue
            }
            if after.intent == .stop || isStopping {
                set(id, .stopped)
                return
            }
            if after.intent == .restart { continue }
            guard let delay = restartDelay(id, status) else { return }
            let until = Date().addingTimeInterval(Units.seconds(delay))
            set(id, .backingOff(until: until, after: status))
            note(id, "\(status.description)\(after.livenessFailure.map { " (\($0))" } ?? ""); restarting in \(Units.format(delay))")
            await sleep(id, until: ContinuousClock.now + delay)
        }
    }

    /// After an unplanned exit: the backoff before the next start, or nil when the replica
    /// stays down (policy says so, or crash-loop), with its phase set accordingly.
    func restartDelay(_ id: ReplicaID, _ status: ExitStatus) -> Duration? {
        guard let config = services[id.service]?.config, let r = replica(id) else { return nil }
        let wanted: Bool = switch config.restart {
        case .no: false
        case .onFailure: !status.isSuccess || r.livenessFailure != nil
        case .always: true
        }
        guard wanted else {
            set(id, .exited(status))
            note(id, status.description)
            return nil
        }
        // A process that became ready (healthy, or 10 s up without a probe) resets the
        // crash-loop count; `supervise` clears the failure streak for it.
        let stable = r.streak == nil
        let unstable = stable ? 1 : r.unstableRestarts + 1
        if unstable > config.maxRestarts {
            set(id, .crashLoop(status, restarts: config.maxRestarts))
            note(id, "crash-loop: \(status.description); \(config.maxRestarts) restarts used, left stopped (msvc restart \(id.service) to try again)")
            return nil
        }
        update(id) {
            $0.unstableRestarts = unstable
            $0.restarts += 1
        }
        return Self.backoff(config.backoff, attempt: unstable)
    }

    /// The shortest pause between two starts of a replica, whatever `backoff.initial` says:
    /// a program that exits at once then costs msvc a start ten times a second at most.
    public static let minimumBackoff = Duration.milliseconds(100)

    /// The pause before start number `attempt` (from 1): exponential from `initial`, capped
    /// at `max`, never below `minimumBackoff`.
    static func backoff(_ b: Backoff, attempt: Int) -> Duration {
        let initial = Double(max(Units.milliseconds(b.initial), Units.milliseconds(minimumBackoff)))
        let cap = Double(max(Units.milliseconds(b.max), Units.milliseconds(minimumBackoff)))
        let ms = min(initial * pow(2, Double(min(attempt - 1, 40))), cap)
        return .milliseconds(Int64(ms))
    }

    /// Sleeps until `deadline`, waking early when the replica's intent changes or the stack stops.
    func sleep(_ id: ReplicaID, until deadline: ContinuousClock.Instant) async {
        while ContinuousClock.now < deadline {
            guard let r = replica(id), r.intent == .run, !isStopping else { return }
            let version = signal.version
            await signal.wait(after: version, topics: [id.service], limit: ContinuousClock.now.duration(to: deadline))
        }
    }

    /// The environment and command of a replica's process, with `ports` as its own.
    func launchSpec(_ id: ReplicaID, ports: [String: Int]) -> LaunchSpec? {
        guard let config = services[id.service]?.config else { return nil }
        let env = environment.environment(service: config, replica: id.replica, ownPorts: ports, discovery: discovery)
        return LaunchSpec(arguments: environment.arguments(service: config, environment: env),
                          environment: env, cwd: environment.cwd(config), source: id)
    }

    /// Starts the replica's process; nil (replica left failed) when it could not start.
    func launch(_ id: ReplicaID) async -> LaunchedProcess? {
        guard let launcher, let r = replica(id), let config = services[id.service]?.config,
              let spec = launchSpec(id, ports: r.ports) else { return nil }
        if case .log(let pattern) = config.health?.check { outputs.watch(id, pattern: pattern) }
        let process: LaunchedProcess
        do {
            process = try await launcher.launch(spec)
        } catch {
            set(id, .failed(error.description))
            note(id, "failed to start: \(error.description)")
            return nil
        }
        sampler?.track(process.pgid, true)
        lastLaunch = ContinuousClock.now
        services[id.service]?.definedEnv = environment.definedEnvironment(config)
        note(id, "started: pid \(process.pid), \(spec.arguments.joined(separator: " "))")
        update(id) {
            $0.startedAt = Date()
            $0.livenessFailure = nil
        }
        return process
    }

    /// Watches one process of a replica until its whole group is gone: probes, liveness,
    /// exit. Returns how the leader ended.
    func supervise(_ id: ReplicaID, _ process: LaunchedProcess, alreadyReady: Bool) async -> ExitStatus {
        guard let config = services[id.service]?.config, let r = replica(id) else {
            process.killGroup()
            return await process.waitForExit()
        }
        let generation = r.generation + 1
        let ports = r.ports
        update(id) {
            $0.generation = generation
            $0.lastProbe = nil
            $0.wasReady = alreadyReady
            if $0.intent == .stop {
                $0.phase = .stopping(process)
            } else if config.health == nil {
                $0.phase = .running(process, .none)
            } else {
                $0.phase = alreadyReady ? .running(process, .healthy) : .starting(process)
            }
        }
        writeRunRecord()
        if case .stopping = replica(id)?.phase { process.signalGroup(ProcessSignal.number(named: config.stopSignal) ?? SIGTERM) }
        let status = await withTaskGroup(of: ExitStatus?.self) { group in
            group.addTask { await process.waitForExit() }
            if let probe = config.health {
                group.addTask {
                    await self.probeLoop(id, generation, ports, probe, liveness: false, seeded: alreadyReady)
                    return nil
                }
            }
            if let probe = config.liveness {
                group.addTask {
                    await self.probeLoop(id, generation, ports, probe, liveness: true, seeded: false)
                    return nil
                }
            }
            var result = ExitStatus.unknown
            while let next = await group.next() {
                if let status = next {
                    result = status
                    group.cancelAll()
                }
            }
            return result
        }
        // Members that outlive the leader (a backgrounded child) go with it, so a restart
        // never finds its port held by the previous generation.
        if !process.isGroupGone { process.killGroup() }
        _ = await process.waitForGroupExit(timeout: .seconds(2))
        _ = await process.waitForOutputClosed(timeout: .seconds(2))
        sampler?.track(process.pgid, false)
        let tail = hub.tail(of: id.service, replica: id.replica, count: 20).filter { $0.stream != .system }.map(\.text)
        let ranFor = replica(id)?.startedAt.map { Date().timeIntervalSince($0) } ?? 0
        update(id) { rep in
            let everReady = rep.wasReady || (config.health == nil && ranFor >= 10)
            rep.lastExit = status
            rep.lastLines = tail
            if everReady {
                rep.streak = nil
            } else if rep.intent == .run && rep.successor == nil {
                if var s = rep.streak, s.status == status, s.lastLine == tail.last {
                    s.count += 1
                    rep.streak = s
                } else {
                    rep.streak = FailureStreak(status: status, lastLine: tail.last, count: 1)
                }
            }
        }
        writeRunRecord()
        return status
    }

    /// Stops one process of a replica with the service's stop signal, then SIGKILL after
    /// `timeout` (default: its stop_timeout). Notes an escalation.
    func stopProcess(_ id: ReplicaID, _ process: LaunchedProcess, timeout: Duration?) async {
        guard let config = services[id.service]?.config else {
            process.killGroup()
            return
        }
        let signal = ProcessSignal.number(named: config.stopSignal) ?? SIGTERM
        let limit = timeout ?? config.stopTimeout
        let outcome = await process.stop(signal: signal, timeout: limit)
        if outcome.escalated {
            note(id, "did not stop within \(Units.format(limit)) of SIG\(config.stopSignal); killed")
        }
    }
}
