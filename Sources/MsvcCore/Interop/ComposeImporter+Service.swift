import Collections
import Foundation

extension ComposeImporter {
    /// Maps one compose service.
    mutating func service(_ composeName: String, _ node: YAMLNode) {
        let path = "services.\(composeName)"
        let name = names[composeName]!
        var s = ServiceConfig(name: name)
        let f = r.fields(node, path)
        let msvc = f["x-msvc"].map { r.fields($0, path + ".x-msvc") } ?? [:]
        let state = mountsState(f["volumes"], path)
        var comments: [String] = []

        if let v = f["image"].flatMap({ r.string($0, path + ".image") }) { s.image = Self.msvcSyntax(v) }
        if let b = f["build"], msvc["cwd"] == nil {
            let context: String? = if case .scalar = b.content { r.string(b, path + ".build") } else {
                r.fields(b, path + ".build")["context"].flatMap { r.string($0, path + ".build.context") }
            }
            if let context {
                s.cwd = options.rebase(context)
                result.report.changed(path + ".build", "the image is built from \(context); msvc runs the program in that folder (cwd: \(s.cwd))")
            }
        }
        var args: [String] = []
        for key in ["entrypoint", "command"] {
            guard let n = f[key] else { continue }
            if case .scalar(let raw, _) = n.content, !n.isNull {
                do throws(ShellWords.SplitError) { args += try ShellWords.split(raw) } catch {
                    r.sink.error(n.mark, "\(path).\(key)", "\(error.message) in \(key)")
                }
            } else {
                args += r.strings(n, "\(path).\(key)", single: false) ?? []
            }
        }
        args = args.map { rewrite(Self.msvcSyntax($0), state: state) }
        if args.isEmpty {
            let image = s.image ?? "no image"
            s.disabled = true
            s.command = .argv(["echo", "\(name): set the command that runs this service"])
            comments = ["Image only in compose (\(image)): msvc runs programs, not images.",
                        "Set command: to what runs it on this machine, then remove disabled: true."]
            result.report.dropped(path, "only an image (\(image)) and no command; imported disabled, with a placeholder command")
        } else if args.count == 3, args[0] == "/bin/sh", args[1] == "-c" {
            s.command = .shell(args[2])
        } else {
            s.command = .argv(args)
        }
        s.env = environment(f["environment"], path, state: state)
        if let n = f["env_file"] { s.envFile = envFiles(n, path + ".env_file") }
        let (numbers, specs) = ports(node, path)
        for (portName, spec) in specs {
            if portName.isEmpty { s.port = spec } else { s.ports[portName] = spec }
        }
        for (portName, number) in numbers {
            let variable = portName.isEmpty ? "PORT" : "PORT_" + Naming.envPrefix(portName)
            if case .argv(let a) = s.command, a.contains(String(number)), msvc.isEmpty {
                s.command = .argv(a.map { $0 == String(number) ? "${\(variable)}" : $0 })
                result.report.changed(path + ".command", "the container port \(number) in its command is now ${\(variable)}, the port msvc hands it")
            } else if environmentValue(f["environment"], variable) != String(number) && msvc.isEmpty {
                result.report.changed(path + ".ports", "msvc hands \(name) its port in $\(variable) (the container listened on \(number)); make the program listen there")
            }
        }
        if let n = f["depends_on"] { s.dependsOn = dependencies(n, path + ".depends_on") }
        if let n = f["healthcheck"] { s.health = healthcheck(n, path + ".healthcheck", ports: numbers) }
        restart(f, path, &s)
        if let n = f["profiles"] { s.profiles = r.strings(n, path + ".profiles", single: false) ?? [] }
        if let n = f["stop_signal"], let v = r.string(n, path + ".stop_signal") {
            let bare = v.hasPrefix("SIG") ? String(v.dropFirst(3)) : v
            if StackDecoder.signals.contains(bare) { s.stopSignal = bare } else {
                result.report.dropped(path + ".stop_signal", "msvc does not send \(v); it stops \(name) with TERM")
            }
        }
        if let n = f["stop_grace_period"], let v = value(n, path + ".stop_grace_period"), let d = r.duration(v, n, path + ".stop_grace_period") {
            s.stopTimeout = d
        }
        if let n = f["labels"] { s.labels = labels(n, path + ".labels") }
        var unmapped: [String] = []
        for (key, value) in f {
            if key == "x-msvc" {
                applyMsvc(value, path, &s)
            } else if key.hasPrefix("x-") {
                result.extensions[name, default: []].append((key, StackImporter.yaml(value)))
            } else if key == "working_dir" {
                if msvc["cwd"] == nil { result.report.dropped("\(path).working_dir", "a folder inside the container; set cwd: to the program's folder on this machine") }
            } else if key == "volumes" {
                let count = if case .sequence(let items) = value.content { items.count } else { 1 }
                if count > (state ? 1 : 0) { unmapped.append(key) }
            } else if !Self.mappedKeys.contains(key) {
                unmapped.append(key)
            } else if key == "container_name" || key == "hostname" {
                result.report.dropped("\(path).\(key)", "msvc names processes by service name")
            }
        }
        if !unmapped.isEmpty {
            result.report.dropped(path, "not mapped (no msvc equivalent for processes on this machine): \(unmapped.joined(separator: ", "))")
        }
        if !comments.isEmpty { result.comments[name] = comments }
        result.config.services[name] = s
    }

