import Foundation

/// Reads a Procfile (`NAME: command` per line, `#` comments) as foreman and honcho do:
/// each command runs through the shell, `web` (and any process that mentions `$PORT`)
/// gets a port in `PORT`, `.env` beside the file is read, and Heroku's `release` process
/// runs once before the others.
enum ProcfileImporter {
    static func read(_ text: String, options: ImportOptions) throws(ConfigError) -> ImportedStack {
        var result = ImportedStack()
        var sink = DiagnosticSink(file: options.file)
        var sawRelease = false
        for (index, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            let indent = rawLine.prefix { $0 == " " || $0 == "\t" }.count
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            guard let match = line.wholeMatch(of: /([A-Za-z0-9_.-]+)[ \t]*:[ \t]*(.*)/) else {
                sink.error(SourceMark(line: index + 1, column: indent + 1), "",
                           "expected NAME: command (a process name of letters, digits, _ and -, then a colon), found \"\(line.prefix(40))\"")
                continue
            }
            let processName = String(match.output.1)
            let command = String(match.output.2).trimmingCharacters(in: .whitespaces)
            let commandColumn = indent + 1 + line.distance(from: line.startIndex, to: match.output.2.startIndex)
            guard !command.isEmpty else {
                sink.error(SourceMark(line: index + 1, column: commandColumn), processName, "process \(processName) has no command")
                continue
            }
            let name = StackImporter.serviceName(processName)
            if name != processName {
                result.report.changed(processName, "not a valid msvc service name; imported as \(name)")
            }
            if result.config.services[name] != nil {
                sink.error(SourceMark(line: index + 1, column: indent + 1), processName, "process \(processName) is defined twice (as \(name)); keep one")
                continue
            }
            var s = ServiceConfig(name: name)
            s.command = .shell(StackImporter.shellScript(command))
            let mentionsPort = command.contains("$PORT") || command.contains("${PORT")
            if mentionsPort || processName == "web" {
                s.port = .auto
                if !mentionsPort {
                    result.report.changed(name, "web gets a port in $PORT (the Procfile convention); make sure it listens there")
                }
            }
            if processName == "release" {
                sawRelease = true
                s.restart = .no
            }
            result.config.services[name] = s
        }
        if sink.hasErrors { throw ConfigError(sink.sorted) }
        if result.config.services.isEmpty {
            throw ConfigError([ConfigDiagnostic(file: options.file, mark: SourceMark(line: 1, column: 1), path: "",
                                                message: "no processes found; a Procfile has one NAME: command per line")])
        }
        if sawRelease {
            for name in result.config.services.keys where name != "release" {
                result.config.services[name]!.dependsOn.append(Dependency(service: "release", condition: .completed))
            }
            result.report.changed("release", "Heroku's release phase runs once before the other processes: they depend on it completing")
        }
        if options.readFile((options.inputDirectory as NSString).appendingPathComponent(".env")) != nil {
            result.config.envFile.append(EnvFileRef(path: options.rebase(".env"), optional: true))
            result.report.changed("", "foreman and honcho read .env beside the Procfile; msvc.yaml reads it as an optional env file")
        }
        return result
    }
}
