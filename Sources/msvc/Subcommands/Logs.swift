import ArgumentParser
import Foundation
import MsvcCore

extension MsvcCommand {
    /// `msvc logs`: stored and live logs of a running stack.
    struct Logs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print stored logs, and with -f follow live ones.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Services (default: all).") var services: [String] = []
        @Flag(name: .customShort("f"), help: "Follow: keep printing new lines.") var follow = false
        @Option(name: .customShort("n"), help: "Only the last N lines.") var lines: Int?
        @Option(help: "Only lines newer than this (e.g. 5m).") var since: String?
        @Option(help: "Only lines matching this regular expression.") var grep: String?
        @Flag(help: "One JSON document (JSON lines with -f).") var json = false

        func run() async throws {
            try await reportingAsync(global) {
                var query = LogQuery(services: services, tail: lines, grep: grep)
                if let since {
                    guard let d = Units.parseDuration(since) else { throw CLIError.usage("invalid --since \"\(since)\" (expected e.g. 30s, 5m)") }
                    query.since = Date().addingTimeInterval(-Units.seconds(d))
                }
                if let grep, (try? NSRegularExpression(pattern: grep)) == nil {
                    throw CLIError.usage("invalid --grep regular expression \"\(grep)\"")
                }
                let client = try global.client()
                let snapshot = try await client.snapshot()
                let names = snapshot.services.map(\.name)
                let printer = LogPrinter(services: names, maxReplicas: Dictionary(uniqueKeysWithValues: snapshot.services.map { ($0.name, $0.replicas.count) }),
                                         style: global.style(), json: json && follow)
                if follow {
                    for try await batch in try await client.followBatches(query) { printer.print(batch) }
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
    }
}
