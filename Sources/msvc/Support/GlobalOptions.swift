import ArgumentParser
import Foundation
import MsvcCore

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: [.customShort("f"), .long], help: ArgumentHelp("The msvc.yaml to use (default: found in this folder or a parent; env MSVC_FILE).", valueName: "path"),
            completion: .file(extensions: ["yaml", "yml"]))
    var file: String?

    @Flag(name: .customLong("no-color"), help: "Plain output without colour (NO_COLOR is honoured too).")
    var noColor = false

    @Flag(name: .shortAndLong, help: "Print only errors.")
    var quiet = false

    @Flag(name: .shortAndLong, help: "Print more detail.")
    var verbose = false

    /// The terminal styling to use on a stream.
    func style(forStderr: Bool = false) -> Style {
        let noColorEnv = !(ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
        return Style(enabled: !noColor && !noColorEnv && isatty(forStderr ? 2 : 1) == 1)
    }

    /// Finds and loads msvc.yaml, printing every problem and exiting 65 when it is invalid.
    func loadStack() throws -> LoadedStack {
        let cwd = FileManager.default.currentDirectoryPath
        let env = ProcessInfo.processInfo.environment
        guard let path = ConfigLoader.discover(explicit: file, environment: env, cwd: cwd) else {
            throw CLIError.noConfig(cwd: cwd)
        }
        guard FileManager.default.fileExists(atPath: path) else {
            throw CLIError.missingFile(displayPath(path, cwd: cwd))
        }
        do {
            var loaded = try ConfigLoader.load(path: path, environment: env)
            loaded.file = displayPath(path, cwd: cwd)
            printWarnings(loaded.warnings)
            return loaded
        } catch {
            throw CLIError.invalidConfig(relabel(error, from: path, to: displayPath(path, cwd: cwd)))
        }
    }

    func printWarnings(_ warnings: [ConfigDiagnostic]) {
        guard !quiet else { return }
        let style = self.style(forStderr: true)
        for w in warnings { Console.error(style.diagnostic(w)) }
    }

    private func relabel(_ error: ConfigError, from: String, to: String) -> ConfigError {
        ConfigError(error.diagnostics.map { d in
            var d = d
            if d.file == from { d.file = to }
            return d
        })
    }
}

/// A path as the user should see it: relative to the current folder when inside it.
func displayPath(_ path: String, cwd: String) -> String {
    let prefix = cwd.hasSuffix("/") ? cwd : cwd + "/"
    return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
}
