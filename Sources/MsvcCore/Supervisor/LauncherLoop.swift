import CMsvcSys
import Glibc

/// The launcher thread: forks, reaps leaders, follows groups (and what left them) until empty,
/// talks to the watchdog. Created on that thread and never shared, so it needs no locks.
final class LauncherLoop {
    /// A group whose leader is reaped but which still has members; polled with backoff because
    /// the kernel offers no notification for "process group became empty".
    private struct Linger {
        var process: LaunchedProcess
        var interval: Duration
        var due: ContinuousClock.Instant
    }

    /// A watched pidfd of a process that left its group.
    private struct EscapeeToken {
        var owner: LaunchedProcess
        var pid: Int32
    }

    private static let cgroupTokenBit: UInt64 = 1 << 41
    private static let escapeeTokenBit: UInt64 = 1 << 42
    private static let firstInterval: Duration = .milliseconds(5)
    private static let maxInterval: Duration = .milliseconds(500)

    private let core: LauncherCore
    private let capture: OutputCapture
    private let useWatchdog: Bool
    private let onTrackingChange: (@Sendable () -> Void)?
    private let clock = ContinuousClock()
    private let watchdog = WatchdogLink()
    private var live: [Int32: LaunchedProcess] = [:]
    private var lingering: [Int32: Linger] = [:]
    private var registered: Set<Int32> = []
    private var stopDeadline: ContinuousClock.Instant?
    private var nextSweep: ContinuousClock.Instant
    /// cgroup containment: each group's cgroup.events, watched for "populated 0".
    private var cgroupEvents: [Int32: Int32] = [:]
    private var launches = 0
    /// Descendant tracking (no cgroup): the tracker and the pidfds it watches.
    private let tracker: DescendantTracker?
    private var escapees: [UInt64: EscapeeToken] = [:]
    private var nextEscapeeToken: UInt64 = 1
    private var trackingChanged = false

    /// Creates the loop state (on the launcher thread).
    init(core: LauncherCore, capture: OutputCapture, options: ProcessLauncher.Options) {
        self.core = core
        self.capture = capture
        useWatchdog = options.watchdog
        onTrackingChange = options.onTrackingChange
        tracker = core.cgroup == nil ? DescendantTracker() : nil
        nextSweep = clock.now
    }

    private var poller: EventPoller { core.poller }

    /// Every process whose group is followed: leaders running and groups lingering.
    private var followed: [Int32: LaunchedProcess] {
        live.merging(lingering.mapValues(\.process)) { a, _ in a }
    }

    /// Runs until shutdown, then stops the watchdog and signals `core.finished`.
    func run() {
        var tokens = [UInt64](repeating: 0, count: 64)
        while true {
            let n = poller.wait(timeoutMS: nextTimeoutMS(), into: &tokens)
            for token in tokens.prefix(n) {
                if token == EventPoller.wakeToken {
                    poller.drainWake()
                    for command in core.takeCommands() { handle(command) }
                } else if token & WatchdogLink.tokenBit != 0 {
                    watchdogExited()
                } else if token & Self.cgroupTokenBit != 0 {
                    cgroupChanged(Int32(truncatingIfNeeded: token & 0xffff_ffff))
                } else if token & Self.escapeeTokenBit != 0 {
                    escapeeExited(token)
                } else {
                    leaderExited(Int32(truncatingIfNeeded: token))
                }
            }
            if let tracker, !live.isEmpty || !lingering.isEmpty, let due = tracker.nextDue, due <= clock.now {
                _ = tracker.run(followed)
            }
            registerEscapees()
            checkLingering()
            sweepLiveGroupsIfSubreaper()
            if trackingChanged {
                trackingChanged = false
                onTrackingChange?()
            }
            if let deadline = stopDeadline, (live.isEmpty && lingering.isEmpty) || clock.now >= deadline { break }
        }
        finish()
    }

    private func handle(_ command: LauncherCore.Command) {
        switch command {
        case .launch(let spec, let reply):
            reply.fulfill(stopDeadline == nil ? launch(spec) : .failure(.launcherStopped))
        case .poke(let pgid):
            recheck(pgid)
            tracker?.soon(pgid)
        case .abandonWatchdog:
            // Simulates msvc dying: the watchdog sees EOF while every group is still running.
            watchdog.abandon()
        case .shutdown:
            stopDeadline = clock.now + .seconds(5)
            for process in live.values { process.killGroup() }
            for entry in lingering.values { entry.process.killGroup() }
        }
    }

