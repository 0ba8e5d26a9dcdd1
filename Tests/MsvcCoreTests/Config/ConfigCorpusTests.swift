import Foundation
import MsvcCore
import Testing

/// One malformed input: a committed `invalid/NN-name.yaml`, or one generated at test time
/// (too big or too binary to commit). Its golden output is `invalid/NN-name.expected`.
struct CorpusCase: Sendable, CustomTestStringConvertible {
    /// `NN-short-name`.
    let name: String
    /// Produces the file's bytes.
    let make: @Sendable () -> [UInt8]
    /// CPU time loading may take (debug build).
    var limit: Duration = .seconds(2)

    var testDescription: String { name }

    /// The golden file.
    var expectedURL: URL { Fixtures.root.appendingPathComponent("invalid/\(name).expected") }

    /// Every committed and generated case, sorted by name.
    static let all: [CorpusCase] = {
        let committed = Fixtures.yamlFiles(in: "invalid").map { url in
            CorpusCase(name: url.deletingPathExtension().lastPathComponent) { Fixtures.bytes(url) }
        }
        return (committed + GeneratedCorpus.cases).sorted { $0.name < $1.name }
    }()
}

@Suite("malformed config corpus")
struct ConfigCorpusTests {
    @Test("each malformed config is rejected with its golden diagnostics", arguments: CorpusCase.all)
    func malformedConfig_printsGoldenDiagnostics(_ c: CorpusCase) async throws {
        let (bytes, elapsed, result) = await Fixtures.offPool {
            let bytes = c.make()
            let start = Fixtures.threadCPUTime()
            let result = Result { () throws(ConfigError) in
                try ConfigLoader.load(bytes: bytes, file: "msvc.yaml", context: Fixtures.context)
            }
            return (bytes, Fixtures.threadCPUTime() - start, result)
        }
        #expect(elapsed < c.limit, "\(c.name) took \(elapsed) of CPU time, more than \(c.limit)")
        let output: String
        switch result {
        case .success(let stack):
            // The 5 MB fixture that is valid on purpose is allowed to load.
            #expect(GeneratedCorpus.mayLoad.contains(c.name), "\(c.name) loaded with \(stack.config.services.count) services")
            output = "ok: \(stack.config.services.count) services"
        case .failure(let error):
            checkPositions(error, of: c.name, lines: bytes.count { $0 == 0x0A } + 1)
            output = error.description
        }

        if Fixtures.recording {
            try (output + "\n").write(to: c.expectedURL, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOf: c.expectedURL, encoding: .utf8) else {
            Issue.record("\(c.name).expected is missing; run with RECORD_SNAPSHOTS=1 to create it, then review it")
            return
        }
        #expect(output + "\n" == expected, "out of date; run RECORD_SNAPSHOTS=1 swift test --filter ConfigCorpusTests and review the diff")
    }

    /// Every error names msvc.yaml at a real line and column, in a lowercase message.
    private func checkPositions(_ error: ConfigError, of name: String, lines: Int) {
        let errors = error.diagnostics.filter { $0.severity == .error }
        #expect(!errors.isEmpty, "\(name): thrown without any error")
        #expect(errors.contains { $0.file == "msvc.yaml" }, "\(name): no error points into msvc.yaml:\n\(error)")
        let printed = error.description.split(separator: "\n").contains { $0.wholeMatch(of: /msvc\.yaml:[1-9][0-9]*:[1-9][0-9]*: error: .+/) != nil }
        #expect(printed, "\(name): no printed line of the form msvc.yaml:LINE:COL: error: ...")
        for d in error.diagnostics where d.file == "msvc.yaml" {
            #expect(d.mark.line >= 1 && d.mark.column >= 1, "\(name): bad position in \(d)")
            #expect(d.mark.line <= lines, "\(name): line past the end of the file in \(d)")
            #expect(d.message.first.map { !$0.isUppercase } == true, "\(name): message should start lowercase: \(d)")
        }
    }

    @Test("the corpus has at least 60 cases and no stale golden files")
    func corpus_isLargeAndHasNoOrphanGoldens() throws {
        #expect(CorpusCase.all.count >= 60)
        let dir = Fixtures.root.appendingPathComponent("invalid")
        let goldens = try FileManager.default.contentsOfDirectory(atPath: dir.path)
            .filter { $0.hasSuffix(".expected") }
            .map { String($0.dropLast(".expected".count)) }
        let names = Set(CorpusCase.all.map(\.name))
        for orphan in goldens where !names.contains(orphan) {
            Issue.record("\(orphan).expected has no fixture; delete it")
        }
        #expect(Set(names.map { $0.prefix(2) }).count == names.count, "two fixtures share a number")
    }

    @Test("a billion-laughs alias bomb is rejected fast with a clear message")
    func billionLaughs_isRejectedQuickly() throws {
        let url = Fixtures.root.appendingPathComponent("invalid/21-billion-laughs.yaml")
        let clock = ContinuousClock()
        var message = ""
        let elapsed = clock.measure { message = Fixtures.outcome(Fixtures.bytes(url)) }
        #expect(elapsed < .seconds(2))
        #expect(message.contains("alias"), "\(message)")
        #expect(message.hasPrefix("msvc.yaml:"))
    }
}
