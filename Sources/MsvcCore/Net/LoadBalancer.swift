import NIOCore
import NIOPosix
import Synchronization

/// A TCP load balancer on 127.0.0.1: each accepted connection goes to the next ready backend,
/// round-robin. A connection arriving while no backend is ready is closed at once. Half-closed
/// connections stay open in the other direction (a client may send its request and shut its
/// write side, and still read the whole reply), and a backend can be drained: taken out of
/// the rotation, then waited on until its connections have ended.
public final class LoadBalancer: Sendable {
    /// The port clients connect to.
    public let port: Int
    private let channel: any Channel
    private let state: Mutex<State>

    private struct State {
        var backends: [Int] = []
        var next = 0
        var counts: [Int: Int] = [:]
        /// Open connections per backend port.
        var active: [Int: Int] = [:]
    }

    /// Starts listening on `port` (0 picks a free one).
    public static func start(port: Int, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> LoadBalancer {
        let holder = BalancerRef()
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.autoRead, value: false)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { inbound in
                guard let balancer = holder.balancer, let backend = balancer.pick() else {
                    return inbound.close()
                }
                return balancer.connect(inbound, to: backend, attempt: 1)
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

    /// Open connections to each backend port now.
    public var activeConnections: [Int: Int] { state.withLock { $0.active.filter { $0.value > 0 } } }

    /// Waits until no connection to backend `port` is open (take it out of the backends
    /// first), or `timeout` passes; returns whether it drained.
    @discardableResult
    public func drain(port: Int, timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while state.withLock({ $0.active[port] ?? 0 }) > 0 {
            if ContinuousClock.now >= deadline || Task.isCancelled { return false }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return true
    }

    private func closed(_ port: Int) {
        state.withLock { s in
            let n = (s.active[port] ?? 1) - 1
            s.active[port] = n > 0 ? n : nil
        }
    }

    /// The next ready backend, round-robin, counted as open until its connection ends (so a
    /// drain waits for connections still being set up too); nil when none is ready.
    func pick(excluding tried: Int? = nil) -> Int? {
        state.withLock { s in
            let candidates = s.backends.filter { $0 != tried }
            guard !candidates.isEmpty else { return nil }
            let port = candidates[s.next % candidates.count]
            s.next = (s.next + 1) % max(1, s.backends.count)
            s.counts[port, default: 0] += 1
            s.active[port, default: 0] += 1
            return port
        }
    }

    /// How many backends a connection tries before it is closed: a backend that refuses
    /// (it just died, or its replacement took over) costs the client nothing.
    static let attempts = 3

    private func connect(_ inbound: any Channel, to backend: Int, attempt: Int) -> EventLoopFuture<Void> {
        // The inbound side reads nothing (autoRead off) until its partner exists; then both
        // sides read freely, gated only by the other side's writability.
        ClientBootstrap(group: inbound.eventLoop)
            .connectTimeout(.seconds(5))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .connect(host: "127.0.0.1", port: backend)
            .flatMap { outbound in
                let (a, b) = Glue.pair()
                Glue.join(a, b)
                return inbound.pipeline.addHandler(a)
                    .flatMap { outbound.pipeline.addHandler(b) }
                    .flatMap { inbound.setOption(.autoRead, value: true) }
                    .map { inbound.closeFuture.whenComplete { _ in self.closed(backend) } }
                    .flatMapError { error in
                        outbound.close(promise: nil)
                        return inbound.eventLoop.makeFailedFuture(error)
                    }
            }
            .flatMapError { error in
                self.closed(backend)
                if attempt < Self.attempts, inbound.isActive, let next = self.pick(excluding: backend) {
                    return self.connect(inbound, to: next, attempt: attempt + 1)
                }
                return inbound.eventLoop.makeFailedFuture(error)
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
    private var outputShut = false

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

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // The peer shut its write side: pass the end of data on, keep the other direction open.
        if case ChannelEvent.inputClosed = event {
            partner?.partnerShutdownOutput()
        } else {
            context.fireUserInboundEventTriggered(event)
        }
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
    /// Closes after every byte already written has gone out.
    private func partnerClose() {
        guard let context else { return }
        let promise = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(NIOAny(ByteBuffer()), promise: promise)
        promise.futureResult.whenComplete { _ in context.close(promise: nil) }
    }

    /// Shuts this side's write half after every byte already written has gone out.
    private func partnerShutdownOutput() {
        guard let context, !outputShut else { return }
        outputShut = true
        let promise = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(NIOAny(ByteBuffer()), promise: promise)
        promise.futureResult.whenComplete { _ in context.close(mode: .output, promise: nil) }
    }
    private var partnerWritable: Bool { context?.channel.isWritable ?? false }

    private func partnerBecameWritable() {
        if pendingRead {
            pendingRead = false
            context?.read()
        }
    }
}
