import CMsvcSys
import Glibc

/// The launcher thread: forks, reaps leaders, follows groups until empty, talks to the watchdog.
/// Created on that thread and never shared, so it needs no locks.
final class LauncherLoop {
    private struct Watchdog {
        var pid: Int32
        var socket: Int32
        var pidfd: Int32
    }

    /// A group whose leader is reaped but which still has members; polled with backoff because
    /// the kernel offers no notification for "process group became empty".
    private struct Linger {
        var process: LaunchedProcess
        var interval: Duration
        var due: ContinuousClock.Instant
    }

    private static let watchdogTokenBit: UInt64 = 1 << 40
    private static let firstInterval: Duration = .milliseconds(5)
    private static let maxInterval: Duration = .milliseconds(500)

    private let core: LauncherCore
    private let capture: OutputCapture
    private let useWatchdog: Bool
    private let clock = ContinuousClock()
    private var watchdog: Watchdog?
    private var live: [Int32: LaunchedProcess] = [:]
    private var lingering: [Int32: Linger] = [:]
    private var registered: Set<Int32> = []
    private var stopDeadline: ContinuousClock.Instant?
    private var nextSweep: ContinuousClock.Instant

    /// Creates the loop state (on the launcher thread).
    init(core: LauncherCore, capture: OutputCapture, useWatchdog: Bool) {
        self.core = core
        self.capture = capture
        self.useWatchdog = useWatchdog
        nextSweep = clock.now
    }

    private var poller: EventPoller { core.poller }

    /// Runs until shutdown, then stops the watchdog and signals `core.finished`.
    func run() {
        var tokens = [UInt64](repeating: 0, count: 64)
        while true {
            let n = poller.wait(timeoutMS: nextTimeoutMS(), into: &tokens)
            for token in tokens.prefix(n) {
                if token == EventPoller.wakeToken {
                    poller.drainWake()
                    for command in core.takeCommands() { handle(command) }
                } else if token & Self.watchdogTokenBit != 0 {
                    watchdogExited()
                } else {
                    leaderExited(Int32(truncatingIfNeeded: token))
                }
            }
            checkLingering()
            sweepLiveGroupsIfSubreaper()
            if let deadline = stopDeadline, (live.isEmpty && lingering.isEmpty) || clock.now >= deadline { break }
        }
        finish()
    }

    private func handle(_ command: LauncherCore.Command) {
        switch command {
        case .launch(let spec, let reply):
            reply.fulfill(stopDeadline == nil ? launch(spec) : .failure(.launcherStopped))
        case .poke(let pgid):
            if var entry = lingering[pgid] {
                entry.interval = Self.firstInterval
                entry.due = clock.now
                lingering[pgid] = entry
            }
        case .abandonWatchdog:
            // Simulates msvc dying: the watchdog sees EOF while every group is still running.
            if let w = watchdog { close(w.socket) }
            watchdog?.socket = -1
        case .shutdown:
            stopDeadline = clock.now + .seconds(5)
            for process in live.values { process.killGroup() }
            for entry in lingering.values { entry.process.killGroup() }
        }
    }

    private func nextTimeoutMS() -> Int32 {
        var wait: Duration? = nil
        if let due = lingering.values.map(\.due).min() { wait = clock.now.duration(to: due) }
        if ProcessLauncher.subreaperEnabled.load(ordering: .relaxed), !live.isEmpty {
            wait = min(wait ?? .seconds(1), clock.now.duration(to: nextSweep))
        }
        if stopDeadline != nil { wait = min(wait ?? .milliseconds(50), .milliseconds(50)) }
        guard let wait else { return -1 }
        return Int32(clamping: max(0, Units.milliseconds(wait) + 1))
    }

    // MARK: Launching

