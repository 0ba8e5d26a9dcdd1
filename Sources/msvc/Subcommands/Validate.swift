import ArgumentParser
import MsvcCore

extension MsvcCommand {
    /// `msvc validate`: load and check msvc.yaml, printing every problem.
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "validate",
            abstract: "Load and check msvc.yaml; print every problem as FILE:LINE:COL: error: PATH: message.")

        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print one JSON document.") var json = false

        func run() throws {
            guard json else {
                try reporting(global) {
                    let loaded = try global.loadStack()
                    if !global.quiet {
                        let n = loaded.config.services.count
                        Console.out("\(loaded.file): ok (\(n) service\(n == 1 ? "" : "s"))")
                    }
                }
                return
            }
            var file = global.file ?? "msvc.yaml"
            var diagnostics: [ConfigDiagnostic] = []
            var valid = true
            var services = 0
            do {
                let loaded = try global.loadStack()
                file = loaded.file
                diagnostics = loaded.warnings
                services = loaded.config.services.count
            } catch let error as CLIError {
                valid = false
                if case .invalidConfig(let e) = error {
                    diagnostics = e.diagnostics
                    file = e.diagnostics.first?.file ?? file
                } else {
                    diagnostics = [ConfigDiagnostic(file: file, mark: SourceMark(line: 1, column: 1), path: "", message: error.description)]
                }
            }
            let doc = JSON.object([
                ("file", .string(file)), ("valid", .bool(valid)), ("services", .int(services)),
                ("diagnostics", .array(diagnostics.map { d in
                    .object([
                        ("file", .string(d.file)), ("line", .int(d.mark.line)), ("column", .int(d.mark.column)),
                        ("severity", .string(d.severity.rawValue)), ("path", .string(d.path)), ("message", .string(d.message)),
                    ])
                })),
            ])
            Console.out(doc.serialized())
            if !valid { throw ExitCode(65) }
        }
    }
}
