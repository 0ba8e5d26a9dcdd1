/// Compares JSON bodies under matching rules, as the Pact specification's body rules say:
/// maps by key, lists by index, rules chosen by path weight, type rules cascading to children.
enum JSONBodyMatcher {
    /// Every difference between `expected` and `actual` at `path` and below.
    static func compare(_ path: DocPath, _ expected: JSON, _ actual: JSON, _ context: MatchContext) -> [RawMismatch] {
        switch (expected, actual) {
        case (.object(let e), .object(let a)):
            return compareMaps(path, e, a, context)
        case (.array(let e), .array(let a)):
            return compareLists(path, e, a, context)
        case (.object, _), (.array, _):
            return [RawMismatch(path: path.description, expected: ValueRules.jsonText(expected), actual: ValueRules.jsonText(actual),
                                message: "Type mismatch: Expected \(ValueRules.valueOf(actual)) (\(ValueRules.typeOf(actual))) to be the same type as \(ValueRules.valueOf(expected)) (\(ValueRules.typeOf(expected)))")]
        default:
            return compareValues(path, expected, actual, context)
        }
    }

    /// Scalars: the rules at `path`, or equality.
    static func compareValues(_ path: DocPath, _ expected: JSON, _ actual: JSON, _ context: MatchContext) -> [RawMismatch] {
        let messages: [String]
        if context.isDefined(path) {
            let list = context.best(path)
            messages = ValueRules.apply(list) { ValueRules.check($0, expected: expected, actual: actual, cascaded: list.cascaded) }
        } else {
            messages = ValueRules.check(.equality, expected: expected, actual: actual, cascaded: false).map { [$0] } ?? []
        }
        return messages.map {
            RawMismatch(path: path.description, expected: expected.serialized(pretty: false), actual: actual.serialized(pretty: false), message: $0)
        }
    }

    /// Objects: rules on the map, or its keys and then each expected key.
    static func compareMaps(_ path: DocPath, _ expected: [(String, JSON)], _ actual: [(String, JSON)], _ context: MatchContext) -> [RawMismatch] {
        if expected.isEmpty, !context.allowUnexpectedKeys, !actual.isEmpty {
            let a = JSON.object(actual).serialized(pretty: false)
            return [RawMismatch(path: path.description, expected: "{}", actual: a, message: "Expected an empty Map but received \(a)")]
        }
        var index: [String: JSON] = [:]
        for (k, v) in actual where index[k] == nil { index[k] = v }
        var out: [RawMismatch] = []
        if context.isDefined(path) {
            let list = context.best(path)
            for rule in list.rules {
                out += compareMapWithRule(rule, list.cascaded, path, expected, actual, index, context)
            }
        } else {
            out += context.matchKeys(path, expected: expected.map(\.0), actual: actual.map(\.0))
            for (k, v) in expected {
                if let a = index[k] { out += compare(path.appending(k), v, a, context) }
            }
        }
        return out
    }

    /// An object under one rule: values matchers compare every actual value; others check the map and recurse.
    static func compareMapWithRule(_ rule: MatchingRule, _ cascaded: Bool, _ path: DocPath, _ expected: [(String, JSON)],
                                   _ actual: [(String, JSON)], _ index: [String: JSON], _ context: MatchContext) -> [RawMismatch] {
        var out: [RawMismatch] = []
        var expectedIndex: [String: JSON] = [:]
        for (k, v) in expected where expectedIndex[k] == nil { expectedIndex[k] = v }
        if !cascaded, rule.isValuesMatcher {
            var inner = context
            if case .eachValue(let rules) = rule {
                var category = RuleCategory(name: "body")
                category.entries = [(path.appending("*"), RuleList(rules: rules))]
                inner = context.with(category)
            }
            for (k, v) in actual {
                let p = path.appending(k)
                if let e = expectedIndex[k] {
                    out += compare(p, e, v, inner)
                } else if let first = expected.first?.1 {
                    out += compare(p, first, v, inner)
                }
            }
        } else {
            if let why = mapRule(rule, expected, actual, cascaded) {
                out.append(RawMismatch(path: path.description, expected: JSON.object(expected).serialized(pretty: false),
                                       actual: JSON.object(actual).serialized(pretty: false), message: why))
            }
            out += context.matchKeys(path, expected: expected.map(\.0), actual: actual.map(\.0))
            for (k, v) in expected {
                if let a = index[k] { out += compare(path.appending(k), v, a, context) }
            }
        }
        return out
    }

