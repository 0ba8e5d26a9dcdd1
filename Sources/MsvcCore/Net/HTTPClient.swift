import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// An HTTP/1.1 request with exact control of headers and body.
public struct HTTPRequest: Sendable, Equatable {
    /// Method, e.g. `GET`.
    public var method: String
    /// Host to connect to (an IP or name; msvc only talks to 127.0.0.1 and what the user names).
    public var host: String
    /// TCP port.
    public var port: Int
    /// Path with query, e.g. `/orders?id=1`.
    public var target: String
    /// Headers in order, sent exactly as given (a `Host` header is added if missing).
    public var headers: [(String, String)]
    /// The body bytes.
    public var body: [UInt8]

    /// Creates a request.
    public init(method: String = "GET", host: String = "127.0.0.1", port: Int, target: String = "/",
                headers: [(String, String)] = [], body: [UInt8] = []) {
        self.method = method
        self.host = host
        self.port = port
        self.target = target
        self.headers = headers
        self.body = body
    }

    public static func == (a: HTTPRequest, b: HTTPRequest) -> Bool {
        a.method == b.method && a.host == b.host && a.port == b.port && a.target == b.target
            && a.headers.elementsEqual(b.headers, by: { $0 == $1 }) && a.body == b.body
    }

    /// Parses `http://host:port/path?query` into a request.
    public init?(url: String, method: String = "GET", headers: [(String, String)] = [], body: [UInt8] = []) {
        guard url.hasPrefix("http://") else { return nil }
        let rest = url.dropFirst(7)
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        var target = String(rest.dropFirst(authority.count))
        if target.isEmpty || target.hasPrefix("?") { target = "/" + target }
        let parts = authority.split(separator: ":", maxSplits: 1)
        guard let host = parts.first, !host.isEmpty else { return nil }
        let port = parts.count == 2 ? Int(parts[1]) : 80
        guard let port, (1...65535).contains(port) else { return nil }
        self.init(method: method, host: String(host), port: port, target: target, headers: headers, body: body)
    }
}

/// A base URL (`http://127.0.0.1:8080/api`): where requests with relative paths go.
public struct HTTPEndpoint: Sendable, Equatable {
    /// Host name or address.
    public var host: String
    /// TCP port.
    public var port: Int
    /// Path prefix without a trailing slash (`/api`), empty for none.
    public var basePath: String

    /// Parses `http://host[:port][/path]`; nil for other schemes or a malformed URL.
    public init?(_ url: String) {
        guard url.hasPrefix("http://") else { return nil }
        let rest = url.dropFirst(7)
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        var path = String(rest.dropFirst(authority.count))
        if let q = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = String(path[..<q]) }
        while path.hasSuffix("/") { path.removeLast() }
        var host = Substring(authority)
        var port = 80
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return nil }
            let after = host[host.index(after: close)...]
            if after.hasPrefix(":") { guard let p = Int(after.dropFirst()) else { return nil }; port = p } else if !after.isEmpty { return nil }
            host = host[host.index(after: host.startIndex)..<close]
        } else if let colon = host.lastIndex(of: ":") {
            guard let p = Int(host[host.index(after: colon)...]) else { return nil }
            port = p
            host = host[..<colon]
        }
        guard !host.isEmpty, (1...65535).contains(port) else { return nil }
        self.host = String(host)
        self.port = port
        self.basePath = path
    }

    /// A request for `path` (joined to the base path) with an encoded `query` (no `?`).
    public func request(method: String, path: String, query: String, headers: [(String, String)], body: [UInt8]) -> HTTPRequest {
        var target = basePath + (path.isEmpty || path.hasPrefix("/") ? path : "/" + path)
        if target.isEmpty { target = "/" }
        target = Self.encodePath(target)
        if !query.isEmpty { target += "?" + query }
        return HTTPRequest(method: method, host: host, port: port, target: target, headers: headers, body: body)
    }

    /// Percent-encodes what may not appear raw in a request target, leaving `/` and existing escapes.
    static func encodePath(_ path: String) -> String {
        var out = ""
        for byte in path.utf8 {
            let c = Character(Unicode.Scalar(byte))
            let safe = byte < 0x80 && (c.isLetter || c.isNumber || "-._~/!$&'()*+,;=:@%".contains(c))
            out += safe ? String(c) : String(format: "%%%02X", byte)
        }
        return out
    }
}

/// A complete HTTP response.
public struct HTTPResponse: Sendable {
    /// Status code.
    public var status: Int
    /// Reason phrase.
    public var reason: String
    /// Headers in the order received.
    public var headers: [(String, String)]
    /// The body bytes.
    public var body: [UInt8]

    /// Creates a response (the client makes them; tests and checks may too).
    public init(status: Int, reason: String = "", headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body
    }

