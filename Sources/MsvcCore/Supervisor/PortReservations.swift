import Synchronization

/// Ports held by every stack runtime of this process. A port chosen for one runtime is not
/// handed to another until released, so side-by-side stacks (parallel test suites) never
/// collide in the window between choosing a port and a service binding it. Ports are a
/// machine resource, so this registry is deliberately process-wide.
public final class PortReservations: Sendable {
    /// The registry shared by all runtimes in this process.
    public static let shared = PortReservations()

    private let held = Mutex<Set<Int>>([])

    /// Creates an empty registry (tests; runtimes use `shared`).
    public init() {}

    /// Reserves a free port chosen by the kernel; nil when none could be found.
    public func reserveFree() -> Int? {
        for _ in 0..<8 {
            let taken = held.withLock { $0 }
            guard let port = PortAllocator.allocate(avoiding: taken) else { return nil }
            if held.withLock({ $0.insert(port).inserted }) { return port }
        }
        return nil
    }

    /// Reserves a fixed port; false when another runtime of this process holds it.
    public func reserve(_ port: Int) -> Bool {
        held.withLock { $0.insert(port).inserted }
    }

    /// Gives ports back.
    public func release<S: Sequence<Int>>(_ ports: S) {
        held.withLock { h in for p in ports { h.remove(p) } }
    }

    /// Whether this process holds `port` for some runtime.
    public func isHeld(_ port: Int) -> Bool { held.withLock { $0.contains(port) } }
}
