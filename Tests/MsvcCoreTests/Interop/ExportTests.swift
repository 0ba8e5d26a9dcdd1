import Foundation
import MsvcCore
import MsvcTestSupport
import Testing

/// What export writes for particular keys, beyond the golden files.
@Suite struct ExportTests {
    static let refs = InteropFixtures.root.appendingPathComponent("stacks/refs.yaml")

    @Test func exportMode_keepsEnvironmentReferencesButRunModeResolvesThem() throws {
        let kept = try InteropFixtures.load(Self.refs, keepReferences: true).config
        #expect(kept.env["VERBOSITY"] == "${VERBOSITY:-info}")
        #expect(kept.services["api"]?.image == "registry.example.com/refs/api:${TAG:-1.0}")
        var context = Fixtures.context
        context.environment["REGION"] = "eu"
        context.environment["API_TOKEN"] = "t"
        context.environment["DB_PASSWORD"] = "p"
        let run = try ConfigLoader.load(bytes: Fixtures.bytes(Self.refs), file: "msvc.yaml", context: context).config
        #expect(run.env["VERBOSITY"] == "info")
        #expect(run.env["REGION"] == "eu")
        #expect(run.services["api"]?.image == "registry.example.com/refs/api:1.0")
    }

    @Test func exportMode_typedFieldTakesTheDefault_andSaysSo() throws {
        var context = Fixtures.context
        context.keepReferences = true
        context.environment["SHOP_PORT"] = "9999"
        let text = "services:\n  web: { command: ./web, port: \"${SHOP_PORT:-8080}\", replicas: \"${N}\" }\n"
        #expect(throws: ConfigError.self) { _ = try ConfigLoader.load(text: text, file: "msvc.yaml", context: context) }
        context.environment["N"] = "2"
        let loaded = try ConfigLoader.load(text: text, file: "msvc.yaml", context: context)
        #expect(loaded.config.services["web"]?.port == .fixed(8080), "the default, not this machine's 9999")
        #expect(loaded.config.services["web"]?.replicas == 2, "no default: this machine's value")
        let warnings = loaded.warnings.map(\.description)
        #expect(warnings.contains { $0.contains("services.web.port") && $0.contains("uses its default: 8080") }, "\(warnings)")
        #expect(warnings.contains { $0.contains("services.web.replicas") && $0.contains("its value in this environment: 2") }, "\(warnings)")
    }

    @Test func kubernetes_rewritesDiscoveryToDNS_andReferencesToTheConfigMapAndSecret() throws {
        let text = try InteropFixtures.export(Self.refs, to: .kubernetes).combined
        #expect(text.contains("- name: CACHE\n              value: cache:6380"))
        #expect(text.contains("value: http://cache:6380"))
        #expect(text.contains("- $(DB_PASSWORD)"), "argument refers to the container's env")
        #expect(text.contains("secretKeyRef:\n                  name: refs-secrets\n                  key: DB_PASSWORD"))
        #expect(text.contains("configMapKeyRef:\n                  name: refs-environment\n                  key: REGION"))
        #expect(text.contains("value: $5 $$(not a reference)"), "a literal $( is escaped for Kubernetes")
        #expect(text.contains("value: /var/lib/msvc/state/api"))
        #expect(text.contains("value: api@refs"))
        #expect(!text.contains("debug-shell"), "profiled services are left out without --profile")
        let withProfile = try InteropFixtures.export(Self.refs, to: .kubernetes, profiles: ["debug"]).combined
        #expect(withProfile.contains("name: debug-shell"))
    }

