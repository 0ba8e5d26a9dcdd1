import Foundation
import Glibc
import Synchronization

/// One blocking connection to the control socket, for the client. A CLI call costs one
/// connect and no event loop; reads run on a thread of their own, never on the cooperative pool.
// @unchecked: `fd` never changes; the read buffer is used by one reading thread at a time
// (a call's thread, or a stream's reader thread); `shutdown` is a thread-safe system call.
final class ControlConnection: @unchecked Sendable {
    private let fd: Int32
    /// Bytes read and not yet consumed are `storage[start..<end]`; lines are parsed in place.
    private var storage = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 256 << 10)
    private var start = 0, end = 0

    private init(fd: Int32) { self.fd = fd }

    deinit {
        close(fd)
        storage.deallocate()
    }

    /// Connects to the socket at `path`; `notRunning` when nobody listens there.
    static func open(path: String, directory: String) throws(ControlError) -> ControlConnection {
        guard FileManager.default.fileExists(atPath: path) else { throw .notRunning(directory) }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .protocolError("socket: \(String(cString: strerror(errno)))") }
        let connection = ControlConnection(fd: fd)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else { throw .protocolError("socket path too long: \(path)") }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        // A socket file with nobody listening: the supervisor died without cleaning up.
        guard connected == 0 else { throw .notRunning(directory) }
        return connection
    }

    /// Writes a request line (adds the newline).
    func send(_ request: ControlRequest, id: Int = 1) throws(ControlError) {
        let bytes = Array(Wire.json(ControlRequestLine(id: id, request: request)).serialized(pretty: false).utf8) + [0x0A]
        guard bytes.count <= ControlLimits.requestBytes else {
            throw .usage("the request is larger than \(ControlLimits.requestBytes) bytes")
        }
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .protocolError("write: \(String(cString: strerror(errno)))")
            }
            sent += n
        }
    }

    /// The next line (without its newline) as JSON, parsed where it lies in the read buffer;
    /// nil at the end of the stream.
    func readJSON() throws(ControlError) -> JSON? {
        // Bytes already searched, counted from `start` (which `makeRoom` may move).
        var scanned = 0
        while true {
            if let nl = memchr(storage.baseAddress! + start + scanned, 0x0A, end - start - scanned) {
                let lineEnd = storage.baseAddress!.distance(to: nl.assumingMemoryBound(to: UInt8.self))
                defer { start = lineEnd + 1 }
                do { return try JSON.parse(buffer: UnsafeBufferPointer(rebasing: storage[start..<lineEnd])) } catch {
                    throw .protocolError("unreadable answer: \(error)")
                }
            }
            scanned = end - start
            guard end - start <= ControlLimits.responseBytes else {
                throw .protocolError("an answer line is longer than \(ControlLimits.responseBytes) bytes")
            }
            makeRoom()
            let n = read(fd, storage.baseAddress! + end, storage.count - end)
            if n < 0 {
                if errno == EINTR { continue }
                throw .protocolError("read: \(String(cString: strerror(errno)))")
            }
            if n == 0 { return nil }
            end += n
        }
    }

    /// Moves the unread bytes to the front, and doubles the buffer when a line fills it.
    private func makeRoom() {
        if start > 0 {
            if start < end { UnsafeMutableRawPointer(storage.baseAddress!).copyMemory(from: storage.baseAddress! + start, byteCount: end - start) }
            end -= start
            start = 0
        }
        if storage.count - end < 16 << 10 {
            let bigger = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: storage.count * 2)
            UnsafeMutableRawPointer(bigger.baseAddress!).copyMemory(from: storage.baseAddress!, byteCount: end)
            storage.deallocate()
            storage = bigger
        }
    }

    /// Ends the connection for both sides: a read blocked on another thread returns at once.
    func shutdown() {
        _ = Glibc.shutdown(fd, Int32(SHUT_RDWR))
    }
}

/// Reads a stream's lines on a dedicated thread, one line each time the consumer asks: the
/// consumer's pace is the socket's, so the client buffers nothing ahead and a slow consumer
/// slows the supervisor's writer (which then reports missed lines) instead of growing here.
final class ControlStreamReader: Sendable {
    private final class Core: Sendable {
        let connection: ControlConnection
        let asks = DispatchSemaphore(value: 0)
        let state = Mutex<(waiting: CheckedContinuation<Result<JSON?, ControlError>, Never>?, closed: Bool)>((nil, false))

        init(_ connection: ControlConnection) { self.connection = connection }

        func loop() {
            while true {
                asks.wait()
                let closed = state.withLock { $0.closed }
                let result: Result<JSON?, ControlError> = closed ? .success(nil) : Result { () throws(ControlError) in try connection.readJSON() }
                var last = closed
                if case .success(nil) = result { last = true }
                if case .failure = result { last = true }
                // Marked closed before the consumer hears, so a later ask never waits for a
                // thread that has gone.
                let c = state.withLock { s -> CheckedContinuation<Result<JSON?, ControlError>, Never>? in
                    defer { s.waiting = nil }
                    if last { s.closed = true }
                    return s.waiting
                }
                c?.resume(returning: result)
                if last { return }
            }
        }

        func close() {
            state.withLock { $0.closed = true }
            connection.shutdown()
            asks.signal()
        }
    }

    private let core: Core

    /// Starts the reader thread for `connection`.
    init(_ connection: ControlConnection) {
        let core = Core(connection)
        self.core = core
        let thread = Thread { core.loop() }
        thread.name = "msvc-control-read"
        thread.stackSize = 512 << 10
        thread.start()
    }

    deinit { core.close() }

    /// The next line as JSON, nil at the end; cancelling the task ends the connection.
    func next() async throws(ControlError) -> JSON? {
        let core = self.core
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Result<JSON?, ControlError>, Never>) in
                let closed = core.state.withLock { s -> Bool in
                    if s.closed { return true }
                    s.waiting = c
                    return false
                }
                if closed { c.resume(returning: .success(nil)) } else { core.asks.signal() }
            }
        } onCancel: {
            core.connection.shutdown()
        }
        return try result.get()
    }
}
