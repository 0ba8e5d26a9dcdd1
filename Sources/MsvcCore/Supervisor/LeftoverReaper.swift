import CMsvcSys
import Foundation

/// Reaps what an earlier msvc left running, using its state.json, without ever trusting it.
///
/// A recorded process is killed only when it still runs with the recorded start time and
/// carries this stack's mark: `MSVC_STATE_DIR` of this state folder in the environment it was
/// started with (every process msvc starts has it), or descent from such a process. A recorded
/// cgroup is killed only when it is a cgroup v2 directory named as msvc names them, for the
/// recorded supervisor, holding at least one marked process. So a planted or stale state.json
/// can at worst make msvc kill leftovers of this very stack.
public enum LeftoverReaper {
    /// What a reap found.
    public struct Report: Sendable, Equatable {
        /// A supervisor that is still alive (a stack already running), if any.
        public var liveSupervisor: Int32?
        /// Groups killed: service, replica, process group id and how many processes it had
        /// (escaped ones included).
        public var reaped: [(service: String, replica: Int, pgid: Int32, processes: Int)]
        /// Processes killed that had left their group, by service and replica.
        public var escaped: [(service: String, replica: Int, pid: Int32)]
        /// Recorded processes still running that were left alone: nothing showed they are this
        /// stack's (a forged record, or a process that cleared its environment).
        public var unverified: [ProcessIdentity]

        /// Creates a report.
        public init(liveSupervisor: Int32?, reaped: [(service: String, replica: Int, pgid: Int32, processes: Int)],
                    escaped: [(service: String, replica: Int, pid: Int32)] = [], unverified: [ProcessIdentity] = []) {
            self.liveSupervisor = liveSupervisor
            self.reaped = reaped
            self.escaped = escaped
            self.unverified = unverified
        }

        public static func == (a: Report, b: Report) -> Bool {
            a.liveSupervisor == b.liveSupervisor && a.reaped.map(\.service) == b.reaped.map(\.service)
                && a.reaped.map(\.pgid) == b.reaped.map(\.pgid) && a.escaped.map(\.pid) == b.escaped.map(\.pid)
                && a.unverified == b.unverified
        }
    }

    /// The environment entry every process msvc starts for `dir` carries.
    public static func marker(for dir: StateDirectory) -> String { "MSVC_STATE_DIR=" + dir.data }

    /// Kills every recorded process (and cgroup) that is provably this stack's, unless the
    /// recorded supervisor is itself alive (then nothing is touched); removes state.json.
    public static func reap(_ dir: StateDirectory) -> Report {
        guard let record = RunRecord.read(from: dir.stateFile) else { return Report(liveSupervisor: nil, reaped: []) }
        if record.supervisorPID != getpid(), supervisorRunning(record) {
            return Report(liveSupervisor: record.supervisorPID, reaped: [])
        }
        var reaping = Reaping(record: record, marker: marker(for: dir))
        reaping.run()
        RunRecord.remove(at: dir.stateFile)
        return reaping.report
    }

    /// Whether the recorded supervisor still runs: same pid and start time, not a zombie (a
    /// container's PID 1 may never reap it), and msvc (the same program file, or a process
    /// named like this one) rather than another program a forged record points at.
    public static func supervisorRunning(_ record: RunRecord) -> Bool {
        let pid = record.supervisorPID
        guard pid > 1, let stat = ProcInfo.stat(of: pid), !stat.isZombie, stat.startTicks == record.supervisorStartTicks
        else { return false }
        if let theirs = fileID("/proc/\(pid)/exe"), theirs == fileID("/proc/self/exe") { return true }
        guard let command = ProcInfo.command(of: pid), let own = ProcInfo.command(of: getpid()) else { return false }
        return command == own
    }
}

/// Device and inode of the file at `path` (links followed), nil when it cannot be opened.
private func fileID(_ path: String) -> [UInt64]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { return nil }
    return [UInt64(info.st_dev), UInt64(info.st_ino)]
}

