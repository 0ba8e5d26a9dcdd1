import Foundation

extension StackSupervisor {
    /// Whether a dependency condition holds, cannot hold any more, or is pending.
    enum DependencyState { case satisfied, pending, failed(String) }

    func dependencyState(_ dep: Dependency) -> DependencyState {
        guard let s = services[dep.service] else { return .failed("\(dep.service) is not part of this run") }
        let reps = s.replicas.map(\.snap)
        if let dead = reps.first(where: { $0.state == .crashLoop || $0.state == .failed }) {
            return .failed("\(dep.service) is \(dead.state.rawValue)\(dead.message.map { ": \($0)" } ?? "")")
        }
        switch dep.condition {
        case .started:
            return reps.contains { $0.pid != nil || $0.state == .running || $0.state == .exited } ? .satisfied : .pending
        case .healthy:
            if reps.contains(where: { $0.health == .healthy }) { return .satisfied }
            if reps.allSatisfy({ $0.state == .stopped || ($0.state == .exited && $0.nextRestartAt == nil) }) {
                return .failed("\(dep.service) stopped before it became healthy")
            }
            return .pending
        case .completed:
            if reps.allSatisfy({ $0.state == .exited && $0.lastExit == .exited(0) }) { return .satisfied }
            if let bad = reps.first(where: { $0.state == .exited && $0.nextRestartAt == nil && $0.lastExit != .exited(0) }) {
                return .failed("\(dep.service) \(bad.lastExit?.description ?? "did not complete")")
            }
            if reps.contains(where: { $0.state == .stopped }) { return .failed("\(dep.service) was stopped before it completed") }
            return .pending
        }
    }

    /// Waits until every dependency of `name` holds; false (replica marked failed) if one never will.
    func waitForDependencies(_ name: String, _ replica: Int) async -> Bool {
        let deps = services[name]!.config.dependsOn
        guard !deps.isEmpty else { return true }
        var announced = false
        while true {
            guard let r = replicaState(name, replica), !r.stopRequested, !shuttingDown else { return false }
            var pending: [String] = []
            for dep in deps {
                switch dependencyState(dep) {
                case .satisfied: continue
                case .pending: pending.append("\(dep.service) (\(dep.condition.rawValue))")
                case .failed(let why):
                    update(name, replica) {
                        $0.snap.state = .failed
                        $0.snap.message = "dependency failed: \(why)"
                    }
                    note(name, replica, "not started: dependency failed: \(why)")
                    return false
                }
            }
            if pending.isEmpty { return true }
            if !announced {
                update(name, replica) { $0.snap.message = "waiting for \(pending.joined(separator: ", "))" }
                announced = true
            }
            await changed()
        }
    }

    func replicaState(_ name: String, _ replica: Int) -> Replica? {
        guard let s = services[name], replica >= 1, replica <= s.replicas.count else { return nil }
        return s.replicas[replica - 1]
    }

    /// Changes one replica and tells waiters and the balancer.
    func update(_ name: String, _ replica: Int, _ change: (inout Replica) -> Void) {
        guard let s = services[name], replica >= 1, replica <= s.replicas.count else { return }
        change(&services[name]!.replicas[replica - 1])
        refreshBackends(name)
        notifyChanged()
    }

    /// One replica's whole life: wait for dependencies, run, restart by policy, until stopped.
    func replicaLoop(_ name: String, _ replica: Int) async {
        defer { update(name, replica) { $0.running = false } }
        guard await waitForDependencies(name, replica) else { return }
        update(name, replica) { $0.snap.message = nil }
        while let current = replicaState(name, replica), !current.stopRequested, !shuttingDown {
            guard let status = await runOnce(name, replica) else { return }
            guard let r = replicaState(name, replica) else { return }
            if r.stopRequested || shuttingDown {
                update(name, replica) { $0.snap.state = .stopped; $0.snap.nextRestartAt = nil }
                return
            }
            if r.restartRequested {
                update(name, replica) { $0.restartRequested = false }
                continue
            }
            guard let delay = restartDelay(name, replica, status) else { return }
            update(name, replica) { $0.snap.nextRestartAt = Date().addingTimeInterval(Units.seconds(delay)) }
            note(name, replica, "\(status.description)\(r.livenessFailure.map { " (\($0))" } ?? ""); restarting in \(Units.format(delay))")
            await sleep(name, replica, delay)
            update(name, replica) { $0.snap.nextRestartAt = nil }
        }
    }

