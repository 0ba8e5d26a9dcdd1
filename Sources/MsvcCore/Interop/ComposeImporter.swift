import Collections
import Foundation

/// Reads a compose file (the Compose Specification) into the msvc model: images, commands
/// (entrypoint + command), env and env files, ports, `depends_on` conditions, healthchecks,
/// restart policies, replicas, profiles, stop signals and grace periods, `extends`, anchors
/// and `x-` fields. `x-msvc` (written by `msvc export compose`) is read back as msvc keys.
struct ComposeImporter {
    /// Service keys that are mapped (others are reported).
    static let mappedKeys: Set<String> = [
        "image", "build", "command", "entrypoint", "environment", "env_file", "ports", "expose", "depends_on",
        "healthcheck", "restart", "deploy", "scale", "profiles", "stop_signal", "stop_grace_period", "labels",
        "extends", "volumes", "container_name", "hostname",
    ]

    /// Folders, environment and file access.
    let options: ImportOptions
    /// Typed reads and the diagnostics they collect.
    var r: ImportReader
    /// The stack being built.
    var result = ImportedStack()
    /// Compose service name to msvc service name.
    var names: OrderedDictionary<String, String> = [:]
    /// Container ports by msvc service, then msvc port name (`""` the main one).
    var containerPorts: [String: OrderedDictionary<String, Int>] = [:]
    /// Variables of the `.env` file beside the compose file, for values needed now.
    var dotenv: [String: String] = [:]

    /// Prepares an import reporting against `options.file`.
    init(options: ImportOptions) {
        self.options = options
        r = ImportReader(file: options.file)
    }

    /// Reads the whole file; throws every problem found in it.
    mutating func read(_ text: String) throws(ConfigError) -> ImportedStack {
        let root = try StackImporter.parse(text, file: options.file)
        guard case .mapping = root.content else {
            throw ConfigError([ConfigDiagnostic(file: options.file, mark: root.mark, path: "", message: "a compose file is a map with a services: key, found \(root.kindName)")])
        }
        let top = r.fields(root, "")
        readDotenv()
        for (key, node) in top {
            switch key {
            case "services": break
            case "version": break  // obsolete in the Compose Specification; ignored by compose too
            case "volumes" where node.content.isMapping && r.fields(node, key).keys.elementsEqual([ComposeExporter.stateVolume]):
                break  // msvc export's state volume, read back as MSVC_STATE_DIR
            case "name":
                if let v = r.string(node, "name") {
                    let name = Naming.projectName(fromDirectory: v)
                    result.config.name = name
                    if name != v { result.report.changed("name", "\(v) is not a valid msvc project name; written as \(name)") }
                }
            default:
                let what = key.hasPrefix("x-") ? "extension field (its anchors are resolved where used)" : "top-level \(key)"
                result.report.dropped(key, "\(what) has no msvc equivalent")
            }
        }
        guard let servicesNode = top["services"] else {
            throw ConfigError([ConfigDiagnostic(file: options.file, mark: root.mark, path: "services", message: "no services: section; a compose file lists its services under services:")])
        }
        var services: [(String, YAMLNode)] = []
        for pair in r.map(servicesNode, "services") ?? [] {
            let name = pair.key.scalar ?? ""
            services.append((name, resolveExtends(name, pair.value, in: servicesNode, depth: 0)))
        }
        for (composeName, node) in services {
            var name = StackImporter.serviceName(composeName)
            while names.values.contains(name) { name += "-2" }
            names[composeName] = name
            if name != composeName {
                result.report.changed("services.\(composeName)", "not a valid msvc service name; imported as \(name)")
            }
            containerPorts[name] = ports(node, "services.\(composeName)").numbers
        }
        for (composeName, node) in services {
            service(composeName, node)
        }
        if r.sink.hasErrors { throw ConfigError(r.sink.sorted) }
        return result
    }

    /// `.env` beside the compose file: compose reads it for interpolation, so msvc.yaml reads it too.
    mutating func readDotenv() {
        let path = (options.inputDirectory as NSString).appendingPathComponent(".env")
        guard let text = options.readFile(path) else { return }
        let env = options.environment
        let (entries, _) = EnvFile.parseAll(text) { name in env[name].map { .value($0) } ?? .unset }
        for (k, v) in entries { dotenv[k] = v }
        result.config.envFile.append(EnvFileRef(path: options.rebase(".env"), optional: true))
        result.report.changed("env_file", "compose reads .env for interpolation; msvc.yaml reads it as an optional env file, which also passes its variables to every service")
    }