/// One reap: the /proc snapshot, what is proven ours, and what was killed.
private struct Reaping {
    let record: RunRecord
    let marker: String
    var report = LeftoverReaper.Report(liveSupervisor: nil, reaped: [])
    private var byPID: [Int32: ProcInfo.Stat] = [:]
    private var byParent: [Int32: [Int32]] = [:]
    private var marked: [Int32: Bool] = [:]

    init(record: RunRecord, marker: String) {
        self.record = record
        self.marker = marker
        let me = getpid()
        for stat in ProcInfo.scan() where !stat.isZombie && stat.pid != me {
            byPID[stat.pid] = stat
            byParent[stat.ppid, default: []].append(stat.pid)
        }
    }

    /// Whether `pid` was started with this stack's mark in its environment.
    private mutating func isMarked(_ pid: Int32) -> Bool {
        if let known = marked[pid] { return known }
        var result = ProcInfo.environment(of: pid, contains: [marker]) == true
        if !result, let value = marker.split(separator: "=", maxSplits: 1).last {
            // The same folder written another way (a link in the path) still counts.
            let name = marker.prefix { $0 != "=" }
            if let real = realpath(String(value), nil) {
                result = ProcInfo.environment(of: pid, contains: ["\(name)=\(String(cString: real))"]) == true
                free(real)
            }
        }
        marked[pid] = result
        return result
    }

    /// `pids` and every descendant of them in the snapshot.
    private func withDescendants(_ pids: [Int32]) -> [Int32] {
        var seen = Set<Int32>()
        var queue = pids
        var out: [Int32] = []
        while let pid = queue.popLast() {
            guard seen.insert(pid).inserted else { continue }
            out.append(pid)
            queue.append(contentsOf: byParent[pid] ?? [])
        }
        return out
    }

    mutating func run() {
        var claimed = Set<Int32>()
        var killed: [(group: RunRecord.Group, pids: [Int32])] = []
        if let path = record.cgroup { killed += reapCgroup(path, claimed: &claimed) }
        for group in record.groups {
            let pids = verifiedProcesses(of: group).filter { !claimed.contains($0) }
            claimed.formUnion(pids)
            if !pids.isEmpty { killed.append((group, pids)) }
        }
        Self.kill(Array(claimed), snapshot: byPID)
        for (group, pids) in killed {
            report.reaped.append((group.service, group.replica, group.pgid, pids.count))
            for pid in pids where byPID[pid]?.pgrp != group.pgid {
                report.escaped.append((group.service, group.replica, pid))
            }
        }
    }

    /// The recorded group's processes that are provably ours, with their descendants.
    private mutating func verifiedProcesses(of group: RunRecord.Group) -> [Int32] {
        var seeds: [Int32] = []
        let leader = byPID[group.pgid].flatMap { $0.startTicks == group.startTicks && $0.pgrp == group.pgid ? $0 : nil }
        let leaderMarked = leader.map { isMarked($0.pid) } ?? false
        if let leader, leaderMarked { seeds.append(leader.pid) }
        // Members: with a marked leader the group is ours; without a leader, each member must be
        // marked itself (and have started after the recorded leader did).
        for stat in byPID.values where stat.pgrp == group.pgid && stat.pid != group.pgid {
            if leaderMarked || (stat.startTicks >= group.startTicks && isMarked(stat.pid)) { seeds.append(stat.pid) }
            else if leader == nil { report.unverified.append(ProcessIdentity(pid: stat.pid, startTicks: stat.startTicks)) }
        }
        for e in group.escaped {
            guard let stat = byPID[e.pid], stat.startTicks == e.startTicks else { continue }
            if isMarked(e.pid) { seeds.append(e.pid) } else { report.unverified.append(e) }
        }
        if leader != nil, !leaderMarked { report.unverified.append(ProcessIdentity(pid: group.pgid, startTicks: group.startTicks)) }
        return withDescendants(seeds)
    }