    /// A cgroup's `populated` changed: reading cgroup.events re-arms the notification (kernfs
    /// reports a change until the file is read again), then a lingering group is looked at.
    private func cgroupChanged(_ pgid: Int32) {
        guard let events = cgroupEvents[pgid] else { return }
        _ = msvc_cgroup_populated(-1, events)
        recheck(pgid)
    }

    /// Looks at a lingering group at once (a signal was sent or its cgroup changed).
    private func recheck(_ pgid: Int32) {
        guard var entry = lingering[pgid] else { return }
        entry.interval = Self.firstInterval
        entry.due = clock.now
        lingering[pgid] = entry
    }

    private func nextTimeoutMS() -> Int32 {
        var wait: Duration? = nil
        if let due = lingering.values.map(\.due).min() { wait = clock.now.duration(to: due) }
        if ProcessLauncher.subreaperEnabled.load(ordering: .relaxed), !live.isEmpty {
            wait = min(wait ?? .seconds(1), clock.now.duration(to: nextSweep))
        }
        if let tracker, !live.isEmpty || !lingering.isEmpty, let due = tracker.nextDue {
            wait = min(wait ?? .seconds(10), clock.now.duration(to: due))
        }
        if stopDeadline != nil { wait = min(wait ?? .milliseconds(50), .milliseconds(50)) }
        guard let wait else { return -1 }
        return Int32(clamping: max(0, Units.milliseconds(wait) + 1))
    }

    // MARK: Launching

    private func launch(_ spec: LaunchSpec) -> Result<LaunchedProcess, LaunchError> {
        if useWatchdog, !watchdog.isConnected {
            stopWatchdog()
            if let error = startWatchdog() { return .failure(error) }
        }
        let first = spawn(spec)
        // The watchdog may have died without us noticing yet: replace it and try once more.
        guard case .failure(.watchdogUnavailable) = first, useWatchdog else { return first }
        stopWatchdog()
        if let error = startWatchdog() { return .failure(error) }
        return spawn(spec)
    }

