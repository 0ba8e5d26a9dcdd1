import CMsvcSys
import Glibc
import Synchronization

/// A process started by a `ProcessLauncher`: the leader of its own process group.
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

    private struct State {
        // The leader's pidfd until it is reaped; signalling through it can never hit a recycled pid.
        var pidfd: Int32
        var exit: ExitStatus?
        var groupGone = false
    }

    private let state: Mutex<State>
    /// Set by the launcher thread when the leader is reaped.
    let exited = OneShot<ExitStatus>()
    /// Set by the launcher thread when the leader is reaped and the group is empty.
    let groupEmptied = OneShot<Void>()
    /// Set by the capture thread when stdout and stderr have ended.
    let outputClosed = OneShot<Void>()
    private let poke: @Sendable (Int32) -> Void

    /// Wraps a freshly spawned leader; `poke` asks the launcher to check the group soon.
    init(pid: Int32, pidfd: Int32, source: LogSource, arguments: [String], poke: @escaping @Sendable (Int32) -> Void) {
        self.pid = pid
        self.source = source
        self.arguments = arguments
        self.poke = poke
        state = Mutex(State(pidfd: pidfd))
    }

    /// The process group id; always equal to `pid`.
    public var pgid: Int32 { pid }

    /// The leader's exit status, nil while it runs.
    public var exitStatus: ExitStatus? { state.withLock { $0.exit } }

    /// Whether the leader has exited and no process of its group is left.
    public var isGroupGone: Bool { state.withLock { $0.groupGone } }

    /// `orders (pid 123)`.
    public var description: String { "\(source) (pid \(pid))" }

    /// Waits until the leader exits, however long that takes (cancellation is ignored; stop the
    /// process or use `waitForExit(timeout:)` to bound the wait).
    public func waitForExit() async -> ExitStatus { await exited.waitIgnoringCancellation() }

    /// Waits at most `timeout` for the leader to exit; nil on timeout or cancellation.
    public func waitForExit(timeout: Duration) async -> ExitStatus? { await exited.wait(timeout: timeout) }

    /// Waits at most `timeout` for the leader to exit and its group to empty; returns whether it did.
    public func waitForGroupExit(timeout: Duration) async -> Bool {
        await groupEmptied.wait(timeout: timeout) != nil
    }

    /// Waits at most `timeout` until stdout and stderr reached end of file and every line was
    /// handed to the sink; returns whether they did. Output ends when the last process holding
    /// the pipes (the leader or anything it started) exits.
    public func waitForOutputClosed(timeout: Duration) async -> Bool {
        await outputClosed.wait(timeout: timeout) != nil
    }

    /// Sends `signal` to the whole process group (and to the leader directly if it left the
    /// group). Returns false when the group is already gone or nothing could be signalled.
    @discardableResult
    public func signalGroup(_ signal: Int32) -> Bool {
        let sent = state.withLock { s -> Bool in
            guard !s.groupGone else { return false }
            var delivered = msvc_kill_group(pid, signal) == 0
            // A leader that called setsid() is out of reach of kill(-pgid); a second signal to a
            // leader still in the group would count twice for programs that force-quit on the second.
            if s.pidfd >= 0, getpgid(pid) != pid {
                delivered = msvc_pidfd_send_signal(s.pidfd, signal) == 0 || delivered
            }
            return delivered
        }
        poke(pid)
        return sent
    }

    /// Sends SIGKILL to the whole group.
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
    func markGroupGone() {
        state.withLock { $0.groupGone = true }
        groupEmptied.fulfill(())
    }
}
