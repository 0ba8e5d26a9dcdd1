import ArgumentParser
import Foundation
import MsvcCore
import MsvcTUI

extension MsvcCommand {
    /// `msvc dash`: the dashboard, attached to a stack that is already running.
    struct Dash: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dash", abstract: "Attach the dashboard to a running stack.",
            discussion: """
                Talks to the supervisor through its control socket. Leaving the dashboard (q) leaves \
                the stack running; stop it with "msvc down". Press ? in the dashboard for every key.
                """)
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await reportingAsync(global) {
                let client = try global.client()
                // Fail like ps/logs when nothing is running, before taking over the terminal.
                let first: StackSnapshot
                do { first = try await client.snapshot() } catch { throw CLIError.control(error) }
                guard Dashboard.canRun else {
                    throw CLIError.usage("msvc dash needs a terminal (stdin and stdout); use \"msvc ps\" and \"msvc logs -f\" instead")
                }
                // Everything shown, the dependency view included, comes from the running stack.
                let exit = await Dashboard.run(control: client, ownsStack: false, project: first.project, noColor: global.noColor)
                if exit == .stackGone, !global.quiet { Console.error("the stack stopped") }
            }
        }
    }
}
