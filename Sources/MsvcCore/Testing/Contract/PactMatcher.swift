import Foundation

/// Matches an actual request or response against what an interaction expects, following the
/// Pact specification (V1 to V4) the way the official verifier reads it.
public enum PactMatcher {
    /// Every mismatch between the expected response and the one the provider returned:
    /// body first, then status, then headers. Extra headers and body keys are allowed.
    public static func match(response expected: PactResponse, actual: PactResponse) -> [PactMismatch] {
        var out = matchBody(expected: expected, actual: actual, rules: expected.rules, allowUnexpectedKeys: true)
        out += matchStatus(expected.status, actual.status, expected.rules.category("status"))
        out += matchHeaders(expected.headers, actual.headers, expected.rules.category("header"))
        return out
    }

    /// Every mismatch between the expected request and one a consumer sent (what a mock server
    /// checks): method, path, query, headers, body. Extra query parameters and body keys count.
    public static func match(request expected: PactRequest, actual: PactRequest) -> [PactMismatch] {
        var out: [PactMismatch] = []
        if expected.method.lowercased() != actual.method.lowercased() {
            out.append(PactMismatch(kind: .method, path: "method", expected: expected.method, actual: actual.method,
                                    message: "Expected method \(expected.method) but received \(actual.method)"))
        }
        out += matchPath(expected.path, actual.path, expected.rules.category("path"))
        out += matchQuery(expected.query, actual.query, expected.rules.category("query"))
        out += matchHeaders(expected.headers, actual.headers, expected.rules.category("header"))
        out += matchBody(expected: expected, actual: actual, rules: expected.rules, allowUnexpectedKeys: false)
        return out
    }

    // MARK: Status, path, query

    /// The status, by rule (V4 `statusCode`) or equality.
    static func matchStatus(_ expected: Int, _ actual: Int, _ rules: RuleCategory) -> [PactMismatch] {
        let messages: [String]
        if !rules.isEmpty {
            messages = ValueRules.apply(rules.best([])) { ValueRules.check($0, status: expected, actual: actual) }
        } else {
            messages = expected == actual ? [] : ["expected \(expected) but was \(actual)"]
        }
        return messages.map { PactMismatch(kind: .status, path: "status", expected: String(expected), actual: String(actual), message: $0) }
    }

    /// The request path, by rule or equality.
    static func matchPath(_ expected: String, _ actual: String, _ rules: RuleCategory) -> [PactMismatch] {
        let messages: [String]
        if !rules.isEmpty {
            let list = rules.best([])
            messages = ValueRules.apply(list) { ValueRules.check($0, expected: expected, actual: actual, cascaded: false) }
        } else {
            messages = expected == actual ? [] : ["Expected '\(actual)' to be equal to '\(expected)'"]
        }
        return messages.map { PactMismatch(kind: .path, path: "path", expected: expected, actual: actual, message: $0) }
    }

    /// Query parameters: every expected one present with its values; none unexpected.
    static func matchQuery(_ expected: [(name: String, values: [String])]?, _ actual: [(name: String, values: [String])]?,
                           _ rules: RuleCategory) -> [PactMismatch] {
        let e = expected ?? [], a = actual ?? []
        let context = MatchContext(rules: rules, allowUnexpectedKeys: false)
        var out: [PactMismatch] = []
        func mk(_ m: RawMismatch) -> PactMismatch { PactMismatch(kind: .query, path: m.path, expected: m.expected, actual: m.actual, message: m.message) }
        for (name, values) in e {
            guard let actualValues = a.first(where: { $0.name == name })?.values else {
                out.append(PactMismatch(kind: .query, path: name, expected: values.description, actual: "",
                                        message: "Expected query parameter '\(name)' but was missing"))
                continue
            }
            let path = DocPath.root.appending(name)
            if context.isDefined(path) {
                out += JSONBodyMatcher.compareListsWithRules(path, context.best(path), values, actualValues, context) { p, ev, av, ctx in
                    queryValue(name, p, ev, av, ctx)
                }.map(mk)
            } else if values.isEmpty, !actualValues.isEmpty {
                out.append(PactMismatch(kind: .query, path: name, expected: "[]", actual: actualValues.description,
                                        message: "Expected an empty parameter list for '\(name)' but received \(actualValues)"))
            } else {
                for (i, v) in values.enumerated() where i < actualValues.count {
                    out += queryValue(name, path.appending(index: i), v, actualValues[i], context).map(mk)
                }
                if values.count > actualValues.count {
                    for v in values[actualValues.count...] {
                        out.append(PactMismatch(kind: .query, path: name, expected: v, actual: "",
                                                message: "Expected query parameter '\(name)' value '\(v)' but was missing"))
                    }
                }
                if values.count != actualValues.count {
                    out.append(PactMismatch(kind: .query, path: name, expected: values.description, actual: actualValues.description,
                                            message: "Expected query parameter '\(name)' with \(values.count) value(s) but received \(actualValues.count) value(s)"))
                }
            }
        }
        for (name, values) in a where !e.contains(where: { $0.name == name }) {
            out.append(PactMismatch(kind: .query, path: name, expected: "", actual: values.description,
                                    message: "Unexpected query parameter '\(name)' received"))
        }
        return out
    }

