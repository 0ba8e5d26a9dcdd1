import ArgumentParser
import Foundation
import MsvcCore

extension MsvcCommand {
    /// `msvc new`: render a template into a new service folder and register it in msvc.yaml.
    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "new", abstract: "Render a template into a new service and register it in msvc.yaml.",
            discussion: "Templates are searched in .msvc/templates/, $XDG_CONFIG_HOME/msvc/templates/, then the built-in ones (msvc templates list).")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The new service's name ([a-z][a-z0-9-]{0,62}).") var service: String
        @Option(name: [.short, .customLong("template")], help: "Template name (msvc templates list) or a template folder.") var template: String
        @Option(name: .customLong("set"), help: ArgumentHelp("Set a template variable.", valueName: "key=value")) var assignments: [String] = []
        @Option(help: "Folder for the service (default: services/SERVICE beside msvc.yaml).") var dir: String?
        @Option(help: "The service's port: auto or a number (default: the template's).") var port: String?
        @Flag(help: "List the files and the msvc.yaml block; write nothing.") var dryRun = false
        @Flag(help: "Write over files in an existing folder; keep an existing msvc.yaml entry.") var force = false
        @Flag(help: "Run the template's post hooks in the new folder.") var runHooks = false

        func run() throws {
            try reporting(global) {
                let cwd = FileManager.default.currentDirectoryPath
                let env = ProcessInfo.processInfo.environment
                guard let configPath = ConfigLoader.discover(explicit: global.file, environment: env, cwd: cwd),
                      FileManager.default.fileExists(atPath: configPath) else { throw CLIError.noConfig(cwd: cwd) }
                let values = try parseAssignments()
                if let port, port != "auto", !(Int(port).map { (1...65535).contains($0) } ?? false) {
                    throw CLIError.usage("--port expects auto or a number from 1 to 65535, got \"\(port)\"")
                }
                try scaffolding {
                    guard Naming.isValidServiceName(service) else { throw ScaffoldError.invalidServiceName(service) }
                    let projectDir = (configPath as NSString).deletingLastPathComponent
                    let catalog = TemplateCatalog.standard(projectDirectory: projectDir, environment: env, executable: executablePath())
                    let info = try catalog.find(template.hasPrefix("/") || !template.contains("/") ? template : cwd + "/" + template)
                    let answered = try ask(info.manifest, given: values)
                    let request = ScaffoldRequest(
                        service: service, template: info, configPath: configPath,
                        directory: dir.map { $0.hasPrefix("/") ? $0 : cwd + "/" + $0 }, values: answered, port: port, force: force)
                    let plan = try Scaffolder.plan(request)
                    if dryRun { return printDryRun(plan, cwd: cwd) }
                    try Scaffolder.commit(plan)
                    if !global.quiet {
                        Console.out("created \(displayPath(plan.target, cwd: cwd))/ from \(info.manifest.name) (\(plan.files.count) files)")
                        if plan.registeredEntry != nil {
                            Console.out("registered \(service) in \(displayPath(configPath, cwd: cwd))")
                        } else {
                            Console.out("kept the existing \(service) entry in \(displayPath(configPath, cwd: cwd))")
                        }
                    }
                    if runHooks { try runPostHooks(plan) }
                    if !global.quiet { Console.out("next: msvc up \(service) --wait") }
                }
            }
        }

        private func parseAssignments() throws -> [String: String] {
            var out: [String: String] = [:]
            for a in assignments {
                guard let eq = a.firstIndex(of: "="), eq != a.startIndex else {
                    throw CLIError.usage("--set expects key=value, got \"\(a)\"")
                }
                out[String(a[..<eq])] = String(a[a.index(after: eq)...])
            }
            return out
        }

        /// Asks for unset variables when stdin is a terminal; otherwise defaults apply.
        private func ask(_ manifest: TemplateManifest, given: [String: String]) throws -> [String: String] {
            guard isatty(0) == 1, !global.quiet else { return given }
            var out = given
            for v in manifest.variables where out[v.name] == nil {
                for attempt in 1...3 {
                    let hint = v.choices.isEmpty ? (v.isBool ? " (y/n)" : "") : " (\(v.choices.joined(separator: "/")))"
                    FileHandle.standardError.write(Data("\(v.prompt ?? v.name)\(hint) [\(v.defaultValue ?? "")]: ".utf8))
                    guard let line = readLine() else { break }
                    let answer = line.trimmingCharacters(in: .whitespaces)
                    if answer.isEmpty { break }
                    if let problem = v.problem(with: answer) {
                        Console.error("  \(problem)")
                        if attempt == 3 { throw ScaffoldError.invalidValue(variable: v.name, value: answer, reason: problem) }
                        continue
                    }
                    out[v.name] = answer
                    break
                }
            }
            return out
        }

        private func printDryRun(_ plan: ScaffoldPlan, cwd: String) {
            Console.out("would create \(displayPath(plan.target, cwd: cwd))/" + (plan.overwrites ? " (writing over existing files)" : ""))
            for f in plan.files { Console.out("  \(f.path)") }
            if let entry = plan.registeredEntry {
                Console.out("would add to \(displayPath(plan.configPath, cwd: cwd)) under services:")
                for line in entry.split(separator: "\n", omittingEmptySubsequences: false) { Console.out("  " + line) }
            }
            if !plan.hooks.isEmpty {
                Console.out((runHooks ? "would run" : "post hooks (run with --run-hooks)") + ": " + plan.hooks.joined(separator: "; "))
            }
        }

        private func runPostHooks(_ plan: ScaffoldPlan) throws {
            for hook in plan.hooks {
                if !global.quiet { Console.out("running: \(hook)") }
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/bin/sh")
                process.arguments = ["-c", hook]
                process.currentDirectoryURL = URL(fileURLWithPath: plan.target)
                try process.run()
                process.waitUntilExit()
                guard process.terminationStatus == 0 else {
                    throw CLIError.failed("post hook \"\(hook)\" failed with status \(process.terminationStatus); the service was created, fix it and rerun the hook by hand")
                }
            }
        }
    }
}

/// The running executable, for finding the built-in templates.
func executablePath() -> String {
    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
}

/// Runs `body`, turning a ScaffoldError into a CLIError: 65 for refusals, 1 for I/O failures.
func scaffolding(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ScaffoldError {
        if case .io = error { throw CLIError.failed(error.description) }
        if case .targetOutsideProject = error { throw CLIError.usage(error.description) }
        throw CLIError.exit(code: 65, message: "error: " + error.description)
    }
}
