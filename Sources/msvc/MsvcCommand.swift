import ArgumentParser
import MsvcCore

/// The `msvc` command: the whole inner loop of a microservices codebase.
@main
struct MsvcCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "msvc",
        abstract: "Scaffold, run, watch, test and ship a microservices stack from one msvc.yaml.",
        version: Msvc.version,
        subcommands: [
            Init.self, Validate.self, Config.self, Graph.self, Completions.self,
        ]
    )
}
