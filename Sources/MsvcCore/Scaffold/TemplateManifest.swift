import Foundation

/// One variable a template asks for.
public struct TemplateVariable: Sendable, Equatable {
    /// The Mustache name.
    public var name: String
    /// The question asked in a terminal.
    public var prompt: String?
    /// Used when no `--set` value is given and nothing is asked.
    public var defaultValue: String?
    /// Allowed values, when restricted.
    public var choices: [String]
    /// A regular expression the value must match.
    public var pattern: String?
    /// Whether the value is a yes/no switch (its default is a YAML boolean, or `type: bool`).
    public var isBool: Bool

    /// Creates a variable.
    public init(name: String, prompt: String? = nil, defaultValue: String? = nil, choices: [String] = [],
                pattern: String? = nil, isBool: Bool = false) {
        self.name = name
        self.prompt = prompt
        self.defaultValue = defaultValue
        self.choices = choices
        self.pattern = pattern
        self.isBool = isBool
    }

    /// Nil when `value` is acceptable, else why not.
    public func problem(with value: String) -> String? {
        if isBool {
            return TemplateVariable.boolValue(value) == nil ? "expected true or false (yes/no)" : nil
        }
        if !choices.isEmpty, !choices.contains(value) {
            return "expected one of: \(choices.joined(separator: ", "))"
        }
        if let pattern {
            guard let regex = try? LinePattern(pattern) else { return "the template's pattern \(pattern) is not a valid regular expression" }
            if !regex.matches(value) { return "expected a value matching \(pattern)" }
        }
        return nil
    }

    /// `true`/`yes`/`on`/`1` and `false`/`no`/`off`/`0`/empty, else nil.
    public static func boolValue(_ s: String) -> Bool? {
        switch s.lowercased() {
        case "true", "yes", "y", "on", "1": return true
        case "false", "no", "n", "off", "0", "": return false
        default: return nil
        }
    }
}

/// A parsed `template.yaml`.
public struct TemplateManifest: Sendable, Equatable {
    /// The template's name (defaults to its folder's name).
    public var name: String
    /// One line for `msvc templates list`.
    public var description: String
    /// The language recorded as `language:` in msvc.yaml.
    public var language: String?
    /// Variables in the order they are asked.
    public var variables: [TemplateVariable]
    /// Template-relative path → variable that must be truthy for it to be written.
    public var conditional: [String: String]
    /// Shell commands run in the new folder with `--run-hooks`.
    public var postHooks: [String]
    /// The `service:` block as written (dedented, unrendered).
    public var serviceBlock: String

    /// Parses `text` (the file at `path`, for messages); `folderName` is the default name.
    public static func parse(_ text: String, path: String, folderName: String) throws(ScaffoldError) -> TemplateManifest {
        func fail(_ message: String, _ mark: SourceMark? = nil) -> ScaffoldError {
            .invalidManifest(path: mark.map { "\(path):\($0.line):\($0.column)" } ?? path, message: message)
        }
        let root: YAMLNode?
        do throws(YAMLError) { root = try YAMLParser.parse(text) } catch { throw fail(error.message, error.mark) }
        guard let root, case .mapping(let pairs) = root.content else { throw fail("expected a map with name, variables and service") }
        var manifest = TemplateManifest(name: folderName, description: "", language: nil, variables: [],
                                        conditional: [:], postHooks: [], serviceBlock: "")
        let known: Set = ["name", "description", "language", "variables", "conditional", "hooks", "service"]
        for pair in pairs {
            guard let key = pair.key.scalar else { throw fail("keys must be strings", pair.key.mark) }
            let v = pair.value
            switch key {
            case "name": manifest.name = try string(v, key, fail)
            case "description": manifest.description = try string(v, key, fail)
            case "language": manifest.language = try string(v, key, fail)
            case "variables": manifest.variables = try variables(v, fail)
            case "conditional":
                guard case .mapping(let items) = v.content else { throw fail("conditional: expected a map of file: variable", v.mark) }
                for item in items {
                    manifest.conditional[try string(item.key, "conditional", fail)] = try string(item.value, "conditional", fail)
                }
            case "hooks":
                guard case .mapping(let items) = v.content else { throw fail("hooks: expected { post: [COMMAND...] }", v.mark) }
                for item in items where item.key.scalar == "post" {
                    guard case .sequence(let cmds) = item.value.content else { throw fail("hooks.post: expected a list of commands", item.value.mark) }
                    for c in cmds { manifest.postHooks.append(try string(c, "hooks.post", fail)) }
                }
            case "service":
                guard case .mapping(let items) = v.content, items.contains(where: { $0.key.scalar == "command" }) else {
                    throw fail("service: expected a map with at least command:", v.mark)
                }
                manifest.serviceBlock = try block(in: text, keyLine: pair.key.mark.line, fail)
            default:
                throw fail("unknown key \"\(key)\" (expected one of: \(known.sorted().joined(separator: ", ")))", pair.key.mark)
            }
        }
        guard !manifest.serviceBlock.isEmpty else { throw fail("missing service: (the block registered in msvc.yaml)") }
        let names = Set(manifest.variables.map(\.name)).union(TemplateValues.builtinNames)
        for (file, variable) in manifest.conditional where !names.contains(variable) {
            throw fail("conditional: \(file) depends on undeclared variable \"\(variable)\"")
        }
        return manifest
    }

