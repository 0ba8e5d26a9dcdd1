import ArgumentParser
import Foundation
import MsvcCore

extension MsvcCommand {
    /// `msvc contract`: consumer-driven contracts.
    struct Contract: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "contract",
            abstract: "Verify consumer-driven contracts (Pact V2, V3, V4) against a provider.",
            subcommands: [Verify.self])
    }
}

extension MsvcCommand.Contract {
    /// `msvc contract verify`: verify pacts against any running provider.
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Verify pacts against a running provider; exit 0 when all verified, 1 on a mismatch.")

        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("A pact file, or a folder of *.json pact files.", valueName: "file|dir"),
                completion: .file(extensions: ["json"]))
        var pact: String?
        @Option(name: .customLong("provider-url"), help: ArgumentHelp("The provider's base URL, e.g. http://127.0.0.1:8080.", valueName: "url"))
        var providerURL: String?
        @Option(name: .customLong("state-change-url"),
                help: ArgumentHelp("Where provider states are set up: POST {state, params, action: setup|teardown}, once per state, before and after each interaction.", valueName: "url"))
        var stateChangeURL: String?
        @Option(name: .customLong("filter-description"), help: ArgumentHelp("Only interactions whose description matches this regular expression.", valueName: "re"))
        var filterDescription: String?
        @Option(name: .customLong("filter-state"), help: ArgumentHelp("Only interactions with a provider state that matches this regular expression.", valueName: "re"))
        var filterState: String?
        @Option(name: .customLong("header"), help: ArgumentHelp("A header added to every request to the provider (repeatable).", valueName: "k=v"))
        var headers: [String] = []
        @Option(name: .customLong("timeout"), help: ArgumentHelp("Time allowed for each request (default 30s).", valueName: "dur"))
        var timeout: String?
        @Option(help: ArgumentHelp("Also write a JUnit XML report here (one test case per interaction).", valueName: "file"),
                completion: .file(extensions: ["xml"]))
        var junit: String?
        @Flag(help: "Print one JSON document instead of the console report.") var json = false

        func run() async throws {
            try await reportingAsync(global) {
                try await verify()
            }
        }

        func verify() async throws {
            guard let pact else { throw CLIError.usage("missing --pact FILE|DIR (the pact file or folder to verify)") }
            guard let providerURL else { throw CLIError.usage("missing --provider-url URL (where the provider runs, e.g. http://127.0.0.1:8080)") }
            var options = PactVerifierOptions()
            options.filterDescription = filterDescription
            options.filterState = filterState
            for h in headers {
                guard let eq = h.firstIndex(of: "="), eq != h.startIndex else {
                    throw CLIError.usage("invalid --header \"\(h)\" (expected NAME=VALUE, e.g. --header Authorization=\"Bearer abc\")")
                }
                let name = String(h[..<eq]).trimmingCharacters(in: .whitespaces)
                guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_".contains($0)) }) else {
                    throw CLIError.usage("invalid header name \"\(name)\" in --header (letters, digits, - and _ only)")
                }
                options.extraHeaders.append((name, String(h[h.index(after: eq)...])))
            }
            if let timeout {
                guard let d = Units.parseDuration(timeout), d > .zero else {
                    throw CLIError.usage("invalid --timeout \"\(timeout)\" (expected e.g. 500ms, 10s)")
                }
                options.requestTimeout = d
            }
            let pacts: [Pact]
            do {
                pacts = try PactLoader.load(path: pact)
            } catch {
                throw CLIError.exit(code: 65, message: error.description)
            }
            let showProgress = !json && !global.quiet && isatty(2) == 1
            let total = pacts.reduce(0) { $0 + $1.interactions.count + $1.skippedKinds.count }
            let counter = ProgressCounter()
            let report: ContractReport
            do {
                report = try await PactVerifier(options: options).verify(
                    pacts: pacts, providerBaseURL: providerURL, stateChangeURL: stateChangeURL
                ) { event in
                    guard showProgress, case .interactionFinished = event else { return }
                    let n = counter.next()
                    FileHandle.standardError.write(Data("\r\u{1B}[2Kverifying \(n)/\(total)".utf8))
                }
            } catch {
                throw CLIError.usage(error.description)
            }
            if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
            if let junit {
                do {
                    try report.junit().xml().write(toFile: junit, atomically: true, encoding: .utf8)
                } catch {
                    throw CLIError.failed("cannot write the JUnit report to \(junit): \(error.localizedDescription)")
                }
            }
            if json {
                Console.out(report.json().serialized())
            } else if !global.quiet || !report.passed {
                let s = global.style()
                let paint = ReportPaint(ok: { s.green($0) }, bad: { s.red($0) }, warn: { s.yellow($0) }, dim: { s.dim($0) }, bold: { s.bold($0) })
                Console.out(report.text(paint: paint), terminator: "")
            }
            if !report.passed { throw CLIError.exit(code: 1, message: "") }
        }
    }
}

/// Counts finished interactions for the progress line (called from the verifier's task).
private final class ProgressCounter: @unchecked Sendable {
    // Guarded by the lock; the callback may run on any thread.
    private let lock = NSLock()
    private var n = 0

    /// The next count.
    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        n += 1
        return n
    }
}
