import Foundation
import Testing

@testable import MsvcCore

@Suite("Supervisor: output capture")
struct SupervisorOutputCaptureTests {
    @Test func eightFloodingProcesses_everyLineArrivesInOrderPerStream() async throws {
        let writers = 8
        let count = 100_000
        try await withLauncher { f in
            let clock = ContinuousClock()
            let started = clock.now
            var processes: [LaunchedProcess] = []
            for i in 1...writers {
                // stdout and stderr written at the same time, at full speed.
                processes.append(try await f.launch(
                    ["sh", "-c", "seq 1 \(count) & seq 1 \(count) >&2; wait"], source: .init(service: "flood", replica: i)))
            }
            for p in processes {
                #expect(await p.waitForExit(timeout: .seconds(60)) == .exited(0))
                #expect(await p.waitForOutputClosed(timeout: .seconds(60)))
            }
            let elapsed = clock.now - started
            let expected = (1...count).map(String.init)
            for p in processes {
                for stream in LogStream.allCases {
                    let lines = f.collector.lines(p.source, stream)
                    #expect(lines.count == count, "\(p.source) \(stream)")
                    #expect(lines.map(\.text) == expected, "\(p.source) \(stream) out of order or lost")
                    #expect(zip(lines, lines.dropFirst()).allSatisfy { $0.seq < $1.seq })
                }
            }
            let total = Double(writers * count * 2)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            print("capture throughput: \(writers) writers x \(count) lines x 2 streams in \(elapsed): \(Int(total / seconds)) lines/s")
        }
    }

    @Test func lastLineWithoutNewline_arrivesAtEOF() async throws {
        try await withLauncher { f in
            let (status, p) = try await f.run(["printf", "first\\nlast-without-newline"])
            #expect(status == .exited(0))
            #expect(f.collector.texts(p.source) == ["first", "last-without-newline"])
            #expect(f.collector.lines(p.source).allSatisfy { !$0.continues })
        }
    }

    @Test func oneMegabyteLine_arrivesAsSixteenPiecesTotallingOneMegabyte() async throws {
        try await withLauncher { f in
            let (status, p) = try await f.run([
                "python3", "-c", "import sys; sys.stdout.write('x' * 1048576 + '\\nafter\\n' + 'y' * 70000)",
            ])
            #expect(status == .exited(0))
            let lines = f.collector.lines(p.source)
            let pieces = Array(lines.prefix { $0.text.first == "x" })
            #expect(pieces.count == 16)
            #expect(pieces.map { $0.text.utf8.count }.reduce(0, +) == 1_048_576)
            #expect(pieces.allSatisfy { $0.text.utf8.count <= 65_536 })
            #expect(pieces.dropLast().allSatisfy { $0.continues })
            #expect(pieces.last?.continues == false)
            let rest = lines.dropFirst(pieces.count).map { "\($0.text.prefix(1))\($0.text.utf8.count)\($0.continues)" }
            #expect(rest == ["a5false", "y65536true", "y4464false"])
        }
    }

    @Test func invalidUTF8_isRepairedNotDropped() async throws {
        try await withLauncher { f in
            let (_, p) = try await f.run(["printf", "ok\\377\\376bad\\n\\303\\251t\\303\\251\\n"])
            #expect(f.collector.texts(p.source) == ["ok\u{FFFD}\u{FFFD}bad", "été"])
        }
    }

    @Test func slowSink_appliesBackPressureWithoutLoss() async throws {
        // A sink slower than the writer: the pipe fills and the writer waits in write(2).
        try await withLauncher(sinkDelay: 5_000) { f in
            let (status, p) = try await f.run(["seq", "1", "200000"])
            #expect(status == .exited(0))
            #expect(f.collector.texts(p.source) == (1...200_000).map(String.init))
        }
    }
}