    /// After an unplanned exit: the backoff before the next start, or nil when the replica
    /// stays down (policy says so, or crash-loop).
    func restartDelay(_ name: String, _ replica: Int, _ status: ExitStatus) -> Duration? {
        let config = services[name]!.config
        let r = replicaState(name, replica)!
        let wanted: Bool = switch config.restart {
        case .no: false
        case .onFailure: !status.isSuccess || r.livenessFailure != nil
        case .always: true
        }
        guard wanted else {
            update(name, replica) { $0.snap.state = .exited }
            note(name, replica, status.description)
            return nil
        }
        // A process that ran healthy (or 10 s without a probe) resets the crash-loop count.
        let ranFor = r.snap.startedAt.map { Date().timeIntervalSince($0) } ?? 0
        let stable = r.snap.health == .healthy || (config.health == nil && ranFor >= 10)
        let unstable = stable ? 1 : r.unstableRestarts + 1
        if unstable > config.maxRestarts {
            update(name, replica) {
                $0.snap.state = .crashLoop
                $0.snap.message = "\(status.description) after \(config.maxRestarts) restart\(config.maxRestarts == 1 ? "" : "s"); left stopped"
            }
            note(name, replica, "crash-loop: \(status.description); \(config.maxRestarts) restarts used, left stopped (msvc restart \(name) to try again)")
            return nil
        }
        update(name, replica) {
            $0.unstableRestarts = unstable
            $0.snap.restarts += 1
            $0.snap.state = .exited
        }
        let initial = Units.milliseconds(config.backoff.initial)
        let capped = min(Double(initial) * pow(2, Double(unstable - 1)), Double(Units.milliseconds(config.backoff.max)))
        return .milliseconds(Int64(capped))
    }

    /// Sleeps, waking early when the replica is stopped or restarted by hand.
    func sleep(_ name: String, _ replica: Int, _ delay: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: delay) }
            group.addTask { await self.waitForWake(name, replica) }
            await group.next()
            group.cancelAll()
            self.wake(name, replica)
        }
    }

    private func waitForWake(_ name: String, _ replica: Int) async {
        await withCheckedContinuation { c in
            if let r = replicaState(name, replica), r.wake == nil, !r.stopRequested, !r.restartRequested {
                services[name]!.replicas[replica - 1].wake = c
            } else {
                c.resume()
            }
        }
    }

    /// Ends a backoff sleep early.
    func wake(_ name: String, _ replica: Int) {
        guard let r = replicaState(name, replica), let c = r.wake else { return }
        services[name]!.replicas[replica - 1].wake = nil
        c.resume()
    }

    /// Starts the process once and waits for it to end; nil when it could not start.
    func runOnce(_ name: String, _ replica: Int) async -> ExitStatus? {
        guard let launcher else { return nil }
        let config = services[name]!.config
        let source = LogSource(service: name, replica: replica)
        let ports = replicaState(name, replica)!.snap.ports
        let env = environment.environment(service: config, replica: replica, ownPorts: ports, discovery: discovery)
        let spec = LaunchSpec(arguments: environment.arguments(service: config, environment: env),
                              environment: env, cwd: environment.cwd(config), source: source)
        update(name, replica) { $0.snap.state = .starting; $0.livenessFailure = nil }
        if case .log(let pattern) = config.health?.check { outputs.watch(source, pattern: pattern) }
        let process: LaunchedProcess
        do {
            process = try await launcher.launch(spec)
        } catch {
            update(name, replica) {
                $0.snap.state = .failed
                $0.snap.message = error.description
            }
            note(name, replica, "failed to start: \(error.description)")
            return nil
        }
        sampler?.track(process.pgid, true)
        update(name, replica) {
            $0.process = process
            $0.generation += 1
            $0.snap.pid = process.pid
            $0.snap.startedAt = Date()
            $0.snap.lastProbe = nil
            $0.snap.health = config.health == nil ? .none : .unknown
            $0.snap.state = config.health == nil ? .running : .starting
        }
        writeRunRecord()
        note(name, replica, "started: pid \(process.pid), \(spec.arguments.joined(separator: " "))")
        let generation = replicaState(name, replica)!.generation
        let status = await withTaskGroup(of: ExitStatus?.self) { group in
            group.addTask { await process.waitForExit() }
            if let probe = config.health {
                group.addTask { await self.probeLoop(name, replica, generation, probe, liveness: false); return nil }
            }
            if let probe = config.liveness {
                group.addTask { await self.probeLoop(name, replica, generation, probe, liveness: true); return nil }
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
        let tail = hub.tail(of: name, replica: replica, count: 20).filter { $0.stream != .system }.map(\.text)
        update(name, replica) {
            $0.process = nil
            $0.snap.pid = nil
            $0.snap.lastExit = status
            $0.snap.lastLines = tail
            if config.health != nil { $0.snap.health = .unknown }
        }
        writeRunRecord()
        return status
    }
}
