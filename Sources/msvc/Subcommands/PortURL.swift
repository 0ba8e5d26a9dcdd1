import ArgumentParser
import Foundation
import MsvcCore

/// The port of a running service: the balanced one, or a named port of its first replica.
private func port(_ global: GlobalOptions, _ service: String, _ name: String?) async throws -> Int {
    let snapshot = try await global.client().snapshot()
    guard let svc = snapshot.services.first(where: { $0.name == service }) else {
        var m = "unknown service \"\(service)\""
        if let g = Suggest.closest(to: service, in: snapshot.services.map(\.name)) { m += "; did you mean \"\(g)\"?" }
        throw CLIError.usage(m)
    }
    if let name {
        guard let p = svc.namedPorts[name] else {
            let names = svc.namedPorts.keys.sorted()
            throw CLIError.usage("\(service) has no port named \"\(name)\"" + (names.isEmpty ? "" : " (its named ports: \(names.joined(separator: ", ")))"))
        }
        return p
    }
    guard let p = svc.port else { throw CLIError.usage("\(service) has no port (port: none)") }
    return p
}

extension MsvcCommand {
    /// `msvc port SERVICE [NAME]`.
    struct Port: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "port",
            abstract: "Print the port of a running service (the balanced one, or a named port).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The service.") var service: String
        @Argument(help: "A named port (ports: in msvc.yaml).") var name: String?
        @Flag(help: "Print JSON.") var json = false
        func run() async throws {
            try await reportingAsync(global) {
                let p = try await port(global, service, name)
                Console.out(json ? JSON.object([("service", .string(service)), ("name", name.map(JSON.string) ?? .null), ("port", .int(p))]).serialized() : String(p))
            }
        }
    }

    /// `msvc url SERVICE`.
    struct URLCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "url", abstract: "Print http://127.0.0.1:PORT of a running service.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The service.") var service: String
        @Flag(help: "Print JSON.") var json = false
        func run() async throws {
            try await reportingAsync(global) {
                let url = "http://127.0.0.1:\(try await port(global, service, nil))"
                Console.out(json ? JSON.object([("service", .string(service)), ("url", .string(url))]).serialized() : url)
            }
        }
    }
}
