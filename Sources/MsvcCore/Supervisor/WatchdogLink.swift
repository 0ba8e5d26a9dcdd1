import CMsvcSys
import Glibc

/// msvc's end of the watchdog (see `msvc_watchdog_start`): starts it, tells it every process
/// group, escaped process and cgroup to kill should msvc die, and registers them all again when
/// it has to be replaced. Launcher thread only.
final class WatchdogLink {
    /// The token under which the watchdog's pidfd reports its exit.
    static let tokenBit: UInt64 = 1 << 40
    /// The key of the launcher's cgroup in the watchdog.
    private static let cgroupKey: Int32 = 1

    private var pid: Int32 = 0
    private var socket: Int32 = -1
    private var pidfd: Int32 = -1

    /// The watchdog's pid, 0 when none runs.
    var runningPID: Int32 { pid }

    /// The socket to hand to `msvc_spawn` (the child waits until its group is registered), or -1.
    var socketFD: Int32 { socket }

    /// Whether a watchdog runs and its socket is open.
    var isConnected: Bool { pid > 0 && socket >= 0 }

    /// Starts a watchdog and registers `cgroup`, `groups` and `escapees` with it; the poller
    /// reports its exit under `tokenBit`.
    func start(poller: EventPoller, cgroup: Cgroup?, groups: Set<Int32>,
               escapees: [(pid: Int32, startTicks: UInt64, pidfd: Int32)]) -> LaunchError? {
        var fd: Int32 = -1
        let started = msvc_watchdog_start(&fd)
        guard started > 0 else { return .watchdogUnavailable(errno: errno) }
        pid = started
        socket = fd
        pidfd = msvc_pidfd_open(started)
        if pidfd >= 0 { _ = poller.add(pidfd, token: Self.tokenBit | UInt64(started)) }
        if let cgroup, msvc_watchdog_track_cgroup(fd, Self.cgroupKey, cgroup.dirFD, cgroup.path) != 0 {
            return .watchdogUnavailable(errno: EPIPE)
        }
        for pgid in groups where msvc_watchdog_send(fd, pgid) != 0 { return .watchdogUnavailable(errno: EPIPE) }
        for e in escapees where msvc_watchdog_track_pid(fd, e.pid, e.startTicks, e.pidfd) != 0 {
            return .watchdogUnavailable(errno: EPIPE)
        }
        return nil
    }

    /// Closes the socket (so a live watchdog kills what is still registered) and reaps it.
    func stop(poller: EventPoller) {
        guard pid > 0 else { return }
        if socket >= 0 { close(socket) }
        if pidfd >= 0 {
            poller.remove(pidfd)
            close(pidfd)
        }
        // It exits right after its kill pass (well under a second), so this wait is short.
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        (pid, socket, pidfd) = (0, -1, -1)
    }

    /// Tests only: closes the socket as if msvc had died, leaving the watchdog to its kill pass.
    func abandon() {
        if socket >= 0 { close(socket) }
        socket = -1
    }

    /// Registers (`on`) or forgets a process group; false when the watchdog is gone.
    @discardableResult
    func group(_ pgid: Int32, _ on: Bool) -> Bool {
        socket >= 0 && msvc_watchdog_send(socket, on ? pgid : -pgid) == 0
    }

    /// Registers a process that left its group, through its pidfd.
    func track(pid escaped: Int32, startTicks: UInt64, pidfd fd: Int32) {
        if socket >= 0 { _ = msvc_watchdog_track_pid(socket, escaped, startTicks, fd) }
    }

    /// Forgets a process registered with `track`.
    func untrack(pid escaped: Int32) {
        if socket >= 0 { _ = msvc_watchdog_untrack_pid(socket, escaped) }
    }

    /// Forgets the cgroup, so that stopping the watchdog leaves it to msvc.
    func untrackCgroup() {
        if socket >= 0 { _ = msvc_watchdog_untrack_cgroup(socket, Self.cgroupKey) }
    }
}
