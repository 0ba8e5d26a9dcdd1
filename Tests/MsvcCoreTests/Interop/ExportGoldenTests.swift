import Foundation
import MsvcCore
import MsvcTestSupport
import Testing

/// Every stack exported to both targets, compared with the committed golden files (the
/// output and the translation report).
@Suite struct ExportGoldenTests {
    static let rerun = "swift test --filter ExportGoldenTests"

    static func golden(_ stack: String, _ file: String) -> String {
        InteropFixtures.root.appendingPathComponent("golden/\(stack)/\(file)").path
    }

    @Test(arguments: ExportTarget.allCases)
    func export_matchesGoldenFiles(target: ExportTarget) throws {
        for (name, url) in InteropFixtures.stacks {
            let result = try InteropFixtures.export(url, to: target)
            for (file, text) in [("\(target.rawValue).yaml", result.combined), ("\(target.rawValue)-report.txt", InteropFixtures.reportText(result.report))] {
                if let problem = Golden.check(text, against: Self.golden(name, file), rerun: Self.rerun) {
                    Issue.record("\(name) \(file): \(problem)")
                }
            }
        }
    }

    @Test(arguments: ExportTarget.allCases)
    func export_isDeterministicAndParsesBack(target: ExportTarget) throws {
        for (name, url) in InteropFixtures.stacks {
            let first = try InteropFixtures.export(url, to: target)
            let second = try InteropFixtures.export(url, to: target)
            #expect(first.combined == second.combined, "\(name)")
            #expect(first.combined.hasSuffix("\n") && !first.combined.contains(" \n") && !first.combined.contains("\t"), "\(name)")
            for doc in first.combined.components(separatedBy: "\n---\n") {
                #expect(throws: Never.self, "\(name)") { _ = try YAMLParser.parse(doc) }
            }
        }
    }

    @Test func goldenFolder_hasNoStaleFiles() throws {
        let dir = InteropFixtures.root.appendingPathComponent("golden").path
        let expected = Set(InteropFixtures.stacks.flatMap { s in
            ExportTarget.allCases.flatMap { ["\(s.name)/\($0.rawValue).yaml", "\(s.name)/\($0.rawValue)-report.txt"] }
        })
        let found = Set((FileManager.default.subpaths(atPath: dir) ?? []).filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".txt") })
        #expect(found.subtracting(expected).isEmpty, "golden files with no stack: \(found.subtracting(expected).sorted())")
    }
}
