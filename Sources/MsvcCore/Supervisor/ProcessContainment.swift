import CMsvcSys
import Foundation
import Glibc

/// How a launcher keeps every process a service starts within reach, including one that calls
/// `setsid()`, moves to another process group or runs a `set -m` background job.
public enum ProcessContainment: Sendable, Equatable, CustomStringConvertible {
    /// Each launched process runs in a cgroup of its own below the cgroup at `path` (cgroup v2):
    /// stopping signals every member, killing writes `cgroup.kill`, and "gone" means the
    /// cgroup is empty. Used wherever msvc may create a cgroup below its own.
    case cgroup(path: String)
    /// msvc follows each process's descendants through /proc and holds a pidfd to every one that
    /// leaves the process group; the watchdog gets the same list. Used where no cgroup can be made.
    case descendantTracking

    /// `cgroup` or `tracking`, for JSON.
    public var kind: String {
        switch self {
        case .cgroup: "cgroup"
        case .descendantTracking: "tracking"
        }
    }

    /// The cgroup's path when one is used.
    public var cgroupPath: String? {
        if case .cgroup(let path) = self { return path }
        return nil
    }

    /// `cgroup /sys/fs/cgroup/...` or `descendant tracking`.
    public var description: String {
        switch self {
        case .cgroup(let path): "cgroup \(path)"
        case .descendantTracking: "descendant tracking"
        }
    }

    /// Whether `MSVC_CONTAINMENT=tracking` asks for descendant tracking even where cgroups work.
    public static func cgroupsWanted(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        environment["MSVC_CONTAINMENT"] != "tracking"
    }

    /// What a launcher started now would use (for `msvc doctor`): makes a cgroup, moves a test
    /// process into it and removes it again.
    public static func probe() -> ProcessContainment {
        guard cgroupsWanted(), let cgroup = Cgroup.makeStackCgroup() else { return .descendantTracking }
        let path = cgroup.path
        cgroup.remove()
        return .cgroup(path: path)
    }
}

/// A cgroup v2 directory msvc created, held open so that killing and reading it never goes
/// through a path again.
final class Cgroup: Sendable {
    /// Absolute path, for state.json and messages.
    let path: String
    /// The path as /proc/PID/cgroup shows it (relative to the cgroup file system's root).
    let relativePath: String
    /// The cgroup's directory.
    let dirFD: Int32
    /// The directory it was created in, and its name there, for removal.
    private let parentFD: Int32
    private let name: String

    private init(path: String, relativePath: String, dirFD: Int32, parentFD: Int32, name: String) {
        self.path = path
        self.relativePath = relativePath
        self.dirFD = dirFD
        self.parentFD = parentFD
        self.name = name
    }

    deinit {
        close(dirFD)
        close(parentFD)
    }

    /// Pids of the processes in this cgroup (not in child cgroups).
    func members() -> [Int32] {
        var capacity = 64
        while true {
            var buffer = [Int32](repeating: 0, count: capacity)
            let n = buffer.withUnsafeMutableBufferPointer { msvc_cgroup_procs(dirFD, $0.baseAddress, Int32($0.count)) }
            if n < 0 { return [] }
            if Int(n) <= capacity { return Array(buffer.prefix(Int(n))) }
            capacity = Int(n) + 64
        }
    }

    /// SIGKILLs every process in the cgroup and below; false when the kernel refused.
    @discardableResult
    func kill() -> Bool { msvc_cgroup_kill(dirFD) == 0 }

    /// Whether any process is in the cgroup or below; nil when that cannot be read.
    func isPopulated(eventsFD: Int32 = -1) -> Bool? {
        let rc = msvc_cgroup_populated(dirFD, eventsFD)
        return rc < 0 ? nil : rc == 1
    }

    /// Creates a child cgroup; nil (with errno) when the kernel refuses.
    func makeChild(_ childName: String) -> Result<Cgroup, LaunchError> {
        let parent = fcntl(dirFD, F_DUPFD_CLOEXEC, 0)
        guard parent >= 0 else { return .failure(.system(call: "fcntl(F_DUPFD_CLOEXEC)", errno: errno)) }
        let fd = msvc_cgroup_create(dirFD, childName)
        guard fd >= 0 else {
            close(parent)
            return .failure(.system(call: "mkdir(\(path)/\(childName))", errno: -fd))
        }
        return .success(Cgroup(path: path + "/" + childName, relativePath: relativePath + "/" + childName,
                               dirFD: fd, parentFD: parent, name: childName))
    }

