import Foundation

/// What `msvc import` reads.
public enum ImportFormat: String, Sendable, CaseIterable {
    case compose
    case procfile
    case processCompose = "process-compose"
}

/// Settings of one import.
public struct ImportOptions: Sendable {
    /// The input file as the user named it (for messages).
    public var file: String
    /// The folder holding the input file (absolute); its relative paths resolve against it.
    public var inputDirectory: String
    /// The folder msvc.yaml is written to (absolute); paths are rewritten relative to it.
    public var outputDirectory: String
    /// The OS environment, for values that must be numbers now (`replicas: ${N:-2}`).
    public var environment: [String: String]
    /// Reads a file (for `extends: { file: }` and `.env`), or returns nil.
    public var readFile: @Sendable (String) -> String?

    /// Creates options.
    public init(file: String, inputDirectory: String, outputDirectory: String, environment: [String: String],
                readFile: @escaping @Sendable (String) -> String?) {
        self.file = file
        self.inputDirectory = inputDirectory
        self.outputDirectory = outputDirectory
        self.environment = environment
        self.readFile = readFile
    }

    /// A path of the input file, written relative to msvc.yaml.
    func rebase(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        return StackExporter.relativePath((inputDirectory as NSString).appendingPathComponent(path), from: outputDirectory)
    }
}

/// A stack read from another tool's file, ready to be written as msvc.yaml. Strings in the
/// model are in msvc.yaml syntax (`${VAR}` references, `$$` for a literal `$`).
public struct ImportedStack: Sendable {
    /// The stack.
    public var config = StackConfig()
    /// What could not be mapped, or was mapped with a guess.
    public var report = TranslationReport()
    /// Comment lines written above a service.
    public var comments: [String: [String]] = [:]
    /// Keys written as they were (x-msvc from `msvc export compose`), replacing mapped ones.
    public var overrides: [String: [(String, CIYAML)]] = [:]
    /// `x-` extension fields kept on a service.
    public var extensions: [String: [(String, CIYAML)]] = [:]

    /// Creates an empty result.
    public init() {}

    /// The msvc.yaml text.
    public func text(from format: ImportFormat, file: String) -> String {
        StackWriter.write(config, header: ["Imported by msvc \(Msvc.version) from \(file) (\(format.rawValue)).",
                                           "Check the notes msvc import printed, then run: msvc validate"],
                          comments: comments, overrides: overrides, extensions: extensions)
    }
}

/// Reads compose files, Procfiles and process-compose files into the msvc model.
public enum StackImporter {
    /// Reads `text` in `format`. Problems in the input are thrown with their file:line:col.
    public static func read(_ text: String, format: ImportFormat, options: ImportOptions) throws(ConfigError) -> ImportedStack {
        switch format {
        case .compose:
            var importer = ComposeImporter(options: options)
            return try importer.read(text)
        case .procfile:
            return try ProcfileImporter.read(text, options: options)
        case .processCompose:
            var importer = ProcessComposeImporter(options: options)
            return try importer.read(text)
        }
    }

    /// A valid msvc service name made from another tool's name: lowercase, other characters
    /// as `-`, starting with a letter.
    static func serviceName(_ name: String) -> String {
        var out = ""
        for c in name.lowercased() {
            if c.isASCII && (c.isLetter || c.isNumber) { out.append(c) } else if !out.isEmpty && out.last != "-" { out.append("-") }
        }
        while out.last == "-" { out.removeLast() }
        if out.first.map({ !$0.isLetter }) ?? true { out = "s-" + out }
        return String(out.prefix(63))
    }

    /// A command for `/bin/sh -c` written so that msvc leaves every `$` to the shell:
    /// `${` and `$$` are escaped, `$NAME` is kept (msvc keeps a bare `$` as written).
    static func shellScript(_ text: String) -> String {
        var out = ""
        let chars = Array(text)
        for (i, c) in chars.enumerated() {
            out.append(c)
            if c == "$", i + 1 < chars.count, chars[i + 1] == "{" || chars[i + 1] == "$" { out.append("$") }
        }
        return out
    }

    /// Parses YAML input, turning a syntax error into a diagnostic of the input file.
    static func parse(_ text: String, file: String) throws(ConfigError) -> YAMLNode {
        let root: YAMLNode?
        do throws(YAMLError) {
            root = try YAMLParser.parse(text)
        } catch {
            throw ConfigError([ConfigDiagnostic(file: file, mark: error.mark, path: "", message: error.message)])
        }
        guard let root, !root.isNull else {
            throw ConfigError([ConfigDiagnostic(file: file, mark: SourceMark(line: 1, column: 1), path: "", message: "file is empty")])
        }
        return root
    }

    /// A YAML node as the writer's value: scalars keep their quoting, maps and lists nest.
    static func yaml(_ node: YAMLNode) -> CIYAML {
        switch node.content {
        case .scalar(let s, let style):
            return style == .plain && YAMLNode.plainScalarType(s) != .string ? .raw(s.isEmpty ? "null" : s) : .string(s)
        case .sequence(let items): return .list(items.map(yaml))
        case .mapping(let pairs): return .pairs(pairs.map { ($0.key.scalar ?? "", yaml($0.value)) })
        }
    }
}
