import ArgumentParser
import Foundation
import MsvcCore

/// Shared body of start/stop/restart/scale: call the running stack, print the result.
private func act(_ global: GlobalOptions, json: Bool, _ body: (ControlClient) async throws -> ActionResult) async throws {
    let result = try await body(try global.client())
    if json {
        Console.out(JSON.object([("ok", .bool(result.ok)), ("message", .string(result.message))]).serialized())
    } else if !global.quiet {
        Console.error(result.message)
    }
    if !result.ok { throw CLIError.exit(code: 1, message: "") }
}

extension MsvcCommand {
    /// `msvc start`.
    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "start", abstract: "Start stopped services of a running stack.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Services.") var services: [String]
        @Flag(help: "Print the result as JSON.") var json = false
        func run() async throws {
            try await reportingAsync(global) { try await act(global, json: json) { try await $0.start(services) } }
        }
    }

    /// `msvc stop`.
    struct Stop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "stop", abstract: "Stop services of a running stack (the rest keeps running).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Services.") var services: [String]
        @Flag(help: "Print the result as JSON.") var json = false
        func run() async throws {
            try await reportingAsync(global) { try await act(global, json: json) { try await $0.stop(services) } }
        }
    }

    /// `msvc restart`.
    struct Restart: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "restart", abstract: "Restart services of a running stack.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Services.") var services: [String]
        @Flag(help: "Print the result as JSON.") var json = false
        func run() async throws {
            try await reportingAsync(global) { try await act(global, json: json) { try await $0.restart(services) } }
        }
    }

    /// `msvc scale SERVICE=N`.
    struct Scale: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "scale", abstract: "Change the number of replicas of a running service: msvc scale orders=3.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "SERVICE=N.") var assignment: String
        @Flag(help: "Print the result as JSON.") var json = false
        func run() async throws {
            try await reportingAsync(global) {
                let parts = assignment.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, let n = Int(parts[1]) else {
                    throw CLIError.usage("expected SERVICE=N, e.g. orders=3, not \"\(assignment)\"")
                }
                try await act(global, json: json) { try await $0.scale(String(parts[0]), to: n) }
            }
        }
    }
}
