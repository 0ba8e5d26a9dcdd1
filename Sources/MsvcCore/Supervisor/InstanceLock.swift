import Foundation
import Glibc

/// The lock that says "a supervisor runs this stack": an exclusive `flock` on `run/lock`, held
/// for the supervisor's whole life. The kernel drops it when the process exits however it
/// ends (even as a zombie nobody reaps), so a dead supervisor never blocks the next `up`,
/// and two `up` started at once in one folder cannot both win.
public final class InstanceLock: Sendable {
    private let fd: Int32

    private init(fd: Int32) { self.fd = fd }

    deinit { close(fd) }

    /// Takes the lock of `directory` without waiting; nil when a supervisor holds it.
    public static func acquire(_ directory: StateDirectory) throws(StateDirectoryError) -> InstanceLock? {
        let fd = open(directory.lockFile, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .system(directory.lockFile, errno) }
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            if errno == EINTR { continue }
            let e = errno
            close(fd)
            if e == EWOULDBLOCK { return nil }
            throw .system(directory.lockFile, e)
        }
        return InstanceLock(fd: fd)
    }

    /// Whether some supervisor holds the lock of `directory` now. Read from /proc/locks, so
    /// asking never takes the lock itself: a probe that locked, even for an instant, could
    /// make a supervisor starting at that moment believe another one runs.
    public static func isHeld(_ directory: StateDirectory) -> Bool {
        var st = stat()
        guard lstat(directory.lockFile, &st) == 0 else { return false }
        if let locks = ProcFile.text("/proc/locks") {
            let dev = UInt64(st.st_dev)
            let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & ~UInt64(0xfff))
            let minor = (dev & 0xff) | ((dev >> 12) & ~UInt64(0xff))
            let id = String(format: "%02x:%02x:%llu", major, minor, UInt64(st.st_ino))
            return locks.split(separator: "\n").contains { line in
                let f = line.split(separator: " ", omittingEmptySubsequences: true)
                // "1: FLOCK  ADVISORY  WRITE 4711 fe:00:123456 0 EOF"
                return f.count >= 6 && f[1] == "FLOCK" && f[3] == "WRITE" && f[5] == id
            }
        }
        // Without /proc/locks: probe with a shared lock.
        let fd = open(directory.lockFile, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        while flock(fd, LOCK_SH | LOCK_NB) != 0 {
            if errno == EINTR { continue }
            return errno == EWOULDBLOCK
        }
        flock(fd, LOCK_UN)
        return false
    }

    /// Waits until no supervisor holds the lock, polling every 10 ms, at most `seconds`;
    /// returns whether it was released.
    public static func waitForRelease(_ directory: StateDirectory, seconds: Double) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while isHeld(directory) {
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return true
    }
}
