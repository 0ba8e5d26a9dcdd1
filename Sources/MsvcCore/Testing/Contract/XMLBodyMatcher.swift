import Foundation

/// Compares XML bodies: element names (with namespaces), attributes, children grouped by name,
/// and text, under the body's matching rules (`$.root.child['@attr']`, `$.root.child['#text']`).
enum XMLBodyMatcher {
    /// Every difference between two XML documents.
    static func compare(_ expected: [UInt8], _ actual: [UInt8], _ context: MatchContext) -> [RawMismatch] {
        let e: XMLElement, a: XMLElement
        do {
            e = try XMLReader.parse(expected)
        } catch {
            return [RawMismatch(path: "$", expected: String(decoding: expected, as: UTF8.self), actual: String(decoding: actual, as: UTF8.self),
                                message: "Failed to parse the expected body: '\(error)'")]
        }
        do {
            a = try XMLReader.parse(actual)
        } catch {
            return [RawMismatch(path: "$", expected: String(decoding: expected, as: UTF8.self), actual: String(decoding: actual, as: UTF8.self),
                                message: "Failed to parse the actual body: '\(error)'")]
        }
        var out: [RawMismatch] = []
        compareElement(DocPath.root.appending(e.name), e, a, &out, context)
        return out
    }

    /// One rule applied to an element.
    static func elementRule(_ rule: MatchingRule, _ e: XMLElement, _ a: XMLElement, _ cascaded: Bool) -> String? {
        let count = a.children.count
        switch rule {
        case .regex(let pattern):
            // A regex set on an element is about its text, as Pact-JVM and the specification's
            // cases read it (an element's name is already fixed by the path).
            let t = text(a)
            return PactRegex.wholeMatch(pattern, t) == true ? nil : "Expected '\(t)' to match '\(pattern)'"
        case .include, .integer, .decimal, .number, .boolean, .date, .time, .timestamp, .semver:
            return ValueRules.check(rule, expected: text(e), actual: text(a), cascaded: cascaded)
        case .type(let min, let max):
            if min == nil && max == nil { return e.name == a.name ? nil : "Expected '\(e.name)' to be the same type as '\(a.name)'" }
            if !cascaded, let min, count < min { return "Expected '\(a.name)' to have at least \(min) children" }
            if !cascaded, let max, count > max { return "Expected '\(a.name)' to have at most \(max) children" }
            return nil
        case .equality:
            return e.name == a.name ? nil : "Expected '\(e.name)' to be equal to '\(a.name)'"
        case .notEmpty:
            return a.children.isEmpty ? "Expected '\(a.name)' to have at least one child" : nil
        default:
            return "Unable to match <\(a.name)> using \(rule.name)"
        }
    }

    /// An element: its name (or rules), then attributes, children and text.
    static func compareElement(_ path: DocPath, _ e: XMLElement, _ a: XMLElement, _ out: inout [RawMismatch], _ context: MatchContext) {
        let messages: [String]
        if context.isDefined(path) {
            let list = context.best(path)
            messages = ValueRules.apply(list) { elementRule($0, e, a, list.cascaded) }
        } else {
            messages = elementRule(.equality, e, a, false).map { [$0] } ?? []
        }
        if !messages.isEmpty {
            out += messages.map { RawMismatch(path: path.description, expected: e.name, actual: a.name, message: $0) }
            return
        }
        compareAttributes(path, e, a, &out, context)
        compareChildren(path, e, a, &out, context)
        compareText(path, e, a, &out, context)
    }

    /// Attributes as text for messages.
    static func describe(_ attrs: [(String, String)]) -> String {
        "{" + attrs.sorted { $0.0 < $1.0 }.map { "\"\($0.0)\": \"\($0.1)\"" }.joined(separator: ", ") + "}"
    }

