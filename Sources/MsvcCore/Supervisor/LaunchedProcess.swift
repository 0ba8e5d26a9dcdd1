import CMsvcSys
import Glibc
import Synchronization

/// A process started by a `ProcessLauncher`: the leader of its own process group, together with
/// everything it starts, including processes that leave the group (see `ProcessContainment`).
///
/// Exit, group exit and output end are reported by the launcher's and the capture's threads;
/// awaiting them never blocks a thread of the cooperative pool.
public final class LaunchedProcess: Sendable, CustomStringConvertible {
    /// The leader's process id.
    public let pid: Int32
    /// Who the process is.
    public let source: LogSource
    /// The arguments it was started with.
    public let arguments: [String]
    /// The cgroup every process it starts stays in (cgroup containment), nil otherwise.
    let cgroup: Cgroup?
    /// The `MSVC_*` entries of its environment: a process msvc adopts after its parent died is
    /// attributed to this one when its own environment holds all of them (descendant tracking).
    let fingerprint: [String]
    /// The launcher's count of launches when this one started: later launches have larger ones.
    let serial: Int

    /// A process that left the group, held through a pidfd so a recycled pid is never signalled.
    struct Escapee {
        /// Its start time, to tell it from a process that reuses its pid.
        var startTicks: UInt64
        /// Signals go through this; it reports the exit to the launcher's poller.
        var pidfd: Int32
        /// Whether the launcher thread has given it to the watchdog and its poller.
        var registered = false
    }

    private struct State {
        // The leader's pidfd until it is reaped; signalling through it can never hit a recycled pid.
        var pidfd: Int32
        var exit: ExitStatus?
        var groupGone = false
        var escaped: [Int32: Escapee] = [:]
        /// The last signal sent to everything, so processes found later get it too.
        var lastSignal: Int32?
        /// The leader's start time, read from /proc once.
        var startTicks: UInt64?
    }

    private let state: Mutex<State>
    /// Set by the launcher thread when the leader is reaped.
    let exited = OneShot<ExitStatus>()
    /// Set by the launcher thread when the leader is reaped and the group is empty.
    let groupEmptied = OneShot<Void>()
    /// Set by the capture thread when stdout and stderr have ended.
    let outputClosed = OneShot<Void>()
    private let poke: @Sendable (Int32) -> Void

    /// Wraps a freshly spawned leader; `poke` asks the launcher to look at the group soon.
    init(pid: Int32, pidfd: Int32, source: LogSource, arguments: [String], cgroup: Cgroup? = nil,
         fingerprint: [String] = [], serial: Int = 0, poke: @escaping @Sendable (Int32) -> Void) {
        self.pid = pid
        self.source = source
        self.arguments = arguments
        self.cgroup = cgroup
        self.fingerprint = fingerprint
        self.serial = serial
        self.poke = poke
        state = Mutex(State(pidfd: pidfd))
    }

    deinit {
        state.withLock { s in
            for e in s.escaped.values { close(e.pidfd) }
            if s.pidfd >= 0 { close(s.pidfd) }
        }
    }

    /// The process group id; always equal to `pid`.
    public var pgid: Int32 { pid }

    /// The leader's start time in clock ticks since boot (0 once it is gone unseen): read from
    /// /proc on first use only, as it never changes and the run record asks for it often.
    public var startTicks: UInt64 {
        if let known = state.withLock({ $0.startTicks }) { return known }
        let ticks = ProcInfo.startTicks(of: pid) ?? 0
        if ticks != 0 { state.withLock { $0.startTicks = ticks } }
        return ticks
    }

    /// The leader's exit status, nil while it runs.
    public var exitStatus: ExitStatus? { state.withLock { $0.exit } }

    /// Whether the leader has exited and no process it started is left.
    public var isGroupGone: Bool { state.withLock { $0.groupGone } }

    /// The cgroup holding everything this process starts, when cgroup containment is active.
    public var cgroupPath: String? { cgroup?.path }

