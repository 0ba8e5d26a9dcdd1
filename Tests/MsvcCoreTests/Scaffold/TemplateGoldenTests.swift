import Foundation
@testable import MsvcCore
import MsvcTestSupport
import Testing

/// Every built-in template's rendered tree (and msvc.yaml entry) against a committed fixture.
@Suite struct ScaffoldTemplateGoldenTests {
    static let root = packageRoot()
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/templates").path
    static let rerun = "swift test --filter ScaffoldTemplateGoldenTests"

    static var builtins: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root + "/templates")) ?? [])
            .filter { FileManager.default.fileExists(atPath: root + "/templates/" + $0 + "/template.yaml") }.sorted()
    }

    /// The tree as one text: each file's path, mode and contents.
    static func snapshot(_ name: String) throws -> String {
        let catalog = TemplateCatalog(roots: [(root + "/templates", .builtin)])
        let info = try catalog.find(name)
        let values = try TemplateValues.resolve(manifest: info.manifest, service: "orders", project: "shop", port: "auto", set: [:])
        var out = "# rendered with service=orders project=shop and the defaults; \(Self.rerun) with RECORD_SNAPSHOTS=1 re-records\n"
        let block = try TemplateRenderer.renderText(info.manifest.serviceBlock, values: values, path: "service")
        let entry = ServiceRegistration.entry(service: "orders", block: block, cwd: "services/orders", port: nil,
                                              language: info.manifest.language, unit: 2)
        out += "=== msvc.yaml entry\n" + entry.joined(separator: "\n") + "\n"
        for file in try TemplateRenderer.render(info, values: values) {
            out += "=== \(file.path)\(file.executable ? " (executable)" : "")\n"
            out += String(decoding: file.contents, as: UTF8.self)
            if !(out.hasSuffix("\n")) { out += "\n=== (no newline at end of file)\n" }
        }
        return out
    }

    @Test func thereAreFiveBuiltins_andEachHasAFixture() throws {
        #expect(Self.builtins == ["go-http", "node-http", "python-http", "python-worker", "swift-hummingbird"])
        let recorded = ((try? FileManager.default.contentsOfDirectory(atPath: Self.fixtures)) ?? [])
            .filter { $0.hasSuffix(".txt") }.map { String($0.dropLast(4)) }.sorted()
        if !Golden.recording {
            #expect(recorded == Self.builtins, "fixtures under \(Self.fixtures) do not match templates/; run RECORD_SNAPSHOTS=1 \(Self.rerun)")
        }
    }

    @Test(arguments: builtins)
    func renderedTree_matchesItsFixture(template: String) throws {
        let problem = Golden.check(try Self.snapshot(template), against: "\(Self.fixtures)/\(template).txt", rerun: Self.rerun)
        #expect(problem == nil, "\(problem ?? "")")
    }

    @Test(arguments: builtins)
    func everyHTTPTemplate_shipsTheRequiredFiles(template: String) throws {
        let files = try Set(TemplateRenderer.render(TemplateCatalog(roots: [(Self.root + "/templates", .builtin)]).find(template),
                                                    values: TemplateValues.resolve(
                                                        manifest: TemplateCatalog(roots: [(Self.root + "/templates", .builtin)]).find(template).manifest,
                                                        service: "orders", project: "shop", port: "auto", set: [:])).map(\.path))
        #expect(files.contains("README.md") && files.contains("Dockerfile"))
        if template.hasSuffix("-http") || template == "swift-hummingbird" { #expect(files.contains("openapi.yaml")) }
    }
}
