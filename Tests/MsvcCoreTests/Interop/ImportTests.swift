import Foundation
import MsvcCore
import MsvcTestSupport
import Testing

/// Imports of real-world shaped files: compose (healthchecks, interpolation, conditions,
/// profiles, anchors, extension fields, extends), a Procfile (comments, env references,
/// release) and process-compose (probes, availability, replicas, namespaces, log lines).
@Suite struct ImportTests {
    static let rerun = "swift test --filter ImportTests"
    static let cases: [(format: ImportFormat, folder: String, file: String)] = [
        (.compose, "compose", "compose.yaml"), (.procfile, "procfile", "Procfile"),
        (.processCompose, "process-compose", "process-compose.yaml"),
    ]
    static let environment = ["HOME": "/home/u"]

    static func folder(_ name: String) -> String { InteropFixtures.root.appendingPathComponent("import/\(name)").path }

    /// Imports a fixture as if msvc.yaml were written beside it.
    static func importFixture(_ format: ImportFormat, _ folder: String, _ file: String) throws -> ImportedStack {
        let dir = Self.folder(folder)
        let text = try String(contentsOfFile: dir + "/" + file, encoding: .utf8)
        let options = ImportOptions(file: file, inputDirectory: dir, outputDirectory: dir, environment: environment) { path in
            FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
        }
        return try StackImporter.read(text, format: format, options: options)
    }

    /// Loads the written msvc.yaml beside the fixture, as msvc validate would.
    static func validate(_ text: String, _ folder: String) throws -> LoadedStack {
        var context = LoadContext.live(directory: Self.folder(folder))
        context.environment = environment
        return try ConfigLoader.load(text: text, file: "msvc.yaml", context: context)
    }

    @Test(arguments: cases.map(\.folder))
    func import_matchesGoldenFiles_andValidates(folder: String) throws {
        let c = Self.cases.first { $0.folder == folder }!
        let imported = try Self.importFixture(c.format, c.folder, c.file)
        let text = imported.text(from: c.format, file: c.file)
        for (name, content) in [("expected.yaml", text), ("expected-notes.txt", InteropFixtures.reportText(imported.report))] {
            let path = Self.folder(folder) + "/" + name
            if let problem = Golden.check(content, against: path, rerun: Self.rerun) { Issue.record("\(folder): \(problem)") }
        }
        #expect(throws: Never.self, "\(folder) result must validate") { _ = try Self.validate(text, folder) }
    }

