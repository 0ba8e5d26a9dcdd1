import Foundation
import MsvcTestSupport
import Testing

@Suite struct ValidateCommandTests {
    static let valid = """
        version: 1
        name: shop
        services:
          orders:
            command: python3 app.py
            port: auto
            health: { http: /healthz }
          web:
            command: ["node", "server.js"]
            depends_on: { orders: healthy }
        """

    @Test func validConfig_printsOkAndExitsZero() async throws {
        let dir = try TemporaryDirectory()
        try dir.write("msvc.yaml", Self.valid)
        let r = try await MsvcBinary.run(["validate"], cwd: dir.path)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "msvc.yaml: ok (2 services)\n")
    }

    @Test func invalidConfig_printsEveryProblemWithPositionAndExits65() async throws {
        let dir = try TemporaryDirectory()
        try dir.write("msvc.yaml", """
            version: 1
            services:
              orders:
                command: python3 app.py
                port: auto
                health:
                  http: /healthz
                  interval: 5x
                depend_on: [web]
              web:
                command: node server.js
            """)
        let r = try await MsvcBinary.run(["validate"], cwd: dir.path)
        #expect(r.status == 65)
        #expect(r.stderr == """
            msvc.yaml:8:17: error: services.orders.health.interval: invalid duration "5x" (expected e.g. 500ms, 2s, 1m)
            msvc.yaml:9:5: error: services.orders.depend_on: unknown key "depend_on"; did you mean "depends_on"?
            2 errors

            """)
    }

    @Test func cycle_isPrintedAsAPath() async throws {
        let dir = try TemporaryDirectory()
        try dir.write("msvc.yaml", """
            services:
              a: { command: x, depends_on: [b] }
              b: { command: x, depends_on: [c] }
              c: { command: x, depends_on: [a] }
            """)
        let r = try await MsvcBinary.run(["validate"], cwd: dir.path)
        #expect(r.status == 65)
        #expect(r.stderr.contains("error: services.a.depends_on: dependency cycle: a -> b -> c -> a"), "\(r.stderr)")
    }

    @Test func json_reportsDiagnosticsAsData() async throws {
        let dir = try TemporaryDirectory()
        try dir.write("msvc.yaml", "services:\n  orders:\n    command: x\n    replicas: 0\n")
        let r = try await MsvcBinary.run(["validate", "--json"], cwd: dir.path)
        #expect(r.status == 65)
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(doc["valid"] as? Bool == false)
        let diags = try #require(doc["diagnostics"] as? [[String: Any]])
        #expect(diags.count == 1)
        #expect(diags[0]["line"] as? Int == 4)
        #expect(diags[0]["column"] as? Int == 15)
        #expect(diags[0]["path"] as? String == "services.orders.replicas")
    }

    @Test func discovery_findsTheFileInAParentFolder_andHonoursMsvcFile() async throws {
        let dir = try TemporaryDirectory()
        try dir.write("msvc.yaml", Self.valid)
        try dir.write("other/custom.yaml", "services:\n  solo: { command: x }\n")
        try FileManager.default.createDirectory(atPath: dir.path + "/services/orders/src", withIntermediateDirectories: true)
        let nested = try await MsvcBinary.run(["validate"], cwd: dir.path + "/services/orders/src")
        #expect(nested.status == 0, "\(nested.stderr)")
        #expect(nested.stdout.contains("ok (2 services)"))
        let viaEnv = try await MsvcBinary.run(["validate"], cwd: dir.path, environment: ["MSVC_FILE": "other/custom.yaml"])
        #expect(viaEnv.stdout == "other/custom.yaml: ok (1 service)\n", "\(viaEnv.stderr)")
        let viaFlag = try await MsvcBinary.run(["validate", "-f", "other/custom.yaml"], cwd: dir.path)
        #expect(viaFlag.stdout == "other/custom.yaml: ok (1 service)\n")
    }

    @Test func noConfig_saysHowToCreateOne() async throws {
        let dir = try TemporaryDirectory()
        let r = try await MsvcBinary.run(["validate"], cwd: dir.path)
        #expect(r.status == 65)
        #expect(r.stderr.contains("no msvc.yaml in"))
        #expect(r.stderr.contains("msvc init"))
    }

    @Test func usageError_exits64() async throws {
        let dir = try TemporaryDirectory()
        let r = try await MsvcBinary.run(["validate", "--bogus"], cwd: dir.path)
        #expect(r.status == 64)
    }

    @Test func color_isOffForPipesAndNoColor() async throws {
        let dir = try TemporaryDirectory()
        try dir.write("msvc.yaml", "services:\n  a: { command: x, port: nope }\n")
        let r = try await MsvcBinary.run(["validate"], cwd: dir.path)
        #expect(!r.stderr.contains("\u{1B}["))
    }
}
