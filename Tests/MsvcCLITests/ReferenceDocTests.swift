import Foundation
import MsvcCore
import MsvcTestSupport
import Testing

/// docs/reference.md against the binary and the sources: a new command, flag, msvc.yaml key,
/// exit code or environment variable without its documentation fails here.
@Suite("docs/reference.md covers the CLI and msvc.yaml")
struct ReferenceDocTests {
    /// Options every project verb takes; documented once, under "Global options".
    static let globalFlags: Set<String> = ["--file", "--no-color", "-q", "--quiet", "-v", "--verbose", "--version", "-h", "--help"]

    /// The reference's text.
    static func reference() throws -> String {
        try String(contentsOfFile: packageRoot() + "/docs/reference.md", encoding: .utf8)
    }

    /// The lines from the heading that starts with `prefix` to the next heading of the same or
    /// a higher level; nil when there is no such heading.
    static func section(_ text: String, heading prefix: String) -> String? {
        let lines = text.components(separatedBy: "\n")
        guard let start = lines.firstIndex(where: { $0 == prefix || $0.hasPrefix(prefix + " ") || $0.hasPrefix(prefix + "`") }) else { return nil }
        let level = lines[start].prefix { $0 == "#" }.count
        var end = start + 1
        while end < lines.count {
            let hashes = lines[end].prefix { $0 == "#" }.count
            if hashes > 0 && hashes <= level && lines[end].dropFirst(hashes).hasPrefix(" ") { break }
            end += 1
        }
        return lines[start..<end].joined(separator: "\n")
    }

    /// Words inside `code spans` of `text`: the names a reader can find.
    static func codeWords(_ text: String) -> Set<String> {
        var words = Set<String>()
        for (i, span) in text.components(separatedBy: "`").enumerated() where i % 2 == 1 {
            for match in span.matches(of: /[A-Za-z_$<>][A-Za-z0-9_<>-]*/) { words.insert(String(match.output)) }
        }
        return words
    }

    /// Whether `flag` appears at the start of a code span in `text` (`--timeout DUR`, `-d`).
    static func documents(_ text: String, flag: String) -> Bool {
        var rest = Substring(text)
        while let r = rest.range(of: "`" + flag) {
            let next = rest[r.upperBound...].first
            if next == nil || !(next!.isLetter || next!.isNumber || next! == "-") { return true }
            rest = rest[r.upperBound...]
        }
        return false
    }

    /// Every command path (`["templates", "list"]`) and its displayed flag names, from the binary.
    static func commands() async throws -> [(path: [String], flags: [String])] {
        let dump = try await MsvcBinary.run(["--experimental-dump-help"], cwd: NSTemporaryDirectory())
        #expect(dump.status == 0, "\(dump.stderr)")
        let root = try #require(try JSON.parse(dump.stdout)["command"])
        var out: [(path: [String], flags: [String])] = []
        func walk(_ command: JSON, _ path: [String]) {
            let subcommands = command["subcommands"]?.arrayValue ?? []
            var flags: [String] = []
            for argument in command["arguments"]?.arrayValue ?? [] where argument["shouldDisplay"]?.boolValue != false {
                for name in argument["names"]?.arrayValue ?? [] {
                    guard let n = name["name"]?.stringValue, let kind = name["kind"]?.stringValue else { continue }
                    flags.append((kind == "long" ? "--" : "-") + n)
                }
            }
            if !path.isEmpty { out.append((path, flags)) }
            for sub in subcommands { walk(sub, path + [sub["commandName"]?.stringValue ?? "?"]) }
        }
        walk(root, [])
        return out
    }

    /// Quoted names in the array literals of `source` that follow one of `markers`.
    static func quotedLists(in source: String, after markers: [String]) -> [String] {
        var names: [String] = []
        for marker in markers {
            var rest = Substring(source)
            while let r = rest.range(of: marker) {
                let tail = rest[r.upperBound...]
                let literal = tail.prefix { $0 != "]" && $0 != ")" }
                names += literal.matches(of: /"([a-z_]+)"/).map { String($0.output.1) }
                rest = tail
            }
        }
        return names
    }

    @Test func everyCommandAndFlag_isInTheReference() async throws {
        let text = try Self.reference()
        let global = try #require(Self.section(text, heading: "## Global options"))
        let commands = try await Self.commands()
        #expect(commands.count > 25, "\(commands.map(\.path))")
        let parents = Set(commands.filter { c in commands.contains { $0.path.count > c.path.count && Array($0.path.prefix(c.path.count)) == c.path } }.map(\.path))
        for command in commands where !parents.contains(command.path) {
            let name = (["msvc"] + command.path).joined(separator: " ")
            guard let section = Self.section(text, heading: "### `\(name)") else {
                Issue.record("docs/reference.md has no \"### `\(name)`\" section")
                continue
            }
            for flag in command.flags {
                let home = Self.globalFlags.contains(flag) ? global : section
                if !Self.documents(home, flag: flag) {
                    Issue.record("docs/reference.md: `\(flag)` of `\(name)` is not documented \(Self.globalFlags.contains(flag) ? "under Global options" : "in its section")")
                }
            }
        }
    }

