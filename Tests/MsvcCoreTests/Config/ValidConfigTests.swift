import MsvcCore
import Testing

@Suite("valid configs")
struct ValidConfigTests {
    @Test func minimalConfig_loadsWithDefaults() throws {
        let stack = try Fixtures.loadValid("01-minimal.yaml")
        #expect(stack.config.name == "shop", "the name defaults to the folder name")
        #expect(stack.config.version == 1)
        #expect(Array(stack.config.services.keys) == ["orders"])
        let orders = try #require(stack.config.services["orders"])
        #expect(orders.command == .argv(["python3", "app.py"]))
        #expect(orders.port == .none)
        #expect(orders.restart == .onFailure)
        #expect(orders.replicas == 1)
        #expect(orders.stopTimeout == .seconds(10))
        #expect(stack.warnings.isEmpty)
        #expect(stack.marks["services.orders.command"] == SourceMark(line: 3, column: 14))
    }

    @Test func fullConfig_decodesEveryKeyOfTheDesign() throws {
        let stack = try Fixtures.loadValid("02-full.yaml")
        let c = stack.config
        #expect(c.name == "shop")
        #expect(c.env["LOG_LEVEL"] == "info")
        #expect(c.envFile == [EnvFileRef(path: ".env", optional: false), EnvFileRef(path: ".env.local", optional: true)])
        #expect(Array(c.services.keys) == ["orders", "inventory", "migrate"])

        let orders = try #require(c.services["orders"])
        #expect(orders.command == .argv(["python3", "app.py"]))
        #expect(orders.cwd == "services/orders")
        #expect(orders.env["DB_URL"] == "sqlite:///tmp/orders.db")
        #expect(orders.env["SELF"] == "${ORDERS_URL}", "discovery variables are kept for start time")
        #expect(orders.envFile == [EnvFileRef(path: "services/orders/.env", optional: true)])
        #expect(orders.port == .auto)
        #expect(orders.ports["admin"] == .auto)
        #expect(orders.dependsOn == [Dependency(service: "inventory", condition: .healthy),
                                     Dependency(service: "migrate", condition: .completed)])
        let health = try #require(orders.health)
        #expect(health.check == .http(path: "/healthz", port: nil, status: 200...399, headers: [:]))
        #expect(health.interval == .seconds(1) && health.timeout == .seconds(1))
        #expect(health.retries == 3 && health.startPeriod == .zero)
        let liveness = try #require(orders.liveness)
        #expect(liveness.check == .http(path: "/livez", port: "admin", status: 200...299, headers: ["X-Probe": "msvc"]))
        #expect(liveness.retries == 5, "failure_threshold sets the liveness retries")
        #expect(orders.restart == .onFailure && orders.maxRestarts == 10)
        #expect(orders.backoff.initial == .milliseconds(500) && orders.backoff.max == .seconds(30))
        #expect(orders.replicas == 2)
        #expect(orders.stopSignal == "INT", "SIGINT is stored without SIG")
        #expect(orders.stopTimeout == .seconds(90))
        #expect(orders.profiles == ["debug"] && orders.disabled == false)
        #expect(orders.build == "swift build" && orders.test == "swift test" && orders.language == "swift")
        #expect(orders.labels["team"] == "payments")

        let inventory = try #require(c.services["inventory"])
        #expect(inventory.command == .argv(["./inventory", "--port", "${PORT}"]))
        #expect(inventory.port == .fixed(9100))
        #expect(inventory.health?.check == .tcp(port: nil))
        let migrate = try #require(c.services["migrate"])
        #expect(migrate.command == .shell("./migrate && echo done"))
        #expect(migrate.restart == .no)

        #expect(c.tests.contract.count == 1)
        #expect(c.tests.contract.first?.pact == "contracts/web-orders.json")
        #expect(c.tests.contract.first?.stateChange == "/_pact/state")
        let integration = try #require(c.tests.integration.first)
        #expect(integration.needs == .services(["orders"]))
        #expect(integration.cwd == "services/orders" && integration.timeout == .seconds(300))
        let e2e = try #require(c.tests.e2e.first)
        #expect(e2e.needs == .all && e2e.scenario == "tests/e2e/checkout.yaml" && e2e.run == nil)
        #expect(c.ci.provider == "github")
        #expect(StackGraph(c).levels() == [["inventory", "migrate"], ["orders"]])
    }

    @Test func anchorsAndMerges_explicitKeysWin() throws {
        let stack = try Fixtures.loadValid("03-anchors-merge.yaml")
        let api = try #require(stack.config.services["api"])
        let worker = try #require(stack.config.services["worker"])
        #expect(api.restart == .onFailure, "an explicit key overrides the merged one")
        #expect(api.stopTimeout == .seconds(2))
        #expect(api.env["REGION"] == "eu")
        #expect(worker.restart == .always)
        #expect(worker.env == ["REGION": "eu"])
        #expect(worker.command == .argv(["./worker"]))
    }

    @Test func interpolation_appliesEveryModifierFromEnvironmentAndEnv() throws {
        let stack = try Fixtures.loadValid("04-interpolation.yaml")
        #expect(stack.config.env["BASE"] == "/home/u/data")
        let orders = try #require(stack.config.services["orders"])
        #expect(orders.command == .argv(["sh", "-c", "echo $HOME", "u"]))
        let expected: [(String, String)] = [
            ("A", "u"), ("B", "fallback"), ("C", "was-empty"), ("D", ""), ("E", "has-user"),
            ("F", ""), ("G", "${USER}"), ("H", "u-/home/u/data"), ("I", "${INVENTORY_URL}/items"),
            ("J", "u"), ("K", "$HOME stays"),
        ]
        for (key, value) in expected {
            #expect(orders.env[key] == value, "env \(key)")
        }
    }

    /// `port: ${SHOP_PORT:-auto}` takes whatever form the variable holds, checked like a literal.
    @Test func port_fromAReference_mayBeAutoNoneOrANumber() throws {
        let text = "services:\n  web: { command: ./web, port: \"${SHOP_PORT:-auto}\" }\n"
        func load(_ value: String?) throws -> StackConfig {
            var env = Fixtures.environment
            env["SHOP_PORT"] = value
            return try ConfigLoader.load(text: text, file: "msvc.yaml", context: LoadContext(environment: env, directory: Fixtures.directory) { _ in nil }).config
        }
        #expect(try load(nil).services["web"]?.port == .auto)
        #expect(try load("auto").services["web"]?.port == .auto)
        #expect(try load("none").services["web"]?.port == PortSpec.none)
        #expect(try load("8081").services["web"]?.port == .fixed(8081))
        for bad in ["0", "70000", "x"] {
            do {
                _ = try load(bad)
                Issue.record("SHOP_PORT=\(bad) was accepted")
            } catch {
                #expect("\(error)".contains("msvc.yaml:2:32") && "\(error)".contains("invalid port \"\(bad)\" from ${SHOP_PORT:-auto}"), "\(error)")
            }
        }
    }

    @Test func envFile_valuesAreVisibleToInterpolation() throws {
        let text = """
            env_file: .env
            services:
              orders:
                command: ./orders ${DB_URL}
                env: { LEVEL: "${LOG_LEVEL}", G: "${GREETING}" }
            """
        let stack = try ConfigLoader.load(text: text, file: "msvc.yaml", context: Fixtures.context)
        let orders = try #require(stack.config.services["orders"])
        #expect(orders.command == .argv(["./orders", "postgres://localhost:5432/u"]))
        #expect(orders.env["LEVEL"] == "debug")
        #expect(orders.env["G"] == "hello ${NOT_EXPANDED}", "single quotes in env files are literal")
    }

    @Test func loadPath_readsTheFileAndNamesItInErrors() throws {
        let url = Fixtures.root.appendingPathComponent("invalid/31-port-abc.yaml")
        let error = #expect(throws: ConfigError.self) {
            try ConfigLoader.load(path: url.path, environment: Fixtures.environment)
        }
        #expect(error?.description.hasPrefix(url.path + ":4:11: error: services.orders.port:") == true)
        let valid = Fixtures.root.appendingPathComponent("valid/01-minimal.yaml")
        let stack = try ConfigLoader.load(path: valid.path, environment: [:])
        #expect(stack.config.name == "valid")
    }
}