    /// Removes the cgroup (and its empty children); false while a process is still inside.
    @discardableResult
    func remove() -> Bool { msvc_cgroup_remove(parentFD, name) == 0 }

    // MARK: Finding a place

    /// Creates `msvc-PID-RANDOM` below msvc's own cgroup and checks that processes can be moved
    /// into a child of it; nil when cgroup v2 is not mounted, not writable, or too old (no
    /// `cgroup.kill`, Linux < 5.14).
    static func makeStackCgroup() -> Cgroup? {
        guard let own = ProcInfo.cgroup(of: getpid()), let parentPath = ownDirectory() else { return nil }
        let parentFD = open(parentPath, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard parentFD >= 0 else { return nil }
        guard msvc_is_cgroup2(parentFD) == 1 else {
            close(parentFD)
            return nil
        }
        removeStaleSiblings(parentFD)
        let name = "msvc-\(getpid())-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
        let fd = msvc_cgroup_create(parentFD, name)
        guard fd >= 0 else {
            close(parentFD)
            return nil
        }
        let cgroup = Cgroup(path: (parentPath == "/" ? "" : parentPath) + "/" + name,
                            relativePath: (own == "/" ? "" : own) + "/" + name, dirFD: fd, parentFD: parentFD, name: name)
        guard faccessat(fd, "cgroup.kill", F_OK, 0) == 0, msvc_cgroup_probe(fd) == 0 else {
            cgroup.remove()
            return nil
        }
        return cgroup
    }

    /// Removes empty `msvc-PID-*` cgroups beside ours whose msvc is gone (a SIGKILLed msvc whose
    /// watchdog died too). One that still holds a process stays: the next `up` reaps it.
    private static func removeStaleSiblings(_ parentFD: Int32) {
        let dup = fcntl(parentFD, F_DUPFD_CLOEXEC, 0)
        guard dup >= 0, let dir = fdopendir(dup) else { return }
        defer { closedir(dir) }
        var stale: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            let parts = name.split(separator: "-")
            guard parts.count == 3, parts[0] == "msvc", let pid = Int32(parts[1]), !ProcInfo.isRunning(pid) else { continue }
            stale.append(name)
        }
        for name in stale { _ = msvc_cgroup_remove(parentFD, name) }
    }

    /// The directory of this process's cgroup v2, from /proc/self/cgroup and /proc/self/mountinfo.
    static func ownDirectory() -> String? {
        guard let own = ProcInfo.cgroup(of: getpid()), own.hasPrefix("/"),
              let mounts = ProcFile.text("/proc/self/mountinfo") else { return nil }
        for line in mounts.split(separator: "\n") {
            // id parent major:minor root mount-point options [optional...] - type source super-options
            let halves = line.components(separatedBy: " - ")
            guard halves.count == 2, halves[1].hasPrefix("cgroup2 ") else { continue }
            let fields = halves[0].split(separator: " ")
            guard fields.count >= 5 else { continue }
            let root = unescape(fields[3]), mountPoint = unescape(fields[4])
            guard own == root || own.hasPrefix(root == "/" ? "/" : root + "/") else { continue }
            let rest = root == "/" ? own : String(own.dropFirst(root.count))
            return rest == "/" ? mountPoint : (mountPoint == "/" ? "" : mountPoint) + rest
        }
        return nil
    }

    /// mountinfo writes space, tab, newline and backslash as octal escapes (`\040`).
    private static func unescape(_ field: Substring) -> String {
        guard field.contains("\\") else { return String(field) }
        var bytes: [UInt8] = []
        var utf8 = Array(field.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "\\"), utf8.count >= 3, let value = UInt8(String(decoding: utf8.prefix(3), as: UTF8.self), radix: 8) {
                bytes.append(value)
                utf8 = utf8.dropFirst(3)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
