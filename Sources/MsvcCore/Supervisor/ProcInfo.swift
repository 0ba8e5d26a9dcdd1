import CMsvcSys
import Foundation

/// Facts about live processes, from /proc.
public enum ProcInfo {
    /// The fields of /proc/PID/stat msvc uses.
    public struct Stat: Sendable, Equatable {
        /// Process id.
        public var pid: Int32
        /// Parent's pid.
        public var ppid: Int32
        /// Process group id.
        public var pgrp: Int32
        /// Session id.
        public var session: Int32
        /// State letter (R, S, D, T, Z, X, ...).
        public var state: Character
        /// Start time in clock ticks since boot (field 22): with the pid, it names one process.
        public var startTicks: UInt64
        /// User plus system CPU time in clock ticks.
        public var cpuTicks: UInt64
        /// Resident set size in pages.
        public var rssPages: Int

        /// Whether the process has exited and only waits to be reaped.
        public var isZombie: Bool { state == "Z" || state == "X" }

        /// Converts what `msvc_proc_read_stat` filled in.
        init(_ raw: msvc_proc_stat) {
            pid = raw.pid
            ppid = raw.ppid
            pgrp = raw.pgrp
            session = raw.session
            state = Character(Unicode.Scalar(UInt8(bitPattern: raw.state)))
            startTicks = raw.start_ticks
            cpuTicks = raw.cpu_ticks
            rssPages = Int(raw.rss_pages)
        }
    }

    /// /proc/PID/stat of `pid`, nil when there is no such process.
    public static func stat(of pid: Int32) -> Stat? {
        var raw = msvc_proc_stat()
        return msvc_proc_read_stat(pid, &raw) == 0 ? Stat(raw) : nil
    }

    /// Field 22 of /proc/PID/stat: start time in clock ticks since boot.
    public static func startTicks(of pid: Int32) -> UInt64? { stat(of: pid)?.startTicks }

    /// Whether `pid` exists and is not a zombie.
    public static func isRunning(_ pid: Int32) -> Bool { stat(of: pid).map { !$0.isZombie } ?? false }

    /// Every process in /proc.
    public static func scan() -> [Stat] {
        var capacity = 1024
        while true {
            var buffer = [msvc_proc_stat](repeating: msvc_proc_stat(), count: capacity)
            let n = buffer.withUnsafeMutableBufferPointer { msvc_proc_scan($0.baseAddress, Int32($0.count)) }
            if n < 0 { return [] }
            if Int(n) <= capacity { return buffer.prefix(Int(n)).map(Stat.init) }
            capacity = Int(n) + 256
        }
    }

    /// Pids of every live process whose process group is `pgid` (zombies, which have
    /// exited and only wait to be reaped, are not counted).
    public static func members(ofGroup pgid: Int32) -> [Int32] {
        scan().filter { $0.pgrp == pgid && !$0.isZombie }.map(\.pid)
    }

    /// The children of `pid` (of its thread `thread`, or of every thread when nil), or nil when
    /// the kernel does not list them (CONFIG_PROC_CHILDREN) or `pid` is gone.
    public static func children(of pid: Int32, thread: Int32? = nil) -> [Int32]? {
        guard childrenListed else { return nil }
        var capacity = 64
        while true {
            var buffer = [Int32](repeating: 0, count: capacity)
            let n = buffer.withUnsafeMutableBufferPointer { msvc_proc_children(pid, thread ?? 0, $0.baseAddress, Int32($0.count)) }
            if n < 0 { return nil }
            if Int(n) <= capacity { return Array(buffer.prefix(Int(n))) }
            capacity = Int(n) + 64
        }
    }

    /// Whether this kernel lists children in /proc/PID/task/TID/children.
    public static let childrenListed = msvc_proc_children_supported() != 0

    /// The command name (/proc/PID/comm).
    public static func command(of pid: Int32) -> String? {
        var buffer = [CChar](repeating: 0, count: 64)
        guard msvc_proc_comm(pid, &buffer, buffer.count) == 0 else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Whether the environment `pid` was started with holds every `KEY=VALUE` of `entries`;
    /// nil when it cannot be read (the process is gone or not ours to inspect).
    public static func environment(of pid: Int32, contains entries: [String]) -> Bool? {
        let strings = entries.map { strdup($0) }
        defer { strings.forEach { free($0) } }
        let rc = strings.map { UnsafePointer($0) }.withUnsafeBufferPointer {
            msvc_proc_environ_has_all(pid, $0.baseAddress, Int32($0.count))
        }
        return rc < 0 ? nil : rc == 1
    }

    /// The cgroup v2 path of `pid` (the `0::` line of /proc/PID/cgroup), relative to the
    /// cgroup file system's root.
    public static func cgroup(of pid: Int32) -> String? {
        guard let text = ProcFile.text("/proc/\(pid)/cgroup") else { return nil }
        return text.split(separator: "\n").first { $0.hasPrefix("0::") }.map { String($0.dropFirst(3)) }
    }
}

/// One process for as long as it lives: its pid and its start time, which together never name
/// another process (a recycled pid starts later).
public struct ProcessIdentity: Sendable, Hashable, CustomStringConvertible {
    /// Process id.
    public var pid: Int32
    /// Start time in clock ticks since boot (/proc/PID/stat field 22).
    public var startTicks: UInt64

    /// Creates an identity.
    public init(pid: Int32, startTicks: UInt64) {
        self.pid = pid
        self.startTicks = startTicks
    }

    /// Whether `pid` is still this process and has not exited.
    public var isRunning: Bool {
        guard let stat = ProcInfo.stat(of: pid) else { return false }
        return stat.startTicks == startTicks && !stat.isZombie
    }

    /// `pid 123`.
    public var description: String { "pid \(pid)" }
}
