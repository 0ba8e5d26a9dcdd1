import ArgumentParser
import Foundation
import MsvcCore

extension ExportTarget: ExpressibleByArgument {}

extension MsvcCommand {
    /// `msvc export`: Kubernetes manifests or a compose file from msvc.yaml.
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Write Kubernetes manifests or a compose file from msvc.yaml.",
            discussion: """
                ${VAR} references to the environment stay references (a ConfigMap or Secret in \
                Kubernetes, compose's own interpolation); discovery variables point at the target's \
                DNS names. What the target cannot express is listed on stderr.
                """)

        @OptionGroup var global: GlobalOptions
        @Argument(help: "What to write: kubernetes or compose.") var target: ExportTarget
        @Option(help: ArgumentHelp("Where to write: a folder for kubernetes (one file per service), a file for compose; - prints (the default).", valueName: "path"),
                completion: .file())
        var out: String = "-"
        @Option(help: "Kubernetes namespace for every object (also written as a Namespace).") var namespace: String?
        @Option(name: .customLong("profile"), help: "Include services of this profile (kubernetes; compose keeps every profile).")
        var profiles: [String] = []
        @Flag(help: "Print one JSON document: the files, their text when printed, and the translation report.") var json = false

        func run() throws {
            try reporting(global) {
                if namespace != nil && target == .compose {
                    throw CLIError.usage("--namespace is for kubernetes; compose has no namespaces")
                }
                let loaded = try global.loadStack(keepReferences: true)
                let cwd = FileManager.default.currentDirectoryPath
                let destination = out == "-" ? nil : (out.hasPrefix("/") ? out : (cwd as NSString).appendingPathComponent(out))
                var options = ExportOptions(directory: loaded.directory) { path in
                    FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
                }
                options.namespace = namespace
                options.profiles = profiles
                if target == .compose, let destination { options.outputDirectory = (destination as NSString).deletingLastPathComponent }
                let result: ExportResult
                do throws(ExportError) {
                    result = try StackExporter.export(loaded.config, to: target, options: options)
                } catch {
                    throw CLIError.exit(code: 65, message: "error: " + error.message)
                }
                var written: [String] = []
                if let destination {
                    written = try write(result, to: destination, cwd: cwd)
                } else if !json {
                    Console.out(result.combined, terminator: "")
                }
                if json {
                    var fields: [(String, JSON)] = [
                        ("target", .string(target.rawValue)), ("out", .string(out)),
                        ("files", .array(written.map(JSON.string))),
                    ]
                    if destination == nil { fields.append(("text", .string(result.combined))) }
                    fields.append(("report", .array(result.report.notes.map(\.json))))
                    Console.out(JSON.object(fields).serialized())
                    return
                }
                if !global.quiet {
                    let style = global.style(forStderr: true)
                    for note in result.report.notes {
                        Console.error(style.yellow("msvc export:") + " " + note.description)
                    }
                    if destination != nil {
                        Console.error("wrote \(written.count == 1 ? written[0] : "\(written.count) files to \(displayPath(destination!, cwd: cwd))")")
                    }
                }
            }
        }

        /// Writes the files (each atomically); returns their paths as the user should see them.
        func write(_ result: ExportResult, to destination: String, cwd: String) throws -> [String] {
            let fm = FileManager.default
            var paths: [String] = []
            do {
                if target == .kubernetes {
                    var isDirectory: ObjCBool = false
                    if fm.fileExists(atPath: destination, isDirectory: &isDirectory), !isDirectory.boolValue {
                        throw CLIError.usage("\(displayPath(destination, cwd: cwd)) is a file; --out for kubernetes names a folder")
                    }
                    try fm.createDirectory(atPath: destination, withIntermediateDirectories: true)
                    for file in result.files {
                        let path = (destination as NSString).appendingPathComponent(file.name)
                        try Data(file.text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
                        paths.append(displayPath(path, cwd: cwd))
                    }
                } else {
                    try fm.createDirectory(atPath: (destination as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                    try Data(result.combined.utf8).write(to: URL(fileURLWithPath: destination), options: .atomic)
                    paths.append(displayPath(destination, cwd: cwd))
                }
            } catch let error as CLIError {
                throw error
            } catch {
                throw CLIError.failed("cannot write \(displayPath(destination, cwd: cwd)): \(error.localizedDescription); check that the folder is writable")
            }
            return paths
        }
    }
}