    @Test func kubernetes_mapsProbesDependenciesAndLifecycle() throws {
        let result = try InteropFixtures.export(Self.refs, to: .kubernetes, namespace: "shop-dev")
        let text = result.combined
        #expect(text.contains("kind: Namespace\nmetadata:\n  name: shop-dev"))
        #expect(text.contains("httpGet:\n              path: /ready\n              port: admin"))
        #expect(text.contains("periodSeconds: 1"), "500ms rounds up to whole seconds")
        #expect(text.contains("initialDelaySeconds: 3"))
        #expect(text.contains("failureThreshold: 5"))
        #expect(text.contains("livenessProbe:\n            tcpSocket:\n              port: admin"))
        #expect(text.contains("name: metrics-port"), "Kubernetes port names have no _")
        #expect(text.contains("terminationGracePeriodSeconds: 90"))
        #expect(text.contains("kind: Job\nmetadata:\n  name: seed"))
        #expect(text.contains("restartPolicy: Never"))
        #expect(text.contains("until nc -z -w 2 cache 6380"), "healthy with a port waits on the Service")
        #expect(text.contains("- job/seed"), "completed waits for the Job")
        #expect(text.contains("- deployment/events"), "healthy without a port waits for the Deployment")
        #expect(text.contains("serviceAccountName: refs-msvc-wait"))
        #expect(text.contains("kind: PersistentVolumeClaim"))
        let report = result.report.notes.map(\.description)
        for expected in ["services.events.health: a log probe", "services.api.stop_signal", "services.events.backoff",
                         "${DB_PASSWORD} is read from the Secret refs-secrets", "services.debug-shell.profiles",
                         "services.seed.command: MSVC_REPLICA", "services.api.health.interval: 500ms rounded up"] {
            #expect(report.contains { $0.contains(expected) }, "missing from the report: \(expected)\n\(report.joined(separator: "\n"))")
        }
    }

    @Test func compose_keepsReferencesForComposeAndMsvcKeysUnderXMsvc() throws {
        let result = try InteropFixtures.export(Self.refs, to: .compose)
        let text = result.combined
        #expect(text.contains("VERBOSITY: ${VERBOSITY:-info}"))
        #expect(text.contains("API_TOKEN: ${API_TOKEN:?set the API token}"))
        #expect(text.contains("PRICE: $$5 $$(not a reference)"), "a literal $ is $$ in compose")
        #expect(text.contains("image: registry.example.com/refs/api:${TAG:-1.0}"))
        #expect(text.contains("condition: service_completed_successfully"))
        #expect(text.contains("restart: on-failure:10"))
        #expect(text.contains("stop_signal: SIGINT"))
        #expect(text.contains("stop_grace_period: 1m30s"))
        #expect(text.contains("deploy:\n      replicas: 3"))
        #expect(text.contains("profiles:\n      - debug"))
        #expect(text.contains("x-msvc:\n      health:\n        log: listening on"))
        #expect(result.report.notes.contains { $0.path == "services.api.liveness" && $0.kind == .dropped })
    }

    /// Watch mode and OpenAPI documents stay with msvc: each target says so rather than
    /// dropping them silently.
    @Test func watchAndOpenAPI_areReportedAsNotExported_byEachTarget() throws {
        let text = "services:\n  web:\n    command: ./web\n    port: auto\n    openapi: services/orders/openapi.yaml\n    watch: { paths: [.] }\n"
        let stack = try ConfigLoader.load(text: text, file: "msvc.yaml", context: Fixtures.context).config
        for target in [ExportTarget.compose, .kubernetes] {
            let notes = try StackExporter.export(stack, to: target, options: InteropFixtures.options).report.notes
            #expect(notes.contains { $0.path == "services.web.watch" && $0.kind == .dropped }, "\(target): \(notes)")
            #expect(notes.contains { $0.path == "services.web.openapi" && $0.kind == .dropped }, "\(target): \(notes)")
        }
    }

    @Test func kubernetes_rejectsNamesKubernetesWouldRefuse() throws {
        let text = "services:\n  web-: { command: ./web }\n"
        let stack = try ConfigLoader.load(text: text, file: "msvc.yaml", context: Fixtures.context).config
        #expect(throws: ExportError.self) { _ = try StackExporter.export(stack, to: .kubernetes, options: InteropFixtures.options) }
        #expect(throws: Never.self) { _ = try StackExporter.export(stack, to: .compose, options: InteropFixtures.options) }
    }
}
