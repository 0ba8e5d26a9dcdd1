/// Which replica of which service a process, a log line or a message is about: the one
/// identity type of the supervisor, with the one display rule every view uses.
public struct ReplicaID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The service name.
    public var service: String
    /// The replica number, from 1.
    public var replica: Int

    /// Creates an identity.
    public init(service: String, replica: Int = 1) {
        self.service = service
        self.replica = replica
    }

    /// The display rule: `orders` while the service has one replica, `orders.1`, `orders.2`
    /// whenever it has more. ps, logs, the dashboard, action messages and `--wait` errors
    /// all name replicas this way.
    public func label(replicas count: Int) -> String {
        Self.label(service: service, replica: replica, replicas: count)
    }

    /// The display rule for a service with `count` replicas.
    public static func label(service: String, replica: Int, replicas count: Int) -> String {
        count > 1 || replica > 1 ? "\(service).\(replica)" : service
    }

    /// `orders.1`: unambiguous, for diagnostics and debugging only; views use `label(replicas:)`.
    public var description: String { "\(service).\(replica)" }

    public static func < (a: ReplicaID, b: ReplicaID) -> Bool {
        a.service == b.service ? a.replica < b.replica : a.service < b.service
    }
}
