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
        do {
            let channel = try await ClientBootstrap(group: group)
                .connectTimeout(.milliseconds(max(1, Units.milliseconds(timeout))))
                .connect(host: "127.0.0.1", port: port).get()
            try? await channel.close()
            let ms = Units.milliseconds(ContinuousClock.now - started)
            return ProbeResult(ok: true, detail: "tcp \(port): connected in \(ms)ms")
        } catch {
            return ProbeResult(ok: false, detail: "tcp \(port): \(HTTPClient.describe(error))")
        }
    }
}
