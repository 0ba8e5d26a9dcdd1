import Foundation

extension StackSupervisor {
    /// Runs one probe every `interval` while the process of `generation` lives. Readiness
    /// results set health (and balancer membership); a liveness probe that fails `retries`
    /// times in a row stops the process so the restart policy brings it back. `seeded` starts
    /// readiness as healthy (a rolling restart's successor, checked before it took over).
    func probeLoop(_ id: ReplicaID, _ generation: Int, _ ports: [String: Int], _ probe: Probe, liveness: Bool, seeded: Bool) async {
        var tracker = ProbeTracker(probe: probe)
        if seeded { tracker.record(ProbeResult(ok: true, detail: "ready before it took over"), elapsed: .zero) }
        let started = ContinuousClock.now
        if seeded { try? await Task.sleep(for: probe.interval) }
        // Until its first pass, a readiness probe also takes a quick look between its regular
        // runs (`quickLook`): a pass counts at once, a failure only at the regular runs, so
        // retries and start_period keep their meaning while a service that came up is seen
        // within a quick look instead of an interval.
        var looking = !liveness && !seeded && Self.looksQuickly(probe.check)
        var regularDue = ContinuousClock.now
        while !Task.isCancelled {
            let regular = ContinuousClock.now >= regularDue
            if !regular, let port = Self.quickLookPort(probe.check, ports), NetworkChecks.quickConnect(port: port) != true {
                await ProbeClock.shared.sleep(until: min(regularDue, Self.quickSlot()))
                continue
            }
            let result = await check(probe, id, ports: ports)
            guard !Task.isCancelled, let r = replica(id), r.generation == generation, let process = r.phase.process else { return }
            if !regular && !result.ok {
                await ProbeClock.shared.sleep(until: min(regularDue, Self.quickSlot()))
                continue
            }
            if regular { regularDue = Self.probeSlot(after: ContinuousClock.now + probe.interval, interval: probe.interval) }
            let changedTo = tracker.record(result, elapsed: ContinuousClock.now - started)
            if liveness {
                if tracker.status == .unhealthy {
                    let why = "liveness probe failed \(probe.retries) time\(probe.retries == 1 ? "" : "s"): \(result.detail)"
                    update(id) { $0.livenessFailure = why }
                    note(id, why + "; restarting")
                    process.killGroup()
                    return
                }
            } else if changedTo == nil {
                // Same verdict as before: record it quietly. Waking every waiter (and the
                // balancer) for an unchanged result costs a stack of 200 services with 100 ms
                // probes 2,000 wake-ups a second.
                services[id.service]?.replicas[id.replica]?.lastProbe = result
            } else {
                update(id) { rep in
                    rep.lastProbe = result
                    if changedTo == .healthy { rep.wasReady = true }
                    guard let changedTo else { return }
                    switch rep.phase {
                    case .starting(let p) where changedTo == .healthy || changedTo == .unhealthy:
                        // Unhealthy after retries: still running, but out of the balancer.
                        rep.phase = .running(p, changedTo)
                    case .running(let p, _):
                        rep.phase = .running(p, changedTo)
                    default: break
                    }
                }
                if let changedTo { note(id, "\(changedTo.rawValue): \(result.detail)") }
            }
            if tracker.status == .healthy { looking = false }
            await ProbeClock.shared.sleep(until: looking ? min(regularDue, Self.quickSlot()) : regularDue)
        }
    }

    /// How often a starting replica's readiness probe takes a quick look.
    static let quickLook: Duration = .milliseconds(25)

    /// The next quick-look slot (on the shared grid, so starting replicas look together).
    static func quickSlot() -> ContinuousClock.Instant {
        probeSlot(after: ContinuousClock.now + quickLook, interval: quickLook * 4)
    }

    /// Whether a probe kind is cheap enough to look often: not `exec`, which starts a process.
    static func looksQuickly(_ check: ProbeCheck) -> Bool {
        if case .exec = check { return false }
        return true
    }

    /// The port a quick look connects to before the full check (nil: look with the check itself).
    static func quickLookPort(_ check: ProbeCheck, _ ports: [String: Int]) -> Int? {
        switch check {
        case .tcp(let name): return ports[name ?? ""]
        case .http(_, let name, _, _): return ports[name ?? ""]
        case .log, .exec: return nil
        }
    }

    /// The instant all probe timers count from, so that their slots line up across replicas.
    static let probeEpoch = ContinuousClock.now

    /// The first slot at or after `instant` on a process-wide grid of a quarter `interval`
    /// (at most 250ms): probes of many replicas then wake together from one timer
    /// (`ProbeClock`), a few times per interval; a probe still waits at least `interval`.
    static func probeSlot(after instant: ContinuousClock.Instant, interval: Duration) -> ContinuousClock.Instant {
        let grid = max(min(interval / 4, .milliseconds(250)), .milliseconds(1))
        let step = nanoseconds(grid)
        let since = nanoseconds(probeEpoch.duration(to: instant))
        guard since > 0 else { return instant }
        let slots = (since + step - 1) / step
        return probeEpoch + .nanoseconds(slots * step)
    }

    /// `d` in whole nanoseconds.
    static func nanoseconds(_ d: Duration) -> Int64 {
        d.components.seconds * 1_000_000_000 + d.components.attoseconds / 1_000_000_000
    }

    /// Runs a probe's check once against a replica's process listening on `ports`.
    func check(_ probe: Probe, _ id: ReplicaID, ports: [String: Int]) async -> ProbeResult {
        func port(_ named: String?) -> Int? { ports[named ?? ""] }
        switch probe.check {
        case .http(let path, let portName, let status, let headers):
            guard let p = port(portName) else { return ProbeResult(ok: false, detail: "no port to probe") }
            return await NetworkChecks.http(port: p, path: path, status: status, headers: Array(headers.map { ($0.key, $0.value) }), timeout: probe.timeout)
        case .tcp(let portName):
            guard let p = port(portName) else { return ProbeResult(ok: false, detail: "no port to probe") }
            return await NetworkChecks.tcp(port: p, timeout: probe.timeout)
        case .log(let pattern):
            let seen = outputs.matched(id)
            return ProbeResult(ok: seen, detail: seen ? "saw a line matching /\(pattern)/" : "no line matching /\(pattern)/ yet")
        case .exec(let command):
            return await execCheck(command, id, ports: ports, timeout: probe.timeout)
        }
    }

    /// Runs `/bin/sh -c command` with the replica's environment and folder; passes on exit 0.
    func execCheck(_ command: String, _ id: ReplicaID, ports: [String: Int], timeout: Duration) async -> ProbeResult {
        guard let launcher, let base = launchSpec(id, ports: ports) else {
            return ProbeResult(ok: false, detail: "not running")
        }
        let source = ReplicaID(service: id.service + OutputRouter.probeSuffix, replica: id.replica)
        let spec = LaunchSpec(arguments: ["/bin/sh", "-c", command], environment: base.environment, cwd: base.cwd, source: source)
        do {
            let process = try await launcher.launch(spec)
            guard let status = await process.waitForExit(timeout: timeout) else {
                process.killGroup()
                _ = await process.waitForExit()
                return ProbeResult(ok: false, detail: "exec: no result within \(Units.format(timeout))")
            }
            if !process.isGroupGone { process.killGroup() }
            _ = await process.waitForOutputClosed(timeout: .seconds(1))
            let output = outputs.lastProbeOutput(source).map { ": \($0)" } ?? ""
            return ProbeResult(ok: status.isSuccess, detail: "exec: \(status.description)\(output)")
        } catch {
            return ProbeResult(ok: false, detail: "exec: \(error.description)")
        }
    }
}
