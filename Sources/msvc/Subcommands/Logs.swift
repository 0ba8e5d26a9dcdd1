import ArgumentParser
import Foundation
import MsvcCore

extension MsvcCommand {
    /// `msvc logs`: stored and live logs of a running stack.
    struct Logs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "logs",
            abstract: "Print stored logs, and with -f follow live ones.",
            discussion: """
                A follower that cannot keep up (a stopped pager, a slow pipe) is never buffered \
                without limit: when the stack's in-memory log drops lines it had not sent yet, \
                the output says so at that place ("[msvc] N lines missed here", or {"missed": N} \
                with --json); the log files under .msvc/logs keep every line.
                """)

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Services (default: all).") var services: [String] = []
        @Flag(name: .customShort("f"), help: "Follow: keep printing new lines.") var follow = false
        @Option(name: .customShort("n"), help: "Only the last N lines.") var lines: Int?
        @Option(help: "Only lines newer than this (e.g. 5m).") var since: String?
        @Option(help: "Only lines matching this regular expression.") var grep: String?
        @Flag(help: "One JSON document (JSON lines with -f).") var json = false

        /// The line that marks a gap in `-f` output: the reader fell behind the stack's
        /// in-memory log, which dropped lines before they were sent (the files keep them).
        static func missedNote(_ n: Int) -> String {
            "[msvc] \(n) line\(n == 1 ? "" : "s") missed here: this reader fell behind; .msvc/logs/ has every line"
        }

        /// The `--json` form of the gap: `{"missed": 120}`.
        static func missedJSON(_ n: Int) -> String {
            JSON.object([("missed", .int(n))]).serialized(pretty: false)
        }

        func run() async throws {
            try await reportingAsync(global) {
                var query = LogQuery(services: services, tail: lines, grep: grep)
                if let since {
                    guard let d = Units.parseDuration(since) else { throw CLIError.usage("invalid --since \"\(since)\" (expected e.g. 30s, 5m)") }
                    query.since = Date().addingTimeInterval(-Units.seconds(d))
                }
                if let grep {
                    do throws(PatternError) { try LinePattern.validate(grep) } catch {
                        throw CLIError.usage("invalid --grep pattern \"\(grep)\" \(error)")
                    }
                }
                // Out of range is a usage error before anything else, stack or not.
                try query.check()
                let client = try global.client()
                let snapshot: StackSnapshot
                do {
                    snapshot = try await client.snapshot()
                } catch ControlError.notRunning(let dir) {
                    // No stack: the stored files, as far as they go.
                    if follow { throw CLIError.failed("no stack is running for \(dir), so there is nothing to follow; without -f, msvc logs prints the stored lines") }
                    try printStored(query)
                    return
                }
                let names = snapshot.services.map(\.name)
                let printer = LogPrinter(services: names, maxReplicas: Dictionary(uniqueKeysWithValues: snapshot.services.map { ($0.name, $0.replicas.count) }),
                                         style: global.style(), json: json && follow)
                if follow {
                    let style = global.style()
                    for try await event in try await client.follow(query) {
                        switch event {
                        case .records(let batch): printer.print(batch)
                        case .missed(let n): Console.out(json ? Self.missedJSON(n) : style.dim(Self.missedNote(n)))
                        }
                    }
                    return
                }
                let records = try await client.logs(query)
                if json {
                    Console.out(JSON.array(records.map(Wire.json)).serialized())
                } else {
                    printer.print(records)
                }
            }
        }

        /// Prints the lines stored in `.msvc/logs/` of a stack that is not running.
        func printStored(_ query: LogQuery) throws {
            let loaded = try global.loadStack()
            let state = StateDirectory.beside(configDirectory: loaded.directory)
            for s in query.services where loaded.config.services[s] == nil {
                var m = "unknown service \"\(s)\""
                if let g = Suggest.closest(to: s, in: Array(loaded.config.services.keys)) { m += "; did you mean \"\(g)\"?" }
                throw CLIError.usage(m)
            }
            let records = try StoredLogs.read(state, services: Array(loaded.config.services.keys), query: query)
            if json {
                Console.out(JSON.array(records.map(Wire.json)).serialized())
                return
            }
            let counts = Dictionary(uniqueKeysWithValues: loaded.config.services.map { ($0.key, $0.value.replicas) })
            LogPrinter(services: Array(loaded.config.services.keys), maxReplicas: counts, style: global.style()).print(records)
        }
    }
}
