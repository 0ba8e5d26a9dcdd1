import Foundation
import MsvcTestSupport
import Testing

/// Global options before the verb, including a file whose name is also a verb.
@Suite struct GlobalOptionsTests {
    static let stack = "services:\n  api: { command: python3 -m http.server }\n"

    @Test(arguments: ["config", "logs", "up", "validate"])
    func fileNamedLikeAVerb_isTheFile_beforeOrAfterTheVerb(_ name: String) async throws {
        let dir = try TemporaryDirectory()
        try dir.write(name, Self.stack)
        for args in [["-f", name, "validate"], ["--no-color", "-f", name, "-q", "validate"], ["validate", "-f", name],
                     ["--file", name, "validate"], ["--file=\(name)", "validate"]] {
            let r = try await MsvcBinary.run(args, cwd: dir.path)
            #expect(r.status == 0, "msvc \(args.joined(separator: " ")): \(r.stderr)")
            #expect(r.stderr.isEmpty, "msvc \(args.joined(separator: " ")): \(r.stderr)")
        }
        let config = try await MsvcBinary.run(["-f", name, "config"], cwd: dir.path)
        #expect(config.status == 0 && config.stdout.contains("api:"), "\(config.stderr)")
    }

    @Test func logsKeepsItsFollowFlag_afterAFileNamedLogs() async throws {
        let dir = try TemporaryDirectory()
        try dir.write("logs", Self.stack)
        // No stack runs: the file was read (exit 1 "no stack is running", not a usage error).
        let r = try await MsvcBinary.run(["-f", "logs", "logs", "-f", "-n", "1"], cwd: dir.path)
        #expect(r.status == 1, "\(r.stderr)")
        #expect(!r.stderr.contains("Usage"), "\(r.stderr)")
    }
}
