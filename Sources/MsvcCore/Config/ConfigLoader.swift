import Foundation

/// A loaded, validated stack and where it came from.
public struct LoadedStack: Sendable {
    /// The resolved configuration.
    public var config: StackConfig
    /// The path of msvc.yaml.
    public var file: String
    /// The folder holding msvc.yaml.
    public var directory: String
    /// Warnings that did not stop loading.
    public var warnings: [ConfigDiagnostic]
    /// Positions of values by key path (`services.orders.port`), for later messages.
    public var marks: [String: SourceMark]
}

/// Loads msvc.yaml: parse (with positions) → decode and interpolate → defaults → validate.
public enum ConfigLoader {
    /// Largest msvc.yaml accepted.
    public static let maxFileSize = 16 << 20

    /// Loads and validates `text` as the file `file` (named as the user should see it).
    public static func load(text: String, file: String, context: LoadContext) throws(ConfigError) -> LoadedStack {
        var sink = DiagnosticSink(file: file)
        if text.utf8.count > maxFileSize {
            sink.error(SourceMark(line: 1, column: 1), "", tooLarge)
            throw ConfigError(sink.sorted)
        }
        let root: YAMLNode?
        do throws(YAMLError) {
            root = try YAMLParser.parse(text)
        } catch {
            sink.error(error.mark, "", error.message)
            throw ConfigError(sink.sorted)
        }
        guard let root, !root.isNull else {
            let message = text.allSatisfy(\.isWhitespace)
                ? "file is empty; run \"msvc init\" for a commented starting point"
                : "file has no settings\(text.contains("#") ? ", only comments" : ""); add a services: section (run \"msvc init\" for a commented starting point)"
            sink.error(SourceMark(line: 1, column: 1), "", message)
            throw ConfigError(sink.sorted)
        }
        var decoder = StackDecoder(file: file, context: context)
        var config = decoder.decode(root)
        sink = decoder.r.sink
        if config.name.isEmpty {
            config.name = Naming.projectName(fromDirectory: (context.directory as NSString).lastPathComponent)
        }
        if case .mapping = root.content, config.services.isEmpty, !sink.hasErrors {
            sink.error(decoder.r.marks["services"] ?? root.mark, "services", "no services defined; add at least one under services:")
        }
        StackValidator(stack: config, marks: decoder.r.marks).run(&sink)
        sink.redact(decoder.r.expansions)
        if sink.hasErrors { throw ConfigError(sink.sorted) }
        return LoadedStack(config: config, file: file, directory: context.directory,
                           warnings: sink.sorted, marks: decoder.r.marks)
    }

    /// Loads raw file contents: rejects oversized files and text that is not UTF-8, then
    /// loads it as `load(text:file:context:)` does.
    public static func load(bytes: [UInt8], file: String, context: LoadContext) throws(ConfigError) -> LoadedStack {
        if bytes.count > maxFileSize {
            throw ConfigError([ConfigDiagnostic(file: file, mark: SourceMark(line: 1, column: 1), path: "",
                                                message: tooLarge)])
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            let bad = min(firstInvalidUTF8(bytes), bytes.count - 1)
            let line = bytes[..<bad].filter { $0 == 0x0A }.count + 1
            let lineStart = bytes[..<bad].lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
            let col = bytes[lineStart..<bad].filter { $0 & 0xC0 != 0x80 }.count + 1
            throw ConfigError([ConfigDiagnostic(
                file: file, mark: SourceMark(line: line, column: col), path: "",
                message: "file is not valid UTF-8 text (bad byte 0x\(hex(bytes[bad]))); is it a binary file? save it as UTF-8")])
        }
        return try load(text: text, file: file, context: context)
    }

    /// Reads and loads the file at `path`.
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment,
                            keepReferences: Bool = false) throws(ConfigError) -> LoadedStack {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError([ConfigDiagnostic(file: path, mark: SourceMark(line: 1, column: 1), path: "",
                                                message: "cannot read the file; check that it exists and is readable")])
        }
        var context = LoadContext.live(directory: directory)
        context.environment = environment
        context.keepReferences = keepReferences
        return try load(bytes: [UInt8](data), file: path, context: context)
    }

    static let tooLarge = "file is larger than \(maxFileSize >> 20) MiB; msvc.yaml should be far smaller (is this the right file?)"

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
    }

    /// Offset of the first byte that does not start a valid UTF-8 sequence.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int {
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            let len = b < 0x80 ? 1 : b >= 0xC2 && b < 0xE0 ? 2 : b >= 0xE0 && b < 0xF0 ? 3 : b >= 0xF0 && b < 0xF5 ? 4 : 0
            guard len > 0, i + len <= bytes.count,
                  String(validating: bytes[i..<i + len], as: UTF8.self) != nil else { return i }
            i += len
        }
        return i
    }

    /// Finds msvc.yaml: an explicit path, then `MSVC_FILE`, then the folder and its parents.
    public static func discover(explicit: String?, environment: [String: String], cwd: String) -> String? {
        if let explicit { return absolute(explicit, cwd: cwd) }
        if let env = environment["MSVC_FILE"], !env.isEmpty { return absolute(env, cwd: cwd) }
        var dir = URL(fileURLWithPath: cwd)
        while true {
            let candidate = dir.appendingPathComponent("msvc.yaml").path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { return nil }
            dir = parent
        }
    }

    private static func absolute(_ path: String, cwd: String) -> String {
        path.hasPrefix("/") ? path : URL(fileURLWithPath: cwd).appendingPathComponent(path).path
    }
}
