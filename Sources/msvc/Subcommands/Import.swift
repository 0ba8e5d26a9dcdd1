import ArgumentParser
import Foundation
import MsvcCore

extension ImportFormat: ExpressibleByArgument {}

extension MsvcCommand {
    /// `msvc import`: an msvc.yaml from another tool's file.
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Write msvc.yaml from a compose file, Procfile or process-compose file, then validate it.",
            discussion: """
                msvc.yaml is written beside the current folder (or at -f PATH); paths in it are \
                rewritten relative to it. What could not be mapped is listed on stderr, then the \
                result is checked as msvc validate does (exit 65 when it needs fixing).
                """)

        @OptionGroup var global: GlobalOptions
        @Argument(help: "What the file is: compose, procfile or process-compose.") var format: ImportFormat
        @Argument(help: "The file to read.", completion: .file()) var file: String
        @Flag(help: "Overwrite an existing msvc.yaml.") var force = false
        @Flag(help: "Print one JSON document: what was written, the notes and the validation result.") var json = false

        func run() throws {
            try reporting(global) {
                let fm = FileManager.default
                let cwd = fm.currentDirectoryPath
                let input = file.hasPrefix("/") ? file : (cwd as NSString).appendingPathComponent(file)
                guard let data = fm.contents(atPath: input) else {
                    throw CLIError.missingFile(displayPath(input, cwd: cwd))
                }
                let target = global.file.map { $0.hasPrefix("/") ? $0 : (cwd as NSString).appendingPathComponent($0) }
                    ?? (cwd as NSString).appendingPathComponent("msvc.yaml")
                let shownTarget = displayPath(target, cwd: cwd)
                if fm.fileExists(atPath: target) && !force {
                    throw CLIError.failed("\(shownTarget) already exists; pass --force to overwrite it")
                }
                let environment = ProcessInfo.processInfo.environment
                let outputDirectory = (target as NSString).deletingLastPathComponent
                let options = ImportOptions(
                    file: displayPath(input, cwd: cwd), inputDirectory: (input as NSString).deletingLastPathComponent,
                    outputDirectory: outputDirectory, environment: environment
                ) { path in fm.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } }
                let imported: ImportedStack
                do throws(ConfigError) {
                    imported = try StackImporter.read(String(decoding: data, as: UTF8.self), format: format, options: options)
                } catch {
                    guard json else { throw CLIError.invalidConfig(error) }
                    Console.out(report(imported: nil, options: options, written: nil, valid: false, diagnostics: error.diagnostics))
                    throw ExitCode(65)
                }
                let source = StackExporter.relativePath(input, from: outputDirectory)
                let text = imported.text(from: format, file: source)
                do {
                    try fm.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
                    try Data(text.utf8).write(to: URL(fileURLWithPath: target), options: .atomic)
                } catch {
                    throw CLIError.failed("cannot write \(shownTarget): \(error.localizedDescription); check that the folder is writable")
                }
                var context = LoadContext.live(directory: outputDirectory)
                context.environment = environment
                var diagnostics: [ConfigDiagnostic] = []
                var valid = true
                do throws(ConfigError) {
                    diagnostics = try ConfigLoader.load(text: text, file: shownTarget, context: context).warnings
                } catch {
                    valid = false
                    diagnostics = error.diagnostics
                }
                if json {
                    Console.out(report(imported: imported, options: options, written: shownTarget, valid: valid, diagnostics: diagnostics))
                    if !valid { throw ExitCode(65) }
                    return
                }
                let style = global.style(forStderr: true)
                if !global.quiet {
                    for note in imported.report.notes {
                        let tag = note.kind == .dropped ? "not mapped" : "note"
                        Console.error(style.yellow("msvc import:") + " \(tag): " + (note.path.isEmpty ? "" : note.path + ": ") + note.message)
                    }
                }
                let count = imported.config.services.count
                if valid {
                    global.printWarnings(diagnostics)
                    if !global.quiet { Console.out("wrote \(shownTarget) (\(count) service\(count == 1 ? "" : "s")): ok") }
                    return
                }
                for d in diagnostics { Console.error(style.diagnostic(d)) }
                throw CLIError.exit(code: 65, message: "wrote \(shownTarget), but it does not validate yet; fix the problems above, then run msvc validate")
            }
        }

        /// The `--json` document: what was read and written, the notes, the validation result.
        func report(imported: ImportedStack?, options: ImportOptions, written: String?, valid: Bool, diagnostics: [ConfigDiagnostic]) -> String {
            JSON.object([
                ("format", .string(format.rawValue)), ("file", .string(options.file)), ("written", written.map(JSON.string) ?? .null),
                ("services", .int(imported?.config.services.count ?? 0)),
                ("notes", .array((imported?.report.notes ?? []).map(\.json))),
                ("valid", .bool(valid)),
                ("diagnostics", .array(diagnostics.map { d in
                    .object([
                        ("file", .string(d.file)), ("line", .int(d.mark.line)), ("column", .int(d.mark.column)),
                        ("severity", .string(d.severity.rawValue)), ("path", .string(d.path)), ("message", .string(d.message)),
                    ])
                })),
            ]).serialized()
        }
    }
}