    /// A cgroup for the next process, named after the launch count and its source.
    private func makeCgroup(for source: LogSource) -> Result<(Cgroup, Int32)?, LaunchError> {
        guard let parent = core.cgroup else { return .success(nil) }
        let safe = String(source.description.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_" ? $0 : "_" }.prefix(200))
        switch parent.makeChild("\(launches)-\(safe)") {
        case .failure(let error): return .failure(error)
        case .success(let cgroup):
            let procs = msvc_cgroup_open_file(cgroup.dirFD, "cgroup.procs", 1)
            guard procs >= 0 else {
                cgroup.remove()
                return .failure(.system(call: "open \(cgroup.path)/cgroup.procs", errno: -procs))
            }
            return .success((cgroup, procs))
        }
    }

    private func spawn(_ spec: LaunchSpec) -> Result<LaunchedProcess, LaunchError> {
        launches += 1
        var cgroup: Cgroup?
        var procsFD: Int32 = -1
        switch makeCgroup(for: spec.source) {
        case .failure(let error): return .failure(error)
        case .success(let made): if let made { (cgroup, procsFD) = made }
        }
        defer { if procsFD >= 0 { close(procsFD) } }
        var out: [Int32] = [-1, -1]
        var err: [Int32] = [-1, -1]
        var rc = msvc_output_pipe(&out)
        if rc == 0 {
            rc = msvc_output_pipe(&err)
            if rc != 0 { close(out[0]); close(out[1]) }
        }
        guard rc == 0 else {
            cgroup?.remove()
            return .failure(.system(call: "pipe", errno: -rc))
        }

        let argv = CStringArray(spec.arguments)
        let envp = CStringArray(spec.environment.map { "\($0.key)=\($0.value)" }.sorted())
        var result = msvc_spawn_result()
        let pid = spec.searchPath.withCString { searchPath in
            withOptionalCString(spec.cwd.isEmpty ? nil : spec.cwd) { cwd in
                var request = msvc_spawn_request(
                    argv: argv.pointer, envp: envp.pointer, cwd: cwd, search_path: searchPath,
                    stdout_fd: out[1], stderr_fd: err[1], watchdog_fd: useWatchdog ? watchdog.socketFD : -1,
                    cgroup_procs_fd: procsFD)
                return msvc_spawn(&request, &result)
            }
        }
        close(out[1])
        close(err[1])
        guard pid > 0 else {
            close(out[0])
            close(err[0])
            cgroup?.remove()
            return .failure(LaunchError.from(result, spec: spec))
        }

        let pidfd = msvc_pidfd_open(pid)
        guard pidfd >= 0 else {
            _ = msvc_kill_group(pid, SIGKILL)
            cgroup?.kill()
            var status: Int32 = 0
            _ = waitpid(pid, &status, 0)
            watchdog.group(pid, false)
            close(out[0])
            close(err[0])
            cgroup?.remove()
            return .failure(.system(call: "pidfd_open", errno: -pidfd))
        }
        if useWatchdog, watchdog.isConnected { registered.insert(pid) }
        let fingerprint = spec.environment.filter { $0.key.hasPrefix("MSVC_") }.map { "\($0.key)=\($0.value)" }.sorted()
        let process = LaunchedProcess(pid: pid, pidfd: pidfd, source: spec.source, arguments: spec.arguments,
                                      cgroup: cgroup, fingerprint: fingerprint, serial: launches) { [weak core = self.core] pgid in
            core?.submit(.poke(pgid))
        }
        live[pid] = process
        _ = poller.add(pidfd, token: UInt64(pid))
        if let cgroup {
            let events = msvc_cgroup_open_file(cgroup.dirFD, "cgroup.events", 0)
            if events >= 0 {
                cgroupEvents[pid] = events
                _ = poller.addPriority(events, token: Self.cgroupTokenBit | UInt64(pid))
            }
        }
        tracker?.launched(pid)
        capture.attach(stdout: out[0], stderr: err[0], source: spec.source) { process.outputClosed.fulfill(()) }
        return .success(process)
    }

    // MARK: Reaping

    private func leaderExited(_ pid: Int32) {
        guard let process = live[pid] else { return }
        var signaled: Int32 = 0
        var value: Int32 = 0
        let rc = msvc_reap_pid(pid, &signaled, &value)
        if rc == 0 { return } // not a zombie yet: the pidfd stays level-triggered until it is
        let status: ExitStatus = rc < 0 ? .unknown : (signaled != 0 ? .signaled(value) : .exited(value))
        live[pid] = nil
        process.markExited(status, poller: poller)
        reapOrphans(of: pid)
        // Whatever left the group below the leader was just re-parented to msvc: claim it now.
        if tracker?.claim(process, among: followed) ?? 0 > 0 { registerEscapees() }
        if isAlive(process, thorough: false) {
            lingering[pid] = Linger(process: process, interval: Self.firstInterval, due: clock.now + Self.firstInterval)
        } else {
            groupGone(process)
        }
    }

    /// Whether anything of `process` still runs: its group, a tracked process or its cgroup.
    /// `thorough` also scans for zombies that keep the group id alive for kill(2).
    private func isAlive(_ process: LaunchedProcess, thorough: Bool) -> Bool {
        if let cgroup = process.cgroup, cgroup.isPopulated(eventsFD: cgroupEvents[process.pgid] ?? -1) == true { return true }
        if process.hasEscapees { return true }
        if msvc_group_alive(process.pgid) != 0, !thorough || msvc_group_has_live_members(process.pgid) != 0 { return true }
        // The group is empty: one last look for a member that left it just now.
        guard let tracker, tracker.claim(process, among: followed) > 0 else { return false }
        registerEscapees()
        return true
    }

    /// Reaps zombies of the group that were re-parented to us (only happens as a subreaper).
    private func reapOrphans(of pgid: Int32) {
        var signaled: Int32 = 0
        var value: Int32 = 0
        while true {
            let pid = msvc_reap_group_member(pgid, &signaled, &value)
            if pid <= 0 { return }
            if pid == pgid {
                if live[pgid] != nil { leaderExited(pgid) }
                return
            }
        }
    }

    /// Reaps adopted zombies that left their group, when they come from one of our cgroups
    /// (descendant tracking reaps through the pidfds instead).
    private func reapEscapedZombies() {
        guard let stack = core.cgroup else { return }
        let prefix = stack.relativePath + "/"
        var signaled: Int32 = 0
        var value: Int32 = 0
        for _ in 0..<64 {
            let pid = msvc_peek_zombie_child()
            guard pid > 0, live[pid] == nil, pid != watchdog.runningPID, let path = ProcInfo.cgroup(of: pid), path.hasPrefix(prefix)
            else { return }
            _ = msvc_reap_pid(pid, &signaled, &value)
        }
    }

    private func checkLingering() {
        let now = clock.now
        for (pgid, var entry) in lingering where entry.due <= now {
            reapOrphans(of: pgid)
            // After a few cheap kill(2) checks, look for zombies someone else has yet to reap.
            if !isAlive(entry.process, thorough: entry.interval >= .milliseconds(80)) {
                groupGone(entry.process)
            } else {
                entry.interval = min(entry.interval * 2, Self.maxInterval)
                entry.due = now + entry.interval
                lingering[pgid] = entry
            }
        }
    }

    private func sweepLiveGroupsIfSubreaper() {
        guard ProcessLauncher.subreaperEnabled.load(ordering: .relaxed), clock.now >= nextSweep else { return }
        nextSweep = clock.now + .seconds(1)
        for pgid in Array(live.keys) { reapOrphans(of: pgid) }
        reapEscapedZombies()
    }

    private func groupGone(_ process: LaunchedProcess) {
        lingering[process.pgid] = nil
        tracker?.forget(process.pgid)
        // Unregister promptly: once empty, the pgid may be recycled by an unrelated process.
        if registered.remove(process.pgid) != nil { watchdog.group(process.pgid, false) }
        if let events = cgroupEvents.removeValue(forKey: process.pgid) {
            poller.remove(events)
            close(events)
        }
        if let cgroup = process.cgroup {
            reapEscapedZombies()
            cgroup.remove()
        }
        escapees = escapees.filter { $0.value.owner !== process }
        process.markGroupGone(poller: poller)
    }

    // MARK: Escaped processes (descendant tracking)

    /// Gives newly tracked processes to the poller (to see them exit) and to the watchdog.
    private func registerEscapees() {
        guard tracker != nil else { return }
        for process in followed.values {
            for e in process.takeUnregisteredEscapees() {
                let token = Self.escapeeTokenBit | nextEscapeeToken
                nextEscapeeToken += 1
                escapees[token] = EscapeeToken(owner: process, pid: e.pid)
                _ = poller.add(e.pidfd, token: token)
                watchdog.track(pid: e.pid, startTicks: e.startTicks, pidfd: e.pidfd)
                trackingChanged = true
            }
        }
    }

    private func escapeeExited(_ token: UInt64) {
        guard let entry = escapees.removeValue(forKey: token) else { return }
        guard entry.owner.escapeeExited(entry.pid, poller: poller) else { return }
        watchdog.untrack(pid: entry.pid)
        trackingChanged = true
        recheck(entry.owner.pgid)
    }

    // MARK: Watchdog

    private func startWatchdog() -> LaunchError? {
        let error = watchdog.start(poller: poller, cgroup: core.cgroup, groups: registered,
                                   escapees: followed.values.flatMap { $0.registeredEscapees() })
        core.watchdogPID.store(watchdog.runningPID, ordering: .relaxed)
        return error
    }

    private func stopWatchdog() {
        watchdog.stop(poller: poller)
        core.watchdogPID.store(0, ordering: .relaxed)
    }

    private func watchdogExited() {
        stopWatchdog()
        // Someone killed it: start another so the guarantee holds for what is still running.
        if stopDeadline == nil, !registered.isEmpty || core.cgroup != nil { _ = startWatchdog() }
    }

    private func finish() {
        // An empty cgroup is removed here; one still holding a process past the deadline is
        // left to the watchdog, which kills it when its socket closes below.
        let empty = live.isEmpty && lingering.isEmpty
        if empty, core.cgroup != nil { watchdog.untrackCgroup() }
        stopWatchdog()
        if let cgroup = core.cgroup {
            reapEscapedZombies()
            cgroup.remove()
        }
        for command in core.takeCommands() {
            if case .launch(_, let reply) = command { reply.fulfill(.failure(.launcherStopped)) }
        }
        core.finished.fulfill(())
    }
}

private func withOptionalCString<R>(_ s: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
    guard let s else { return body(nil) }
    return s.withCString { body($0) }
}
