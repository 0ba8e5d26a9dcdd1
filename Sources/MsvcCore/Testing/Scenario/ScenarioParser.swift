import Foundation

/// Reads an e2e scenario file with the project's YAML parser, keeping positions: every
/// problem is reported as `FILE:LINE:COL: error: PATH: message`, all in one go.
public enum ScenarioParser {
    /// Keys of the file, a step, a request, an expectation and a retry.
    static let topKeys = ["name", "description", "steps"]
    static let stepKeys = ["name", "request", "run", "expect", "capture", "retry", "timeout"]
    static let requestKeys = ["method", "url", "headers", "json", "body"]
    static let expectKeys = ["status", "headers", "json", "body"]
    static let retryKeys = ["attempts", "interval"]

    /// Parses `text`, the file the user knows as `file`; `defaultName` names a scenario
    /// without `name:`.
    public static func parse(_ text: String, file: String, defaultName: String) throws(ConfigError) -> Scenario {
        var p = Parser(file: file)
        let root: YAMLNode?
        do throws(YAMLError) {
            root = try YAMLParser.parse(text)
        } catch {
            p.r.sink.error(error.mark, "", error.message)
            throw ConfigError(p.r.sink.sorted)
        }
        guard let root, !root.isNull else {
            p.r.sink.error(SourceMark(line: 1, column: 1), "", "the scenario file is empty; it needs steps: (see E2E scenario files in docs/reference.md)")
            throw ConfigError(p.r.sink.sorted)
        }
        let scenario = p.scenario(root, file: file, defaultName: defaultName)
        if p.r.sink.hasErrors { throw ConfigError(p.r.sink.sorted) }
        return scenario
    }

    private struct Parser {
        var r: NodeReader
        var templates: [TemplateUse] = []
        var step = 0

        init(file: String) { r = NodeReader(file: file) }

        mutating func scenario(_ root: YAMLNode, file: String, defaultName: String) -> Scenario {
            var result = Scenario(name: defaultName, file: file, steps: [])
            guard let pairs = r.map(root, "") else { return result }
            let f = r.fields(pairs, "", allowed: ScenarioParser.topKeys)
            if let n = f["name"], let name = r.string(n, "name", interpolate: false) { result.name = name }
            if let n = f["description"] { _ = r.string(n, "description", interpolate: false) }
            guard let stepsNode = f["steps"] else {
                r.sink.error(root.mark, "steps", "required key \"steps\" is missing (a list of requests or commands)")
                return result
            }
            guard let items = r.list(stepsNode, "steps") else { return result }
            if items.isEmpty { r.sink.error(stepsNode.mark, "steps", "no steps; add at least one request or run step") }
            for (i, item) in items.enumerated() {
                step = i
                if let s = self.step(item, "steps[\(i)]") { result.steps.append(s) }
            }
            result.templates = templates
            return result
        }

        mutating func step(_ node: YAMLNode, _ path: String) -> ScenarioStep? {
            guard let pairs = r.map(node, path) else { return nil }
            let f = r.fields(pairs, path, allowed: ScenarioParser.stepKeys)
            var action: ScenarioStep.Action?
            var defaultName = ""
            switch (f["request"], f["run"]) {
            case (nil, nil):
                r.sink.error(node.mark, path, "a step needs \"request\" (an HTTP call) or \"run\" (a command)")
            case (.some, .some):
                r.sink.error(node.mark, path, "a step has either \"request\" or \"run\", not both; split it into two steps")
            case (let n?, nil):
                if let request = request(n, join(path, "request")) {
                    action = .request(request)
                    defaultName = "\(request.method) \(request.url)"
                }
            case (nil, let n?):
                if let command = template(n, join(path, "run")) {
                    action = .run(command)
                    defaultName = "run: " + command
                }
            }
            var name = defaultName
            if let n = f["name"], let s = r.string(n, join(path, "name"), interpolate: false) { name = s }
            var expect = ScenarioExpectation()
            if let n = f["expect"] {
                if case .run = action {
                    r.sink.error(n.mark, join(path, "expect"), "a run step passes when its command exits 0; \"expect\" is for request steps")
                } else if let e = expectation(n, join(path, "expect")) {
                    expect = e
                }
            }
            var captures: [(String, JSONPath)] = []
            if let n = f["capture"] {
                if case .run = action {
                    r.sink.error(n.mark, join(path, "capture"), "only request steps capture values (from the response body)")
                } else {
                    captures = capture(n, join(path, "capture"))
                }
            }
            var retry = ScenarioRetry()
            if let n = f["retry"], let pairs = r.map(n, join(path, "retry")) {
                let rf = r.fields(pairs, join(path, "retry"), allowed: ScenarioParser.retryKeys)
                if let a = rf["attempts"], let v = r.int(a, join(path, "retry.attempts"), in: 1...10_000) { retry.attempts = v }
                if let a = rf["interval"], let v = r.duration(a, join(path, "retry.interval")) { retry.interval = v }
                if rf["attempts"] == nil && !pairs.isEmpty {
                    r.sink.error(n.mark, join(path, "retry.attempts"), "required key \"attempts\" is missing (how many tries in all)")
                }
            }
            var timeout = ScenarioStep.defaultTimeout
            if let n = f["timeout"], let d = r.duration(n, join(path, "timeout")) {
                if d == .zero { r.sink.error(n.mark, join(path, "timeout"), "a timeout must be longer than 0s") } else { timeout = d }
            }
            guard let action else { return nil }
            return ScenarioStep(name: name, mark: node.mark, action: action, expect: expect, captures: captures,
                                retry: retry, timeout: timeout)
        }

