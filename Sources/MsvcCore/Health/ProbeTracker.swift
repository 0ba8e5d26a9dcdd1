/// Turns a sequence of probe results into a health status with `retries` and `start_period`
/// semantics (as docker's HEALTHCHECK): one success makes the service healthy; `retries`
/// consecutive failures make it unhealthy; failures inside the start period do not count.
public struct ProbeTracker: Sendable, Equatable {
    /// Consecutive failures that flip the status.
    public let retries: Int
    /// Failures before this long after start are ignored.
    public let startPeriod: Duration
    /// The current status.
    public private(set) var status: HealthStatus = .unknown
    /// Consecutive failures counted so far.
    public private(set) var failures = 0
    /// The last result.
    public private(set) var last: ProbeResult?

    /// Creates a tracker for `probe`.
    public init(probe: Probe) {
        retries = probe.retries
        startPeriod = probe.startPeriod
    }

    /// Records a result `elapsed` after the process started; returns the new status if it changed.
    @discardableResult
    public mutating func record(_ result: ProbeResult, elapsed: Duration) -> HealthStatus? {
        last = result
        let before = status
        if result.ok {
            failures = 0
            status = .healthy
        } else if elapsed >= startPeriod || status == .healthy {
            failures += 1
            if failures >= retries { status = .unhealthy }
        }
        return status == before ? nil : status
    }

    /// Forgets everything (a new process started).
    public mutating func reset() {
        status = .unknown
        failures = 0
        last = nil
    }
}