    @Test func compose_mapsHealthchecksConditionsInterpolationAnchorsAndExtends() throws {
        let imported = try Self.importFixture(.compose, "compose", "compose.yaml")
        let s = imported.config.services
        #expect(imported.config.name == "voting_app")
        let vote = try #require(s["vote"])
        #expect(vote.command == .argv(["python", "app.py", "--port", "${PORT}"]))
        #expect(vote.port == .fixed(5000), "${VOTE_PORT:-5000}:80 takes its default")
        #expect(vote.env["OPTION_A"] == "${OPTION_A}", "$OPTION_A becomes msvc's ${OPTION_A}")
        #expect(vote.env["PRICE"] == "$$1")
        #expect(vote.health?.check == .http(path: "/healthz", port: nil, status: 200...399, headers: [:]))
        #expect(vote.health?.interval == .seconds(5) && vote.health?.startPeriod == .seconds(10), "timings from the anchor")
        #expect(vote.restart == .always && vote.stopTimeout == .seconds(20) && vote.labels["com.example.team"] == "voting")
        #expect(vote.replicas == 2)
        #expect(imported.extensions["vote"]?.first?.0 == "x-team")
        let result = try #require(s["result"])
        #expect(result.command == .argv(["node", "server.js"]), "entrypoint + command")
        #expect(result.env["LOG_FORMAT"] == "json", "from the service it extends in common.yaml")
        #expect(result.stopTimeout == .seconds(5))
        #expect(result.ports["debug"] == .auto && result.port == .fixed(5001))
        #expect(result.envFile.map(\.written) == ["result.env", "result.local.env?"])
        #expect(result.profiles == ["results"])
        #expect(result.health?.check == .http(path: "/", port: nil, status: 200...399, headers: [:]), "CMD-SHELL curl ... || exit 1")
        let worker = try #require(s["worker"])
        #expect(worker.dependsOn == [Dependency(service: "redis", condition: .healthy), Dependency(service: "db", condition: .healthy),
                                     Dependency(service: "migrate", condition: .completed)])
        #expect(worker.maxRestarts == 5 && worker.restart == .onFailure && worker.replicas == 3 && worker.stopSignal == "QUIT")
        let migrate = try #require(s["migrate"])
        #expect(migrate.command == .argv(["dotnet", "Worker.dll", "--migrate"]) && migrate.cwd == "worker", "extends worker")
        #expect(migrate.restart == .no && migrate.replicas == 1)
        let db = try #require(s["db"])
        #expect(db.disabled && db.image == "postgres:16", "image only: disabled")
        #expect(db.health?.check == .exec("pg_isready -U postgres"))
        #expect(imported.comments["db"]?.first?.contains("Image only") == true)
        let notes = imported.report.notes.map(\.description)
        #expect(notes.contains { $0.contains("services.db: not mapped") && $0.contains("volumes, networks") })
        #expect(notes.contains { $0.contains("services.result.depends_on.db.restart") })
        #expect(imported.config.envFile.map(\.written) == [".env?"])
    }

    @Test func procfile_runsThroughTheShell_withPortConventionAndRelease() throws {
        let imported = try Self.importFixture(.procfile, "procfile", "Procfile")
        let s = imported.config.services
        #expect(Array(s.keys) == ["release", "web", "worker-1", "clock", "assets"])
        #expect(s["web"]?.command == .shell("bundle exec puma -p $PORT -e $${RACK_ENV:-development}   # binds $PORT"),
                "references are left to the shell, as foreman does")
        #expect(s["web"]?.port == .auto)
        #expect(s["clock"]?.port == PortSpec.none)
        #expect(s["release"]?.restart == .no)
        #expect(s["clock"]?.dependsOn == [Dependency(service: "release", condition: .completed)])
        #expect(imported.config.envFile.map(\.written) == [".env?"])
    }

    @Test func processCompose_mapsProbesAvailabilityReplicasNamespacesAndLogLines() throws {
        let imported = try Self.importFixture(.processCompose, "process-compose", "process-compose.yaml")
        let s = imported.config.services
        #expect(imported.config.env["APP_ENV"] == "dev")
        let db = try #require(s["db"])
        #expect(db.health?.check == .exec("pg_isready -h localhost -p 5432"))
        #expect(db.health?.interval == .seconds(2) && db.health?.timeout == .seconds(3) && db.health?.retries == 10)
        #expect(db.health?.startPeriod == .seconds(2))
        #expect(db.stopSignal == "INT" && db.stopTimeout == .seconds(30) && db.restart == .always)
        #expect(db.cwd == "db" && db.labels["namespace"] == "data")
        let api = try #require(s["api"])
        #expect(api.port == .fixed(8080) && api.command == .shell("./bin/api --listen :$PORT"))
        #expect(api.health?.check == .http(path: "/health", port: nil, status: 200...399, headers: [:]))
        #expect(api.liveness?.retries == 4 && api.liveness?.interval == .seconds(15))
        #expect(api.restart == .onFailure && api.maxRestarts == 5 && api.backoff.initial == .seconds(2))
        #expect(api.replicas == 2)
        #expect(api.dependsOn == [Dependency(service: "migrate", condition: .completed), Dependency(service: "queue", condition: .healthy)])
        #expect(s["queue"]?.health?.check == .log("queue ready \\(v1\\.2\\)"), "process_log_ready waits for the log line")
        let worker = try #require(s["worker"])
        #expect(worker.disabled && worker.health?.check == .log("worker up") && worker.command == .shell("./bin/worker --threads 4"))
        #expect(s["migrate"]?.restart == .no)
        #expect(imported.report.notes.contains { $0.path == "log_location" })
    }

    @Test func badInput_isReportedAtItsFileLineAndColumn() throws {
        let options = ImportOptions(file: "in.yaml", inputDirectory: "/nowhere", outputDirectory: "/nowhere", environment: [:]) { _ in nil }
        func problems(_ text: String, _ format: ImportFormat) -> [String] {
            do {
                _ = try StackImporter.read(text, format: format, options: options)
                return []
            } catch { return error.diagnostics.map(\.description) }
        }
        #expect(problems("services:\n  web:\n    image: x\n   bad: [\n", .compose).first?.hasPrefix("in.yaml:4:") == true)
        #expect(problems("services:\n  web:\n    command: x\n    ports: [\"80:abc\"]\n", .compose)
            == ["in.yaml:4:13: error: services.web.ports[0]: invalid port \"80:abc\" (expected CONTAINER, HOST:CONTAINER or IP:HOST:CONTAINER)"])
        #expect(problems("services:\n  web:\n    command: x\n    healthcheck: { test: [\"CMD\", \"true\"], interval: soon }\n", .compose)
            .first?.contains("in.yaml:4:") == true)
        #expect(problems("services:\n  web:\n    command: x\n    replicas: ${N}\n    deploy: { replicas: \"${N}\" }\n", .compose)
            .first?.contains("variable \"N\" is not set") == true)
        #expect(problems("# comment\n\nweb: ./run\n  oops no colon here\n", .procfile)
            == ["in.yaml:4:3: error: expected NAME: command (a process name of letters, digits, _ and -, then a colon), found \"oops no colon here\""])
        #expect(problems("web:\n", .procfile).first?.contains("in.yaml:1:5: error: web: process web has no command") == true)
        #expect(problems("processes:\n  a:\n    command: x\n    depends_on: { b: { condition: process_done } }\n", .processCompose)
            .first?.hasPrefix("in.yaml:4:35: error: processes.a.depends_on.b.condition: unknown condition") == true)
        #expect(problems("processes: []\n", .processCompose).first?.contains("expected processes:") == true)
    }
}