    /// Processes started from this one that left its process group (`setsid`, `setpgid`, a
    /// `set -m` job) and still run, as far as msvc knows them: read from the cgroup under cgroup
    /// containment, the tracked ones under descendant tracking.
    public var escapedProcesses: [ProcessIdentity] {
        if let cgroup {
            return cgroup.members().compactMap { member in
                guard let stat = ProcInfo.stat(of: member), stat.pgrp != pgid, member != pid, !stat.isZombie else { return nil }
                return ProcessIdentity(pid: member, startTicks: stat.startTicks)
            }.sorted { $0.pid < $1.pid }
        }
        return state.withLock { s in
            s.escaped.map { ProcessIdentity(pid: $0.key, startTicks: $0.value.startTicks) }
        }.sorted { $0.pid < $1.pid }
    }

    /// `orders (pid 123)`.
    public var description: String { "\(source) (pid \(pid))" }

    /// Waits until the leader exits, however long that takes (cancellation is ignored; stop the
    /// process or use `waitForExit(timeout:)` to bound the wait).
    public func waitForExit() async -> ExitStatus { await exited.waitIgnoringCancellation() }

    /// Waits at most `timeout` for the leader to exit; nil on timeout or cancellation.
    public func waitForExit(timeout: Duration) async -> ExitStatus? { await exited.wait(timeout: timeout) }

    /// Waits at most `timeout` for the leader to exit and everything it started to end; returns
    /// whether they did.
    public func waitForGroupExit(timeout: Duration) async -> Bool {
        await groupEmptied.wait(timeout: timeout) != nil
    }

    /// Waits at most `timeout` until stdout and stderr reached end of file and every line was
    /// handed to the sink; returns whether they did. Output ends when the last process holding
    /// the pipes (the leader or anything it started) exits.
    public func waitForOutputClosed(timeout: Duration) async -> Bool {
        await outputClosed.wait(timeout: timeout) != nil
    }

    /// Sends `signal` to the whole process group, to the leader directly if it left the group,
    /// and to every process started from it that left the group (found now, before the signal
    /// can orphan them; ones found later get it too). SIGKILL under cgroup containment also kills
    /// the cgroup. Returns false when everything is already gone or nothing could be signalled.
    @discardableResult
    public func signalGroup(_ signal: Int32) -> Bool {
        if cgroup == nil, !isGroupGone {
            trackEscapees(ProcessTree.descendants([.init(roots: trackingRoots(), group: pgid)]).first ?? [])
        }
        var sent = state.withLock { s -> Bool in
            guard !s.groupGone else { return false }
            var delivered = msvc_kill_group(pid, signal) == 0
            // A leader that called setsid() is out of reach of kill(-pgid); a second signal to a
            // leader still in the group would count twice for programs that force-quit on the second.
            if s.pidfd >= 0, getpgid(pid) != pid {
                delivered = msvc_pidfd_send_signal(s.pidfd, signal) == 0 || delivered
            }
            for e in s.escaped.values { delivered = msvc_pidfd_send_signal(e.pidfd, signal) == 0 || delivered }
            s.lastSignal = signal
            return delivered
        }
        if let cgroup, sent || !isGroupGone {
            if signal == SIGKILL {
                sent = cgroup.kill() || sent
            } else {
                sent = signalOutsiders(of: cgroup, signal) || sent
            }
        }
        poke(pid)
        return sent
    }

    /// Sends SIGKILL to the whole group and everything that left it.
    public func killGroup() { signalGroup(SIGKILL) }

    /// Sends `signal` (then SIGCONT, so stopped processes act on it), waits up to `timeout` for
    /// the leader to exit and the group to empty, then SIGKILLs the group and waits up to
    /// `killTimeout` more.
    public func stop(signal: Int32 = SIGTERM, timeout: Duration, killTimeout: Duration = .seconds(5)) async -> StopOutcome {
        var escalated = false
        if !isGroupGone {
            signalGroup(signal)
            if signal != SIGKILL && signal != SIGCONT { signalGroup(SIGCONT) }
            if await groupEmptied.wait(timeout: timeout) == nil, !isGroupGone {
                escalated = true
                killGroup()
                _ = await groupEmptied.wait(timeout: killTimeout)
            }
        }
        return StopOutcome(exitStatus: exitStatus, escalated: escalated, groupGone: isGroupGone)
    }

