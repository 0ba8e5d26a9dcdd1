import CMsvcSys
import Glibc

/// Signals and checks process groups by id, for groups msvc did not start in this run (the ones
/// a crashed msvc left in `.msvc/run/state.json`). For processes started by a launcher, use
/// `LaunchedProcess`, which is notified instead of polling and can never hit a recycled id.
public enum ProcessGroup {
    /// Whether a process that is still running (not a zombie) is in group `pgid`.
    public static func exists(_ pgid: Int32) -> Bool { msvc_group_has_live_members(pgid) != 0 }

    /// Sends `signal` to every process in group `pgid`; returns false when the group is gone.
    /// Group ids 0 and 1 are refused: they would mean msvc's own group or every process.
    @discardableResult
    public static func signal(_ pgid: Int32, _ signal: Int32) -> Bool {
        msvc_kill_group(pgid, signal) == 0
    }

    /// Sends SIGKILL to group `pgid`.
    @discardableResult
    public static func kill(_ pgid: Int32) -> Bool { signal(pgid, SIGKILL) }

    /// Sends `signal` (then SIGCONT), waits up to `timeout` for the group to empty, then
    /// SIGKILLs it and waits up to `killTimeout`. Returns whether the group is gone.
    ///
    /// These processes are not our children, so no notification exists; the wait polls
    /// kill(-pgid, 0) with async sleeps from 5 ms to 100 ms, which never blocks a pool thread.
    public static func terminate(
        _ pgid: Int32, signal: Int32 = SIGTERM, timeout: Duration, killTimeout: Duration = .seconds(2)
    ) async -> Bool {
        guard exists(pgid) else { return true }
        Self.signal(pgid, signal)
        if signal != SIGKILL && signal != SIGCONT { Self.signal(pgid, SIGCONT) }
        if await waitUntilGone(pgid, timeout: timeout) { return true }
        kill(pgid)
        return await waitUntilGone(pgid, timeout: killTimeout)
    }

    /// Polls until group `pgid` is empty or `timeout` passes; returns whether it emptied.
    public static func waitUntilGone(_ pgid: Int32, timeout: Duration) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var pause: Duration = .milliseconds(5)
        while exists(pgid) {
            guard clock.now < deadline, !Task.isCancelled else { return false }
            try? await Task.sleep(for: min(pause, clock.now.duration(to: deadline)))
            pause = min(pause * 2, .milliseconds(100))
        }
        return true
    }
}
