import Foundation

extension StackSupervisor {
    /// Runs one probe every `interval` while the process of `generation` lives. Readiness
    /// results set health (and balancer membership); a liveness probe that fails `retries`
    /// times in a row stops the process so the restart policy brings it back.
    func probeLoop(_ name: String, _ replica: Int, _ generation: Int, _ probe: Probe, liveness: Bool) async {
        var tracker = ProbeTracker(probe: probe)
        let started = ContinuousClock.now
        while !Task.isCancelled {
            let result = await check(probe, name, replica)
            guard !Task.isCancelled, let r = replicaState(name, replica), r.generation == generation, r.process != nil else { return }
            let changed = tracker.record(result, elapsed: ContinuousClock.now - started)
            if liveness {
                if tracker.status == .unhealthy {
                    let why = "liveness probe failed \(probe.retries) time\(probe.retries == 1 ? "" : "s"): \(result.detail)"
                    update(name, replica) { $0.livenessFailure = why }
                    note(name, replica, why + "; restarting")
                    r.process?.killGroup()
                    return
                }
            } else {
                update(name, replica) { rep in
                    rep.snap.lastProbe = result
                    if let changed {
                        rep.snap.health = changed
                        if changed == .healthy && rep.snap.state == .starting { rep.snap.state = .running }
                    }
                    // Unhealthy after retries: still running, but out of the balancer.
                    if changed == .unhealthy && rep.snap.state == .starting { rep.snap.state = .running }
                }
                if let changed { note(name, replica, "\(changed.rawValue): \(result.detail)") }
            }
            try? await Task.sleep(for: probe.interval)
        }
    }

    /// Runs a probe's check once against a replica.
    func check(_ probe: Probe, _ name: String, _ replica: Int) async -> ProbeResult {
        let ports = replicaState(name, replica)?.snap.ports ?? [:]
        func port(_ named: String?) -> Int? { ports[named ?? ""] }
        switch probe.check {
        case .http(let path, let portName, let status, let headers):
            guard let p = port(portName) else { return ProbeResult(ok: false, detail: "no port to probe") }
            return await NetworkChecks.http(port: p, path: path, status: status, headers: Array(headers.map { ($0.key, $0.value) }), timeout: probe.timeout)
        case .tcp(let portName):
            guard let p = port(portName) else { return ProbeResult(ok: false, detail: "no port to probe") }
            return await NetworkChecks.tcp(port: p, timeout: probe.timeout)
        case .log(let pattern):
            let seen = outputs.matched(LogSource(service: name, replica: replica))
            return ProbeResult(ok: seen, detail: seen ? "saw a line matching /\(pattern)/" : "no line matching /\(pattern)/ yet")
        case .exec(let command):
            return await execCheck(command, name, replica, timeout: probe.timeout)
        }
    }

    /// Runs `/bin/sh -c command` with the replica's environment and folder; passes on exit 0.
    func execCheck(_ command: String, _ name: String, _ replica: Int, timeout: Duration) async -> ProbeResult {
        guard let launcher, let config = services[name]?.config, let r = replicaState(name, replica) else {
            return ProbeResult(ok: false, detail: "not running")
        }
        let env = environment.environment(service: config, replica: replica, ownPorts: r.snap.ports, discovery: discovery)
        let source = LogSource(service: name + OutputRouter.probeSuffix, replica: replica)
        let spec = LaunchSpec(arguments: ["/bin/sh", "-c", command], environment: env, cwd: environment.cwd(config), source: source)
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
