import Foundation
import Glibc
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

    /// Sends one request and returns its `result`. One-shot requests use a plain blocking
    /// socket on a thread of their own: a CLI call then costs one connect, not an event loop.
    func call(_ op: String, _ fields: [(String, JSON)] = []) async throws -> JSON {
        guard FileManager.default.fileExists(atPath: path) else { throw ControlError.notRunning(stackDirectory) }
        let request = Array(JSON.object([("id", .int(1)), ("op", .string(op))] + fields).serialized(pretty: false).utf8) + [0x0A]
        let path = self.path, directory = stackDirectory
        let reply: Result<[UInt8], ControlError> = await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: Self.exchange(path: path, directory: directory, request: request)) }
            thread.stackSize = 256 << 10
            thread.start()
        }
        let line = try reply.get()
        return try Self.result(ByteBuffer(bytes: line))
    }

    /// Connects, writes `request`, reads one line back. Blocking; run off the cooperative pool.
    static func exchange(path: String, directory: String, request: [UInt8]) -> Result<[UInt8], ControlError> {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return .failure(.protocolError("socket: \(String(cString: strerror(errno)))")) }
        defer { close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else { return .failure(.protocolError("socket path too long: \(path)")) }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        // A socket file with nobody listening: the supervisor died without cleaning up.
        guard connected == 0 else { return .failure(.notRunning(directory)) }
        var sent = 0
        while sent < request.count {
            let n = request[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 { if errno == EINTR { continue }; return .failure(.protocolError("write: \(String(cString: strerror(errno)))")) }
            sent += n
        }
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n < 0 { if errno == EINTR { continue }; return .failure(.protocolError("read: \(String(cString: strerror(errno)))")) }
            if n == 0 { break }
            if let nl = buffer[0..<n].firstIndex(of: 0x0A) {
                reply += buffer[0..<nl]
                return .success(reply)
            }
            reply += buffer[0..<n]
        }
        return .failure(.protocolError("the supervisor closed the connection without answering"))
    }

    static func line(_ fields: [(String, JSON)]) -> ByteBuffer {
        var b = ByteBuffer(string: JSON.object(fields).serialized(pretty: false))
        b.writeInteger(UInt8(0x0A))
        return b
    }

    static func result(_ line: ByteBuffer) throws -> JSON {
        let response = try JSON.parse(line: line)
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
        let batches = try await followBatches(query)
        let (stream, continuation) = AsyncThrowingStream<LogRecord, any Error>.makeStream()
        // The consumer drives this bridge; cancelling the stream cancels the task.
        let task = Task {
            do {
                for try await batch in batches { for r in batch { continuation.yield(r) } }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    public func followBatches(_ query: LogQuery) async throws -> AsyncThrowingStream<[LogRecord], any Error> {
        let channel = try await connect()
        let request = Self.line([("id", .int(1)), ("op", .string("follow"))] + Wire.json(query))
        return AsyncThrowingStream { continuation in
            // The stream's consumer drives this bridge; cancelling the stream cancels the task.
            let task = Task {
                do {
                    try await channel.executeThenClose { inbound, outbound in
                        try await outbound.write(request)
                        for try await line in inbound {
                            let j = try JSON.parse(line: line)
                            if j["end"] != nil { break }
                            if let batch = j["records"]?.arrayValue {
                                continuation.yield(batch.compactMap(Wire.record))
                            } else if j["ok"]?.boolValue == false {
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