    /// The first header named `name`, case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    /// The body as UTF-8 text.
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// Why a request failed.
public enum HTTPClientError: Error, Sendable, CustomStringConvertible, Equatable {
    case connectFailed(String)
    case timedOut(Duration)
    case badResponse(String)
    case bodyTooLarge(Int)

    public var description: String {
        switch self {
        case .connectFailed(let why): return "connection failed: \(why)"
        case .timedOut(let d): return "no response within \(Units.format(d))"
        case .badResponse(let why): return "invalid HTTP response: \(why)"
        case .bodyTooLarge(let n): return "response body larger than \(n) bytes"
        }
    }
}

/// A small HTTP/1.1 client on SwiftNIO: one connection per request, a deadline on the whole
/// exchange. Shared by health probes, Pact verification and OpenAPI checks.
public struct HTTPClient: Sendable {
    /// The event loops used for connections.
    public let group: any EventLoopGroup
    /// Largest response body accepted.
    public var maxBodySize = 16 << 20

    /// Creates a client on `group` (default: NIO's shared singleton loops).
    public init(group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.group = group
    }

    /// Sends `request` and waits for the whole response, failing after `timeout`.
    public func send(_ request: HTTPRequest, timeout: Duration) async throws(HTTPClientError) -> HTTPResponse {
        let loop = group.next()
        let promise = loop.makePromise(of: HTTPResponse.self)
        let millis = max(1, Units.milliseconds(timeout))
        let limit = maxBodySize
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(.milliseconds(millis))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ResponseCollector(promise: promise, limit: limit))
                }
            }
        let timer = loop.scheduleTask(in: .milliseconds(millis)) {
            promise.fail(HTTPClientError.timedOut(timeout))
        }
        bootstrap.connect(host: request.host, port: request.port).whenComplete { result in
            switch result {
            case .failure(let error):
                promise.fail(HTTPClientError.connectFailed(Self.describe(error)))
            case .success(let channel):
                promise.futureResult.whenComplete { _ in channel.close(promise: nil) }
                var head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: request.method), uri: request.target)
                for (k, v) in request.headers { head.headers.add(name: k, value: v) }
                if !head.headers.contains(name: "host") { head.headers.add(name: "Host", value: "\(request.host):\(request.port)") }
                if !request.body.isEmpty || !["GET", "HEAD", "DELETE", "OPTIONS"].contains(request.method),
                   !head.headers.contains(name: "content-length") {
                    head.headers.add(name: "Content-Length", value: String(request.body.count))
                }
                if !head.headers.contains(name: "connection") { head.headers.add(name: "Connection", value: "close") }
                channel.write(HTTPClientRequestPart.head(head), promise: nil)
                if !request.body.isEmpty {
                    channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(bytes: request.body))), promise: nil)
                }
                channel.writeAndFlush(HTTPClientRequestPart.end(nil)).whenFailure { error in
                    promise.fail(HTTPClientError.connectFailed(Self.describe(error)))
                }
            }
        }
        defer { timer.cancel() }
        do {
            return try await promise.futureResult.get()
        } catch let error as HTTPClientError {
            throw error
        } catch {
            throw .badResponse(Self.describe(error))
        }
    }

    static func describe(_ error: any Error) -> String {
        if let e = error as? IOError { return e.description }
        if let e = error as? ChannelError {
            switch e {
            case .connectTimeout: return "connect timed out"
            case .ioOnClosedChannel, .alreadyClosed, .eof: return "connection closed before a response"
            default: return "\(e)"
            }
        }
        if let e = error as? HTTPClientError { return e.description }
        let text = "\(error)"
        if text.contains("connectionRefused") || text.contains("Connection refused") { return "connection refused" }
        return text
    }
}

/// Collects one response and completes the promise with it.
private final class ResponseCollector: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart

    private let promise: EventLoopPromise<HTTPResponse>
    private let limit: Int
    private var head: HTTPResponseHead?
    private var body: [UInt8] = []

    init(promise: EventLoopPromise<HTTPResponse>, limit: Int) {
        self.promise = promise
        self.limit = limit
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
        case .body(var buffer):
            if body.count + buffer.readableBytes > limit {
                promise.fail(HTTPClientError.bodyTooLarge(limit))
                context.close(promise: nil)
                return
            }
            body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            guard let head else {
                promise.fail(HTTPClientError.badResponse("no status line"))
                return
            }
            promise.succeed(HTTPResponse(
                status: Int(head.status.code), reason: head.status.reasonPhrase,
                headers: head.headers.map { ($0.name, $0.value) }, body: body))
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(HTTPClientError.badResponse(HTTPClient.describe(error)))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(HTTPClientError.connectFailed("connection closed before a complete response"))
        context.fireChannelInactive()
    }
}
