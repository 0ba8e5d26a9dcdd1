import Foundation

extension SuitePlanner {
    /// Reads and checks a suite's scenario file: its syntax, and that every `${VAR}` it uses
    /// will be set when its step runs.
    func scenario(_ file: String, _ path: String, suite: CommandSuite, services: [String],
                  _ sink: inout DiagnosticSink) -> Scenario? {
        let full = absolute(file)
        let shown = displayPath(file)
        guard let data = FileManager.default.contents(atPath: full) else {
            let exists = FileManager.default.fileExists(atPath: full)
            sink.error(mark(path), path, exists ? "cannot read scenario file \(file); check its permissions"
                : "scenario file \(file) not found (relative to msvc.yaml's folder)")
            return nil
        }
        guard let text = String(data: data, encoding: .utf8) else {
            sink.error(mark(path), path, "scenario file \(file) is not UTF-8 text")
            return nil
        }
        let scenario: Scenario
        do throws(ConfigError) {
            let stem = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
            scenario = try ScenarioParser.parse(text, file: shown, defaultName: stem)
        } catch {
            for d in error.diagnostics { sink.append(d) }
            return nil
        }
        var ok = true
        for use in scenario.templates {
            for problem in unknownVariables(use, in: scenario, suite: suite, services: services) {
                sink.append(ConfigDiagnostic(file: shown, mark: problem.mark, path: use.path, message: problem.message))
                ok = false
            }
        }
        return ok ? scenario : nil
    }

    /// The OpenAPI documents of `services` that declare `openapi:`, for checking the
    /// responses of scenario steps; an invalid document is reported at its line and column.
    func responseContracts(_ services: [String], _ sink: inout DiagnosticSink) -> ResponseContracts {
        let files = SuiteFiles(loaded)
        var entries: [ResponseContracts.Entry] = []
        for name in services {
            guard let file = loaded.config.services[name]?.openapi else { continue }
            do throws(SuitePlanError) {
                entries.append(ResponseContracts.Entry(service: name, document: try files.openAPI(file, "services.\(name).openapi")))
            } catch {
                if case .invalid(let list) = error {
                    for d in list where !sink.diagnostics.contains(d) { sink.append(d) }
                }
            }
        }
        return ResponseContracts(entries)
    }

    /// `file` as the user sees it: beside msvc.yaml as they named it.
    func displayPath(_ file: String) -> String {
        if file.hasPrefix("/") { return file }
        let dir = (loaded.file as NSString).deletingLastPathComponent
        return dir.isEmpty ? file : (dir as NSString).appendingPathComponent(file)
    }

    /// Why each `${...}` in `use` will not expand when its step runs; empty when all will.
    func unknownVariables(_ use: TemplateUse, in scenario: Scenario, suite: CommandSuite,
                          services: [String]) -> [(mark: SourceMark, message: String)] {
        let stack = loaded.config
        let started = Set(services)
        let discovery = Discovery.names(services: stack.services.values.filter { started.contains($0.name) && !$0.allPorts.isEmpty }
            .map { ($0.name, Array($0.ports.keys)) })
            .subtracting(Discovery.processNames.union(["PORT"]))
        let earlier = Set(scenario.steps.prefix(use.step).flatMap { $0.captures.map(\.name) })
        var reported = Set<String>()
        func known(_ name: String) -> Bool {
            earlier.contains(name) || discovery.contains(name) || suite.env[name] != nil || environment[name] != nil
                || ["MSVC_SUITE", "MSVC_PROJECT", "MSVC_STATE_DIR"].contains(name) || reported.contains(name)
        }
        var problems: [(SourceMark, String)] = []
        // Interpolation stops at the first problem: report it, count that name as known, go on.
        while problems.count < 10 {
            do throws(Interpolation.Failure) {
                _ = try Interpolation.expand(use.text) { known($0) ? .value("") : .unset }
                break
            } catch {
                let chars = Array(use.text)
                var name = ""
                var i = error.offset + 2
                while i < chars.count, chars[i].isASCII, chars[i].isLetter || chars[i].isNumber || chars[i] == "_" {
                    name.append(chars[i])
                    i += 1
                }
                guard !name.isEmpty, error.message.contains("\"\(name)\""), !reported.contains(name) else {
                    problems.append((use.mark(at: error.offset), error.message))
                    break
                }
                reported.insert(name)
                problems.append((use.mark(at: error.offset),
                                 explain(name, message: error.message, scenario: scenario, step: use.step, services: started)))
            }
        }
        return problems
    }

    /// Says why `${name}` has no value where it is used, and how to fix it.
    private func explain(_ name: String, message: String, scenario: Scenario, step: Int, services: Set<String>) -> String {
        let stack = loaded.config
        if let later = scenario.steps.indices.dropFirst(step).first(where: { scenario.steps[$0].captures.contains { $0.name == name } }) {
            let how = later == step ? "by this same step, after its request" : "by step \(later + 1) (\"\(scenario.steps[later].name)\"), which runs later"
            return "${\(name)} is captured \(how); capture it in an earlier step"
        }
        for service in stack.services.values {
            let prefix = Naming.envPrefix(service.name)
            guard name.hasPrefix(prefix + "_") else { continue }
            let rest = name.dropFirst(prefix.count + 1)
            guard ["HOST", "PORT", "URL"].contains(rest) || rest.hasPrefix("PORT_") else { continue }
            if !services.contains(service.name) {
                return "${\(name)} is the address of \(service.name), which this suite does not start; add \(service.name) to its needs (or use needs: all)"
            }
            if service.allPorts.isEmpty { return "${\(name)}: \(service.name) has no port; give it port: auto" }
        }
        let available = services.sorted().compactMap { s -> String? in
            (stack.services[s]?.port ?? .none) == .none ? nil : Naming.envPrefix(s) + "_URL"
        }
        var m = "${\(name)} is not set: it is not captured by an earlier step, not the address of a service this suite starts"
        if !available.isEmpty { m += " (\(available.joined(separator: ", ")))" }
        m += ", and not in the suite's env or msvc's environment; set it there, or write ${\(name):-default}"
        if message.contains("required variable") { m = message }
        return m
    }
}