    private static func string(_ n: YAMLNode, _ key: String, _ fail: (String, SourceMark?) -> ScaffoldError) throws(ScaffoldError) -> String {
        guard let s = n.scalar else { throw fail("\(key): expected a string, found \(n.kindName)", n.mark) }
        return s
    }

    private static func variables(_ node: YAMLNode, _ fail: (String, SourceMark?) -> ScaffoldError) throws(ScaffoldError) -> [TemplateVariable] {
        guard case .sequence(let items) = node.content else { throw fail("variables: expected a list", node.mark) }
        var out: [TemplateVariable] = []
        for item in items {
            guard case .mapping(let fields) = item.content else { throw fail("variables: each entry is a map with name:", item.mark) }
            var v = TemplateVariable(name: "")
            for f in fields {
                let key = f.key.scalar ?? ""
                switch key {
                case "name": v.name = try string(f.value, "name", fail)
                case "prompt": v.prompt = try string(f.value, "prompt", fail)
                case "default":
                    v.defaultValue = try string(f.value, "default", fail)
                    if case .scalar(let s, .plain) = f.value.content, YAMLNode.plainScalarType(s) == .bool { v.isBool = true }
                case "pattern":
                    let pattern = try string(f.value, "pattern", fail)
                    do throws(PatternError) { try LinePattern.validate(pattern) } catch {
                        throw fail("variables: invalid pattern \"\(pattern)\" \(error)", f.value.mark)
                    }
                    v.pattern = pattern
                case "type": v.isBool = try string(f.value, "type", fail) == "bool"
                case "choices":
                    guard case .sequence(let cs) = f.value.content else { throw fail("choices: expected a list", f.value.mark) }
                    for c in cs { v.choices.append(try string(c, "choices", fail)) }
                default: throw fail("variables: unknown key \"\(key)\" (name, prompt, default, choices, pattern, type)", f.key.mark)
                }
            }
            guard Naming.isValidPortName(v.name) || v.name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) && !v.name.isEmpty else {
                throw fail("variables: \"\(v.name)\" is not a usable name (letters, digits, _)", item.mark)
            }
            if TemplateValues.builtinNames.contains(v.name) { throw fail("variables: \(v.name) is built in; pick another name", item.mark) }
            if let d = v.defaultValue, let p = v.problem(with: d) { throw fail("variables: default of \(v.name): \(p)", item.mark) }
            out.append(v)
        }
        return out
    }

    /// The lines under `service:` (1-based `keyLine`), dedented.
    private static func block(in text: String, keyLine: Int, _ fail: (String, SourceMark?) -> ScaffoldError) throws(ScaffoldError) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let head = lines[keyLine - 1].trimmingCharacters(in: .whitespaces)
        guard head.hasPrefix("service:"), head.dropFirst("service:".count).trimmingCharacters(in: .whitespaces).isEmpty
                || head.dropFirst("service:".count).trimmingCharacters(in: .whitespaces).hasPrefix("#") else {
            throw fail("service: write it as a block map (one key a line), not in flow style", SourceMark(line: keyLine, column: 1))
        }
        var body: [String] = []
        for line in lines[keyLine...] {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if !trimmed.isEmpty, !line.hasPrefix(" "), !trimmed.hasPrefix("#") { break }
            body.append(line)
        }
        while let last = body.last, last.trimmingCharacters(in: .whitespaces).isEmpty || !last.hasPrefix(" ") { body.removeLast() }
        let indent = body.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.map { $0.prefix(while: { $0 == " " }).count }.min() ?? 0
        return body.map { $0.count >= indent ? String($0.dropFirst(indent)) : $0.trimmingCharacters(in: .whitespaces) }.joined(separator: "\n")
    }
}
