import Dispatch
import Foundation
import Synchronization

/// Samples CPU and memory of process groups from /proc on its own thread, so no
/// latency-critical path (the UI loop, the control socket, the log reader) waits for a full scan.
///
/// It samples only while someone looks: once a second for as long as `usage(of:)` was asked
/// within the last ten seconds, not at all when nobody asked (an idle stack costs nothing here).
/// The first question after a pause samples at once; CPU is then the average since the previous
/// sample, or since the process started when there is none.
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
        var lastDemand: Double = -.infinity
        var stopped = false
    }

    private let state = Mutex(State())
    /// Serializes samples taken by the thread and by a stale `usage(of:)`.
    private let sampling = Mutex(())
    private let wake = DispatchSemaphore(value: 0)
    private let interval: Double
    /// Fulfilled when the sampling thread has ended (after `stop()`).
    let finished = OneShot<Void>()
    private static let demandWindow = 10.0

    /// Starts the sampling thread; it samples every `interval` seconds while usage is asked for.
    public init(interval: Double = 1.0) {
        self.interval = interval
        let finished = self.finished
        let wake = self.wake
        let thread = Thread { [weak self] in
            while true {
                guard let self, !self.state.withLock({ $0.stopped }) else { break }
                let idle = Self.now() - self.state.withLock { $0.lastDemand } > Self.demandWindow
                if !idle { self.sample() }
                let pause = self.interval
                // Idle: sleep until someone asks (or stop() wakes us); the timeout only re-checks.
                _ = wake.wait(timeout: .now() + (idle ? 60 : pause))
            }
            finished.fulfill(())
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

    /// The latest usage of a group; samples first when the last sample is older than two intervals.
    public func usage(of pgid: Int32) -> Usage? {
        let now = Self.now()
        let (idle, stale) = state.withLock { s -> (Bool, Bool) in
            let idle = now - s.lastDemand > Self.demandWindow
            s.lastDemand = now
            return (idle, now - s.lastTime > 2 * interval)
        }
        if stale { sample() }
        if idle { wake.signal() }
        return state.withLock { $0.usage[pgid] }
    }

    /// Stops the sampling thread.
    public func stop() {
        state.withLock { $0.stopped = true }
        wake.signal()
    }

    private static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
    private static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    private static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Seconds since boot, in clock ticks (the unit of start times).
    private static func uptimeTicks() -> Double? {
        guard let text = ProcFile.text("/proc/uptime"),
              let seconds = Double(text.split(separator: " ").first ?? "") else { return nil }
        return seconds * ticksPerSecond
    }

    private func sample() {
        sampling.withLock { _ in
            let groups = state.withLock { $0.groups }
            guard !groups.isEmpty else { return }
            var ticks: [Int32: UInt64] = [:]
            var rss: [Int32: Int] = [:]
            var started: [Int32: UInt64] = [:]
            for stat in ProcInfo.scan() where groups.contains(stat.pgrp) {
                ticks[stat.pgrp, default: 0] += stat.cpuTicks
                rss[stat.pgrp, default: 0] += stat.rssPages * Self.pageSize
                if stat.pid == stat.pgrp { started[stat.pgrp] = stat.startTicks }
            }
            let now = Self.now()
            let uptime = Self.uptimeTicks()
            state.withLock { s in
                let elapsed = s.lastTime > 0 ? now - s.lastTime : 0
                for g in groups {
                    let t = ticks[g] ?? 0
                    var cpu = 0.0
                    if elapsed > 0, let last = s.lastTicks[g], t >= last {
                        cpu = Double(t - last) / Self.ticksPerSecond / elapsed * 100
                    } else if let start = started[g], let uptime, uptime > Double(start) {
                        cpu = Double(t) / (uptime - Double(start)) * 100 // first sample: the average so far
                    }
                    s.lastTicks[g] = t
                    s.usage[g] = Usage(cpuPercent: cpu, rssBytes: rss[g] ?? 0)
                }
                s.lastTime = now
            }
        }
    }
}
