import ArgumentParser
import Foundation
import MsvcCore

extension MsvcCommand {
    /// `msvc doctor`: check the machine for what the stack needs.
    struct DoctorCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "doctor",
            abstract: "Check the machine: programs and toolchains the services need, ports, stale state, process containment, watch limits, terminal.",
            discussion: "Each problem comes with the command that fixes it. Exits 1 when something would stop msvc up.")

        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print one JSON document.") var json = false

        func run() async throws {
            try await reportingAsync(global) {
                var findings: [DoctorFinding] = []
                var file: String?
                do {
                    let loaded = try global.loadStack()
                    file = loaded.file
                    let state = StateDirectory.beside(configDirectory: loaded.directory)
                    findings += await Doctor.programs(loaded.config, directory: loaded.directory, environment: ProcessInfo.processInfo.environment)
                    findings += Doctor.ports(loaded.config, running: InstanceLock.isHeld(state))
                    findings += Doctor.runState(state, stack: loaded.config)
                    findings += Doctor.watchLimits(loaded.config)
                    // A running stack says which log files miss lines; a stale socket says nothing.
                    let snapshot = InstanceLock.isHeld(state) ? try? await global.client().snapshot() : nil
                    findings += Doctor.logFiles(snapshot, logs: state.logs, available: Doctor.availableBytes(at: state.logs))
                } catch let error as CLIError {
                    // No or an invalid msvc.yaml: still check what does not need it.
                    findings.append(DoctorFinding(category: "config", subject: "msvc.yaml", status: .problem,
                                                  detail: error.description.split(separator: "\n").first.map(String.init) ?? "\(error)",
                                                  fix: "msvc validate shows every problem; msvc init writes a starting point"))
                }
                findings += Doctor.containment()
                findings += terminal()
                let problems = findings.filter { $0.status == .problem }
                if json {
                    Console.out(JSON.object([
                        ("ok", .bool(problems.isEmpty)), ("file", file.map(JSON.string) ?? .null),
                        ("problems", .int(problems.count)), ("warnings", .int(findings.filter { $0.status == .warning }.count)),
                        ("checks", .array(findings.map(Self.json))),
                    ]).serialized())
                } else {
                    Console.out(render(findings, file: file), terminator: "")
                }
                if !problems.isEmpty { throw CLIError.exit(code: 1, message: "") }
            }
        }

        static func json(_ f: DoctorFinding) -> JSON {
            .object([
                ("category", .string(f.category)), ("subject", .string(f.subject)), ("status", .string(f.status.rawValue)),
                ("detail", .string(f.detail)), ("fix", f.fix.map(JSON.string) ?? .null), ("services", .array(f.services.map(JSON.string))),
            ])
        }

        func render(_ findings: [DoctorFinding], file: String?) -> String {
            let style = global.style()
            var out = style.bold("msvc doctor") + (file.map { " · \($0)" } ?? "") + "\n"
            var category = ""
            let width = min(28, findings.map(\.subject.count).max() ?? 10)
            for f in findings {
                if f.category != category {
                    category = f.category
                    out += "\n" + style.bold(category) + "\n"
                }
                let mark = switch f.status {
                case .ok: style.green("✔")
                case .warning: style.yellow("!")
                case .problem: style.red("✖")
                }
                let subject = f.subject.count >= width ? f.subject : f.subject + String(repeating: " ", count: width - f.subject.count)
                out += "  \(mark) \(subject)  \(f.detail)"
                if !f.services.isEmpty && f.category == "programs" { out += style.dim(" · \(f.services.joined(separator: ", "))") }
                out += "\n"
                if let fix = f.fix, f.status != .ok {
                    out += "    " + String(repeating: " ", count: width) + "  fix: \(fix)\n"
                }
            }
            let problems = findings.filter { $0.status == .problem }.count
            let warnings = findings.filter { $0.status == .warning }.count
            out += "\n"
            if problems > 0 {
                out += style.red("\(problems) problem\(problems == 1 ? "" : "s") would stop msvc up") + (warnings > 0 ? "; \(warnings) warning\(warnings == 1 ? "" : "s")" : "") + "\n"
            } else {
                out += style.green("ready for msvc up") + (warnings > 0 ? " (\(warnings) warning\(warnings == 1 ? "" : "s"))" : "") + "\n"
            }
            return out
        }

        /// The terminal the dashboard would run in: size, colours, UTF-8.
        func terminal() -> [DoctorFinding] {
            let env = ProcessInfo.processInfo.environment
            guard isatty(1) == 1 else {
                return [DoctorFinding(category: "terminal", subject: "output", status: .ok,
                                      detail: "not a terminal: msvc up prints merged logs instead of the dashboard")]
            }
            var out: [DoctorFinding] = []
            var size = winsize()
            if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 {
                let small = size.ws_col < 80 || size.ws_row < 24
                out.append(DoctorFinding(category: "terminal", subject: "size", status: small ? .warning : .ok,
                                         detail: "\(size.ws_col)×\(size.ws_row)\(small ? "; the dashboard needs 80×24" : "")",
                                         fix: small ? "make the window larger" : nil))
            }
            let term = env["TERM"] ?? ""
            let colours = !(env["NO_COLOR"] ?? "").isEmpty ? "off (NO_COLOR is set)"
                : env["COLORTERM"].map { "\($0)" } ?? (term.contains("256") ? "256 colours" : term.isEmpty || term == "dumb" ? "none" : "8 colours")
            out.append(DoctorFinding(category: "terminal", subject: "TERM", status: term.isEmpty || term == "dumb" ? .warning : .ok,
                                     detail: "\(term.isEmpty ? "(unset)" : term), colour: \(colours)",
                                     fix: term.isEmpty || term == "dumb" ? "export TERM=xterm-256color" : nil))
            let locale = env["LC_ALL"] ?? env["LC_CTYPE"] ?? env["LANG"] ?? ""
            let utf8 = locale.uppercased().contains("UTF-8") || locale.uppercased().contains("UTF8")
            out.append(DoctorFinding(category: "terminal", subject: "UTF-8", status: utf8 ? .ok : .warning,
                                     detail: utf8 ? locale : "locale \(locale.isEmpty ? "(unset)" : locale) is not UTF-8; box lines and names may show as ?",
                                     fix: utf8 ? nil : "export LANG=C.UTF-8"))
            return out
        }
    }
}
