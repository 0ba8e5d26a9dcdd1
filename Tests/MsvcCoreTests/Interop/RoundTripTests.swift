import Foundation
import MsvcCore
import MsvcTestSupport
import Testing

/// import(export(stack)) keeps every key msvc.yaml and compose can both express.
@Suite struct RoundTripTests {
    /// Variables a stack fixture needs to load normally.
    static let environment = ["REGION": "eu", "API_TOKEN": "t", "DB_PASSWORD": "p"]

    /// A stack exported to compose and imported back, loaded as `msvc up` loads it, with the
    /// original loaded the same way, the compose text and the msvc.yaml written by import.
    static func roundTrip(_ url: URL) throws -> (original: StackConfig, imported: StackConfig, compose: String, yaml: String) {
        var context = Fixtures.context
        for (k, v) in environment { context.environment[k] = v }
        let original = try ConfigLoader.load(bytes: Fixtures.bytes(url), file: "msvc.yaml", context: context).config
        let compose = try InteropFixtures.export(url, to: .compose).combined
        let options = ImportOptions(file: "compose.yaml", inputDirectory: Fixtures.directory, outputDirectory: Fixtures.directory,
                                    environment: context.environment) { _ in nil }
        let imported = try StackImporter.read(compose, format: .compose, options: options)
        let yaml = imported.text(from: .compose, file: "compose.yaml")
        let loaded = try ConfigLoader.load(text: yaml, file: "msvc.yaml", context: context).config
        return (original, loaded, compose, yaml)
    }

    /// Start-time variables that compose can only hold as values (one per container).
    static let selfNames = ["${PORT", "${MSVC_SERVICE", "${MSVC_PROJECT", "${MSVC_REPLICA"]

    @Test(arguments: InteropFixtures.stacks.map(\.name))
    func composeRoundTrip_keepsEveryKeyBothExpress(stack: String) throws {
        let url = InteropFixtures.stacks.first { $0.name == stack }!.url
        let (a, b, compose, yaml) = try Self.roundTrip(url)
        let context = "\n--- compose ---\n\(compose)\n--- msvc.yaml ---\n\(yaml)"
        #expect(a.name == b.name)
        #expect(Array(a.services.keys) == Array(b.services.keys), "\(context)")
        for (name, x) in a.services {
            guard let y = b.services[name] else { continue }
            let where_ = "\(stack).\(name)"
            if !x.command.arguments.contains(where: { arg in Self.selfNames.contains { arg.contains($0) } }) {
                #expect(x.command == y.command, "\(where_) command")
            }
            #expect(x.imageOrDefault == y.imageOrDefault, "\(where_) image")
            #expect(x.cwd == y.cwd, "\(where_) cwd")
            #expect(x.port == y.port && x.ports == y.ports, "\(where_) ports")
            #expect(x.dependsOn == y.dependsOn, "\(where_) depends_on")
            #expect(x.health == y.health, "\(where_) health")
            #expect(x.liveness == y.liveness, "\(where_) liveness")
            #expect(x.restart == y.restart, "\(where_) restart")
            if x.restart != .no { #expect(x.maxRestarts == y.maxRestarts, "\(where_) max_restarts") }
            #expect(x.backoff == y.backoff, "\(where_) backoff")
            #expect(x.replicas == y.replicas, "\(where_) replicas")
            #expect(x.stopSignal == y.stopSignal && x.stopTimeout == y.stopTimeout, "\(where_) stop")
            #expect(x.profiles == y.profiles && x.disabled == y.disabled, "\(where_) profiles")
            #expect(x.build == y.build && x.test == y.test && x.language == y.language, "\(where_) build/test/language")
            #expect(x.labels == y.labels, "\(where_) labels")
            #expect(Set((a.envFile + x.envFile).map(\.path)) == Set((b.envFile + y.envFile).map(\.path)), "\(where_) env files")
            let envA = a.env.merging(x.env) { $1 }, envB = b.env.merging(y.env) { $1 }
            for (k, v) in envA where !Self.selfNames.contains(where: v.contains) {
                #expect(envB[k] == v, "\(where_) env \(k)\(context)")
            }
            #expect(Set(envA.keys) == Set(envB.keys), "\(where_) env keys")
        }
    }

    @Test(arguments: InteropFixtures.stacks.map(\.name))
    func composeExport_isAFixedPointOfImport(stack: String) throws {
        let url = InteropFixtures.stacks.first { $0.name == stack }!.url
        let (_, _, compose, yaml) = try Self.roundTrip(url)
        var context = Fixtures.context
        context.keepReferences = true
        let again = try ConfigLoader.load(text: yaml, file: "msvc.yaml", context: context).config
        let second = try StackExporter.export(again, to: .compose, options: InteropFixtures.options).combined
        #expect(second == compose, "\(Golden.diff(compose, second))")
    }
}
