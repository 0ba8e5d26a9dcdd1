import Foundation
import MsvcCore
import MsvcTestSupport
import Testing

@Suite(.serialized) struct SupervisorLogTests {
    @Test func eightFloodingServices_loseNoLineAndKeepOrder() async throws {
        var yaml = "services:\n"
        for i in 1...8 {
            yaml += "  w\(i): { command: seq 1 100000, restart: \"no\" }\n"
        }
        let stack = try await StackHarness(yaml)
        await stack.waitFor("all exited", 120) { s in s.services.allSatisfy { $0.replicas.allSatisfy { $0.state == .exited } } }
        for i in 1...8 {
            let file = try String(contentsOfFile: stack.dir.path + "/.msvc/logs/w\(i).log", encoding: .utf8)
            let lines = file.split(separator: "\n").map(LogFileFormat.parse).filter { $0.stream != .system }.map(\.text)
            #expect(lines.count == 100_000, "w\(i) has \(lines.count) lines")
            #expect(lines.first == "1" && lines.last == "100000")
            let inOrder = lines.enumerated().allSatisfy { $0.offset + 1 == Int($0.element) }
            #expect(inOrder, "w\(i) lines out of order")
        }
        // The in-memory ring keeps the newest lines, in order.
        let tail = try stack.supervisor.hub.query(LogQuery(services: ["w3"], tail: 10)).filter { $0.stream == .stdout }.map(\.text)
        #expect(tail.suffix(2) == ["99999", "100000"])
        await stack.stop()
    }

    @Test func lastLineWithoutNewline_andAOneMegabyteLine_arrive() async throws {
        let stack = try await StackHarness("""
            services:
              tail: { command: "printf 'first\\\\nno newline at the end'", restart: "no" }
              big: { command: python3 -c "import sys; sys.stdout.write('x' * 1048576 + '\\\\nafter\\\\n')", restart: "no" }
            """)
        await stack.waitFor("both exited") { s in s.services.allSatisfy { $0.replicas.allSatisfy { $0.state == .exited } } }
        #expect(stack.lines("tail").map(\.text) == ["first", "no newline at the end"])
        let big = stack.lines("big").map(\.text)
        #expect(big.last == "after")
        let pieces = big.dropLast()
        #expect(pieces.count == 16, "a 1 MiB line arrives as 64 KiB pieces")
        #expect(pieces.allSatisfy { $0.allSatisfy { $0 == "x" } })
        #expect(pieces.map(\.utf8.count).reduce(0, +) == 1_048_576)
        // The file keeps the long line whole.
        let file = try String(contentsOfFile: stack.dir.path + "/.msvc/logs/big.log", encoding: .utf8)
        let fileLines = file.split(separator: "\n").map(LogFileFormat.parse).filter { $0.stream != .system }.map(\.text)
        #expect(fileLines.map(\.utf8.count) == [1_048_576, 5])
        await stack.stop()
    }
}
