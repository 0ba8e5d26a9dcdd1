import ArgumentParser
import Foundation
import MsvcCore

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    // `-f PATH` is rewritten to `--file PATH` before parsing (see `hoist`), because `logs -f`
    // means follow, as in tail and docker.
    @Option(name: .customLong("file"), help: ArgumentHelp("-f, --file: the msvc.yaml to use (default: found in this folder or a parent; env MSVC_FILE).", valueName: "path"),
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
    /// `keepReferences` reads it for export (`LoadContext.keepReferences`).
    func loadStack(keepReferences: Bool = false) throws -> LoadedStack {
        let cwd = FileManager.default.currentDirectoryPath
        let env = ProcessInfo.processInfo.environment
        guard let path = ConfigLoader.discover(explicit: file, environment: env, cwd: cwd) else {
            throw CLIError.noConfig(cwd: cwd)
        }
        guard FileManager.default.fileExists(atPath: path) else {
            throw CLIError.missingFile(displayPath(path, cwd: cwd))
        }
        do {
            var loaded = try ConfigLoader.load(path: path, environment: env, keepReferences: keepReferences)
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

extension GlobalOptions {
    /// Moves global options written before the verb to just after it, and spells `-f PATH`
    /// as `--file PATH` (after `logs`, `-f` is its follow flag). The verb is found by reading
    /// the options in order, so a file named like a verb (`msvc -f config validate`) is the
    /// file, not the verb.
    static func hoist(_ args: [String], verbs: [String]) -> [String] {
        let flags: Set<String> = ["--no-color", "-q", "--quiet", "-v", "--verbose"]
        var hoisted: [String] = []
        var rest: [String] = []
        var i = 0
        var verb: String?
        while i < args.count {
            let a = args[i]
            if a == "--" { break }
            if a == "-f" || a == "--file" {
                hoisted.append("--file")
                if i + 1 < args.count { hoisted.append(args[i + 1]) }
                i += 2
                continue
            }
            if flags.contains(a) || a.hasPrefix("--file=") {
                hoisted.append(a)
            } else if verbs.contains(a) {
                verb = a
                rest.append(a)
                i += 1
                break
            } else {
                rest.append(a)
            }
            i += 1
        }
        guard let verb else { return rest + hoisted + args[min(i, args.count)...] }
        var after = Array(args[i...])
        // After the verb only `--` ends option parsing; `logs -f` means follow.
        if verb != "logs" {
            let end = after.firstIndex(of: "--") ?? after.count
            for j in 0..<end where after[j] == "-f" { after[j] = "--file" }
        }
        return rest + hoisted + after
    }

    /// The stack's folder and `.msvc` state without loading (or validating) the whole file.
    func stateDirectory() throws -> (directory: String, state: StateDirectory) {
        let cwd = FileManager.default.currentDirectoryPath
        guard let path = ConfigLoader.discover(explicit: file, environment: ProcessInfo.processInfo.environment, cwd: cwd) else {
            throw CLIError.noConfig(cwd: cwd)
        }
        let dir = (path as NSString).deletingLastPathComponent
        return (dir, StateDirectory.beside(configDirectory: dir))
    }

    /// A client for the running stack.
    func client() throws -> ControlClient {
        let (dir, state) = try stateDirectory()
        return ControlClient(path: state.socket, stackDirectory: dir)
    }
}

/// A path as the user should see it: relative to the current folder when inside it.
func displayPath(_ path: String, cwd: String) -> String {
    let prefix = cwd.hasSuffix("/") ? cwd : cwd + "/"
    return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
}
