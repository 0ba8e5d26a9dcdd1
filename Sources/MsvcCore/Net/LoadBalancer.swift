import NIOCore
import NIOPosix
import Synchronization

/// A TCP load balancer on 127.0.0.1: each accepted connection goes to the next ready backend,
/// round-robin. A connection arriving while no backend is ready is closed at once.
public final class LoadBalancer: Sendable {
    /// The port clients connect to.
    public let port: Int
    private let channel: any Channel
    private let state: Mutex<State>

    private struct State {
        var backends: [Int] = []
        var next = 0
        var counts: [Int: Int] = [:]
    }

    /// Starts listening on `port` (0 picks a free one).
    public static func start(port: Int, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> LoadBalancer {
        let holder = BalancerRef()
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { inbound in
                guard let balancer = holder.balancer, let backend = balancer.pick() else {
                    return inbound.close()
                }
                return balancer.connect(inbound, to: backend, group: group)
            }
            .bind(host: "127.0.0.1", port: port).get()
        let balancer = LoadBalancer(port: channel.localAddress?.port ?? port, channel: channel)
        holder.balancer = balancer
        return balancer
    }

    private init(port: Int, channel: any Channel) {
        self.port = port
        self.channel = channel
        state = Mutex(State())
    }

    /// Replaces the set of ready backend ports.
    public func setBackends(_ ports: [Int]) {
        state.withLock { $0.backends = ports }
    }

    /// The ready backends now.
    public var backends: [Int] { state.withLock { $0.backends } }

    /// Connections handed to each backend port so far.
    public var connectionCounts: [Int: Int] { state.withLock { $0.counts } }

    /// Stops listening; open connections finish on their own.
    public func stop() async {
        try? await channel.close()
    }

    func pick() -> Int? {
        state.withLock { s in
            guard !s.backends.isEmpty else { return nil }
            let port = s.backends[s.next % s.backends.count]
            s.next = (s.next + 1) % max(1, s.backends.count)
            s.counts[port, default: 0] += 1
            return port
        }
    }

    private func connect(_ inbound: any Channel, to backend: Int, group: any EventLoopGroup) -> EventLoopFuture<Void> {
        // The inbound side reads nothing (autoRead off) until its partner exists; then both
        // sides read freely, gated only by the other side's writability.
        ClientBootstrap(group: inbound.eventLoop)
            .connectTimeout(.seconds(5))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connect(host: "127.0.0.1", port: backend)
            .flatMap { outbound in
                let (a, b) = Glue.pair()
                Glue.join(a, b)
                return inbound.pipeline.addHandler(a)
                    .flatMap { outbound.pipeline.addHandler(b) }
                    .flatMap { inbound.setOption(.autoRead, value: true) }
                    .flatMapError { error in
                        outbound.close(promise: nil)
                        return inbound.eventLoop.makeFailedFuture(error)
                    }
            }
            .flatMapErrorThrowing { _ in inbound.close(promise: nil) }
    }
}

/// Lets the channel initializer reach the balancer created after bind.
private final class BalancerRef: @unchecked Sendable {
    // Written once before the first connection can be accepted (bind completes first);
    // read-only afterwards.
    var balancer: LoadBalancer?
}

/// Two handlers that copy bytes between a pair of channels, with back-pressure:
/// each side reads only while the other side is writable.
private final class Glue: ChannelDuplexHandler, @unchecked Sendable {
    // Both handlers of a pair live on the same event loop (the outbound channel is created on
    // the inbound channel's loop), so their state is only touched from that one thread.
    typealias InboundIn = NIOAny
    typealias OutboundIn = NIOAny
    typealias OutboundOut = NIOAny

    private weak var partner: Glue?
    private var context: ChannelHandlerContext?
    private var pendingRead = false

    static func pair() -> (Glue, Glue) { (Glue(), Glue()) }

    static func join(_ a: Glue, _ b: Glue) {
        a.partner = b
        b.partner = a
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil; partner = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        partner?.partnerWrite(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        partner?.partnerFlush()
    }

    func channelInactive(context: ChannelHandlerContext) {
        partner?.partnerClose()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { partner?.partnerBecameWritable() }
    }

    func read(context: ChannelHandlerContext) {
        if partner?.partnerWritable ?? true {
            context.read()
        } else {
            pendingRead = true
        }
    }

    private func partnerWrite(_ data: NIOAny) { context?.write(data, promise: nil) }
    private func partnerFlush() { context?.flush() }
    private func partnerClose() { context?.close(promise: nil) }
    private var partnerWritable: Bool { context?.channel.isWritable ?? false }

    private func partnerBecameWritable() {
        if pendingRead {
            pendingRead = false
            context?.read()
        }
    }
}
