import ArgumentParser
import Foundation
import MsvcCore

extension MsvcCommand {
    /// `msvc down`: stop a running stack.
    struct Down: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "down", abstract: "Stop a running stack in reverse dependency order.")

        @OptionGroup var global: GlobalOptions
        @Option(help: "Stop timeout for every service, overriding stop_timeout (e.g. 5s).") var timeout: String?
        @Flag(help: "Print the result as JSON.") var json = false

        func run() async throws {
            try await reportingAsync(global) {
                let limit = try timeout.map { t -> Duration in
                    guard let d = Units.parseDuration(t) else { throw CLIError.usage("invalid --timeout \"\(t)\" (expected e.g. 5s)") }
                    return d
                }
                let (_, state) = try global.stateDirectory()
                let client = try global.client()
                let result = try await client.shutdown(timeout: limit)
                // The answer comes when every service has stopped; then wait for the supervisor
                // to let go of the folder, so an `up` right after starts afresh.
                _ = await InstanceLock.waitForRelease(state, seconds: 10)
                if json {
                    Console.out(JSON.object([("ok", .bool(result.ok)), ("message", .string(result.message))]).serialized())
                } else if !global.quiet {
                    Console.error(result.message)
                }
            }
        }
    }
}
