/// The checks that need the whole decoded stack. Each adds every problem it finds.
struct StackValidator {
    /// The decoded stack.
    let stack: StackConfig
    /// Positions by key path, from the decoder.
    let marks: [String: SourceMark]

    /// Where the value at `path` is, falling back to its key.
    func mark(_ path: String) -> SourceMark {
        marks[path] ?? marks[path + "#key"] ?? SourceMark(line: 1, column: 1)
    }

    /// Where the key at `path` is, falling back to its value.
    func keyMark(_ path: String) -> SourceMark {
        marks[path + "#key"] ?? marks[path] ?? SourceMark(line: 1, column: 1)
    }

    /// Every check, run in order.
    static let all: [@Sendable (StackValidator, inout DiagnosticSink) -> Void] = [
        { $0.dependencies(&$1) }, { $0.cycles(&$1) }, { $0.ports(&$1) }, { $0.probes(&$1) }, { $0.suites(&$1) }, { $0.watches(&$1) },
    ]

    /// Runs every check, adding what each finds.
    func run(_ sink: inout DiagnosticSink) {
        for check in Self.all { check(self, &sink) }
    }

    /// "unknown service", with a suggestion when one is close.
    func unknownService(_ name: String) -> String {
        var m = "unknown service \"\(name)\""
        if let g = Suggest.closest(to: name, in: Array(stack.services.keys)) { m += "; did you mean \"\(g)\"?" }
        return m
    }

    /// Dependencies name real services, not themselves, and conditions they can reach.
    func dependencies(_ sink: inout DiagnosticSink) {
        for (name, s) in stack.services {
            for d in s.dependsOn {
                let path = "services.\(name).depends_on.\(d.service)"
                let at = marks[path + "#key"] ?? mark("services.\(name).depends_on")
                guard let target = stack.services[d.service] else {
                    sink.error(at, "services.\(name).depends_on", unknownService(d.service))
                    continue
                }
                if d.service == name {
                    sink.error(at, "services.\(name).depends_on", "a service cannot depend on itself; remove \"\(name)\" from its depends_on")
                }
                if d.condition == .healthy && target.health == nil {
                    sink.error(at, path, "\"\(d.service)\" has no health probe, so it never becomes healthy; add health: to it or use started")
                }
                if d.condition == .completed && target.restart == .always {
                    sink.error(at, path, "\"\(d.service)\" has restart: always, so it never completes; use restart: no or on-failure")
                }
            }
        }
    }

    /// `watch.cascade` names services that exist, other than the service itself.
    func watches(_ sink: inout DiagnosticSink) {
        for (name, s) in stack.services {
            guard let w = s.watch else { continue }
            let path = "services.\(name).watch.cascade"
            for c in w.cascade {
                if stack.services[c] == nil {
                    sink.error(mark(path), path, unknownService(c))
                } else if c == name {
                    sink.error(mark(path), path, "a service cannot cascade to itself; remove \"\(name)\" from cascade")
                }
            }
        }
    }

    /// No dependency cycles; each is printed as a path.
    func cycles(_ sink: inout DiagnosticSink) {
        for cycle in StackGraph(stack).cycles() where cycle.count > 2 {
            sink.error(mark("services.\(cycle[0]).depends_on"), "services.\(cycle[0]).depends_on",
                       "dependency cycle: \(cycle.joined(separator: " -> ")); remove one of these dependencies")
        }
    }

    /// Fixed ports are unique, and named ones are not fixed on replicated services.
    func ports(_ sink: inout DiagnosticSink) {
        var owners: [Int: String] = [:]
        for (name, s) in stack.services {
            for (portName, spec) in s.allPorts {
                guard case .fixed(let n) = spec else { continue }
                let path = portName.isEmpty ? "services.\(name).port" : "services.\(name).ports.\(portName)"
                if let first = owners[n] {
                    sink.error(mark(path), path, "port \(n) is already used by \(first); give one of them another port or auto")
                } else {
                    owners[n] = path
                }
                if s.replicas > 1 && !portName.isEmpty {
                    sink.error(mark(path), path, "fixed port \(n) clashes across \(s.replicas) replicas (each replica binds its named ports); use auto")
                }
            }
        }
    }

    /// Probes use ports the service has.
    func probes(_ sink: inout DiagnosticSink) {
        for (name, s) in stack.services {
            for (key, probe) in [("health", s.health), ("liveness", s.liveness)] {
                guard let probe else { continue }
                let path = "services.\(name).\(key).\(probe.check.kind)"
                // Point at `port:` inside an http map when there is one.
                let at = marks[path + ".port"] ?? mark(path)
                switch probe.check {
                case .http(_, let port, _, _), .tcp(let port):
                    if let port {
                        if s.ports[port] == nil || s.ports[port] == PortSpec.none {
                            var m = "probe uses port \"\(port)\", but the service has no such port"
                            let names = Array(s.ports.keys)
                            if let g = Suggest.closest(to: port, in: names) { m += "; did you mean \"\(g)\"?" }
                            else if !names.isEmpty { m += " (its ports: \(names.joined(separator: ", ")))" }
                            else { m += "; add it under ports:" }
                            sink.error(at, path, m)
                        }
                    } else if s.port == .none {
                        sink.error(at, path, "\(probe.check.kind) probe needs a port, but the service has none; set port: auto")
                    }
                default: break
                }
            }
        }
    }

    /// Suite names are unique and suites name real services.
    func suites(_ sink: inout DiagnosticSink) {
        var names: [String: String] = [:]
        func checkName(_ name: String, _ path: String) {
            guard !name.isEmpty else { return }
            if let first = names[name] {
                sink.error(mark(path + ".name"), path + ".name", "duplicate suite name \"\(name)\" (also \(first))")
            } else {
                names[name] = path
            }
        }
        for (i, s) in stack.tests.contract.enumerated() {
            let path = "tests.contract[\(i)]"
            checkName(s.name, path)
            if !s.provider.isEmpty, stack.services[s.provider] == nil {
                sink.error(mark(path + ".provider"), path + ".provider", unknownService(s.provider))
            } else if let p = stack.services[s.provider], p.port == .none {
                sink.error(mark(path + ".provider"), path + ".provider", "provider \"\(s.provider)\" has no port to verify against; set port: auto")
            }
        }
        for (kind, list) in [("integration", stack.tests.integration), ("e2e", stack.tests.e2e)] {
            for (i, s) in list.enumerated() {
                let path = "tests.\(kind)[\(i)]"
                checkName(s.name, path)
                guard case .services(let needed) = s.needs else { continue }
                for (j, n) in needed.enumerated() where stack.services[n] == nil {
                    let p = "\(path).needs[\(j)]"
                    sink.error(mark(p), p, unknownService(n))
                }
            }
        }
    }
}