        mutating func request(_ node: YAMLNode, _ path: String) -> ScenarioRequest? {
            guard let pairs = r.map(node, path) else { return nil }
            let f = r.fields(pairs, path, allowed: ScenarioParser.requestKeys)
            var method = "GET"
            if let n = f["method"], let m = r.string(n, join(path, "method"), interpolate: false) {
                if m.isEmpty || !m.allSatisfy({ $0.isASCII && ($0.isLetter || $0 == "-") }) {
                    r.sink.error(n.mark, join(path, "method"), "invalid method \"\(m)\" (expected e.g. GET, POST, PUT, DELETE)")
                } else {
                    method = m.uppercased()
                }
            }
            guard let urlNode = f["url"] else {
                r.sink.error(node.mark, join(path, "url"), "required key \"url\" is missing (e.g. ${ORDERS_URL}/orders)")
                return nil
            }
            guard let url = template(urlNode, join(path, "url")) else { return nil }
            if !url.hasPrefix("${"), !url.hasPrefix("http://") {
                let hint = url.hasPrefix("https://") ? "msvc talks plain HTTP to local services; use http://" : "start with http:// or a discovery variable such as ${ORDERS_URL}"
                r.sink.error(urlNode.mark, join(path, "url"), "invalid url \"\(url)\": \(hint)")
            }
            var headers: [(String, String)] = []
            if let n = f["headers"], let hp = r.map(n, join(path, "headers")) {
                for pair in hp {
                    let key = pair.key.scalar ?? ""
                    if let v = template(pair.value, join(path, "headers." + key)) { headers.append((key, v)) }
                }
            }
            var body = ScenarioRequest.Body.none
            switch (f["json"], f["body"]) {
            case (.some, .some):
                r.sink.error(node.mark, path, "a request has either \"json\" or \"body\", not both")
            case (let n?, nil):
                if let j = json(n, join(path, "json"), expectation: false) { body = .json(j) }
            case (nil, let n?):
                if let t = template(n, join(path, "body")) { body = .text(t) }
            case (nil, nil):
                break
            }
            return ScenarioRequest(method: method, url: url, headers: headers, body: body)
        }

        mutating func expectation(_ node: YAMLNode, _ path: String) -> ScenarioExpectation? {
            guard let pairs = r.map(node, path) else { return nil }
            let f = r.fields(pairs, path, allowed: ScenarioParser.expectKeys)
            var e = ScenarioExpectation()
            if let n = f["status"] {
                if case .sequence(let items) = n.content {
                    e.status = items.enumerated().compactMap { r.int($1, "\(path).status[\($0)]", in: 100...599, what: "an HTTP status") }
                } else if let s = r.int(n, join(path, "status"), in: 100...599, what: "an HTTP status") {
                    e.status = [s]
                }
            }
            if let n = f["headers"], let hp = r.map(n, join(path, "headers")) {
                for pair in hp {
                    let key = pair.key.scalar ?? ""
                    if let v = valueMatcher(pair.value, join(path, "headers." + key)) { e.headers.append((key, v)) }
                }
            }
            if let n = f["json"] { e.json = json(n, join(path, "json"), expectation: true) }
            if let n = f["body"] { e.body = valueMatcher(n, join(path, "body")) }
            return e
        }

        /// A header or body expectation: text (exact, after `${VAR}`) or `{$match: REGEX}`.
        mutating func valueMatcher(_ node: YAMLNode, _ path: String) -> JSON? {
            if case .mapping = node.content {
                guard let j = json(node, path, expectation: true) else { return nil }
                if case .match = JSONMatcher.special(j) { return j }
                r.sink.error(node.mark, path, "expected text or {$match: REGEX}")
                return nil
            }
            return template(node, path).map(JSON.string)
        }

