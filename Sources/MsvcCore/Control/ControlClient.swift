import Foundation

/// A `StackControl` that talks to a running supervisor over its socket: each call sends one
/// `ControlRequest` on a connection of its own and reads the answer.
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

    /// Runs `body` with a fresh connection on a thread of its own (the calls block); cancelling
    /// the task ends the connection, which ends the call.
    private func exchange<T: Sendable>(_ body: @escaping @Sendable (ControlConnection) throws(ControlError) -> T) async throws(ControlError) -> T {
        let connection = try ControlConnection.open(path: path, directory: stackDirectory)
        let result: Result<T, ControlError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let thread = Thread { continuation.resume(returning: Result { () throws(ControlError) in try body(connection) }) }
                thread.stackSize = 512 << 10
                thread.start()
            }
        } onCancel: {
            connection.shutdown()
        }
        return try result.get()
    }

    /// Sends `request` and decodes its one-line answer as a `Value`.
    func call<Value: Codable & Sendable>(_ request: ControlRequest, as type: Value.Type) async throws(ControlError) -> Value {
        try Wire.decode(ControlResponse<Value>.self, from: try await answer(to: request)).get()
    }

    /// Sends `request` and returns its one-line answer as it came.
    private func answer(to request: ControlRequest) async throws(ControlError) -> JSON {
        // Checked here too, so a request out of range is a usage error even with no stack running.
        try request.validate()
        return try await exchange { (c) throws(ControlError) -> JSON in
            try c.send(request)
            guard let answer = try c.readJSON() else { throw .protocolError("the supervisor closed the connection without answering") }
            return answer
        }
    }

    /// The snapshot as the supervisor sent it, for printing (`ps --json`): the document
    /// `Wire.json(snapshot())` gives, without decoding it and encoding it again.
    public func snapshotJSON() async throws(ControlError) -> JSON {
        let json = try await answer(to: .snapshot)
        if json["ok"] == .bool(true), let result = json["result"], case .object = result { return result }
        // Not a snapshot: the error the supervisor answered with, or why the answer does not fit.
        _ = try Wire.decode(ControlResponse<StackSnapshot>.self, from: json).get()
        throw .protocolError("unexpected answer to snapshot")
    }

    /// Sends a streaming request and waits for its first frame: the stream, or the error the
    /// supervisor answered with (an unknown service, a bad pattern).
    private func openStream(_ request: ControlRequest) async throws(ControlError) -> ControlStreamReader {
        try request.validate()
        let connection = try ControlConnection.open(path: path, directory: stackDirectory)
        try connection.send(request)
        let reader = ControlStreamReader(connection)
        guard let first = try await reader.next() else { throw .protocolError("the supervisor closed the connection without answering") }
        switch try StreamFrame.parse(first) {
        case .started: return reader
        case .failure(let e): throw e
        default: throw .protocolError("unexpected first answer to \(request.op)")
        }
    }

    /// The frames of `reader` until `end`, each mapped by `transform` (nil skips a frame).
    private func frames<T: Sendable>(_ reader: ControlStreamReader, _ transform: @escaping @Sendable (StreamFrame) throws(ControlError) -> T?) -> AsyncThrowingStream<T, any Error> {
        AsyncThrowingStream(unfolding: {
            while let json = try await reader.next() {
                let frame = try StreamFrame.parse(json)
                switch frame {
                case .end: return nil
                case .failure(let e): throw e
                default: if let value = try transform(frame) { return value }
                }
            }
            throw ControlError.protocolError("the supervisor closed the stream (has the stack stopped?)")
        })
    }

    public func snapshot() async throws -> StackSnapshot {
        try await call(.snapshot, as: StackSnapshot.self)
    }

    public func changes() async throws -> AsyncThrowingStream<StackSnapshot, any Error> {
        frames(try await openStream(.changes)) { frame in
            if case .snapshot(let s) = frame { return s }
            return nil
        }
    }

    public func logs(_ query: LogQuery) async throws -> [LogRecord] {
        var out: [LogRecord] = []
        for try await batch in frames(try await openStream(.logs(query)), { frame -> [LogRecord]? in
            if case .records(let batch) = frame { return batch }
            return nil
        }) {
            out.append(contentsOf: batch)
        }
        return out
    }

    public func follow(_ query: LogQuery) async throws -> AsyncThrowingStream<LogEvent, any Error> {
        frames(try await openStream(.follow(query))) { frame in
            switch frame {
            case .records(let batch): return .records(batch)
            case .missed(let n): return .missed(n)
            default: return nil
            }
        }
    }

    public func start(_ services: [String]) async throws -> ActionResult {
        try await call(.start(services), as: ActionResult.self)
    }

    public func stop(_ services: [String]) async throws -> ActionResult {
        try await call(.stop(services), as: ActionResult.self)
    }

    public func restart(_ services: [String]) async throws -> ActionResult {
        try await call(.restart(services), as: ActionResult.self)
    }

    public func scale(_ service: String, to replicas: Int) async throws -> ActionResult {
        try await call(.scale(service: service, replicas: replicas), as: ActionResult.self)
    }

    public func watch(_ service: String, enabled: Bool) async throws -> ActionResult {
        try await call(.watch(service: service, enabled: enabled), as: ActionResult.self)
    }

    public func shutdown(timeout: Duration?) async throws -> ActionResult {
        try await call(.shutdown(timeout: timeout), as: ActionResult.self)
    }

    public func apply(file: String, services: [String], profiles: [String], environment: [String: String]) async throws -> ApplyResult {
        try await call(.apply(file: file, services: services, profiles: profiles, environment: environment), as: ApplyResult.self)
    }

    public func waitUntilReady(timeout: Duration) async throws -> ReadyOutcome {
        try await call(.wait(timeout: timeout), as: ReadyOutcome.self)
    }
}