    @Test func everyConfigurationKey_isInTheReference() throws {
        let text = try Self.reference()
        let yaml = try #require(Self.section(text, heading: "## msvc.yaml"))
        let scenario = try #require(Self.section(text, heading: "## E2E scenario files"))
        let root = packageRoot() + "/Sources/MsvcCore"
        let config = root + "/Config"
        let markers = ["Keys = [", "probeKinds = [", "probeTimings = [", "allowed: [", "allowed.append(", "allowed.insert("]
        var keys: [String] = []
        for file in try FileManager.default.contentsOfDirectory(atPath: config) where file.hasPrefix("StackDecoder") {
            keys += Self.quotedLists(in: try String(contentsOfFile: config + "/" + file, encoding: .utf8), after: markers)
        }
        #expect(keys.contains("depends_on") && keys.contains("failure_threshold") && keys.contains("state_change") && keys.contains("cascade"),
                "the key scan found too little: \(keys)")
        let documented = Self.codeWords(yaml)
        for key in Set(keys).sorted() {
            if !documented.contains(key) { Issue.record("docs/reference.md: msvc.yaml key `\(key)` is not documented under \"## msvc.yaml\"") }
        }

        let parser = try String(contentsOfFile: root + "/Testing/Scenario/ScenarioParser.swift", encoding: .utf8)
        let stepKeys = Self.quotedLists(in: parser, after: ["Keys = ["])
        #expect(stepKeys.contains("capture"), "\(stepKeys)")
        let inScenario = Self.codeWords(scenario)
        for key in Set(stepKeys).sorted() {
            if !inScenario.contains(key) { Issue.record("docs/reference.md: scenario key `\(key)` is not documented under \"## E2E scenario files\"") }
        }
    }

    @Test func everyExitCodeAndEnvironmentVariable_isInTheReference() throws {
        let text = try Self.reference()
        let exits = try #require(Self.section(text, heading: "## Exit codes"))
        let environment = try #require(Self.section(text, heading: "## Environment variables"))
        var codes: Set<Int> = [0]
        var variables: Set<String> = []
        let sources = packageRoot() + "/Sources"
        let files = FileManager.default.enumerator(atPath: sources)?.compactMap { $0 as? String } ?? []
        for file in files where file.hasSuffix(".swift") && !file.hasPrefix("MsvcTestSupport/") {
            let source = try String(contentsOfFile: sources + "/" + file, encoding: .utf8)
            if file.hasPrefix("msvc/") {
                for m in source.matches(of: /ExitCode\((\d+)\)/) { codes.insert(Int(m.output.1)!) }
            }
            for m in source.matches(of: /environment\["([A-Z][A-Z0-9_]*)"\]/) { variables.insert(String(m.output.1)) }
            for m in source.matches(of: /"(MSVC_[A-Z][A-Z0-9_]*)"/) { variables.insert(String(m.output.1)) }
        }
        #expect(codes.isSuperset(of: [1, 64, 65, 69, 70]), "the exit code scan found \(codes.sorted())")
        for code in codes.sorted() {
            if !exits.contains("| \(code) |") { Issue.record("docs/reference.md: exit code \(code) is not in the \"## Exit codes\" table") }
        }
        #expect(variables.contains("MSVC_FILE") && variables.contains("MSVC_STATE_DIR"), "the variable scan found \(variables.sorted())")
        let documented = Self.codeWords(environment)
        for variable in variables.sorted() {
            if !documented.contains(variable) { Issue.record("docs/reference.md: environment variable \(variable) is not under \"## Environment variables\"") }
        }
    }

    @Test func sourcesAndDocs_pointAtTheReference_notAtTheDesignFile() throws {
        let root = packageRoot()
        var offenders: [String] = []
        for folder in ["Sources", "README.md", "examples", "templates", "docs/reference.md", "docs/tutorial.md"] {
            let path = root + "/" + folder
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            let files = isDirectory.boolValue ? (FileManager.default.enumerator(atPath: path)?.compactMap { ($0 as? String).map { path + "/" + $0 } } ?? []) : [path]
            for file in files {
                guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { continue }
                if text.contains("DESIGN.md") { offenders.append(String(file.dropFirst(root.count + 1))) }
            }
        }
        #expect(offenders.isEmpty, "these point at DESIGN.md, which is not in this repository; point them at docs/reference.md: \(offenders)")
    }
}