    /// Attributes: counts, then each expected one.
    static func compareAttributes(_ path: DocPath, _ e: XMLElement, _ a: XMLElement, _ out: inout [RawMismatch], _ context: MatchContext) {
        let ea = e.attributes, aa = a.attributes
        let eText = describe(ea), aText = describe(aa)
        if ea.isEmpty, !aa.isEmpty, !context.allowUnexpectedKeys {
            out.append(RawMismatch(path: path.description, expected: eText, actual: aText, message: "Did not expect any attributes but received \(aText)"))
            return
        }
        if context.allowUnexpectedKeys, ea.count > aa.count {
            out.append(RawMismatch(path: path.description, expected: eText, actual: aText,
                                   message: "Expected at least \(ea.count) attribute(s) but received \(aa.count) attribute(s)"))
        } else if !context.allowUnexpectedKeys, ea.count != aa.count {
            out.append(RawMismatch(path: path.description, expected: eText, actual: aText,
                                   message: "Expected \(ea.count) attribute(s) but received \(aa.count) attribute(s)"))
        }
        for (k, v) in ea.sorted(by: { $0.0 < $1.0 }) {
            let p = path.appending("@" + k)
            if let actual = aa.first(where: { $0.0 == k })?.1 {
                out += compareString(p, v, actual, context)
            } else {
                out.append(RawMismatch(path: p.description, expected: k, actual: "", message: "Expected attribute '\(k)'='\(v)' but was missing"))
            }
        }
    }

    /// Child elements, grouped by name.
    static func compareChildren(_ path: DocPath, _ e: XMLElement, _ a: XMLElement, _ out: inout [RawMismatch], _ context: MatchContext) {
        let ec = e.elements, ac = a.elements
        let eNames = ec.map(\.name).joined(separator: ", "), aNames = ac.map(\.name).joined(separator: ", ")
        if ec.isEmpty, !ac.isEmpty, !context.allowUnexpectedKeys {
            out.append(RawMismatch(path: path.description, expected: eNames, actual: aNames, message: "Expected no children but received [\(aNames)]"))
            return
        }
        var expectedByName: [(String, [XMLElement])] = []
        for c in ec {
            if let i = expectedByName.firstIndex(where: { $0.0 == c.name }) { expectedByName[i].1.append(c) } else { expectedByName.append((c.name, [c])) }
        }
        var actualByName: [(String, [XMLElement])] = []
        for c in ac {
            if let i = actualByName.firstIndex(where: { $0.0 == c.name }) { actualByName[i].1.append(c) } else { actualByName.append((c.name, [c])) }
        }
        for (key, group) in actualByName.sorted(by: { $0.0 < $1.0 }) {
            let p = path.appending(key)
            if let idx = expectedByName.firstIndex(where: { $0.0 == key }) {
                let expectedGroup = expectedByName.remove(at: idx).1
                if context.typeMatcherDefined(p) {
                    for child in group { compareElement(p, expectedGroup[0], child, &out, context) }
                } else {
                    for i in 0..<max(expectedGroup.count, group.count) {
                        if i < expectedGroup.count, i < group.count {
                            compareElement(p, expectedGroup[i], group[i], &out, context)
                        } else if i < group.count {
                            if !context.allowUnexpectedKeys {
                                out.append(RawMismatch(path: p.description, expected: eNames, actual: aNames, message: "Unexpected child <\(group[i].name)/>"))
                            }
                        } else {
                            out.append(RawMismatch(path: p.description, expected: eNames, actual: aNames, message: "Expected child <\(expectedGroup[i].name)/> but was missing"))
                        }
                    }
                }
            } else if !context.allowUnexpectedKeys || context.typeMatcherDefined(p) {
                out.append(RawMismatch(path: path.description, expected: eNames, actual: aNames, message: "Unexpected child <\(key)/>"))
            }
        }
        for (key, _) in expectedByName.sorted(by: { $0.0 < $1.0 }) {
            out.append(RawMismatch(path: path.description, expected: eNames, actual: aNames, message: "Expected child <\(key)/> but was missing"))
        }
    }

    /// The element's text, trimmed and joined.
    static func text(_ e: XMLElement) -> String {
        e.children.compactMap { if case .text(let t) = $0 { return t.trimmingCharacters(in: .whitespacesAndNewlines) } else { return nil } }.joined()
    }

    /// The element's text at `path/#text`.
    static func compareText(_ path: DocPath, _ e: XMLElement, _ a: XMLElement, _ out: inout [RawMismatch], _ context: MatchContext) {
        out += compareString(path.appending("#text"), text(e), text(a), context)
    }

    /// A string (text or attribute) by rule or equality.
    static func compareString(_ path: DocPath, _ expected: String, _ actual: String, _ context: MatchContext) -> [RawMismatch] {
        let messages: [String]
        if context.isDefined(path) {
            let list = context.best(path)
            messages = ValueRules.apply(list) { ValueRules.check($0, expected: expected, actual: actual, cascaded: list.cascaded) }
        } else {
            messages = expected == actual ? [] : ["Expected '\(actual)' to be equal to '\(expected)'"]
        }
        return messages.map { RawMismatch(path: path.description, expected: expected, actual: actual, message: $0) }
    }
}