    /// `x-msvc` from `msvc export compose`: msvc keys written back as they are.
    mutating func applyMsvc(_ node: YAMLNode, _ path: String, _ s: inout ServiceConfig) {
        for pair in r.map(node, path + ".x-msvc") ?? [] {
            let key = pair.key.scalar ?? ""
            if key == "disabled", r.bool(pair.value, path + ".x-msvc.disabled") == true {
                s.disabled = true
                s.profiles.removeAll { $0 == "disabled" }
                continue
            }
            result.overrides[s.name, default: []].append((key, StackImporter.yaml(pair.value)))
        }
    }

    /// Whether the service mounts msvc's state volume (from `msvc export compose`).
    mutating func mountsState(_ node: YAMLNode?, _ path: String) -> Bool {
        guard case .sequence(let items)? = node?.content else { return false }
        return items.contains { item in
            if case .scalar(let v, _) = item.content { return v.hasSuffix(":" + ExportPlan.stateMount) }
            if case .mapping(let pairs) = item.content {
                return pairs.contains { $0.key.scalar == "target" && $0.value.scalar == ExportPlan.stateMount }
            }
            return false
        }
    }

    /// The raw value of one variable in a compose environment block, if set there.
    func environmentValue(_ node: YAMLNode?, _ name: String) -> String? {
        switch node?.content {
        case .mapping(let pairs)?: return pairs.first { $0.key.scalar == name }?.value.scalar
        case .sequence(let items)?:
            return items.compactMap(\.scalar).first { $0.hasPrefix(name + "=") }.map { String($0.dropFirst(name.count + 1)) }
        default: return nil
        }
    }

    /// Names msvc sets itself (discovery and self variables), so compose copies are dropped.
    var startTimeNames: Set<String> {
        var names: Set<String> = ["MSVC_SERVICE", "MSVC_REPLICA", "MSVC_PROJECT", "MSVC_STATE_DIR", "PORT"]
        for (service, ports) in containerPorts {
            let prefix = Naming.envPrefix(service)
            if ports[""] != nil { names.formUnion([prefix + "_HOST", prefix + "_PORT", prefix + "_URL"]) }
            for port in ports.keys where !port.isEmpty {
                names.formUnion(["PORT_" + Naming.envPrefix(port), prefix + "_PORT_" + Naming.envPrefix(port)])
            }
        }
        return names
    }

    /// The environment block: map or `KEY=value` list; bare names pass the environment through,
    /// which msvc services inherit anyway.
    mutating func environment(_ node: YAMLNode?, _ path: String, state: Bool) -> OrderedDictionary<String, String> {
        guard let node else { return [:] }
        var raw: [(String, String, SourceMark)] = []
        switch node.content {
        case .mapping(let pairs):
            for pair in pairs where !pair.value.isNull {
                if let v = r.string(pair.value, path + "." + (pair.key.scalar ?? "")) { raw.append((pair.key.scalar ?? "", v, pair.key.mark)) }
            }
        case .sequence(let items):
            for (i, item) in items.enumerated() {
                guard let entry = r.string(item, "\(path)[\(i)]") else { continue }
                if let eq = entry.firstIndex(of: "=") { raw.append((String(entry[..<eq]), String(entry[entry.index(after: eq)...]), item.mark)) }
            }
        default:
            r.sink.error(node.mark, path, "expected a map or a list of KEY=value, found \(node.kindName)")
        }
        var env: OrderedDictionary<String, String> = [:]
        let managed = startTimeNames
        for (key, value, mark) in raw {
            guard EnvFile.isValidName(key) else {
                r.sink.error(mark, "\(path).\(key)", "invalid variable name \"\(key)\"")
                continue
            }
            if managed.contains(key) { continue }
            env[key] = rewrite(Self.msvcSyntax(value), state: state)
        }
        return env
    }

