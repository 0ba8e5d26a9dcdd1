import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// Serves a `StackControl` on a unix socket (mode 0600) as JSON lines: one `ControlRequest`
/// per line, answered by one `ControlResponse` line, or for streams (`logs`, `follow`,
/// `changes`) by `StreamFrame` lines. Every request is checked before it reaches the stack
/// and every answer is bounded in size; a bad request gets an error answer, and whatever
/// goes wrong in one connection ends that connection only (docs/DECISIONS.md).
public final class ControlServer: Sendable {
    /// An accepted connection and the signal that its client closed its side.
    struct Connection: Sendable {
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        /// Completes when the client closes its side.
        let inputClosed: EventLoopFuture<Void>
    }

    private let channel: any Channel
    private let body: NIOAsyncChannel<Connection, Never>
    private let active = Atomic<Int>(0)
    /// Connections taken from the listening socket so far (tests read it when a wait fails).
    private let accepted = Atomic<Int>(0)
    private let requestTimeout: Duration
    /// Connections waiting for their next request, closed at once by `close()`.
    private let idle = Mutex<(channels: [ObjectIdentifier: any Channel], closed: Bool)>(([:], false))

    /// Binds `path` (owner-only) and returns the listening server; call `run` to serve. The
    /// socket's folder must be owner-only (`StateDirectory.create` makes it so): the socket
    /// is created there and then restricted, with no process-wide umask change.
    /// `requestTimeout` is how long a connection may take to send each complete request.
    public static func bind(path: String, requestTimeout: Duration = ControlLimits.requestTimeout) async throws -> ControlServer {
        unlink(path)
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let watcher = InputClosedWatcher(promise: channel.eventLoop.makePromise())
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineDecoder(limit: ControlLimits.requestBytes)))
                    try channel.pipeline.syncOperations.addHandler(watcher)
                    let async = try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    return Connection(channel: async, inputClosed: watcher.promise.futureResult)
                }
            }
        chmod(path, 0o600)
        return ControlServer(server, requestTimeout: requestTimeout)
    }

    private init(_ server: NIOAsyncChannel<Connection, Never>, requestTimeout: Duration) {
        body = server
        channel = server.channel
        self.requestTimeout = requestTimeout
    }

    /// Serves connections until `close()`; then lets requests in flight finish (a `down`
    /// request is answered after the stack has stopped) and returns.
    public func run(_ control: any StackControl) async throws {
        try await withThrowingDiscardingTaskGroup { group in
            try await body.executeThenClose { inbound in
                for try await connection in inbound {
                    let count = active.add(1, ordering: .relaxed).newValue
                    accepted.add(1, ordering: .relaxed)
                    group.addTask {
                        defer { self.active.subtract(1, ordering: .relaxed) }
                        if count > ControlLimits.connections {
                            await Self.refuse(connection)
                        } else {
                            await self.serve(connection, control)
                        }
                    }
                }
            }
        }
    }

    /// Connections open now and accepted so far, for a failing test to report.
    var connectionCounts: (open: Int, accepted: Int) {
        (active.load(ordering: .relaxed), accepted.load(ordering: .relaxed))
    }

    /// Stops accepting connections and closes the ones waiting for a request; requests in
    /// flight finish (streams end with the stack).
    public func close() {
        channel.close(promise: nil)
        let waiting = idle.withLock { s -> [any Channel] in
            s.closed = true
            return Array(s.channels.values)
        }
        for c in waiting { c.close(promise: nil) }
    }

    /// Marks `channel` as waiting for a request (closing it if the server is closing already).
    private func waiting(_ channel: any Channel, _ yes: Bool) {
        let closeNow = idle.withLock { s -> Bool in
            if yes {
                guard !s.closed else { return true }
                s.channels[ObjectIdentifier(channel)] = channel
            } else {
                s.channels.removeValue(forKey: ObjectIdentifier(channel))
            }
            return false
        }
        if closeNow { channel.close(promise: nil) }
    }

    /// Answers a connection over the limit with an error and closes it.
    static func refuse(_ connection: Connection) async {
        try? await connection.channel.executeThenClose { _, outbound in
            let error = ControlError.invalid("too many connections to the control socket (\(ControlLimits.connections)); try again")
            try await outbound.write(line(answer(nil, ControlResponse<JSON>.failure(error))))
        }
    }

    /// Serves one connection's requests in order until it closes, idles out or a stream ends.
    func serve(_ connection: Connection, _ control: any StackControl) async {
        let channel = connection.channel.channel
        defer { waiting(channel, false) }
        try? await connection.channel.executeThenClose { inbound, outbound in
            var lines = inbound.makeAsyncIterator()
            while true {
                waiting(channel, true)
                // A client gets a while to send each request; then the connection is closed.
                let timer = channel.eventLoop.scheduleTask(in: .milliseconds(Units.milliseconds(self.requestTimeout))) {
                    channel.close(promise: nil)
                }
                let next: ByteBuffer?
                do {
                    next = try await lines.next()
                    timer.cancel()
                    waiting(channel, false)
                } catch {
                    timer.cancel()
                    let e = error as? ControlError ?? .protocolError("\(error)")
                    try? await outbound.write(Self.line(Self.answer(nil, ControlResponse<JSON>.failure(e))))
                    return
                }
                guard let bytes = next else { return }
                let request: ControlRequestLine
                do {
                    request = try bytes.withUnsafeReadableBytes { raw throws(ControlError) in try ControlRequestLine.parse(raw) }
                } catch {
                    try await outbound.write(Self.line(Self.answer(nil, ControlResponse<JSON>.failure(Self.controlError(error)))))
                    continue
                }
                let keepOpen = try await Self.handle(request, control, connection.inputClosed, outbound)
                if !keepOpen { return }
            }
        }
    }

    /// Carries out one request and writes its answer; false when the connection is done (a stream ended).
    static func handle(_ line: ControlRequestLine, _ control: any StackControl, _ inputClosed: EventLoopFuture<Void>,
                       _ out: NIOAsyncChannelOutboundWriter<ByteBuffer>) async throws -> Bool {
        let id = line.id
        @Sendable func reply<T: Codable & Sendable>(_ work: () async throws -> T) async throws {
            let response: ControlResponse<T>
            do { response = .success(try await work()) } catch { response = .failure(Self.controlError(error)) }
            try await out.write(Self.line(answer(id, response)))
        }
        @Sendable func frame(_ f: StreamFrame) async throws {
            try await out.write(ByteBuffer(bytes: f.bytes(id: id)))
        }
        switch line.request {
        case .snapshot:
            // Built by hand, not through the generic encoder: a third of a `ps` on 200 services.
            let snapshot: StackSnapshot
            do { snapshot = try await control.snapshot() } catch {
                try await out.write(Self.line(answer(id, ControlResponse<StackSnapshot>.failure(Self.controlError(error)))))
                return true
            }
            try await out.write(Self.line(Wire.snapshotAnswer(id: id, snapshot).serialized(pretty: false)))
        case .start(let names): try await reply { try await control.start(names) }
        case .stop(let names): try await reply { try await control.stop(names) }
        case .restart(let names): try await reply { try await control.restart(names) }
        case .scale(let s, let n): try await reply { try await control.scale(s, to: n) }
        case .watch(let s, let on): try await reply { try await control.watch(s, enabled: on) }
        case .shutdown(let t): try await reply { try await control.shutdown(timeout: t) }
        case .apply(let file, let services, let profiles, let env):
            try await reply { try await control.apply(file: file, services: services, profiles: profiles, environment: env) }
        case .wait(let t):
            // The wait ends when the client goes away: a forgotten `--wait` holds nothing.
            try await untilClosed(inputClosed) { try await reply { try await control.waitUntilReady(timeout: t) } }
        case .logs(let q):
            let records: [LogRecord]
            do { records = try await control.logs(q) } catch {
                try await frame(.failure(controlError(error)))
                return true
            }
            try await frame(.started)
            for batch in batches(records) { try await frame(.records(batch)) }
            try await frame(.end)
        case .follow(let q):
            try await untilClosed(inputClosed) {
                let events: AsyncThrowingStream<LogEvent, any Error>
                do { events = try await control.follow(q) } catch {
                    try await frame(.failure(controlError(error)))
                    return
                }
                try await frame(.started)
                do {
                    for try await event in events {
                        switch event {
                        case .records(let records): for batch in batches(records) { try await frame(.records(batch)) }
                        case .missed(let n): try await frame(.missed(n))
                        }
                    }
                } catch is CancellationError {
                    return
                } catch {
                    try await frame(.failure(controlError(error)))
                    return
                }
                try await frame(.end)
            }
            return false
        case .changes:
            try await untilClosed(inputClosed) {
                let snapshots: AsyncThrowingStream<StackSnapshot, any Error>
                do { snapshots = try await control.changes() } catch {
                    try await frame(.failure(controlError(error)))
                    return
                }
                try await frame(.started)
                for try await s in snapshots { try await frame(.snapshot(s)) }
                try await frame(.end)
            }
            return false
        }
        return true
    }

    /// Runs `body` until it returns or the client closes its side, whichever comes first.
    static func untilClosed(_ inputClosed: EventLoopFuture<Void>, _ body: @escaping @Sendable () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await body() }
            group.addTask {
                let once = Once<Void>()
                await withTaskCancellationHandler {
                    await withCheckedContinuation { c in
                        once.arm(c)
                        inputClosed.whenComplete { _ in once.resume(()) }
                    }
                } onCancel: {
                    once.resume(())
                }
                throw CancellationError()
            }
            defer { group.cancelAll() }
            do { try await group.next() } catch is CancellationError {}
        }
    }

    /// Splits a batch so no answer line grows beyond a few hundred KiB.
    static func batches(_ records: [LogRecord]) -> [[LogRecord]] {
        var out: [[LogRecord]] = []
        var start = 0, bytes = 0
        for (i, r) in records.enumerated() {
            let size = r.text.utf8.count + 64
            if i > start && (i - start >= LogCursor.pageLines || bytes + size > LogCursor.pageBytes) {
                out.append(Array(records[start..<i]))
                start = i
                bytes = 0
            }
            bytes += size
        }
        if start == 0 { return records.isEmpty ? [] : [records] }
        if start < records.count { out.append(Array(records[start...])) }
        return out
    }

    /// The error as the wire carries it (anything unexpected is a protocol error).
    static func controlError(_ error: any Error) -> ControlError {
        if let e = error as? ControlError { return e }
        return .protocolError("internal error: \(error)")
    }

    /// A one-shot answer line (without the newline).
    static func answer<T: Codable & Sendable>(_ id: Int?, _ response: ControlResponse<T>) -> String {
        Wire.json(ControlAnswerLine(id: id, body: response)).serialized(pretty: false)
    }

    /// `text` and a newline, ready to write.
    static func line(_ text: String) -> ByteBuffer {
        var b = ByteBuffer(string: text)
        b.writeInteger(UInt8(0x0A))
        return b
    }
}
