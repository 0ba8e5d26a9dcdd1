import Foundation

/// One place where a value breaks its schema.
public struct SchemaViolation: Sendable, Equatable, CustomStringConvertible {
    /// JSON path of the offending value (`$.items[0].id`).
    public var path: String
    /// What is wrong.
    public var message: String

    /// Creates a violation.
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}

/// Validates JSON values against OpenAPI schemas (3.0 and 3.1): `$ref`, `type` (and 3.1 type
/// lists), `nullable`, `required`, `properties`, `additionalProperties`, `items`, `enum`,
/// `const`, `format`, sizes and bounds, `oneOf`/`anyOf`/`allOf`/`not` and `discriminator`.
/// `$ref` is resolved lazily in the whole document, so recursive schemas work.
public struct SchemaValidator: Sendable {
    /// The whole OpenAPI document, for resolving `$ref`.
    public let document: JSON
    /// OpenAPI 3.0 semantics (`nullable`, boolean `exclusiveMinimum`).
    public let isOpenAPI30: Bool

    /// Creates a validator over `document`.
    public init(document: JSON, isOpenAPI30: Bool) {
        self.document = document
        self.isOpenAPI30 = isOpenAPI30
    }

    /// Every violation of `schema` by `value`.
    public func validate(_ value: JSON, against schema: JSON) -> [SchemaViolation] {
        var out: [SchemaViolation] = []
        check(value, schema, DocPath.root, &out, depth: 0)
        return out
    }

    /// The node at a local JSON pointer (`#/components/schemas/Order`).
    public func resolve(_ ref: String) -> JSON? {
        guard ref.hasPrefix("#") else { return nil }
        var node = document
        for raw in ref.dropFirst().split(separator: "/", omittingEmptySubsequences: true) {
            let key = String(raw).replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
                .removingPercentEncoding ?? String(raw)
            switch node {
            case .object: guard let next = node[key] else { return nil }; node = next
            case .array(let items): guard let i = Int(key), i < items.count else { return nil }; node = items[i]
            default: return nil
            }
        }
        return node
    }

    /// The JSON Schema type of a value.
    static func typeName(_ v: JSON) -> String {
        switch v {
        case .null: return "null"
        case .bool: return "boolean"
        case .int: return "integer"
        case .double(let d): return d == d.rounded() ? "integer" : "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    /// Whether a value has JSON Schema type `type`.
    static func fits(_ v: JSON, _ type: String) -> Bool {
        switch (type, v) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object): return true
        case ("integer", .int): return true
        case ("integer", .double(let d)): return d == d.rounded()
        case ("number", .int), ("number", .double): return true
        default: return false
        }
    }

    /// Adds every violation of `schema` by `value` at `path` to `out`.
    func check(_ value: JSON, _ schema: JSON, _ path: DocPath, _ out: inout [SchemaViolation], depth: Int) {
        guard depth < 64 else { return }
        func fail(_ m: String) { out.append(SchemaViolation(path: path.description, message: m)) }
        switch schema {
        case .bool(let b):
            if !b { fail("no value is allowed here") }
            return
        case .object: break
        default: return
        }
        if let ref = schema["$ref"]?.stringValue {
            guard let target = resolve(ref) else { fail("unresolvable $ref \(ref)"); return }
            check(value, target, path, &out, depth: depth + 1)
            if isOpenAPI30 { return }
        }
        // nullable (3.0): null is allowed whatever the type says.
        if isOpenAPI30, schema["nullable"]?.boolValue == true, case .null = value { return }
        var types: [String] = []
        switch schema["type"] {
        case .string(let t)?: types = [t]
        case .array(let ts)?: types = ts.compactMap(\.stringValue)
        default: break
        }
        if !types.isEmpty, !types.contains(where: { Self.fits(value, $0) }) {
            fail("expected \(types.joined(separator: " or ")), found \(Self.typeName(value))" + Self.shown(value))
            return
        }
        if let e = schema["enum"]?.arrayValue, !e.contains(where: { ValueRules.jsonEqual($0, value) }) {
            fail("\(value.serialized(pretty: false)) is not one of \(JSON.array(e).serialized(pretty: false))")
        }
        if let c = schema["const"], !ValueRules.jsonEqual(c, value) {
            fail("expected the constant \(c.serialized(pretty: false)), found \(value.serialized(pretty: false))")
        }
        switch value {
        case .string(let s): checkString(s, schema, fail)
        case .int, .double: checkNumber(value.doubleValue ?? 0, schema, fail)
        case .array(let items): checkArray(items, schema, path, &out, depth: depth)
        case .object(let pairs): checkObject(pairs, schema, path, &out, depth: depth)
        default: break
        }
        if let all = schema["allOf"]?.arrayValue {
            for s in all { check(value, s, path, &out, depth: depth + 1) }
        }
        if let any = schema["anyOf"]?.arrayValue {
            let candidates = discriminated(value, schema, any)
            if !candidates.contains(where: { validate(value, $0, path, depth).isEmpty }) {
                let reasons = candidates.prefix(3).map { validate(value, $0, path, depth).first?.description ?? "" }
                fail("matches none of the anyOf schemas (\(reasons.joined(separator: "; ")))")
            }
        }
        if let one = schema["oneOf"]?.arrayValue {
            let candidates = discriminated(value, schema, one)
            let passing = candidates.filter { validate(value, $0, path, depth).isEmpty }.count
            if passing == 0 {
                let reasons = candidates.prefix(3).map { validate(value, $0, path, depth).first?.description ?? "" }
                fail("matches none of the oneOf schemas (\(reasons.joined(separator: "; ")))")
            } else if passing > 1 {
                fail("matches \(passing) of the oneOf schemas; exactly one must match")
            }
        }
        if let not = schema["not"], validate(value, not, path, depth).isEmpty {
            fail("must not match the schema under \"not\"")
        }
    }