    /// Compose's DNS names written as msvc's discovery variables (`http://orders:8080` →
    /// `${ORDERS_URL}`, `db:5432` → `${DB_HOST}:${DB_PORT}`), and the state mount as
    /// `${MSVC_STATE_DIR}`.
    mutating func rewrite(_ text: String, state: Bool) -> String {
        var out = text
        if state { out = out.replacingOccurrences(of: ExportPlan.stateMount, with: "${MSVC_STATE_DIR}") }
        for (composeName, name) in names {
            let prefix = Naming.envPrefix(name)
            for (portName, number) in containerPorts[name] ?? [:] {
                let port = portName.isEmpty ? "${\(prefix)_PORT}" : "${\(prefix)_PORT_\(Naming.envPrefix(portName))}"
                if portName.isEmpty {
                    out = Self.replace("http://\(composeName):\(number)", with: "${\(prefix)_URL}", in: out, boundary: false)
                }
                out = Self.replace("\(composeName):\(number)", with: "${\(prefix)_HOST}:\(port)", in: out, boundary: true)
            }
        }
        return out
    }

    /// Replaces whole occurrences of `target`: not followed by a digit, and (with `boundary`)
    /// not preceded by a letter, digit, `.` or `-` (so `db:5432` does not match in `mydb:5432`).
    static func replace(_ target: String, with replacement: String, in text: String, boundary: Bool) -> String {
        var out = ""
        var rest = Substring(text)
        while let range = rest.range(of: target) {
            let before = range.lowerBound == rest.startIndex ? out.last : rest[rest.index(before: range.lowerBound)]
            let after = range.upperBound < rest.endIndex ? rest[range.upperBound] : nil
            let okBefore = !boundary || before.map { !($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") } ?? true
            let okAfter = after.map { !$0.isNumber } ?? true
            out += rest[..<range.lowerBound]
            out += okBefore && okAfter ? replacement : String(rest[range])
            rest = rest[range.upperBound...]
        }
        return out + rest
    }

    /// env_file: a path, a list of paths, or a list of `{ path, required }`.
    mutating func envFiles(_ node: YAMLNode, _ path: String) -> [EnvFileRef] {
        let items: [YAMLNode] = if case .sequence(let s) = node.content { s } else { [node] }
        var refs: [EnvFileRef] = []
        for (i, item) in items.enumerated() {
            let p = "\(path)[\(i)]"
            if case .mapping = item.content {
                let f = r.fields(item, p)
                guard let file = f["path"].flatMap({ r.string($0, p + ".path") }) else {
                    r.sink.error(item.mark, p, "an env_file entry needs path:")
                    continue
                }
                let required = f["required"].flatMap { r.bool($0, p + ".required") } ?? true
                if let format = f["format"]?.scalar, format != "" {
                    result.report.changed(p, "format: \(format) is read as a plain dotenv file")
                }
                refs.append(EnvFileRef(path: options.rebase(file), optional: !required))
            } else if let file = r.string(item, p) {
                refs.append(EnvFileRef(path: options.rebase(file), optional: false))
            }
        }
        return refs
    }

    /// labels: a map or a list of `key=value`.
    mutating func labels(_ node: YAMLNode, _ path: String) -> OrderedDictionary<String, String> {
        var out: OrderedDictionary<String, String> = [:]
        if case .sequence = node.content {
            for entry in r.strings(node, path, single: false) ?? [] {
                let parts = entry.split(separator: "=", maxSplits: 1)
                out[String(parts[0])] = parts.count > 1 ? Self.msvcSyntax(String(parts[1])) : ""
            }
            return out
        }
        for pair in r.map(node, path) ?? [] {
            if let v = r.string(pair.value, path + "." + (pair.key.scalar ?? "")) { out[pair.key.scalar ?? ""] = Self.msvcSyntax(v) }
        }
        return out
    }
}
