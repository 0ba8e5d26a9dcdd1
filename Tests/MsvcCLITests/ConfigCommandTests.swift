import Foundation
import MsvcTestSupport
import Testing

@Suite struct ConfigCommandTests {
    @Test func json_showsEveryKeyWithDefaultsFilledIn() async throws {
        let dir = try TemporaryDirectory(prefix: "shop")
        try dir.write(".env", "SHARED=from-file\n")
        try dir.write("msvc.yaml", """
            version: 1
            name: shop
            env_file: [.env, missing.env?]
            env: { LOG_LEVEL: "${LEVEL:-info}" }
            services:
              orders:
                command: python3 app.py --db "${DB:-sqlite:///tmp/o.db}"
                port: 8080
                ports: { admin: auto }
                env: { UPSTREAM: "${INVENTORY_URL}/v1", FROM_FILE: "${SHARED}" }
                health: { http: { path: /healthz, port: admin, status: 200-299 } }
                liveness: { tcp: true, failure_threshold: 5 }
                depends_on: { inventory: healthy }
              inventory:
                command: ./inv
                shell: true
                port: auto
                health: { tcp: true, interval: 250ms }
            tests:
              integration:
                - { name: db, needs: [orders], run: make test }
            """)
        let r = try await MsvcBinary.run(["config", "--json"], cwd: dir.path, environment: ["DB": "postgres://x"])
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(doc["name"] as? String == "shop")
        #expect((doc["env"] as? [String: String])?["LOG_LEVEL"] == "info")
        let services = try #require(doc["services"] as? [String: [String: Any]])
        let orders = try #require(services["orders"])
        let serviceKeys = [
            "command", "shell", "cwd", "env", "env_file", "port", "ports", "depends_on", "health", "liveness",
            "restart", "max_restarts", "backoff", "replicas", "stop_signal", "stop_timeout", "profiles",
            "disabled", "build", "test", "language", "labels", "image", "watch", "openapi",
        ]
        #expect(Set(orders.keys) == Set(serviceKeys))
        #expect(orders["command"] as? [String] == ["python3", "app.py", "--db", "postgres://x"])
        #expect(orders["port"] as? Int == 8080)
        #expect(orders["restart"] as? String == "on-failure")
        #expect(orders["stop_timeout"] as? String == "10s")
        #expect((orders["backoff"] as? [String: String]) == ["initial": "500ms", "max": "30s"])
        let env = try #require(orders["env"] as? [String: String])
        #expect(env["UPSTREAM"] == "${INVENTORY_URL}/v1", "discovery variables are resolved at start")
        #expect(env["FROM_FILE"] == "from-file")
        let health = try #require(orders["health"] as? [String: Any])
        #expect((health["http"] as? [String: Any])?["status"] as? String == "200-299")
        #expect(health["retries"] as? Int == 3)
        #expect((orders["liveness"] as? [String: Any])?["retries"] as? Int == 5)
        #expect((services["inventory"]?["command"] as? String) == "./inv")
        #expect((services["inventory"]?["health"] as? [String: Any])?["interval"] as? String == "250ms")
        let tests = try #require(doc["tests"] as? [String: Any])
        let integration = try #require(tests["integration"] as? [[String: Any]])
        #expect(integration.first?["timeout"] as? String == "10m")
    }

    @Test func yaml_outputLoadsBackToTheSameConfig() async throws {
        let dir = try TemporaryDirectory()
        try dir.write("msvc.yaml", """
            name: rt
            services:
              a: { command: "echo 'x: y' \\"#z\\"", port: auto, labels: { team: "on" } }
              b: { command: [sh, -c, "exit 0"], depends_on: [a], restart: "no", profiles: [debug] }
            """)
        let first = try await MsvcBinary.run(["config", "--json"], cwd: dir.path)
        #expect(first.status == 0, "\(first.stderr)")
        let yaml = try await MsvcBinary.run(["config"], cwd: dir.path)
        try dir.write("resolved/msvc.yaml", yaml.stdout)
        let second = try await MsvcBinary.run(["config", "--json"], cwd: dir.path + "/resolved")
        #expect(second.status == 0, "\(second.stderr)\n\(yaml.stdout)")
        #expect(second.stdout == first.stdout)
    }
}
