import App
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct AppTests {
    @Test func healthz_returnsOK() async throws {
        let app = Application(router: buildRouter())
        try await app.test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("ok"))
            }
        }
    }

    @Test func requestID_isEchoed() async throws {
        let app = Application(router: buildRouter())
        try await app.test(.router) { client in
            try await client.execute(uri: "/readyz", method: .get, headers: [.init("X-Request-ID")!: "abc-123"]) { response in
                #expect(response.headers[.init("X-Request-ID")!] == "abc-123")
            }
        }
    }

    @Test func metrics_countsRequests() async throws {
        let app = Application(router: buildRouter())
        try await app.test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { _ in }
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(text.contains("# TYPE http_requests_total counter"))
                #expect(text.contains("path=\"/healthz\""))
            }
        }
    }
}
