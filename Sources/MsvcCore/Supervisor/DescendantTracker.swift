import CMsvcSys
import Glibc

/// Walks process trees through /proc: the children lists where the kernel has them (a few reads
/// per known process), one scan of /proc otherwise.
enum ProcessTree {
    /// Where one walk starts: `roots`, plus members of process group `group` that msvc adopted
    /// after their parent died (they hang below msvc, not below the roots).
    struct Query {
        /// Processes whose descendants are wanted.
        var roots: [Int32]
        /// The process group whose adopted members also count as roots.
        var group: Int32
    }

    /// The live descendants of each query's roots and adopted group members (roots excluded),
    /// one array per query; `childrenFiles` false scans /proc as on kernels without them.
    static func descendants(_ queries: [Query], childrenFiles: Bool = ProcInfo.childrenListed) -> [[ProcInfo.Stat]] {
        guard !queries.isEmpty else { return [] }
        if childrenFiles {
            let adopted = adoptedChildren()
            return queries.map { q in
                let members = adopted.filter { $0.pgrp == q.group }
                var seen = Set(q.roots)
                var out = members.filter { seen.insert($0.pid).inserted }
                var queue = q.roots + out.map(\.pid)
                while let parent = queue.popLast() {
                    for child in ProcInfo.children(of: parent) ?? [] where seen.insert(child).inserted {
                        guard let stat = ProcInfo.stat(of: child), !stat.isZombie else { continue }
                        out.append(stat)
                        queue.append(child)
                    }
                }
                return out
            }
        }
        let all = ProcInfo.scan().filter { !$0.isZombie }
        var byParent: [Int32: [ProcInfo.Stat]] = [:]
        for stat in all { byParent[stat.ppid, default: []].append(stat) }
        let me = getpid()
        return queries.map { q in
            var seen = Set(q.roots)
            var out = all.filter { $0.ppid == me && $0.pgrp == q.group && seen.insert($0.pid).inserted }
            var queue = q.roots + out.map(\.pid)
            while let parent = queue.popLast() {
                for child in byParent[parent] ?? [] where seen.insert(child.pid).inserted {
                    out.append(child)
                    queue.append(child.pid)
                }
            }
            return out
        }
    }

    /// msvc's own children (orphans are re-parented to the main thread of a subreaper).
    static func adoptedChildren() -> [ProcInfo.Stat] {
        let me = getpid()
        let pids = ProcInfo.children(of: me, thread: me) ?? ProcInfo.scan().filter { $0.ppid == me }.map(\.pid)
        return pids.compactMap { ProcInfo.stat(of: $0) }.filter { !$0.isZombie }
    }
}

/// Descendant tracking for a launcher without a cgroup. Finds the processes that left their
/// group: by walking each process's tree shortly after it starts and then ever more rarely
/// (50 ms, growing fourfold to every 10 s), and by looking at msvc's own children once a second for orphans
/// msvc adopted (a `setsid` daemon whose parent exited), which are attributed by the `MSVC_*`
/// variables in their environment. Stopping a process walks its tree once more first.
/// Confined to the launcher thread.
final class DescendantTracker {
    private struct Schedule {
        var due: ContinuousClock.Instant
        var interval: Duration
    }

    private static let firstWalk: Duration = .milliseconds(50)
    private static let maxWalk: Duration = .seconds(10)
    private static let adoptedInterval: Duration = .seconds(1)

    private let clock = ContinuousClock()
    private var schedule: [Int32: Schedule] = [:]
    /// Adopted children that belong to no launch (another part of this process started them).
    private var foreign: [Int32: UInt64] = [:]
    private var nextAdoptedCheck: ContinuousClock.Instant

    /// Creates an idle tracker.
    init() { nextAdoptedCheck = ContinuousClock().now }

    /// Starts following a new process group.
    func launched(_ pgid: Int32) {
        schedule[pgid] = Schedule(due: clock.now + Self.firstWalk, interval: Self.firstWalk)
    }

    /// Stops following a group that is gone.
    func forget(_ pgid: Int32) { schedule[pgid] = nil }

    /// Walks `pgid`'s tree and checks adopted children at the next `run`.
    func soon(_ pgid: Int32) {
        schedule[pgid]?.due = clock.now
        nextAdoptedCheck = clock.now
    }

    /// When `run` has work next, nil when nothing is followed.
    var nextDue: ContinuousClock.Instant? {
        guard let walk = schedule.values.map(\.due).min() else { return nil }
        return min(walk, nextAdoptedCheck)
    }

    /// Does the walks that are due and, once a second, the adopted-children check; `preferred`
    /// gets adopted orphans several launches could claim (the leader that just exited).
    /// Returns how many processes it started tracking.
    func run(_ processes: [Int32: LaunchedProcess], preferred: LaunchedProcess? = nil) -> Int {
        let now = clock.now
        var added = 0
        let due = schedule.filter { $0.value.due <= now && processes[$0.key] != nil }.map(\.key)
        let found = ProcessTree.descendants(due.map { ProcessTree.Query(roots: processes[$0]!.trackingRoots(), group: $0) })
        for (pgid, stats) in zip(due, found) {
            added += processes[pgid]!.trackEscapees(stats)
            let next = min(schedule[pgid]!.interval * 4, Self.maxWalk)
            schedule[pgid] = Schedule(due: now + next, interval: next)
        }
        if now >= nextAdoptedCheck || preferred != nil {
            nextAdoptedCheck = now + Self.adoptedInterval
            added += checkAdopted(processes, preferred: preferred)
        }
        return added
    }

    /// Walks `process`'s tree and claims adopted orphans for it now: run before declaring its
    /// group gone, since a child may leave the group between two looks. Returns how many it found.
    func claim(_ process: LaunchedProcess, among processes: [Int32: LaunchedProcess]) -> Int {
        let found = ProcessTree.descendants([.init(roots: process.trackingRoots(), group: process.pgid)]).first ?? []
        var all = processes
        all[process.pgid] = process
        return process.trackEscapees(found) + checkAdopted(all, preferred: process)
    }

    private func checkAdopted(_ processes: [Int32: LaunchedProcess], preferred: LaunchedProcess?) -> Int {
        let children = ProcessTree.adoptedChildren()
        var added = 0
        for child in children where processes[child.pid] == nil && processes[child.pgrp] == nil {
            if foreign[child.pid] == child.startTicks { continue }
            let identity = ProcessIdentity(pid: child.pid, startTicks: child.startTicks)
            if processes.values.contains(where: { $0.isTracked(identity) }) { continue }
            let claims = processes.values.filter { p in
                !p.fingerprint.isEmpty && ProcInfo.environment(of: child.pid, contains: p.fingerprint) == true
            }
            // Several claims mean generations of one replica: the one that just exited, else the newest.
            let owner = claims.first { $0 === preferred } ?? claims.max { $0.serial < $1.serial }
            if let owner {
                added += owner.trackEscapees([child])
            } else {
                foreign[child.pid] = child.startTicks
            }
        }
        let present = Set(children.map(\.pid))
        foreign = foreign.filter { present.contains($0.key) }
        return added
    }
}
