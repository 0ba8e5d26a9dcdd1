import Foundation
import NIOCore
import NIOPosix

/// A `StackControl` that talks to a running supervisor over its socket.
public struct ControlClient: StackControl {
    /// The socket path.
    public let path: String
    /// The folder the stack runs in, for messages.
    public let stackDirectory: String

    /// Creates a client for the socket at `path`.
    public init(path: String, stackDirectory: String) {
        self.path = path
        self.stackDirectory = stackDirectory
    }

    typealias Channel = NIOAsyncChannel<ByteBuffer, ByteBuffer>

    func connect() async throws -> Channel {
        guard FileManager.default.fileExists(atPath: path) else { throw ControlError.notRunning(stackDirectory) }
        do {
            return try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(unixDomainSocketPath: path) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineDecoder()))
                        return try Channel(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            // A socket file with nobody listening: the supervisor died without cleaning up.
            throw ControlError.notRunning(stackDirectory)
        }
    }

    /// Sends one request and returns its `result`.
    func call(_ op: String, _ fields: [(String, JSON)] = []) async throws -> JSON {
        let channel = try await connect()
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(Self.line([("id", .int(1)), ("op", .string(op))] + fields))
            for try await line in inbound {
                return try Self.result(line)
            }
            throw ControlError.protocolError("the supervisor closed the connection without answering")
        }
    }

    static func line(_ fields: [(String, JSON)]) -> ByteBuffer {
        var b = ByteBuffer(string: JSON.object(fields).serialized(pretty: false))
        b.writeInteger(UInt8(0x0A))
        return b
    }

    static func result(_ line: ByteBuffer) throws -> JSON {
        let response = try JSON.parse(bytes: Array(line.readableBytesView))
        if response["ok"]?.boolValue == true { return response["result"] ?? .null }
        let message = response["error"]?.stringValue ?? "unknown error"
        switch response["kind"]?.stringValue {
        case "unknownService": throw ControlError.invalid(message)
        case "invalid": throw ControlError.invalid(message)
        default: throw ControlError.protocolError(message)
        }
    }

    public func snapshot() async throws -> StackSnapshot {
        guard let s = Wire.snapshot(try await call("snapshot")) else { throw ControlError.protocolError("unreadable snapshot") }
        return s
    }

    public func logs(_ query: LogQuery) async throws -> [LogRecord] {
        (try await call("logs", Wire.json(query)).arrayValue ?? []).compactMap(Wire.record)
    }

    public func follow(_ query: LogQuery) async throws -> AsyncThrowingStream<LogRecord, any Error> {
        let channel = try await connect()
        let request = Self.line([("id", .int(1)), ("op", .string("follow"))] + Wire.json(query))
        return AsyncThrowingStream { continuation in
            // The stream's consumer drives this bridge; cancelling the stream cancels the task.
            let task = Task {
                do {
                    try await channel.executeThenClose { inbound, outbound in
                        try await outbound.write(request)
                        for try await line in inbound {
                            let j = try JSON.parse(bytes: Array(line.readableBytesView))
                            if j["end"] != nil { break }
                            if let r = j["record"].flatMap(Wire.record) { continuation.yield(r) }
                            else if j["ok"]?.boolValue == false {
                                throw ControlError.invalid(j["error"]?.stringValue ?? "follow failed")
                            }
                        }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    func action(_ op: String, _ fields: [(String, JSON)]) async throws -> ActionResult {
        let r = try await call(op, fields)
        return ActionResult(ok: r["ok"]?.boolValue ?? false, message: r["message"]?.stringValue ?? "")
    }

    public func start(_ services: [String]) async throws -> ActionResult {
        try await action("start", [("services", .array(services.map(JSON.string)))])
    }

    public func stop(_ services: [String]) async throws -> ActionResult {
        try await action("stop", [("services", .array(services.map(JSON.string)))])
    }

    public func restart(_ services: [String]) async throws -> ActionResult {
        try await action("restart", [("services", .array(services.map(JSON.string)))])
    }

    public func scale(_ service: String, to replicas: Int) async throws -> ActionResult {
        try await action("scale", [("service", .string(service)), ("replicas", .int(replicas))])
    }

    public func shutdown(timeout: Duration?) async throws -> ActionResult {
        try await action("shutdown", timeout.map { [("timeout_ms", .int(Int(Units.milliseconds($0))))] } ?? [])
    }

    public func waitUntilReady(timeout: Duration) async throws -> ReadyOutcome {
        Wire.outcome(try await call("wait", [("timeout_ms", .int(Int(Units.milliseconds(timeout))))]))
    }
}
