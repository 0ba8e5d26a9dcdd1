extension StackDecoder {
    /// The `tests:` section: contract, integration and e2e suites.
    mutating func tests(_ node: YAMLNode) -> TestSuites {
        var suites = TestSuites()
        guard let pairs = r.map(node, "tests") else { return suites }
        let f = r.fields(pairs, "tests", allowed: ["contract", "integration", "e2e"])
        if let n = f["contract"], let items = r.list(n, "tests.contract") {
            for (i, item) in items.enumerated() {
                if let s = contractSuite(item, "tests.contract[\(i)]") { suites.contract.append(s) }
            }
        }
        for kind in ["integration", "e2e"] {
            guard let n = f[kind], let items = r.list(n, "tests.\(kind)") else { continue }
            for (i, item) in items.enumerated() {
                guard let s = commandSuite(item, "tests.\(kind)[\(i)]", e2e: kind == "e2e") else { continue }
                if kind == "e2e" { suites.e2e.append(s) } else { suites.integration.append(s) }
            }
        }
        return suites
    }

    private mutating func contractSuite(_ node: YAMLNode, _ path: String) -> ContractSuite? {
        guard let pairs = r.map(node, path) else { return nil }
        let f = r.fields(pairs, path, allowed: ["name", "provider", "pact", "openapi", "state_change"])
        let name = f["name"].flatMap { r.string($0, join(path, "name")) }
        let provider = f["provider"].flatMap { r.string($0, join(path, "provider")) }
        if f["name"] == nil { r.sink.error(node.mark, join(path, "name"), "required key \"name\" is missing") }
        if f["provider"] == nil { r.sink.error(node.mark, join(path, "provider"), "required key \"provider\" is missing (the service the contract is verified against)") }
        var suite = ContractSuite(name: name ?? "", provider: provider ?? "")
        suite.pact = f["pact"].flatMap { r.string($0, join(path, "pact")) }
        suite.openapi = f["openapi"].flatMap { r.string($0, join(path, "openapi")) }
        suite.stateChange = f["state_change"].flatMap { r.string($0, join(path, "state_change")) }
        if f["pact"] == nil && f["openapi"] == nil {
            r.sink.error(node.mark, path, "a contract suite needs \"pact\" or \"openapi\"")
        } else if f["pact"] != nil && f["openapi"] != nil {
            r.sink.error(node.mark, path, "a contract suite has either \"pact\" or \"openapi\", not both; split it into two suites")
        }
        return suite
    }

    private mutating func commandSuite(_ node: YAMLNode, _ path: String, e2e: Bool) -> CommandSuite? {
        guard let pairs = r.map(node, path) else { return nil }
        var allowed = ["name", "needs", "run", "cwd", "timeout", "env"]
        if e2e { allowed.insert("scenario", at: 3) }
        let f = r.fields(pairs, path, allowed: allowed)
        if f["name"] == nil { r.sink.error(node.mark, join(path, "name"), "required key \"name\" is missing") }
        var suite = CommandSuite(name: f["name"].flatMap { r.string($0, join(path, "name")) } ?? "")
        if let n = f["needs"] {
            if case .scalar("all", _) = n.content {
                suite.needs = .all
            } else if case .scalar(let raw, _) = n.content, !n.isNull {
                r.marks[join(path, "needs")] = n.mark
                r.sink.error(n.mark, join(path, "needs"), "expected \"all\" or a list of services, found \"\(raw)\"; write all or [\(raw)]")
            } else {
                suite.needs = .services(r.strings(n, join(path, "needs")) ?? [])
            }
        }
        suite.run = f["run"].flatMap { r.string($0, join(path, "run")) }
        suite.scenario = f["scenario"].flatMap { r.string($0, join(path, "scenario")) }
        if let n = f["cwd"], let v = r.string(n, join(path, "cwd")) { suite.cwd = v }
        if let n = f["timeout"], let d = r.duration(n, join(path, "timeout")) { suite.timeout = d }
        if let n = f["env"] {
            let saved = r.scope
            suite.env = r.environment(n, join(path, "env")) ?? [:]
            r.scope = saved
        }
        if e2e {
            if f["run"] == nil && f["scenario"] == nil {
                r.sink.error(node.mark, path, "an e2e suite needs \"scenario\" or \"run\"")
            } else if f["run"] != nil && f["scenario"] != nil {
                r.sink.error(node.mark, path, "an e2e suite has either \"scenario\" or \"run\", not both")
            }
        } else if f["run"] == nil {
            r.sink.error(node.mark, join(path, "run"), "required key \"run\" is missing (the command that runs the suite)")
        }
        return suite
    }
}