    /// A service with its `extends` chain merged in (the extending service wins).
    mutating func resolveExtends(_ name: String, _ node: YAMLNode, in services: YAMLNode, depth: Int) -> YAMLNode {
        guard case .mapping(let pairs) = node.content, let ext = pairs.first(where: { $0.key.scalar == "extends" })?.value else { return node }
        let path = "services.\(name).extends"
        guard depth < 10 else {
            r.sink.error(ext.mark, path, "extends nests more than 10 levels (is there a cycle?)")
            return node
        }
        var baseName: String?
        var file: String?
        if case .scalar = ext.content {
            baseName = r.string(ext, path)
        } else {
            let f = r.fields(ext, path)
            baseName = f["service"].flatMap { r.string($0, path + ".service") }
            file = f["file"].flatMap { r.string($0, path + ".file") }
        }
        guard let baseName else {
            r.sink.error(ext.mark, path, "extends needs service: NAME")
            return node
        }
        var source = services
        if let file {
            let full = file.hasPrefix("/") ? file : (options.inputDirectory as NSString).appendingPathComponent(file)
            guard let text = options.readFile(full), let parsed = try? YAMLParser.parse(text),
                  case .mapping(let top) = parsed.content, let s = top.first(where: { $0.key.scalar == "services" })?.value else {
                r.sink.error(ext.mark, path + ".file", "cannot read services from \(file); check the path (relative to \(options.file))")
                return node
            }
            source = s
        }
        guard case .mapping(let all) = source.content, let base = all.first(where: { $0.key.scalar == baseName })?.value else {
            r.sink.error(ext.mark, path + ".service", "no service \"\(baseName)\" to extend\(file.map { " in \($0)" } ?? "")")
            return node
        }
        let resolvedBase = resolveExtends(baseName, base, in: source, depth: depth + 1)
        let own = YAMLNode(.mapping(pairs.filter { $0.key.scalar != "extends" }), mark: node.mark)
        return Self.merge(resolvedBase, own)
    }

    /// Compose's merge of an extended service: maps merge by key, lists that add up
    /// (ports, expose, env files, volumes) are joined, anything else is replaced.
    static func merge(_ base: YAMLNode, _ over: YAMLNode, key: String = "") -> YAMLNode {
        if key == "environment" || key == "labels" {
            return merge(asMapping(base), asMapping(over))
        }
        switch (base.content, over.content) {
        case (.mapping(let b), .mapping(let o)):
            var pairs = b
            for pair in o {
                let k = pair.key.scalar ?? ""
                if let i = pairs.firstIndex(where: { $0.key.scalar == k }) {
                    pairs[i] = YAMLPair(key: pair.key, value: merge(pairs[i].value, pair.value, key: k))
                } else {
                    pairs.append(pair)
                }
            }
            return YAMLNode(.mapping(pairs), mark: over.mark)
        case (.sequence(let b), .sequence(let o)) where ["ports", "expose", "env_file", "volumes", "profiles"].contains(key):
            return YAMLNode(.sequence(b + o), mark: over.mark)
        default:
            return over
        }
    }

    /// A `KEY=value` list as the map it means (a bare `KEY` maps to null); maps stay as they are.
    static func asMapping(_ node: YAMLNode) -> YAMLNode {
        guard case .sequence(let items) = node.content else { return node }
        let pairs = items.map { item -> YAMLPair in
            let text = item.scalar ?? ""
            let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let value = parts.count > 1 ? YAMLNode(.scalar(String(parts[1]), .doubleQuoted), mark: item.mark) : YAMLNode(.scalar("", .plain), mark: item.mark)
            return YAMLPair(key: YAMLNode(.scalar(String(parts[0]), .plain), mark: item.mark), value: value)
        }
        return YAMLNode(.mapping(pairs), mark: node.mark)
    }

    /// compose interpolation written in msvc.yaml syntax: `$VAR` becomes `${VAR}`; `${...}`
    /// and `$$` are the same in both.
    static func msvcSyntax(_ text: String) -> String {
        guard text.contains("$") else { return text }
        let chars = Array(text)
        var out = ""
        var i = 0
        while i < chars.count {
            let c = chars[i]
            guard c == "$", i + 1 < chars.count else { out.append(c); i += 1; continue }
            let next = chars[i + 1]
            if next == "$" {
                out += "$$"
                i += 2
            } else if next == "{" {
                var depth = 0, j = i + 1
                while j < chars.count {
                    if chars[j] == "{" { depth += 1 }
                    if chars[j] == "}" { depth -= 1; if depth == 0 { break } }
                    j += 1
                }
                guard j < chars.count else { out += String(chars[i...]); break }
                out += "${" + msvcSyntax(String(chars[(i + 2)..<j])) + "}"
                i = j + 1
            } else if next == "_" || (next.isASCII && next.isLetter) {
                var j = i + 1
                while j < chars.count, chars[j] == "_" || (chars[j].isASCII && (chars[j].isLetter || chars[j].isNumber)) { j += 1 }
                out += "${" + String(chars[(i + 1)..<j]) + "}"
                i = j
            } else {
                out.append(c)
                i += 1
            }
        }
        return out
    }

    /// A scalar that must have a value now (a number, a duration): interpolated from the
    /// environment and `.env`, with a note when a variable was involved.
    mutating func value(_ node: YAMLNode, _ path: String) -> String? {
        guard let raw = r.string(node, path) else { return nil }
        guard raw.contains("$") else { return raw }
        let env = options.environment, dotenv = self.dotenv
        do throws(Interpolation.Failure) {
            let v = try Interpolation.expand(Self.msvcSyntax(raw)) { name in
                (dotenv[name] ?? env[name]).map { .value($0) } ?? .unset
            }
            result.report.changed(path, "\(raw) must be a fixed value in msvc.yaml; imported as \(v)")
            return v
        } catch {
            r.sink.error(node.mark, path, "\(error.message) (needed to read \(raw))")
            return nil
        }
    }
}
