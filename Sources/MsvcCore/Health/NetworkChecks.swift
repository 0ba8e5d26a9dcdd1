import Foundation
import NIOCore
import NIOPosix

/// The network probes: an HTTP GET with a status range, and a TCP connect.
public enum NetworkChecks {
    /// GETs `path` on 127.0.0.1:`port`; passes when the status is in `status`.
    public static func http(
        port: Int, path: String, status: ClosedRange<Int>, headers: [(String, String)], timeout: Duration,
        client: HTTPClient = HTTPClient()
    ) async -> ProbeResult {
        let started = ContinuousClock.now
        do {
            let response = try await client.send(
                HTTPRequest(method: "GET", port: port, target: path, headers: headers), timeout: timeout)
            let ms = Units.milliseconds(ContinuousClock.now - started)
            let ok = status.contains(response.status)
            let expectation = ok ? "" : " (expected \(status.lowerBound)-\(status.upperBound))"
            return ProbeResult(ok: ok, detail: "GET \(path): \(response.status) \(response.reason) in \(ms)ms\(expectation)")
        } catch {
            return ProbeResult(ok: false, detail: "GET \(path): \(error)")
        }
    }

    /// Connects to 127.0.0.1:`port`; passes when the connection is accepted.
    public static func tcp(port: Int, timeout: Duration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async -> ProbeResult {
        let started = ContinuousClock.now
        if let quick = quickConnect(port: port) {
            return quick ? ProbeResult(ok: true, detail: "tcp \(port): connected in 0ms") : ProbeResult(ok: false, detail: "tcp \(port): connection refused")
        }
        do {
            // An address, not a host name: no resolver and no happy-eyeballs race per probe.
            let address = try SocketAddress(ipAddress: "127.0.0.1", port: port)
            let channel = try await ClientBootstrap(group: group)
                .connectTimeout(.milliseconds(max(1, Units.milliseconds(timeout))))
                .connect(to: address).get()
            try? await channel.close()
            let ms = Units.milliseconds(ContinuousClock.now - started)
            return ProbeResult(ok: true, detail: "tcp \(port): connected in \(ms)ms")
        } catch let error as IOError where error.errnoCode == ECONNREFUSED {
            return ProbeResult(ok: false, detail: "tcp \(port): connection refused")
        } catch {
            return ProbeResult(ok: false, detail: "tcp \(port): \(HTTPClient.describe(error))")
        }
    }

    /// A loopback connect settles within the connect call: true when it was accepted, false when
    /// refused, nil when it is still under way (a full backlog) or failed otherwise, for the
    /// event loop to wait out. A few system calls instead of a channel: with 50 services
    /// probed every second, the channel's setup was most of an idle stack's CPU.
    static func quickConnect(port: Int) -> Bool? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
        addr.sin_addr.s_addr = in_addr_t(0x7f00_0001).bigEndian
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if rc == 0 { return true }
        if errno == ECONNREFUSED { return false }
        guard errno == EINPROGRESS else { return nil }
        var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        guard poll(&p, 1, 0) == 1 else { return nil }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 else { return nil }
        if error == 0 { return true }
        return error == ECONNREFUSED ? false : nil
    }
}