    /// Signals each process of the cgroup outside the group (the group had kill(-pgid)).
    private func signalOutsiders(of cgroup: Cgroup, _ signal: Int32) -> Bool {
        var delivered = false
        for member in cgroup.members() where member != pid {
            guard let before = ProcInfo.stat(of: member), before.pgrp != pgid else { continue }
            let fd = msvc_pidfd_open(member)
            guard fd >= 0 else { continue }
            // The same start time after opening: the pidfd is the process cgroup.procs listed.
            if ProcInfo.startTicks(of: member) == before.startTicks {
                delivered = msvc_pidfd_send_signal(fd, signal) == 0 || delivered
            }
            close(fd)
        }
        return delivered
    }

    // MARK: Descendant tracking

    /// Where a walk for escaped processes starts: the leader while it runs, and every tracked one.
    func trackingRoots() -> [Int32] {
        state.withLock { s in (s.exit == nil ? [pid] : []) + Array(s.escaped.keys) }
    }

    /// Whether a tracked process with this pid and start time exists.
    func isTracked(_ identity: ProcessIdentity) -> Bool {
        state.withLock { $0.escaped[identity.pid]?.startTicks == identity.startTicks }
    }

    /// Starts tracking each process of `found` that left the group, through a pidfd, and sends it
    /// the last signal sent to the group. Returns how many were new.
    @discardableResult
    func trackEscapees(_ found: [ProcInfo.Stat]) -> Int {
        var added = 0
        for stat in found where stat.pgrp != pgid && stat.pid != pid && !stat.isZombie {
            if state.withLock({ $0.escaped[stat.pid]?.startTicks == stat.startTicks || $0.groupGone }) { continue }
            let fd = msvc_pidfd_open(stat.pid)
            guard fd >= 0 else { continue }
            guard ProcInfo.startTicks(of: stat.pid) == stat.startTicks else {
                close(fd)
                continue
            }
            let kept = state.withLock { s -> Bool in
                if s.groupGone { return false }
                if let old = s.escaped[stat.pid] {
                    if old.startTicks == stat.startTicks { return false }
                    close(old.pidfd) // the old one exited and its pid was reused
                }
                s.escaped[stat.pid] = Escapee(startTicks: stat.startTicks, pidfd: fd)
                if let sig = s.lastSignal { _ = msvc_pidfd_send_signal(fd, sig) }
                return true
            }
            if kept { added += 1 } else { close(fd) }
        }
        if added > 0 { poke(pid) }
        return added
    }

    /// Tracked processes the launcher thread has not registered yet; marks them registered.
    func takeUnregisteredEscapees() -> [(pid: Int32, startTicks: UInt64, pidfd: Int32)] {
        state.withLock { s in
            var out: [(Int32, UInt64, Int32)] = []
            for (pid, e) in s.escaped where !e.registered {
                out.append((pid, e.startTicks, e.pidfd))
                s.escaped[pid]!.registered = true
            }
            return out
        }
    }

    /// Every tracked process already registered, to hand to a new watchdog.
    func registeredEscapees() -> [(pid: Int32, startTicks: UInt64, pidfd: Int32)] {
        state.withLock { s in s.escaped.filter(\.value.registered).map { ($0.key, $0.value.startTicks, $0.value.pidfd) } }
    }

    /// Stops tracking `pid` once its pidfd reported an exit; reaps it when it is our child
    /// (an orphan msvc adopted). Returns false when it was not tracked (or not yet gone).
    func escapeeExited(_ pid: Int32, poller: EventPoller) -> Bool {
        state.withLock { s in
            guard let e = s.escaped[pid] else { return false }
            _ = msvc_reap_pidfd(e.pidfd)
            poller.remove(e.pidfd)
            close(e.pidfd)
            s.escaped[pid] = nil
            return true
        }
    }

    /// Whether any tracked process that left the group still runs.
    var hasEscapees: Bool { state.withLock { !$0.escaped.isEmpty } }

    // MARK: Launcher thread

    /// Records the leader's status; its pidfd is unwatched and closed.
    func markExited(_ status: ExitStatus, poller: EventPoller) {
        state.withLock { s in
            if s.pidfd >= 0 {
                poller.remove(s.pidfd)
                close(s.pidfd)
                s.pidfd = -1
            }
            s.exit = status
        }
        exited.fulfill(status)
    }

    /// Records that no process of the group is left.
    func markGroupGone(poller: EventPoller) {
        state.withLock { s in
            for e in s.escaped.values {
                poller.remove(e.pidfd)
                close(e.pidfd)
            }
            s.escaped = [:]
            s.groupGone = true
        }
        groupEmptied.fulfill(())
    }
}