    /// One query value at `path` (name and index).
    static func queryValue(_ name: String, _ path: DocPath, _ expected: String, _ actual: String, _ context: MatchContext) -> [RawMismatch] {
        let messages: [String]
        if context.isDefined(path) {
            let list = context.best(path)
            messages = ValueRules.apply(list) { ValueRules.check($0, expected: expected, actual: actual, cascaded: list.cascaded) }
        } else {
            messages = expected == actual ? [] : ["Expected query parameter '\(name)' with value '\(expected)' but was '\(actual)'"]
        }
        return messages.map { RawMismatch(path: name, expected: expected, actual: actual, message: $0) }
    }

    // MARK: Headers

    /// Expected headers, case-insensitive names; extra headers are allowed.
    static func matchHeaders(_ expected: PactHeaders?, _ actual: PactHeaders?, _ rules: RuleCategory) -> [PactMismatch] {
        guard let expected else { return [] }
        let context = MatchContext(rules: rules, allowUnexpectedKeys: false)
        var out: [PactMismatch] = []
        for (key, values) in expected {
            guard let actualValues = actual?.first(where: { $0.name.lowercased() == key.lowercased() })?.values else {
                out.append(PactMismatch(kind: .header, path: key, expected: values.joined(separator: ", "), actual: "",
                                        message: "Expected a header '\(key)' but was missing"))
                continue
            }
            if values.isEmpty, !actualValues.isEmpty {
                out.append(PactMismatch(kind: .header, path: key, expected: "", actual: actualValues.joined(separator: ", "),
                                        message: "Expected an empty header '\(key)' but actual value was '\(actualValues.joined(separator: ", "))'"))
                continue
            }
            func mk(_ m: RawMismatch) -> PactMismatch { PactMismatch(kind: .header, path: key, expected: m.expected, actual: m.actual, message: m.message) }
            if values.count == 1, actualValues.count == 1 {
                out += headerValue(key, 0, values[0], actualValues[0], context, single: true).map(mk)
                continue
            }
            let path = DocPath.root.appending(key.lowercased())
            if context.isDefined(path) {
                out += JSONBodyMatcher.compareListsWithRules(path, context.best(path), values, actualValues, context) { _, ev, av, ctx in
                    headerValue(key, 0, ev, av, ctx, single: false)
                }.map(mk)
            } else {
                for (i, v) in values.enumerated() {
                    if i < actualValues.count {
                        out += headerValue(key, i, v, actualValues[i], context, single: false).map(mk)
                    } else {
                        out.append(PactMismatch(kind: .header, path: key, expected: v, actual: "",
                                                message: "Mismatch with header '\(key)': Expected value '\(v)' at index \(i) but was missing (actual has \(actualValues.count) value(s))"))
                    }
                }
            }
        }
        return out
    }

