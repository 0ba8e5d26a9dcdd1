import Collections
import Foundation

extension ComposeImporter {
    /// ports and expose: the first unnamed TCP port is the main one; a published host port
    /// makes it fixed, none makes it `auto`. Returns container numbers and msvc port specs.
    mutating func ports(_ node: YAMLNode, _ path: String)
        -> (numbers: OrderedDictionary<String, Int>, specs: OrderedDictionary<String, PortSpec>) {
        var numbers: OrderedDictionary<String, Int> = [:]
        var specs: OrderedDictionary<String, PortSpec> = [:]
        guard case .mapping(let pairs) = node.content else { return ([:], [:]) }
        func add(_ name: String?, _ target: Int, _ published: Int?) {
            guard !numbers.values.contains(target) else { return }
            var key = name.map(Self.portName) ?? (numbers[""] == nil ? "" : "p\(target)")
            if numbers[key] != nil { key = "p\(target)" }
            numbers[key] = target
            specs[key] = published.map { .fixed($0) } ?? .auto
        }
        for key in ["ports", "expose"] {
            guard let list = pairs.first(where: { $0.key.scalar == key })?.value else { continue }
            guard case .sequence(let items) = list.content else {
                r.sink.error(list.mark, "\(path).\(key)", "expected a list of ports, found \(list.kindName)")
                continue
            }
            for (i, item) in items.enumerated() {
                let p = "\(path).\(key)[\(i)]"
                if case .mapping = item.content {
                    let f = r.fields(item, p)
                    if let proto = f["protocol"]?.scalar, proto != "tcp" {
                        result.report.dropped(p, "\(proto) ports are not balanced by msvc; left out")
                        continue
                    }
                    guard let t = f["target"].flatMap({ value($0, p + ".target") }), let target = r.int(t, f["target"]!, p + ".target", in: 1...65535) else {
                        if f["target"] == nil { r.sink.error(item.mark, p, "a port needs target:") }
                        continue
                    }
                    let published = f["published"].flatMap { value($0, p + ".published") }
                    if let published, published.contains("-") {
                        result.report.dropped(p, "port ranges are not supported; \(published) left out")
                        continue
                    }
                    let host = published.flatMap { $0.isEmpty ? nil : r.int($0, f["published"]!, p + ".published", in: 1...65535) }
                    add(f["name"]?.scalar, target, host)
                } else if let text = value(item, p) {
                    parseShort(text, item, p, key == "expose").map { add(nil, $0.target, $0.published) }
                }
            }
        }
        return (numbers, specs)
    }

    /// `[IP:][HOST:]CONTAINER[/PROTOCOL]`.
    mutating func parseShort(_ text: String, _ node: YAMLNode, _ path: String, _ expose: Bool) -> (target: Int, published: Int?)? {
        var spec = Substring(text)
        if let slash = spec.firstIndex(of: "/") {
            let proto = spec[spec.index(after: slash)...]
            spec = spec[..<slash]
            if proto != "tcp" {
                result.report.dropped(path, "\(proto) ports are not balanced by msvc; left out")
                return nil
            }
        }
        let parts = spec.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        if parts.contains(where: { $0.contains("-") }) {
            result.report.dropped(path, "port ranges are not supported; \(text) left out")
            return nil
        }
        guard let last = parts.last, let target = Int(last), (1...65535).contains(target), parts.count <= 3 else {
            r.sink.error(node.mark, path, "invalid port \"\(text)\" (expected CONTAINER, HOST:CONTAINER or IP:HOST:CONTAINER)")
            return nil
        }
        if expose || parts.count == 1 { return (target, nil) }
        let host = parts[parts.count - 2]
        if host.isEmpty { return (target, nil) }
        guard let published = Int(host), (1...65535).contains(published) else {
            r.sink.error(node.mark, path, "invalid host port \"\(host)\" in \"\(text)\"")
            return nil
        }
        if parts.count == 3 { result.report.changed(path, "msvc listens on 127.0.0.1; the host address \(parts[0]) is not kept") }
        return (target, published)
    }