    /// The violations of one subschema (for anyOf/oneOf/not).
    func validate(_ value: JSON, _ schema: JSON, _ path: DocPath, _ depth: Int) -> [SchemaViolation] {
        var out: [SchemaViolation] = []
        check(value, schema, path, &out, depth: depth + 1)
        return out
    }

    /// With a discriminator, only the schema the discriminating property names is a candidate.
    func discriminated(_ value: JSON, _ schema: JSON, _ options: [JSON]) -> [JSON] {
        guard let d = schema["discriminator"], let prop = d["propertyName"]?.stringValue,
              let tag = value[prop]?.stringValue else { return options }
        if let ref = d["mapping"]?[tag]?.stringValue {
            let target = ref.hasPrefix("#") ? ref : "#/components/schemas/\(ref)"
            if let s = resolve(target) { return [s] }
        }
        let named = options.filter { $0["$ref"]?.stringValue?.split(separator: "/").last.map(String.init) == tag }
        return named.isEmpty ? options : named
    }

    /// A short value for messages, empty when long.
    static func shown(_ v: JSON) -> String {
        let s = v.serialized(pretty: false)
        return s.count > 60 ? "" : " (\(s))"
    }

    /// Lengths, pattern and format of a string.
    func checkString(_ s: String, _ schema: JSON, _ fail: (String) -> Void) {
        let n = s.count
        if let m = schema["minLength"]?.intValue, n < m { fail("string is \(n) characters, shorter than minLength \(m)") }
        if let m = schema["maxLength"]?.intValue, n > m { fail("string is \(n) characters, longer than maxLength \(m)") }
        if let p = schema["pattern"]?.stringValue, let re = try? NSRegularExpression(pattern: p),
           re.firstMatch(in: s, range: NSRange(location: 0, length: (s as NSString).length)) == nil {
            fail("\"\(s)\" does not match the pattern \(p)")
        }
        if let f = schema["format"]?.stringValue, let why = Self.format(f, s) { fail(why) }
    }

    /// Nil when `s` fits `format`, else why not (unknown formats pass).
    static func format(_ f: String, _ s: String) -> String? {
        func ok(_ pattern: String) -> Bool { PactRegex.wholeMatch(pattern, s) == true }
        switch f {
        case "date":
            return DateTimePattern.validate(s, format: "yyyy-MM-dd") == nil ? nil : "\"\(s)\" is not a date (format: date, e.g. 2024-05-01)"
        case "date-time":
            let valid = ok("\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?([Zz]|[+-]\\d{2}:\\d{2})")
                && DateTimePattern.validate(String(s.prefix(10)), format: "yyyy-MM-dd") == nil
            return valid ? nil : "\"\(s)\" is not an RFC 3339 date-time (format: date-time)"
        case "time":
            return ok("\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?([Zz]|[+-]\\d{2}:\\d{2})?") ? nil : "\"\(s)\" is not a time (format: time)"
        case "uuid":
            return ok("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}") ? nil : "\"\(s)\" is not a UUID (format: uuid)"
        case "email":
            return ok("[^@\\s]+@[^@\\s]+\\.[^@\\s]+") ? nil : "\"\(s)\" is not an email address (format: email)"
        case "uri":
            return ok("[A-Za-z][A-Za-z0-9+.-]*:[^\\s]*") ? nil : "\"\(s)\" is not an absolute URI (format: uri)"
        case "ipv4":
            let parts = s.split(separator: ".", omittingEmptySubsequences: false)
            let valid = parts.count == 4 && parts.allSatisfy { p in Int(p).map { (0...255).contains($0) && String($0) == p } ?? false }
            return valid ? nil : "\"\(s)\" is not an IPv4 address (format: ipv4)"
        case "ipv6":
            return s.contains(":") && ok("[0-9A-Fa-f:.]+") ? nil : "\"\(s)\" is not an IPv6 address (format: ipv6)"
        case "byte":
            return Data(base64Encoded: s) != nil ? nil : "\"\(s)\" is not base64 (format: byte)"
        default:
            return nil
        }
    }