    /// One header value: by rule, by media-type parameters, or equal ignoring spaces after commas.
    static func headerValue(_ key: String, _ index: Int, _ expected: String, _ actual: String, _ context: MatchContext,
                            single: Bool) -> [RawMismatch] {
        let e = expected.trimmingCharacters(in: .whitespacesAndNewlines), a = actual.trimmingCharacters(in: .whitespacesAndNewlines)
        let path = DocPath.root.appending(key.lowercased())
        let indexed = path.appending(index: index)
        var messages: [String]
        if context.isDefined(path) || context.isDefined(indexed) {
            let p = context.isDefined(path) ? path : indexed
            let list = context.best(p)
            messages = ValueRules.apply(list) { ValueRules.check($0, expected: e, actual: a, cascaded: list.cascaded) }
            if !single { messages = messages.map { "\($0) for value at index \(index)" } }
        } else if HeaderValues.parameterised.contains(key.lowercased()) {
            messages = parameterHeader(key, index, e, a, single: single)
        } else {
            func norm(_ s: String) -> String { s.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ",") }
            if norm(e) == norm(a) {
                messages = []
            } else {
                messages = ["Expected '\(a)' to be equal to '\(e)'" + (single ? "" : " for value at index \(index)")]
            }
        }
        return messages.map { RawMismatch(path: key, expected: e, actual: a, message: "Mismatch with header '\(key)': \($0)") }
    }

    /// Content-Type and Accept: the media type must be equal; each parameter the pact names
    /// must be present with the same value (case-insensitive); extra parameters are allowed.
    static func parameterHeader(_ key: String, _ index: Int, _ expected: String, _ actual: String, single: Bool) -> [String] {
        func parts(_ s: String) -> (String, [(String, String)]) {
            let items = s.split(separator: ";").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
            let params: [(String, String)] = items.dropFirst().compactMap { p in
                guard let eq = p.firstIndex(of: "=") else { return nil }
                return (p[..<eq].trimmingCharacters(in: .whitespacesAndNewlines), p[p.index(after: eq)...].trimmingCharacters(in: .whitespacesAndNewlines))
            }
            return (items.first ?? "", params)
        }
        let (eType, eParams) = parts(expected), (aType, aParams) = parts(actual)
        let why = single ? "Expected header '\(key)' to have value '\(expected)' but was '\(actual)'"
            : "Expected header '\(key)' at index \(index) to have value '\(expected)' but was '\(actual)'"
        guard eType == aType else { return [why] }
        var out: [String] = []
        for (k, v) in eParams {
            guard let av = aParams.first(where: { $0.0 == k })?.1, av.lowercased() == v.lowercased() else {
                out.append(why)
                continue
            }
        }
        return out
    }

    // MARK: Bodies

    /// The body: content types first, then missing/empty/null semantics, then the JSON, XML, binary or text matcher.
    static func matchBody<P: PactHTTPPart>(expected: P, actual: P, rules: MatchingRules, allowUnexpectedKeys: Bool) -> [PactMismatch] {
        let eType = expected.contentType, aType = actual.contentType
        let headerRules = rules.category("header")
        let context = MatchContext(rules: rules.category("body"), allowUnexpectedKeys: allowUnexpectedKeys)
        let headerContext = MatchContext(rules: headerRules, allowUnexpectedKeys: false)
        let typeRuleMatches: Bool = {
            guard let eType, let aType, headerContext.isDefined(DocPath.root.appending("content-type")) else { return false }
            return headerValue("Content-Type", 0, eType.description, aType.description, headerContext, single: true).isEmpty
        }()
        let sameType: Bool
        if let eType, let aType {
            sameType = eType.isEquivalent(to: aType) || eType.isEquivalent(to: aType.base) || typeRuleMatches
        } else {
            sameType = true
        }
        guard sameType else {
            guard expected.body.isPresent else { return [] }
            return [PactMismatch(kind: .bodyType, path: "$", expected: eType?.description ?? "", actual: aType?.description ?? "",
                                 message: "Expected a body of '\(eType?.description ?? "")' but the actual content type was '\(aType?.description ?? "")'")]
        }
        func mk(_ m: RawMismatch) -> PactMismatch { PactMismatch(kind: .body, path: m.path, expected: m.expected, actual: m.actual, message: m.message) }
        switch (expected.body, actual.body) {
        case (.missing, _): return []
        case (.null, .present(let b, _)), (.empty, .present(let b, _)):
            return [PactMismatch(kind: .body, path: "$", expected: "", actual: String(decoding: b, as: UTF8.self),
                                 message: "Expected empty body but received '\(String(decoding: b, as: UTF8.self))'")]
        case (.null, _), (.empty, _): return []
        case (.present(let e, _), .missing), (.present(let e, _), .null):
            return [PactMismatch(kind: .body, path: "$", expected: String(decoding: e, as: UTF8.self), actual: "",
                                 message: "Expected body '\(String(decoding: e, as: UTF8.self))' but was missing")]
        case (.present(let e, _), .empty):
            return [PactMismatch(kind: .body, path: "$", expected: String(decoding: e, as: UTF8.self), actual: "",
                                 message: "Expected body '\(String(decoding: e, as: UTF8.self))' but was empty")]
        case (.present(let e, _), .present(let a, _)):
            let type = eType ?? .text
            if type.isJSON { return matchJSON(e, a, context).map(mk) }
            if type.isXML { return XMLBodyMatcher.compare(e, a, context).map(mk) }
            if type.base.essence == "application/x-www-form-urlencoded" { return matchForm(e, a, context.rules) }
            if type.type != "multipart", type.isBinary || type.base.essence == "application/octet-stream" {
                return matchBinary(e, a, context).map(mk)
            }
            let rootRules = context.isDefined(.root) ? context.best(.root).rules : []
            if rootRules.contains(where: { if case .contentType = $0 { return true } else { return false } }) {
                return matchBinary(e, a, context).map(mk)
            }
            return matchText(e, a, context).map(mk)
        }
    }

    /// Form bodies (`a=1&b=2`): compared like query parameters, field order aside, under the
    /// body's rules (`$.a`); every expected field must be there and no other.
    static func matchForm(_ e: [UInt8], _ a: [UInt8], _ rules: RuleCategory) -> [PactMismatch] {
        let expected = QueryString.parse(String(decoding: e, as: UTF8.self))
        let actual = QueryString.parse(String(decoding: a, as: UTF8.self))
        return matchQuery(expected, actual, rules).map { m in
            PactMismatch(kind: .body, path: "$." + m.path, expected: m.expected, actual: m.actual,
                         message: m.message.replacingOccurrences(of: "query parameter", with: "form post parameter"))
        }
    }

    /// JSON bodies; unparsable ones are mismatches.
    static func matchJSON(_ e: [UInt8], _ a: [UInt8], _ context: MatchContext) -> [RawMismatch] {
        let eText = String(decoding: e, as: UTF8.self), aText = String(decoding: a, as: UTF8.self)
        var out: [RawMismatch] = []
        let ej = try? JSON.parse(bytes: e), aj = try? JSON.parse(bytes: a)
        if ej == nil { out.append(RawMismatch(path: "$", expected: eText, actual: aText, message: "Failed to parse the expected body as JSON")) }
        if aj == nil { out.append(RawMismatch(path: "$", expected: eText, actual: aText, message: "Failed to parse the actual body as JSON")) }
        guard let ej, let aj else { return out }
        return JSONBodyMatcher.compare(.root, ej, aj, context)
    }

    /// Text bodies: a rule on `$`, or equality.
    static func matchText(_ e: [UInt8], _ a: [UInt8], _ context: MatchContext) -> [RawMismatch] {
        let eText = String(decoding: e, as: UTF8.self), aText = String(decoding: a, as: UTF8.self)
        if context.isDefined(.root) {
            let list = context.best(.root)
            return ValueRules.apply(list) { ValueRules.check($0, expected: eText, actual: aText, cascaded: list.cascaded) }
                .map { RawMismatch(path: "$", expected: eText, actual: aText, message: $0) }
        }
        guard e != a else { return [] }
        return [RawMismatch(path: "$", expected: eText, actual: aText,
                            message: "Expected body '\(eText)' to match '\(aText)' using equality but did not match")]
    }

    /// Binary bodies: a `contentType` rule on `$`, or byte equality.
    static func matchBinary(_ e: [UInt8], _ a: [UInt8], _ context: MatchContext) -> [RawMismatch] {
        if context.isDefined(.root) {
            let list = context.best(.root)
            let messages = ValueRules.apply(list) { rule -> String? in
                if case .contentType(let t) = rule { return MagicBytes.check(a, expected: t) }
                if case .type = rule { return nil }
                return e == a ? nil : "Expected binary data to match using \(rule.name)"
            }
            return messages.map { RawMismatch(path: "$", expected: "\(e.count) bytes", actual: "\(a.count) bytes", message: $0) }
        }
        guard e != a else { return [] }
        return [RawMismatch(path: "$", expected: "\(e.count) bytes", actual: "\(a.count) bytes",
                            message: "Expected binary data of \(e.count) bytes but received \(a.count) bytes that differ")]
    }
}
