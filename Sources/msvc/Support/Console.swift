import ArgumentParser
import Foundation
import MsvcCore

/// Writing to stdout and stderr.
enum Console {
    /// Prints to stdout.
    static func out(_ text: String, terminator: String = "\n") {
        FileHandle.standardOutput.write(Data((text + terminator).utf8))
    }

    /// Prints to stderr.
    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}

/// ANSI styling that turns itself off for pipes, `--no-color` and `NO_COLOR`.
struct Style {
    let enabled: Bool

    func paint(_ text: String, _ code: String) -> String {
        enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    func bold(_ t: String) -> String { paint(t, "1") }
    func red(_ t: String) -> String { paint(t, "1;31") }
    func yellow(_ t: String) -> String { paint(t, "1;33") }
    func green(_ t: String) -> String { paint(t, "32") }
    func dim(_ t: String) -> String { paint(t, "2") }

    /// A diagnostic with its severity coloured.
    func diagnostic(_ d: ConfigDiagnostic) -> String {
        guard enabled else { return d.description }
        let plain = d.description
        let marker = "\(d.severity.rawValue):"
        guard let range = plain.range(of: marker) else { return plain }
        let painted = d.severity == .error ? red(marker) : yellow(marker)
        return bold(String(plain[..<range.lowerBound])) + painted + String(plain[range.upperBound...])
    }
}

/// Errors the executable maps to the exit codes of docs/reference.md.
enum CLIError: Error, CustomStringConvertible {
    case noConfig(cwd: String)
    case missingFile(String)
    case invalidConfig(ConfigError)
    case failed(String)
    case usage(String)
    case supervisor(SupervisorError)
    case control(any Error)
    case exit(code: Int32, message: String)

    var description: String {
        switch self {
        case .noConfig(let cwd):
            return "no msvc.yaml in \(cwd) or any parent folder; run \"msvc init\" to create one, or pass -f PATH"
        case .missingFile(let p): return "\(p): no such file"
        case .invalidConfig(let e): return e.description
        case .failed(let m), .usage(let m): return m
        case .supervisor(let e): return e.description
        case .control(let e): return "\(e)"
        case .exit(_, let m): return m
        }
    }

    var exitCode: ExitCode {
        switch self {
        case .noConfig, .missingFile: return ExitCode(65)
        case .invalidConfig: return ExitCode(65)
        case .failed: return ExitCode(1)
        case .usage: return ExitCode(64)
        case .supervisor(let e):
            switch e {
            case .missingPrograms: return ExitCode(69)
            case .selection: return ExitCode(65)
            case .stateDirectory, .launcher: return ExitCode(70)
            case .alreadyRunning, .portsTaken: return ExitCode(1)
            }
        case .control(let e):
            switch e as? ControlError {
            case .unknownService?, .usage?: return ExitCode(64)
            case .invalidConfig?: return ExitCode(65)
            default: return ExitCode(1)
            }
        case .exit(let code, _): return ExitCode(code)
        }
    }
}

extension ParsableCommand {
    /// The async form of `reporting`.
    func reportingAsync(_ global: GlobalOptions, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as CLIError {
            try reporting(global) { throw error }
        } catch let error as ControlError {
            try reporting(global) { throw CLIError.control(error) }
        }
    }

    /// Runs `body`, printing a CLIError the msvc way and exiting with its code.
    func reporting(_ global: GlobalOptions, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as CLIError {
            let style = global.style(forStderr: true)
            if case .invalidConfig(let e) = error {
                for d in e.diagnostics { Console.error(style.diagnostic(d)) }
                let count = e.diagnostics.filter { $0.severity == .error }.count
                if !global.quiet, count > 1 { Console.error("\(count) errors") }
            } else if case .exit(_, let message) = error {
                if !message.isEmpty { Console.error(message) }
            } else {
                for line in error.description.split(separator: "\n") {
                    Console.error(style.red("error:") + " " + line)
                }
            }
            throw error.exitCode
        }
    }
}
