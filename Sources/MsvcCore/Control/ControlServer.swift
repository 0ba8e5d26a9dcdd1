import Foundation
import NIOCore
import NIOPosix

/// Serves a `StackControl` on a unix socket (mode 0600) as JSON lines: one request per line,
/// one response line (or, for `follow`, a record per line until the client leaves).
public final class ControlServer: Sendable {
    private let channel: any Channel
    private let body: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>

    /// Binds `path` (owner-only) and returns the listening server; call `run` to serve.
    public static func bind(path: String) async throws -> ControlServer {
        unlink(path)
        let previous = umask(0o077)
        defer { umask(previous) }
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineDecoder()))
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        chmod(path, 0o600)
        return ControlServer(server)
    }

    private init(_ server: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>) {
        body = server
        channel = server.channel
    }

    /// Serves connections until `close()`; then lets requests in flight finish (a `down`
    /// request is answered after the stack has stopped) and returns.
    public func run(_ control: any StackControl) async throws {
        try await withThrowingDiscardingTaskGroup { group in
            try await body.executeThenClose { inbound in
                for try await connection in inbound {
                    group.addTask { await Self.serve(connection, control) }
                }
            }
        }
    }

    /// Stops accepting connections.
    public func close() {
        channel.close(promise: nil)
    }

    static func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>, _ control: any StackControl) async {
        try? await connection.executeThenClose { inbound, outbound in
            for try await line in inbound {
                let request = (try? JSON.parse(line: line)) ?? .null
                let id = request["id"] ?? .null
                func send(_ fields: [(String, JSON)]) async throws {
                    var buffer = ByteBuffer(string: JSON.object([("id", id)] + fields).serialized(pretty: false))
                    buffer.writeInteger(UInt8(0x0A))
                    try await outbound.write(buffer)
                }
                do {
                    if request["op"]?.stringValue == "follow" {
                        // One line per batch: a flooding stack costs one write per pipe read, not per line.
                        let stream = try await control.followBatches(Wire.query(request))
                        try await send([("ok", .bool(true))])
                        for try await batch in stream { try await send([("records", .array(batch.map(Wire.json)))]) }
                        try await send([("end", .bool(true))])
                        return
                    }
                    let result = try await handle(request, control)
                    try await send([("ok", .bool(true)), ("result", result)])
                } catch let error as ControlError {
                    try await send([("ok", .bool(false)), ("error", .string(error.description)), ("kind", .string(kind(error)))])
                } catch {
                    try await send([("ok", .bool(false)), ("error", .string("\(error)")), ("kind", .string("internal"))])
                }
            }
        }
    }

    static func kind(_ e: ControlError) -> String {
        switch e {
        case .notRunning: return "notRunning"
        case .unknownService: return "unknownService"
        case .invalid: return "invalid"
        case .protocolError: return "protocol"
        }
    }

    static func handle(_ r: JSON, _ control: any StackControl) async throws -> JSON {
        let names = r["services"]?.arrayValue?.compactMap(\.stringValue) ?? []
        func action(_ a: ActionResult) -> JSON { .object([("ok", .bool(a.ok)), ("message", .string(a.message))]) }
        switch r["op"]?.stringValue ?? "" {
        case "snapshot": return Wire.json(try await control.snapshot())
        case "logs": return .array(try await control.logs(Wire.query(r)).map(Wire.json))
        case "start": return action(try await control.start(names))
        case "stop": return action(try await control.stop(names))
        case "restart": return action(try await control.restart(names))
        case "scale":
            guard let s = r["service"]?.stringValue, let n = r["replicas"]?.intValue else {
                throw ControlError.invalid("scale needs a service and a replica count")
            }
            return action(try await control.scale(s, to: n))
        case "shutdown":
            let timeout = r["timeout_ms"]?.intValue.map { Duration.milliseconds($0) }
            return action(try await control.shutdown(timeout: timeout))
        case "wait":
            let timeout = Duration.milliseconds(r["timeout_ms"]?.intValue ?? 60_000)
            return Wire.json(try await control.waitUntilReady(timeout: timeout))
        case let other: throw ControlError.protocolError("unknown operation \"\(other)\"")
        }
    }
}