    /// Kills the recorded cgroup when it is provably this stack's; returns what each group had.
    private mutating func reapCgroup(_ path: String, claimed: inout Set<Int32>) -> [(group: RunRecord.Group, pids: [Int32])] {
        let name = (path as NSString).lastPathComponent
        let parts = name.split(separator: "-")
        guard path.hasPrefix("/"), !path.contains("/../"), !path.hasSuffix("/.."), parts.count == 3, parts[0] == "msvc",
              Int32(parts[1]) == record.supervisorPID else { return [] }
        let parentFD = open((path as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard parentFD >= 0 else { return [] }
        defer { close(parentFD) }
        let fd = openat(parentFD, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        guard msvc_is_cgroup2(fd) == 1 else { return [] }
        // Each child cgroup is one launch; map it to its group record for the report.
        var members: [(group: RunRecord.Group?, pids: [Int32])] = [(nil, Self.procs(fd))]
        for child in Self.childNames(fd) {
            let childFD = openat(fd, child, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard childFD >= 0 else { continue }
            members.append((record.groups.first { $0.cgroup == path + "/" + child }, Self.procs(childFD)))
            close(childFD)
        }
        let all = members.flatMap(\.pids)
        guard all.isEmpty || all.contains(where: { isMarked($0) }) else {
            report.unverified += all.compactMap { pid in byPID[pid].map { ProcessIdentity(pid: pid, startTicks: $0.startTicks) } }
            return []
        }
        _ = msvc_cgroup_kill(fd)
        claimed.formUnion(all)
        for _ in 0..<100 where msvc_cgroup_populated(fd, -1) == 1 { usleep(10_000) }
        _ = msvc_cgroup_remove(parentFD, name)
        return members.compactMap { m in m.group.map { ($0, m.pids) } }.filter { !$0.pids.isEmpty }
    }

    private static func procs(_ fd: Int32) -> [Int32] {
        var buffer = [Int32](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBufferPointer { msvc_cgroup_procs(fd, $0.baseAddress, Int32($0.count)) }
        return n > 0 ? Array(buffer.prefix(Int(min(n, 4096)))) : []
    }

    private static func childNames(_ fd: Int32) -> [String] {
        let dup = fcntl(fd, F_DUPFD_CLOEXEC, 0)
        guard dup >= 0, let dir = fdopendir(dup) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            guard entry.pointee.d_type == DT_DIR else { continue }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if !name.hasPrefix(".") { names.append(name) }
        }
        return names
    }

    /// Stops every process first, then whatever they forked since the snapshot (so none forks
    /// away), then kills them all through pidfds opened while their start time still matched,
    /// and waits up to a second for them to go.
    private static func kill(_ pids: [Int32], snapshot: [Int32: ProcInfo.Stat]) {
        var fds: [Int32] = []
        var stopped = Set<Int32>()
        func stop(_ pid: Int32, startTicks: UInt64) {
            guard !stopped.contains(pid) else { return }
            let fd = msvc_pidfd_open(pid)
            guard fd >= 0 else { return }
            guard ProcInfo.startTicks(of: pid) == startTicks else {
                close(fd)
                return
            }
            _ = msvc_pidfd_send_signal(fd, SIGSTOP)
            fds.append(fd)
            stopped.insert(pid)
        }
        for pid in pids {
            if let known = snapshot[pid] { stop(pid, startTicks: known.startTicks) }
        }
        for _ in 0..<3 where !stopped.isEmpty {
            let before = stopped.count
            for stat in ProcInfo.scan() where stopped.contains(stat.ppid) && !stat.isZombie {
                stop(stat.pid, startTicks: stat.startTicks)
            }
            if stopped.count == before { break }
        }
        for fd in fds { _ = msvc_pidfd_send_signal(fd, SIGKILL) }
        var polls = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        let deadline = ContinuousClock().now + .seconds(1)
        while !polls.isEmpty, ContinuousClock().now < deadline {
            _ = poll(&polls, nfds_t(polls.count), 50)
            polls.removeAll { $0.revents != 0 }
        }
        for fd in fds { close(fd) }
    }
}