        mutating func capture(_ node: YAMLNode, _ path: String) -> [(String, JSONPath)] {
            guard let pairs = r.map(node, path) else { return [] }
            var result: [(String, JSONPath)] = []
            for pair in pairs {
                let name = pair.key.scalar ?? ""
                let p = join(path, name)
                guard EnvFile.isValidName(name) else {
                    r.sink.error(pair.key.mark, p, "invalid capture name \"\(name)\"; use letters, digits and _, not starting with a digit")
                    continue
                }
                guard let text = r.string(pair.value, p, interpolate: false) else { continue }
                do throws(JSONPathError) {
                    result.append((name, try JSONPath.parse(text)))
                } catch {
                    r.sink.error(r.position(of: pair.value, style: style(pair.value), offset: error.offset), p,
                                 "invalid JSONPath \"\(text)\": \(error.message)")
                }
            }
            return result
        }

        /// A string that is expanded when the step runs.
        mutating func template(_ node: YAMLNode, _ path: String) -> String? {
            guard let text = r.string(node, path, interpolate: false) else { return nil }
            if text.contains("$") {
                let s = style(node)
                templates.append(TemplateUse(text: text, mark: node.mark, path: path, step: step,
                                             quoted: s == .singleQuoted || s == .doubleQuoted))
            }
            return text
        }

        /// A YAML value as JSON: plain scalars typed by the YAML 1.2 core schema, quoted ones strings.
        mutating func json(_ node: YAMLNode, _ path: String, expectation: Bool) -> JSON? {
            switch node.content {
            case .scalar(let raw, let style):
                if style != .plain || node.tag == "!!str" {
                    return template(node, path).map(JSON.string)
                }
                switch YAMLNode.plainScalarType(raw) {
                case .null: return .null
                case .bool: return .bool(raw.lowercased() == "true")
                case .int:
                    if let i = Int(raw) { return .int(i) }
                    if raw.hasPrefix("0x"), let i = Int(raw.dropFirst(2), radix: 16) { return .int(i) }
                    if raw.hasPrefix("0o"), let i = Int(raw.dropFirst(2), radix: 8) { return .int(i) }
                    return .string(raw)
                case .float: return Double(raw).map(JSON.double) ?? .string(raw)
                case .string: return template(node, path).map(JSON.string)
                }
            case .sequence(let items):
                var out: [JSON] = []
                for (i, item) in items.enumerated() {
                    if let j = json(item, "\(path)[\(i)]", expectation: expectation) { out.append(j) }
                }
                return .array(out)
            case .mapping(let pairs):
                var members: [(String, JSON)] = []
                for pair in pairs {
                    guard let key = pair.key.scalar else {
                        r.sink.error(pair.key.mark, path, "JSON object keys must be text")
                        continue
                    }
                    let p = join(path, key)
                    if key.hasPrefix("$") && expectation {
                        guard checkSpecial(key, pair, pairs.count, p) else { continue }
                        members.append((key, .string(pair.value.scalar ?? "")))
                        continue
                    }
                    if let j = json(pair.value, p, expectation: expectation) { members.append((key, j)) }
                }
                return .object(members)
            }
        }

        /// Checks a `$type` or `$match` member; false (with an error) when it is not valid.
        mutating func checkSpecial(_ key: String, _ pair: YAMLPair, _ siblings: Int, _ path: String) -> Bool {
            guard key == "$type" || key == "$match" else {
                var m = "unknown matcher \"\(key)\"; expected $type or $match"
                if let g = Suggest.closest(to: key, in: ["$type", "$match"]) { m += " (did you mean \"\(g)\"?)" }
                r.sink.error(pair.key.mark, path, m)
                return false
            }
            guard siblings == 1 else {
                r.sink.error(pair.key.mark, path, "\(key) must be alone in its map: {\(key): ...} stands for one value")
                return false
            }
            guard let value = r.string(pair.value, path, interpolate: false) else { return false }
            if key == "$type", !JSONMatcher.types.contains(value) {
                var m = "unknown type \"\(value)\" (expected one of: \(JSONMatcher.types.joined(separator: ", ")))"
                if let g = Suggest.closest(to: value, in: JSONMatcher.types) { m += "; did you mean \"\(g)\"?" }
                r.sink.error(pair.value.mark, path, m)
                return false
            }
            if key == "$match" {
                do { _ = try Regex(value) } catch {
                    r.sink.error(pair.value.mark, path, "invalid regular expression \"\(value)\": \(error)")
                    return false
                }
            }
            return true
        }

        func style(_ node: YAMLNode) -> ScalarStyle {
            if case .scalar(_, let s) = node.content { return s }
            return .plain
        }
    }
}