    private func launch(_ spec: LaunchSpec) -> Result<LaunchedProcess, LaunchError> {
        if useWatchdog, watchdog?.socket ?? -1 < 0 {
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

    private func spawn(_ spec: LaunchSpec) -> Result<LaunchedProcess, LaunchError> {
        var out: [Int32] = [-1, -1]
        var err: [Int32] = [-1, -1]
        var rc = msvc_output_pipe(&out)
        if rc == 0 {
            rc = msvc_output_pipe(&err)
            if rc != 0 { close(out[0]); close(out[1]) }
        }
        guard rc == 0 else { return .failure(.system(call: "pipe", errno: -rc)) }

        let argv = CStringArray(spec.arguments)
        let envp = CStringArray(spec.environment.map { "\($0.key)=\($0.value)" }.sorted())
        var result = msvc_spawn_result()
        let pid = spec.searchPath.withCString { searchPath in
            withOptionalCString(spec.cwd.isEmpty ? nil : spec.cwd) { cwd in
                var request = msvc_spawn_request(
                    argv: argv.pointer, envp: envp.pointer, cwd: cwd, search_path: searchPath,
                    stdout_fd: out[1], stderr_fd: err[1], watchdog_fd: watchdog?.socket ?? -1)
                return msvc_spawn(&request, &result)
            }
        }
        close(out[1])
        close(err[1])
        guard pid > 0 else {
            close(out[0])
            close(err[0])
            return .failure(LaunchError.from(result, spec: spec))
        }

        let pidfd = msvc_pidfd_open(pid)
        guard pidfd >= 0 else {
            _ = msvc_kill_group(pid, SIGKILL)
            var status: Int32 = 0
            _ = waitpid(pid, &status, 0)
            if let socket = watchdog?.socket { _ = msvc_watchdog_send(socket, -pid) }
            close(out[0])
            close(err[0])
            return .failure(.system(call: "pidfd_open", errno: -pidfd))
        }
        if watchdog != nil { registered.insert(pid) }
        let process = LaunchedProcess(pid: pid, pidfd: pidfd, source: spec.source, arguments: spec.arguments) {
            [weak core = self.core] pgid in core?.submit(.poke(pgid))
        }
        live[pid] = process
        _ = poller.add(pidfd, token: UInt64(pid))
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
        if msvc_group_alive(pid) != 0 {
            lingering[pid] = Linger(process: process, interval: Self.firstInterval, due: clock.now + Self.firstInterval)
        } else {
            groupGone(process)
        }
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

    private func checkLingering() {
        let now = clock.now
        for (pgid, var entry) in lingering where entry.due <= now {
            reapOrphans(of: pgid)
            // After a few cheap kill(2) checks, look for zombies someone else has yet to reap.
            let alive = msvc_group_alive(pgid) != 0
                && (entry.interval < .milliseconds(80) || msvc_group_has_live_members(pgid) != 0)
            if !alive {
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
    }

    private func groupGone(_ process: LaunchedProcess) {
        lingering[process.pgid] = nil
        // Unregister promptly: once empty, the pgid may be recycled by an unrelated process.
        if registered.remove(process.pgid) != nil, let socket = watchdog?.socket {
            _ = msvc_watchdog_send(socket, -process.pgid)
        }
        process.markGroupGone()
    }

    // MARK: Watchdog

    private func startWatchdog() -> LaunchError? {
        var socket: Int32 = -1
        let pid = msvc_watchdog_start(&socket)
        guard pid > 0 else { return .watchdogUnavailable(errno: errno) }
        let pidfd = msvc_pidfd_open(pid)
        if pidfd >= 0 { _ = poller.add(pidfd, token: Self.watchdogTokenBit | UInt64(pid)) }
        watchdog = Watchdog(pid: pid, socket: socket, pidfd: pidfd)
        core.watchdogPID.store(pid, ordering: .relaxed)
        for pgid in registered where msvc_watchdog_send(socket, pgid) != 0 {
            return .watchdogUnavailable(errno: EPIPE)
        }
        return nil
    }

    /// Closes the socket (so a live watchdog kills what is still registered) and reaps it.
    private func stopWatchdog() {
        guard let w = watchdog else { return }
        watchdog = nil
        core.watchdogPID.store(0, ordering: .relaxed)
        if w.socket >= 0 { close(w.socket) }
        if w.pidfd >= 0 {
            poller.remove(w.pidfd)
            close(w.pidfd)
        }
        // It exits right after its kill pass (well under a second), so this wait is short.
        var status: Int32 = 0
        while waitpid(w.pid, &status, 0) < 0 && errno == EINTR {}
    }

    private func watchdogExited() {
        stopWatchdog()
        // Someone killed it: start another so the guarantee holds for what is still running.
        if stopDeadline == nil, !registered.isEmpty { _ = startWatchdog() }
    }

    private func finish() {
        stopWatchdog()
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
