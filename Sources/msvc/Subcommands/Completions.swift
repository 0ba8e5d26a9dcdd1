import ArgumentParser

extension MsvcCommand {
    /// `msvc completions`: shell completion scripts.
    struct Completions: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "completions",
            abstract: "Print a shell completion script (also committed under completions/).")

        enum Shell: String, ExpressibleByArgument, CaseIterable { case bash, zsh, fish }

        @Argument(help: "bash, zsh or fish.") var shell: Shell

        func run() throws {
            let kind: CompletionShell = switch shell {
            case .bash: .bash
            case .zsh: .zsh
            case .fish: .fish
            }
            print(MsvcCommand.completionScript(for: kind), terminator: "")
        }
    }
}
