import Foundation
import MsvcTestSupport
import Testing

/// `msvc export` and `msvc import` through the real binary: files, stdout, the report on
/// stderr, `--json`, exit codes, and the example shop exported both ways and imported back.
@Suite struct InteropCLITests {
    static let shop = packageRoot() + "/examples/shop/msvc.yaml"

    @Test func exportShop_toKubernetesFolder_writesOneFilePerServiceAndReportsOnStderr() async throws {
        let dir = try TemporaryDirectory(prefix: "msvc-export")
        let r = try await MsvcBinary.run(["-f", Self.shop, "export", "kubernetes", "--out", "k8s", "--namespace", "shop"], cwd: dir.path)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.isEmpty)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path + "/k8s").sorted()
        #expect(files == ["00-stack.yaml", "gateway.yaml", "inventory.yaml", "migrate.yaml", "orders.yaml", "payments.yaml", "worker.yaml"])
        #expect(r.stderr.contains("msvc export: not expressible: services.worker.health: a log probe"))
        #expect(r.stderr.contains("msvc export: not expressible: services.loadgen.profiles"))
        #expect(r.stderr.contains("wrote 7 files to k8s"))
        let orders = try dir.read("k8s/orders.yaml")
        #expect(orders.contains("kind: Deployment") && orders.contains("namespace: shop") && orders.contains("replicas: 2"))
        let printed = try await MsvcBinary.run(["-f", Self.shop, "export", "kubernetes", "--namespace", "shop", "-q"], cwd: dir.path)
        #expect(printed.status == 0 && printed.stderr.isEmpty, "-q keeps the report off stderr: \(printed.stderr)")
        #expect(printed.stdout.contains(orders.components(separatedBy: "---\n").dropFirst().joined(separator: "---\n")))
    }

    @Test func exportShop_toCompose_printsAndImportsBack() async throws {
        let dir = try TemporaryDirectory(prefix: "msvc-export")
        let r = try await MsvcBinary.run(["-f", Self.shop, "export", "compose"], cwd: dir.path)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("services:\n  migrate:\n    image: migrate:latest"))
        #expect(r.stderr.contains("msvc export: not expressible: services.orders.liveness"))
        try dir.write("compose.yaml", r.stdout)
        let imported = try await MsvcBinary.run(["import", "compose", "compose.yaml"], cwd: dir.path)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout == "wrote msvc.yaml (7 services): ok\n")
        let yaml = try dir.read("msvc.yaml")
        #expect(yaml.contains("ORDERS_DB: ${MSVC_STATE_DIR}/orders.sqlite"))
        #expect(yaml.contains("health:\n      log: worker ready"))
        let again = try await MsvcBinary.run(["import", "compose", "compose.yaml"], cwd: dir.path)
        #expect(again.status == 1 && again.stderr.contains("msvc.yaml already exists; pass --force to overwrite it"))
        #expect(try dir.read("msvc.yaml") == yaml, "nothing is overwritten without --force")
        let forced = try await MsvcBinary.run(["import", "compose", "compose.yaml", "--force", "--json"], cwd: dir.path)
        #expect(forced.status == 0, "\(forced.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(forced.stdout.utf8)) as? [String: Any])
        #expect(doc["valid"] as? Bool == true && doc["services"] as? Int == 7 && doc["written"] as? String == "msvc.yaml")
    }

    @Test func exportJSON_carriesTextAndReport() async throws {
        let dir = try TemporaryDirectory(prefix: "msvc-export")
        let r = try await MsvcBinary.run(["-f", Self.shop, "export", "kubernetes", "--json"], cwd: dir.path)
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(doc["target"] as? String == "kubernetes")
        #expect((doc["text"] as? String)?.contains("kind: Deployment") == true)
        let report = try #require(doc["report"] as? [[String: String]])
        #expect(report.contains { $0["kind"] == "dropped" && $0["path"] == "services.worker.health" })
    }

    @Test func export_exitCodes() async throws {
        let dir = try TemporaryDirectory(prefix: "msvc-export")
        try dir.write("msvc.yaml", "services:\n  web: { command: ./web, port: nope }\n")
        let invalid = try await MsvcBinary.run(["export", "compose"], cwd: dir.path)
        #expect(invalid.status == 65 && invalid.stderr.contains("msvc.yaml:2:32: error: services.web.port"), "\(invalid.stderr)")
        let usage = try await MsvcBinary.run(["-f", Self.shop, "export", "compose", "--namespace", "x"], cwd: dir.path)
        #expect(usage.status == 64 && usage.stderr.contains("--namespace is for kubernetes"))
        let unknown = try await MsvcBinary.run(["-f", Self.shop, "export", "swarm"], cwd: dir.path)
        #expect(unknown.status == 64, "\(unknown.stderr)")
        try dir.write("bad/msvc.yaml", "services:\n  web-: { command: ./web }\n")
        let name = try await MsvcBinary.run(["-f", "bad/msvc.yaml", "export", "kubernetes"], cwd: dir.path)
        #expect(name.status == 65 && name.stderr.contains("not a valid Kubernetes name"), "\(name.stderr)")
    }

    @Test func import_badInputIsReportedAndWritesNothing() async throws {
        let dir = try TemporaryDirectory(prefix: "msvc-import")
        try dir.write("Procfile", "web: ./run\nthis line has no colon\n")
        let r = try await MsvcBinary.run(["import", "procfile", "Procfile"], cwd: dir.path)
        #expect(r.status == 65)
        #expect(r.stderr.contains("Procfile:2:1: error: expected NAME: command"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/msvc.yaml"))
        let asJSON = try await MsvcBinary.run(["import", "procfile", "Procfile", "--json"], cwd: dir.path)
        #expect(asJSON.status == 65)
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(asJSON.stdout.utf8)) as? [String: Any])
        #expect(doc["valid"] as? Bool == false && doc["written"] is NSNull)
        #expect((doc["diagnostics"] as? [[String: Any]])?.first?["line"] as? Int == 2)
        let missing = try await MsvcBinary.run(["import", "compose", "nope.yaml"], cwd: dir.path)
        #expect(missing.status == 65 && missing.stderr.contains("nope.yaml: no such file"))
    }

    @Test func import_resultThatNeedsFixing_isWrittenAndReportedLikeValidate() async throws {
        let dir = try TemporaryDirectory(prefix: "msvc-import")
        try dir.write("compose.yaml", "services:\n  web:\n    command: ./web --token ${TOKEN}\n    depends_on: [db]\n")
        let r = try await MsvcBinary.run(["import", "compose", "compose.yaml", "-f", "out/msvc.yaml"], cwd: dir.path, environment: ["TOKEN": ""])
        #expect(r.status == 65, "\(r.stdout)\(r.stderr)")
        #expect(r.stderr.contains("out/msvc.yaml:"), "\(r.stderr)")
        #expect(r.stderr.contains("unknown service \"db\""), "\(r.stderr)")
        #expect(r.stderr.contains("wrote out/msvc.yaml, but it does not validate yet"))
        #expect(try dir.read("out/msvc.yaml").contains("command: ./web --token ${TOKEN}"))
    }
}