    /// A rule applied to a whole map (size limits, equality, emptiness).
    static func mapRule(_ rule: MatchingRule, _ expected: [(String, JSON)], _ actual: [(String, JSON)], _ cascaded: Bool) -> String? {
        let shown = JSON.object(actual).serialized(pretty: false)
        switch rule {
        case .type(let min, let max):
            if !cascaded, let min, actual.count < min { return "Expected \(shown) (size \(actual.count)) to have minimum size of \(min)" }
            if !cascaded, let max, actual.count > max { return "Expected \(shown) (size \(actual.count)) to have maximum size of \(max)" }
            return nil
        case .regex, .arrayContains, .eachKey, .eachValue, .values: return nil
        case .equality:
            return ValueRules.jsonEqual(.object(expected), .object(actual)) ? nil
                : "Expected \(shown) to be equal to \(JSON.object(expected).serialized(pretty: false))"
        case .notEmpty:
            return actual.isEmpty ? "Expected {} (Object) to not be empty" : nil
        default:
            return "Unable to match \(shown) using \(rule.name)"
        }
    }

    /// Arrays: rules on the list, or index by index with equal lengths.
    static func compareLists(_ path: DocPath, _ expected: [JSON], _ actual: [JSON], _ context: MatchContext) -> [RawMismatch] {
        let e = JSON.array(expected).serialized(pretty: false), a = JSON.array(actual).serialized(pretty: false)
        if context.isDefined(path) {
            return compareListsWithRules(path, context.best(path), expected, actual, context) { p, ev, av, ctx in
                compare(p, ev, av, ctx)
            }
        }
        if expected.isEmpty, !actual.isEmpty {
            return [RawMismatch(path: path.description, expected: e, actual: a, message: "Expected an empty List but received \(a)")]
        }
        var out: [RawMismatch] = []
        for (i, value) in expected.enumerated() {
            let p = path.appending(index: i)
            if i < actual.count {
                out += compare(p, value, actual[i], context)
            } else if !context.isDefined(p) {
                out.append(RawMismatch(path: path.description, expected: e, actual: a, message: "Expected \(ValueRules.jsonText(value)) but was missing"))
            }
        }
        if expected.count != actual.count {
            out.append(RawMismatch(path: path.description, expected: e, actual: a,
                                   message: "Expected a List with \(expected.count) elements but received \(actual.count) elements"))
        }
        return out
    }

    /// Lists under a rule list (type with sizes, eachValue, arrayContains, ...), with AND/OR.
    /// Generic so header and query value lists reuse it.
    static func compareListsWithRules<T>(_ path: DocPath, _ list: RuleList, _ expected: [T], _ actual: [T], _ context: MatchContext,
                                         _ item: (DocPath, T, T, MatchContext) -> [RawMismatch]) -> [RawMismatch] {
        let results = list.rules.map { compareListWithRule($0, path, expected, actual, context, list.cascaded, item) }
        switch list.logic {
        case .and: return results.flatMap { $0 }
        case .or: return results.contains { $0.isEmpty } ? [] : results.flatMap { $0 }
        }
    }

    /// Items as text for messages.
    static func describe<T>(_ items: [T]) -> String {
        if let j = items as? [JSON] { return JSON.array(j).serialized(pretty: false) }
        return "[" + items.map { "\($0)" }.joined(separator: ", ") + "]"
    }

