import Foundation
import MsvcTestSupport
import Testing

@testable import MsvcCore

/// A real stack run in-process with its control socket (`StackRuntime`), for socket tests.
final class SocketStack: @unchecked Sendable {
    // Immutable after init; the runtime is Sendable and the folder is removed once.
    let dir: TemporaryDirectory
    let runtime: StackRuntime
    let socket: String

    init(_ yaml: String, files: [String: String] = [:]) async throws {
        PoolLag.start()
        dir = try TemporaryDirectory(prefix: "msvc-sock")
        for (path, content) in files { try dir.write(path, content) }
        try dir.write("msvc.yaml", yaml)
        let loaded = try ConfigLoader.load(path: dir.path + "/msvc.yaml")
        var options = SupervisorOptions(stateDirectory: StateDirectory.beside(configDirectory: dir.path))
        options.controlSocket = true
        runtime = StackRuntime(loaded, options: options)
        socket = options.stateDirectory.socket
        try await runtime.start()
    }

    var client: ControlClient { ControlClient(path: socket, stackDirectory: dir.path) }

    func stop() async { await runtime.stop(timeout: .seconds(2)) }

    /// The pids of every replica now.
    func pids() async throws -> [String: Int32] {
        var out: [String: Int32] = [:]
        for s in try await runtime.supervisor.snapshot().services {
            for r in s.replicas { out[r.name] = r.pid }
        }
        return out
    }

    /// Waits until every replica runs.
    func waitRunning(_ seconds: Double = 30) async throws -> Bool {
        await eventually(seconds) {
            let s = try? await self.runtime.supervisor.snapshot()
            return s?.services.allSatisfy { $0.replicas.allSatisfy { $0.state == .running && $0.pid != nil } } ?? false
        }
    }
}

/// A plain blocking unix-socket client that sends whatever bytes a test wants.
final class RawSocket: @unchecked Sendable {
    // The descriptor is used by one thread at a time in these tests.
    let fd: Int32
    private var buffer: [UInt8] = []
    /// Why the last `readLine` returned nil, for failure messages.
    private(set) var ended = ""

    init(_ path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in path.utf8.enumerated() { raw[i] = b }
        }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if rc != 0 {
            close(fd)
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        var st = stat()
        inode = fstat(fd, &st) == 0 ? UInt64(st.st_ino) : 0
    }

    /// The socket's inode when it was made: `intact` tells whether `fd` still names it.
    private var inode: UInt64 = 0

    /// What became of this connection, without reading from it: "ok", "fd reused" (someone
    /// closed our descriptor and another file took the number), "fd closed" or "peer closed".
    var fate: String {
        var st = stat()
        guard fstat(fd, &st) == 0 else { return "fd closed" }
        guard UInt64(st.st_ino) == inode else { return "fd reused" }
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        if poll(&p, 1, 0) > 0 {
            var bytes = [UInt8](repeating: 0, count: 120)
            let n = recv(fd, &bytes, bytes.count, Int32(MSG_PEEK | MSG_DONTWAIT))
            if n == 0 { return "peer closed" }
            return "readable: " + String(decoding: bytes.prefix(max(0, n)), as: UTF8.self)
        }
        return "ok"
    }

    deinit { close(fd) }

    /// Writes everything; false when the other side is gone.
    @discardableResult
    func write(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            sent += n
        }
        return true
    }

    @discardableResult
    func write(_ text: String) -> Bool { write(Array(text.utf8)) }

    /// Closes our writing side (the server sees the end of input).
    func shutdownWrite() { _ = shutdown(fd, Int32(SHUT_WR)) }

    /// The next line (without newline), nil at the end or after `timeout` seconds.
    func readLine(timeout: Double = 10) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let nl = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[..<nl], as: UTF8.self)
                buffer.removeFirst(nl + 1)
                return line
            }
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else {
                ended = "timed out with \(buffer.count) bytes unread"
                return nil
            }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, Int32(left * 1000) + 1) > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let n = read(fd, &chunk, chunk.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 {
                ended = n == 0 ? "end of input after \(buffer.count) bytes" : "read failed: errno \(errno)"
                return nil
            }
            buffer += chunk[0..<n]
        }
    }

    /// The next line as JSON.
    func readJSON(timeout: Double = 10) -> JSON? {
        readLine(timeout: timeout).flatMap { try? JSON.parse($0) }
    }

    /// Whether the server closed the connection within `timeout` seconds.
    func closedByPeer(timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while deadline.timeIntervalSinceNow > 0 {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&p, 1, 50) > 0 {
                var chunk = [UInt8](repeating: 0, count: 4096)
                let n = read(fd, &chunk, chunk.count)
                if n <= 0 { return true }
            }
        }
        return false
    }
}
