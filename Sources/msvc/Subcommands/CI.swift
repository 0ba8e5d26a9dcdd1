import ArgumentParser
import Foundation
import MsvcCore

extension CIProvider: ExpressibleByArgument {}

extension MsvcCommand {
    /// `msvc ci`: CI pipelines generated from msvc.yaml.
    struct CI: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ci", abstract: "Generate CI pipelines from msvc.yaml.", subcommands: [Generate.self])

        // `msvc -f x.yaml ci generate` arrives as `ci --file x.yaml generate` (see
        // GlobalOptions.hoist); declaring the group here lets the parser accept it there.
        @OptionGroup(visibility: .hidden) var global: GlobalOptions
    }
}

extension MsvcCommand.CI {
    /// `msvc ci generate`: write (or check) the pipeline file.
    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "generate",
            abstract: "Write the CI pipeline that builds, tests and runs the suites of every service.",
            discussion: """
                The provider comes from --provider, else ci.provider in msvc.yaml, else the one CI \
                system whose files are already beside msvc.yaml. The file is written at the \
                provider's usual path beside msvc.yaml (--out PATH is relative to the current folder).
                """)

        @OptionGroup var global: GlobalOptions
        @Option(help: "The CI system (default: ci.provider, else the existing CI folder).")
        var provider: CIProvider?
        @Option(help: ArgumentHelp("Where to write the file (default: the provider's usual path beside msvc.yaml); - prints it.", valueName: "path"),
                completion: .file())
        var out: String?
        @Flag(help: "Write nothing; exit 1 with a diff when the file on disk is out of date.")
        var check = false

        func run() throws {
            try reporting(global) {
                let loaded = try global.loadStack()
                let chosen: CIProvider
                let text: String
                do throws(CIError) {
                    chosen = try CIProvider.resolve(explicit: provider, settings: loaded.config.ci, directory: loaded.directory)
                    text = try CIGenerator.generate(loaded.config, provider: chosen, files: .directory(loaded.directory),
                                                    configFile: (loaded.file as NSString).lastPathComponent)
                } catch {
                    switch error {
                    case .nothingToRun, .msvcSourceMissing:
                        throw CLIError.exit(code: 65, message: "error: " + error.description)
                    default:
                        throw CLIError.usage(error.description)
                    }
                }
                if out == "-" {
                    if check { throw CLIError.usage("--check compares with a file; it cannot be used with --out -") }
                    Console.out(text, terminator: "")
                    return
                }
                let cwd = FileManager.default.currentDirectoryPath
                let target = out.map { $0.hasPrefix("/") ? $0 : (cwd as NSString).appendingPathComponent($0) }
                    ?? (loaded.directory as NSString).appendingPathComponent(chosen.defaultPath)
                let shown = displayPath(target, cwd: cwd)
                if check {
                    guard let data = FileManager.default.contents(atPath: target) else {
                        throw CLIError.failed(CIError.missingFile(shown).description)
                    }
                    if let diff = CIGenerator.check(current: String(decoding: data, as: UTF8.self), generated: text, path: shown) {
                        Console.out(diff, terminator: "")
                        throw CLIError.failed("\(shown) is out of date; run \"msvc ci generate --provider \(chosen.rawValue)\" and commit it")
                    }
                    if !global.quiet { Console.out("\(shown): up to date") }
                    return
                }
                do {
                    try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                    try Data(text.utf8).write(to: URL(fileURLWithPath: target), options: .atomic)
                } catch {
                    throw CLIError.failed("cannot write \(shown): \(error.localizedDescription); check that the folder is writable")
                }
                if !global.quiet { Console.out("wrote \(shown) (\(chosen.displayName))") }
            }
        }
    }
}
