import Foundation
import Synchronization

/// Samples CPU and memory of process groups from /proc once a second on its own thread, so
/// no latency-critical path (the UI loop, the control socket, the log reader) ever reads /proc.
public final class ProcSampler: Sendable {
    /// One group's usage.
    public struct Usage: Sendable, Equatable {
        /// Percent of one core over the last interval.
        public var cpuPercent: Double
        /// Resident set size of all members, bytes.
        public var rssBytes: Int
    }

    private struct State {
        var groups: Set<Int32> = []
        var usage: [Int32: Usage] = [:]
        var lastTicks: [Int32: UInt64] = [:]
        var lastTime: Double = 0
        var stopped = false
    }

    private let state = Mutex(State())
    private let interval: Double

    /// Starts sampling every `interval` seconds.
    public init(interval: Double = 1.0) {
        self.interval = interval
        let thread = Thread { [weak self] in
            while let self, !self.state.withLock({ $0.stopped }) {
                self.sample()
                Thread.sleep(forTimeInterval: self.interval)
            }
        }
        thread.name = "msvc-proc-sampler"
        thread.stackSize = 256 << 10
        thread.start()
    }

    /// Adds or removes the groups to sample.
    public func track(_ pgid: Int32, _ on: Bool) {
        state.withLock { s in
            if on { s.groups.insert(pgid) } else {
                s.groups.remove(pgid)
                s.usage.removeValue(forKey: pgid)
                s.lastTicks.removeValue(forKey: pgid)
            }
        }
    }

    /// The latest usage of a group.
    public func usage(of pgid: Int32) -> Usage? { state.withLock { $0.usage[pgid] } }

    /// Stops the sampling thread.
    public func stop() { state.withLock { $0.stopped = true } }

    private static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
    private static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    private func sample() {
        let groups = state.withLock { $0.groups }
        guard !groups.isEmpty else { return }
        var ticks: [Int32: UInt64] = [:]
        var rss: [Int32: Int] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            let f = stat[stat.index(after: close)...].split(separator: " ")
            // Fields after the command: state(3) ppid(4) pgrp(5) ... utime(14) stime(15) ... rss(24).
            guard f.count > 21, let pgrp = Int32(f[2]), groups.contains(pgrp) else { continue }
            ticks[pgrp, default: 0] += (UInt64(f[11]) ?? 0) + (UInt64(f[12]) ?? 0)
            rss[pgrp, default: 0] += (Int(f[21]) ?? 0) * Self.pageSize
        }
        let now = Date().timeIntervalSince1970
        state.withLock { s in
            let elapsed = s.lastTime > 0 ? now - s.lastTime : 0
            for g in groups {
                let t = ticks[g] ?? 0
                var cpu = 0.0
                if elapsed > 0, let last = s.lastTicks[g], t >= last {
                    cpu = Double(t - last) / Self.ticksPerSecond / elapsed * 100
                }
                s.lastTicks[g] = t
                s.usage[g] = Usage(cpuPercent: cpu, rssBytes: rss[g] ?? 0)
            }
            s.lastTime = now
        }
    }
}