    /// Bounds, multipleOf and int32/int64 of a number.
    func checkNumber(_ d: Double, _ schema: JSON, _ fail: (String) -> Void) {
        func num(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x) }
        let shown = num(d)
        if let m = schema["minimum"]?.doubleValue {
            let exclusive = schema["exclusiveMinimum"]?.boolValue == true
            if d < m || (exclusive && d == m) { fail("\(shown) is less than the minimum \(num(m))\(exclusive ? " (exclusive)" : "")") }
        }
        if let m = schema["maximum"]?.doubleValue {
            let exclusive = schema["exclusiveMaximum"]?.boolValue == true
            if d > m || (exclusive && d == m) { fail("\(shown) is more than the maximum \(num(m))\(exclusive ? " (exclusive)" : "")") }
        }
        if let m = schema["exclusiveMinimum"]?.doubleValue, d <= m { fail("\(shown) must be more than \(num(m))") }
        if let m = schema["exclusiveMaximum"]?.doubleValue, d >= m { fail("\(shown) must be less than \(num(m))") }
        if let m = schema["multipleOf"]?.doubleValue, m > 0, (d / m).rounded() != d / m { fail("\(shown) is not a multiple of \(num(m))") }
        switch schema["format"]?.stringValue {
        case "int32"?: if d != d.rounded() || d < -2147483648 || d > 2147483647 { fail("\(shown) does not fit in int32") }
        case "int64"?: if d != d.rounded() { fail("\(shown) is not an int64") }
        default: break
        }
    }

    /// Sizes, uniqueness and items of an array.
    func checkArray(_ items: [JSON], _ schema: JSON, _ path: DocPath, _ out: inout [SchemaViolation], depth: Int) {
        func fail(_ m: String) { out.append(SchemaViolation(path: path.description, message: m)) }
        if let m = schema["minItems"]?.intValue, items.count < m { fail("array has \(items.count) items, fewer than minItems \(m)") }
        if let m = schema["maxItems"]?.intValue, items.count > m { fail("array has \(items.count) items, more than maxItems \(m)") }
        if schema["uniqueItems"]?.boolValue == true {
            for i in items.indices where items[..<i].contains(where: { ValueRules.jsonEqual($0, items[i]) }) {
                fail("items must be unique; item \(i) repeats an earlier one")
                break
            }
        }
        let prefix = schema["prefixItems"]?.arrayValue ?? []
        for (i, item) in items.enumerated() {
            if i < prefix.count {
                check(item, prefix[i], path.appending(index: i), &out, depth: depth + 1)
            } else if let s = schema["items"] {
                check(item, s, path.appending(index: i), &out, depth: depth + 1)
            }
        }
    }

    /// Required, sizes and properties (declared, pattern, additional) of an object.
    func checkObject(_ pairs: [(String, JSON)], _ schema: JSON, _ path: DocPath, _ out: inout [SchemaViolation], depth: Int) {
        func fail(_ m: String) { out.append(SchemaViolation(path: path.description, message: m)) }
        let keys = Set(pairs.map(\.0))
        for r in schema["required"]?.arrayValue ?? [] {
            if let name = r.stringValue, !keys.contains(name) {
                out.append(SchemaViolation(path: path.appending(name).description, message: "required property \"\(name)\" is missing"))
            }
        }
        if let m = schema["minProperties"]?.intValue, pairs.count < m { fail("object has \(pairs.count) properties, fewer than minProperties \(m)") }
        if let m = schema["maxProperties"]?.intValue, pairs.count > m { fail("object has \(pairs.count) properties, more than maxProperties \(m)") }
        let properties = schema["properties"]?.objectValue ?? []
        var declared: [String: JSON] = [:]
        for (k, v) in properties { declared[k] = v }
        let patterns: [(NSRegularExpression, JSON)] = (schema["patternProperties"]?.objectValue ?? []).compactMap { k, v in
            (try? NSRegularExpression(pattern: k)).map { ($0, v) }
        }
        for (k, v) in pairs {
            let p = path.appending(k)
            if let s = declared[k] {
                check(v, s, p, &out, depth: depth + 1)
                continue
            }
            let matching = patterns.filter { $0.0.firstMatch(in: k, range: NSRange(location: 0, length: (k as NSString).length)) != nil }
            if !matching.isEmpty {
                for (_, s) in matching { check(v, s, p, &out, depth: depth + 1) }
                continue
            }
            switch schema["additionalProperties"] {
            case .bool(false)?:
                out.append(SchemaViolation(path: p.description, message: "property \"\(k)\" is not allowed (additionalProperties: false)"))
            case .object?:
                check(v, schema["additionalProperties"]!, p, &out, depth: depth + 1)
            default: break
            }
        }
    }
}