    /// A compose port name as an msvc port name (`[a-z][a-z0-9_-]*`).
    static func portName(_ name: String) -> String {
        var out = String(name.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") ? $0 : "-" })
        if !(out.first?.isLetter ?? false) { out = "p" + out }
        return out
    }

    /// depends_on: a list (started) or a map with conditions.
    mutating func dependencies(_ node: YAMLNode, _ path: String) -> [Dependency] {
        if case .sequence = node.content {
            return (r.strings(node, path, single: false) ?? []).map { Dependency(service: names[$0] ?? $0, condition: .started) }
        }
        var deps: [Dependency] = []
        for pair in r.map(node, path) ?? [] {
            let dep = pair.key.scalar ?? ""
            let p = "\(path).\(dep)"
            var condition = DependencyCondition.started
            let f = r.fields(pair.value, p)
            if let c = f["condition"].flatMap({ r.string($0, p + ".condition") }) {
                switch c {
                case "service_started": condition = .started
                case "service_healthy": condition = .healthy
                case "service_completed_successfully": condition = .completed
                default:
                    r.sink.error(f["condition"]!.mark, p + ".condition", "unknown condition \"\(c)\" (expected service_started, service_healthy or service_completed_successfully)")
                }
            }
            if let v = f["required"], r.bool(v, p + ".required") == false {
                result.report.changed(p, "required: false has no msvc equivalent; \(dep) is required")
            }
            if let v = f["restart"], r.bool(v, p + ".restart") == true {
                result.report.dropped(p + ".restart", "msvc does not restart dependents when \(dep) restarts (watch: cascade: does, on file changes)")
            }
            deps.append(Dependency(service: names[dep] ?? dep, condition: condition))
        }
        return deps
    }

    /// A compose healthcheck as a readiness probe; curl and nc checks of the service's own
    /// port become http and tcp probes.
    mutating func healthcheck(_ node: YAMLNode, _ path: String, ports: OrderedDictionary<String, Int>) -> Probe? {
        let f = r.fields(node, path)
        if let v = f["disable"], r.bool(v, path + ".disable") == true { return nil }
        guard let testNode = f["test"] else {
            result.report.dropped(path, "a healthcheck without test: uses the image's HEALTHCHECK, which msvc cannot see")
            return nil
        }
        var words: [String]
        if case .scalar = testNode.content {
            words = ["CMD-SHELL", r.string(testNode, path + ".test") ?? ""]
        } else {
            words = r.strings(testNode, path + ".test", single: false) ?? []
        }
        guard let kind = words.first else { return nil }
        if kind == "NONE" { return nil }
        let args = Array(words.dropFirst())
        var check: ProbeCheck
        switch kind {
        case "CMD":
            check = recognise(args, ports: ports) ?? .exec(args.map { Self.msvcSyntax(ShellWords.quote($0)) }.joined(separator: " "))
        case "CMD-SHELL":
            let script = args.joined(separator: " ")
            var bare = script.trimmingCharacters(in: .whitespaces)
            for suffix in ["|| exit 1", "||exit 1"] where bare.hasSuffix(suffix) {
                bare = String(bare.dropLast(suffix.count)).trimmingCharacters(in: .whitespaces)
            }
            check = (try? ShellWords.split(bare)).flatMap { recognise($0, ports: ports) } ?? .exec(Self.msvcSyntax(script))
        default:
            r.sink.error(testNode.mark, path + ".test", "a test starts with CMD, CMD-SHELL or NONE, found \"\(kind)\"")
            return nil
        }
        var probe = Probe(check: check)
        if case .exec = check { probe.timeout = .seconds(30) }
        // compose's own defaults, where the file leaves a timing out.
        probe.interval = .seconds(30)
        probe.timeout = .seconds(30)
        for (key, apply) in [("interval", { (p: inout Probe, d: Duration) in p.interval = d }),
                             ("timeout", { (p: inout Probe, d: Duration) in p.timeout = d }),
                             ("start_period", { (p: inout Probe, d: Duration) in p.startPeriod = d })] {
            if let n = f[key], let v = value(n, "\(path).\(key)"), let d = r.duration(v, n, "\(path).\(key)") { apply(&probe, d) }
        }
        if let n = f["retries"], let v = value(n, path + ".retries"), let k = r.int(v, n, path + ".retries", in: 1...10_000) { probe.retries = k }
        if f["start_interval"] != nil {
            result.report.dropped(path + ".start_interval", "msvc probes at one interval")
        }
        return probe
    }

    /// `curl ... http://localhost:PORT/path` and `nc -z HOST PORT` on the service's own port.
    func recognise(_ args: [String], ports: OrderedDictionary<String, Int>) -> ProbeCheck? {
        func portName(_ number: Int) -> String?? {
            guard let entry = ports.first(where: { $0.value == number }) else { return nil }
            return .some(entry.key.isEmpty ? nil : entry.key)
        }
        guard let program = args.first else { return nil }
        if program == "curl" || program == "wget", let url = args.last {
            for host in ["http://localhost:", "http://127.0.0.1:"] where url.hasPrefix(host) {
                let rest = url.dropFirst(host.count)
                let digits = rest.prefix { $0.isNumber }
                guard let number = Int(digits), let name = portName(number) else { return nil }
                let probePath = rest.dropFirst(digits.count)
                var headers: OrderedDictionary<String, String> = [:]
                var i = 1
                while i < args.count - 1 {
                    if args[i] == "-H" || args[i] == "--header", i + 1 < args.count - 1 {
                        let h = args[i + 1].split(separator: ":", maxSplits: 1)
                        if h.count == 2 { headers[String(h[0])] = h[1].trimmingCharacters(in: .whitespaces) }
                        i += 1
                    } else if !["-f", "-s", "-S", "-fsS", "-fs", "-sf", "-sS", "--fail", "--silent", "-q", "-O", "-o", "/dev/null", "-", "--spider"].contains(args[i]) {
                        return nil
                    }
                    i += 1
                }
                return .http(path: probePath.isEmpty ? "/" : String(probePath), port: name, status: 200...399, headers: headers)
            }
        }
        if program == "nc", args.count == 4, args[1] == "-z", ["localhost", "127.0.0.1"].contains(args[2]),
           let number = Int(args[3]), let name = portName(number) {
            return .tcp(port: name)
        }
        return nil
    }

    /// restart, deploy.restart_policy, deploy.replicas and scale.
    mutating func restart(_ f: OrderedDictionary<String, YAMLNode>, _ path: String, _ s: inout ServiceConfig) {
        if let n = f["restart"], let v = r.string(n, path + ".restart") {
            switch v {
            case "no": s.restart = .no
            case "always": s.restart = .always
            case "unless-stopped":
                s.restart = .always
                result.report.changed(path + ".restart", "unless-stopped is always in msvc (nothing outlives the stack)")
            default:
                if v == "on-failure" || v.hasPrefix("on-failure:") {
                    s.restart = .onFailure
                    if let count = Int(v.dropFirst("on-failure:".count)), v.contains(":") {
                        s.maxRestarts = count
                    } else {
                        result.report.changed(path + ".restart", "compose retries without limit; msvc stops after max_restarts (10)")
                    }
                } else {
                    r.sink.error(n.mark, path + ".restart", "invalid restart \"\(v)\" (expected no, always, on-failure[:N] or unless-stopped)")
                }
            }
        }
        if let n = f["deploy"] {
            let d = r.fields(n, path + ".deploy")
            for (key, value) in d {
                let p = "\(path).deploy.\(key)"
                switch key {
                case "replicas":
                    if let v = self.value(value, p), let k = r.int(v, value, p, in: 0...256) {
                        if k == 0 {
                            s.disabled = true
                            result.report.changed(p, "replicas: 0 is imported as disabled: true")
                        } else {
                            s.replicas = k
                        }
                    }
                case "restart_policy":
                    let rp = r.fields(value, p)
                    if let c = rp["condition"]?.scalar {
                        s.restart = c == "none" ? .no : c == "any" ? .always : .onFailure
                    }
                    if let m = rp["max_attempts"], let v = self.value(m, p + ".max_attempts"), let k = r.int(v, m, p + ".max_attempts", in: 0...1_000_000) {
                        s.maxRestarts = k
                    }
                    if let delay = rp["delay"], let v = self.value(delay, p + ".delay"), let d = r.duration(v, delay, p + ".delay") {
                        s.backoff.initial = d
                        if s.backoff.max < d { s.backoff.max = d }
                    }
                    if rp["window"] != nil { result.report.dropped(p + ".window", "msvc counts restarts in a row instead") }
                default:
                    result.report.dropped(p, "no msvc equivalent")
                }
            }
        }
        if let n = f["scale"], let v = value(n, path + ".scale"), let k = r.int(v, n, path + ".scale", in: 1...256) {
            s.replicas = k
        }
    }
}
