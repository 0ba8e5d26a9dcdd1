import ArgumentParser
import Foundation
import MsvcCore

/// The `msvc` command: the whole inner loop of a microservices codebase.
@main
struct MsvcCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "msvc",
        abstract: "Scaffold, run, watch, test and ship a microservices stack from one msvc.yaml.",
        version: Msvc.version,
        subcommands: [
            Init.self, New.self, Templates.self, Validate.self, Config.self, Graph.self,
            Up.self, Down.self, Ps.self, Logs.self, Port.self, URLCommand.self, DoctorCommand.self, Start.self, Stop.self, Restart.self, Scale.self, Dash.self,
            Test.self, Contract.self, CI.self, Export.self, Import.self, Completions.self,
        ]
    )

    /// Global options may come before the verb (`msvc -f x.yaml up`): move them after it,
    /// where every subcommand's `GlobalOptions` reads them.
    static func main() async {
        var args = Array(CommandLine.arguments.dropFirst())
        args = GlobalOptions.hoist(args, verbs: configuration.subcommands.map { $0._commandName })
        do {
            var command = try parseAsRoot(args)
            if var async = command as? any AsyncParsableCommand {
                try await async.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
