import ArgumentParser
import Foundation
import MsvcCore

extension MsvcCommand {
    /// `msvc templates list|show`: the templates on the search path.
    struct Templates: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "templates", abstract: "List and show service templates.",
            discussion: """
                Search path, first of a name wins: .msvc/templates/ beside msvc.yaml, \
                $XDG_CONFIG_HOME/msvc/templates/ (~/.config/msvc/templates/), then the built-in \
                templates: $MSVC_TEMPLATES_DIR, else templates/ or share/msvc/templates/ beside \
                the msvc executable's folder or one of its parents.
                """,
            subcommands: [List.self, Show.self], defaultSubcommand: List.self)

        /// `msvc templates list`.
        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "list", abstract: "List templates with their origin and description.")
            @OptionGroup var global: GlobalOptions
            @Flag(help: "Print one JSON document.") var json = false

            func run() throws {
                try reporting(global) {
                    try scaffolding {
                        let catalog = templateCatalog(global)
                        let all = try catalog.all()
                        if json {
                            Console.out(JSON.object([
                                ("search_path", .array(catalog.roots.map { .object([("path", .string($0.path)), ("origin", .string($0.origin.rawValue))]) })),
                                ("templates", .array(all.map(summary))),
                            ]).serialized())
                            return
                        }
                        if all.isEmpty { Console.out("no templates; searched: " + catalog.roots.map(\.path).joined(separator: ", ")) }
                        if let missing = catalog.missingBuiltins, !global.quiet { Console.error("note: \(missing)") }
                        let width = all.map(\.manifest.name.count).max() ?? 0
                        for t in all {
                            let name = t.manifest.name.padding(toLength: width, withPad: " ", startingAt: 0)
                            Console.out("\(name)  \(t.origin.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0))  \(t.manifest.description)")
                        }
                    }
                }
            }
        }

        /// `msvc templates show T`.
        struct Show: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a template's variables, files and msvc.yaml block.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The template's name.") var name: String
            @Flag(help: "Print one JSON document.") var json = false

            func run() throws {
                try reporting(global) {
                    try scaffolding {
                        let t = try templateCatalog(global).find(name)
                        let files = try TemplateRenderer.render(t, values: sampleValues(t.manifest)).map(\.path)
                        if json {
                            var doc = summary(t)
                            if case .object(var fields) = doc {
                                fields.append(("files", .array(files.map { .string($0) })))
                                fields.append(("hooks", .array(t.manifest.postHooks.map { .string($0) })))
                                fields.append(("service", .string(t.manifest.serviceBlock)))
                                doc = .object(fields)
                            }
                            Console.out(doc.serialized())
                            return
                        }
                        let m = t.manifest
                        Console.out("\(m.name): \(m.description)")
                        Console.out("origin: \(t.origin.rawValue) (\(t.directory))")
                        if let language = m.language { Console.out("language: \(language)") }
                        Console.out("variables:" + (m.variables.isEmpty ? " none" : ""))
                        for v in m.variables {
                            var extra: [String] = []
                            if let d = v.defaultValue { extra.append("default \(d)") }
                            if !v.choices.isEmpty { extra.append("one of \(v.choices.joined(separator: ", "))") }
                            if let p = v.pattern { extra.append("matching \(p)") }
                            Console.out("  \(v.name)\(v.prompt.map { ": \($0)" } ?? "")" + (extra.isEmpty ? "" : " (\(extra.joined(separator: "; ")))"))
                        }
                        Console.out("built-in variables: " + TemplateValues.builtinNames.sorted().joined(separator: ", "))
                        Console.out("files (with defaults, service \"example\"):")
                        for f in files { Console.out("  \(f)") }
                        if !m.postHooks.isEmpty { Console.out("post hooks (--run-hooks): " + m.postHooks.joined(separator: "; ")) }
                        Console.out("msvc.yaml block:")
                        for line in m.serviceBlock.split(separator: "\n", omittingEmptySubsequences: false) { Console.out("  " + line) }
                    }
                }
            }
        }
    }
}

/// The search path for the current project (or none when there is no msvc.yaml).
private func templateCatalog(_ global: GlobalOptions) -> TemplateCatalog {
    let env = ProcessInfo.processInfo.environment
    let cwd = FileManager.default.currentDirectoryPath
    let config = ConfigLoader.discover(explicit: global.file, environment: env, cwd: cwd)
    let project = config.flatMap { FileManager.default.fileExists(atPath: $0) ? ($0 as NSString).deletingLastPathComponent : nil }
    return TemplateCatalog.standard(projectDirectory: project, environment: env, executable: executablePath())
}

private func sampleValues(_ manifest: TemplateManifest) throws -> TemplateValues {
    try TemplateValues.resolve(manifest: manifest, service: "example", project: "project", port: "auto",
                               set: Dictionary(uniqueKeysWithValues: manifest.variables.map { ($0.name, $0.defaultValue ?? "x") }))
}

private func summary(_ t: TemplateInfo) -> JSON {
    .object([
        ("name", .string(t.manifest.name)), ("description", .string(t.manifest.description)),
        ("language", t.manifest.language.map { .string($0) } ?? .null), ("origin", .string(t.origin.rawValue)),
        ("directory", .string(t.directory)),
        ("variables", .array(t.manifest.variables.map { v in
            .object([
                ("name", .string(v.name)), ("prompt", v.prompt.map { .string($0) } ?? .null),
                ("default", v.defaultValue.map { .string($0) } ?? .null), ("choices", .array(v.choices.map { .string($0) })),
                ("pattern", v.pattern.map { .string($0) } ?? .null), ("bool", .bool(v.isBool)),
            ])
        })),
    ])
}