    /// A list under one rule (arrayContains, eachValue, or sizes then items).
    static func compareListWithRule<T>(_ rule: MatchingRule, _ path: DocPath, _ expected: [T], _ actual: [T], _ context: MatchContext,
                                       _ cascaded: Bool, _ item: (DocPath, T, T, MatchContext) -> [RawMismatch]) -> [RawMismatch] {
        guard !expected.isEmpty else { return [] }
        var out: [RawMismatch] = []
        switch rule {
        case .arrayContains(let variants):
            let variants = variants.isEmpty
                ? expected.indices.map { i -> MatchingRule.ArrayVariant in
                    var c = RuleCategory(name: "body")
                    c.add(.equality, at: .empty, combine: .and)
                    return MatchingRule.ArrayVariant(index: i, rules: c)
                }
                : variants
            for v in variants {
                guard v.index < expected.count else {
                    out.append(RawMismatch(path: path.description, expected: describe(expected), actual: describe(actual),
                                           message: "ArrayContains: variant \(v.index) is missing from the expected list, which has \(expected.count) items"))
                    continue
                }
                let want = expected[v.index]
                let inner = context.with(v.rules)
                if !actual.contains(where: { item(.root, want, $0, inner).isEmpty }) {
                    out.append(RawMismatch(path: path.description, expected: describe([want]), actual: describe(actual),
                                           message: "Variant at index \(v.index) (\(describe([want]).dropFirst().dropLast())) was not found in the actual list"))
                }
            }
        case .eachValue(let rules):
            guard !cascaded else { return [] }
            var category = RuleCategory(name: "body")
            category.entries = [(path.appending("*"), RuleList(rules: rules))]
            out += listContents(path, expected, actual, context.with(category), item)
        default:
            if case .equality = rule, !listsEqual(expected, actual) {
                out.append(RawMismatch(path: path.description, expected: describe(expected), actual: describe(actual),
                                       message: "Expected \(describe(actual)) to be equal to \(describe(expected))"))
            }
            if let why = listRule(rule, expected.count, actual.count, describe(actual), cascaded) {
                out.append(RawMismatch(path: path.description, expected: describe(expected), actual: describe(actual), message: why))
            }
            out += listContents(path, expected, actual, context, item)
        }
        return out
    }

    /// A rule applied to a whole list (sizes, emptiness).
    static func listRule(_ rule: MatchingRule, _ expectedCount: Int, _ actualCount: Int, _ shown: String, _ cascaded: Bool) -> String? {
        switch rule {
        case .type(let min, let max):
            if !cascaded, let min, actualCount < min { return "Expected \(shown) (size \(actualCount)) to have minimum size of \(min)" }
            if !cascaded, let max, actualCount > max { return "Expected \(shown) (size \(actualCount)) to have maximum size of \(max)" }
            return nil
        case .notEmpty:
            return actualCount == 0 ? "Expected \(shown) (Array) to not be empty" : nil
        case .null, .statusCode:
            return "Unable to match \(shown) using \(rule.name)"
        default:
            return nil
        }
    }

    /// Equality of two lists of JSON values or strings, for an `equality` rule on a list.
    static func listsEqual<T>(_ a: [T], _ b: [T]) -> Bool {
        if let x = a as? [JSON], let y = b as? [JSON] { return ValueRules.jsonEqual(.array(x), .array(y)) }
        return describe(a) == describe(b)
    }

    /// Items compared pairwise; extra actual items are compared with the first expected one.
    static func listContents<T>(_ path: DocPath, _ expected: [T], _ actual: [T], _ context: MatchContext,
                                _ item: (DocPath, T, T, MatchContext) -> [RawMismatch]) -> [RawMismatch] {
        var out: [RawMismatch] = []
        var expectedList = expected
        if actual.count > expected.count, let first = expected.first {
            expectedList += Array(repeating: first, count: actual.count - expected.count)
        }
        for (i, value) in expectedList.enumerated() {
            let p = path.appending(index: i)
            if i < actual.count {
                out += item(p, value, actual[i], context)
            } else if !context.isDefined(p) {
                out.append(RawMismatch(path: path.description, expected: describe(expected), actual: describe(actual),
                                       message: "Expected \(describe([value]).dropFirst().dropLast()) (\(i)) but was missing"))
            }
        }
        return out
    }
}
