import Foundation
import MsvcCore
import MsvcTestSupport

/// The stacks export is tested on, and where their golden files live.
enum InteropFixtures {
    /// `Tests/MsvcCoreTests/Fixtures/interop`.
    static let root = Fixtures.root.appendingPathComponent("interop")
    /// The example stack of the repository.
    static let shop = URL(fileURLWithPath: packageRoot()).appendingPathComponent("examples/shop/msvc.yaml")

    /// Stack name and file: the example shop, the references fixture, the full msvc.yaml
    /// fixture and the CI polyglot stack.
    static let stacks: [(name: String, url: URL)] = [
        ("shop", shop),
        ("refs", root.appendingPathComponent("stacks/refs.yaml")),
        ("full", Fixtures.root.appendingPathComponent("valid/02-full.yaml")),
        ("polyglot", Fixtures.root.appendingPathComponent("ci/stacks/polyglot.yaml")),
    ]

    /// Loads a stack as export reads it (references kept) or as `msvc up` does.
    static func load(_ url: URL, keepReferences: Bool) throws -> LoadedStack {
        var context = Fixtures.context
        context.keepReferences = keepReferences
        return try ConfigLoader.load(bytes: Fixtures.bytes(url), file: "msvc.yaml", context: context)
    }

    /// Export options reading env files from `Fixtures/files`, as the loader does.
    static var options: ExportOptions {
        let context = Fixtures.context
        return ExportOptions(directory: Fixtures.directory, readFile: context.readFile)
    }

    /// Exports a stack.
    static func export(_ url: URL, to target: ExportTarget, namespace: String? = nil, profiles: [String] = []) throws -> ExportResult {
        var options = self.options
        options.namespace = namespace
        options.profiles = profiles
        return try StackExporter.export(load(url, keepReferences: true).config, to: target, options: options)
    }

    /// The report as golden text, one note per line.
    static func reportText(_ report: TranslationReport) -> String {
        report.notes.map(\.description).joined(separator: "\n") + "\n"
    }
}
