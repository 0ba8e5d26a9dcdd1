import Foundation
import Hummingbird
import Logging

/// The service name, as registered in msvc.yaml.
public let serviceName = ProcessInfo.processInfo.environment["MSVC_SERVICE"] ?? "{{service}}"

/// Routes: health, readiness, metrics and the service's own API.
public func buildRouter(metrics: Metrics = Metrics()) -> Router<BasicRequestContext> {
    let router = Router()
    router.add(middleware: RequestLogMiddleware(metrics: metrics))
    router.get("healthz") { _, _ in Status(status: "ok") }
    router.get("readyz") { _, _ in Status(status: "ready") }
    router.get("metrics") { _, _ in
        Response(
            status: .ok,
            headers: [.contentType: "text/plain; version=0.0.4"],
            body: .init(byteBuffer: ByteBuffer(string: metrics.render()))
        )
    }
    router.get("/") { _, _ in Hello(service: serviceName, message: "{{description}}") }
    return router
}

/// The application listening on `host:port`.
public func buildApplication(host: String, port: Int) -> some ApplicationProtocol {
    Application(
        router: buildRouter(),
        configuration: .init(address: .hostname(host, port: port), serverName: serviceName),
        logger: Logger(label: serviceName)
    )
}

/// Body of `/healthz` and `/readyz`.
public struct Status: ResponseCodable, Equatable {
    /// `ok` or `ready`.
    public var status: String
}

/// Body of `/`.
public struct Hello: ResponseCodable, Equatable {
    /// This service's name.
    public var service: String
    /// A greeting.
    public var message: String
}
