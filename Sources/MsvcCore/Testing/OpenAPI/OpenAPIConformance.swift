import Foundation

/// One failed conformance check on one response.
public struct OpenAPICheckFailure: Sendable, Equatable, CustomStringConvertible {
    /// The check, named as schemathesis names it: `status_code_conformance`,
    /// `content_type_conformance`, `response_headers_conformance`, `response_schema_conformance`.
    public var check: String
    /// JSON path of the offending value for schema violations, else nil.
    public var path: String?
    /// What is wrong.
    public var message: String

    /// Creates a failure.
    public init(check: String, path: String? = nil, message: String) {
        self.check = check
        self.path = path
        self.message = message
    }

    public var description: String { "\(check): " + (path.map { "\($0): " } ?? "") + message }
}

/// Checks HTTP responses against an OpenAPI document with the four checks schemathesis applies
/// to responses: the status is documented, the content type is documented, required headers
/// are present (and fit their schema), and the body fits the schema of its media type.
public enum OpenAPIConformance {
    /// The operation that serves `method path` (a concrete path, query ignored), matching path
    /// templates segment by segment; a prefix (the server's base path) may come before it.
    public static func operation(method: String, path: String, in document: OpenAPIDocument) -> OpenAPIOperation? {
        let bare = String(path.prefix { $0 != "?" && $0 != "#" })
        let segments = bare.split(separator: "/", omittingEmptySubsequences: true).map { $0.removingPercentEncoding ?? String($0) }
        var best: (score: Int, op: OpenAPIOperation)?
        for op in document.operations where op.method == method.uppercased() {
            let template = op.path.split(separator: "/", omittingEmptySubsequences: true)
            guard template.count <= segments.count else { continue }
            let tail = segments.suffix(template.count)
            var score = 0
            var ok = true
            for (t, s) in zip(template, tail) {
                if t.hasPrefix("{"), t.hasSuffix("}") { if s.isEmpty { ok = false; break } } else if t == s { score += 2 } else { ok = false; break }
            }
            // Prefer exact matches without an unexplained prefix, then more literal segments.
            if ok {
                score = score * 2 + (template.count == segments.count ? 1 : 0)
                if best == nil || score > best!.score { best = (score, op) }
            }
        }
        return best?.op
    }

    /// The four checks on one response to `method path`. An undocumented operation is itself a
    /// failure (of `status_code_conformance`, as nothing can be checked).
    public static func check(response: HTTPResponse, method: String, path: String, in document: OpenAPIDocument) -> [OpenAPICheckFailure] {
        guard let op = operation(method: method, path: path, in: document) else {
            return [OpenAPICheckFailure(check: "status_code_conformance", message: "\(method.uppercased()) \(path) is not an operation of \(document.source)")]
        }
        return check(response: response, operation: op, in: document)
    }

    /// The four checks on one response to `operation`.
    public static func check(response: HTTPResponse, operation op: OpenAPIOperation, in document: OpenAPIDocument) -> [OpenAPICheckFailure] {
        let v = document.validator
        var out: [OpenAPICheckFailure] = []
        let responses = op.raw["responses"]?.objectValue ?? []
        let status = String(response.status)
        let key = responses.first { $0.0 == status }?.0
            ?? responses.first { $0.0.uppercased() == "\(status.prefix(1))XX" }?.0
            ?? responses.first { $0.0 == "default" }?.0
        guard let key, let entry = responses.first(where: { $0.0 == key })?.1 else {
            out.append(OpenAPICheckFailure(check: "status_code_conformance",
                                           message: "status \(response.status) is not documented for \(op.name) (documented: \(responses.map(\.0).joined(separator: ", ")))"))
            return out
        }
        let spec = entry["$ref"]?.stringValue.flatMap(v.resolve) ?? entry
        // Content type.
        let content = spec["content"]?.objectValue ?? []
        var media: (String, JSON)?
        if !content.isEmpty {
            if let header = response.header("content-type") {
                if let actual = MediaType(header) {
                    media = content.first { k, _ in
                        guard let m = MediaType(k) else { return k == "*/*" }
                        return (m.type == "*" || m.type == actual.type) && (m.subtype == "*" || (m.subtype == actual.subtype && m.suffix == actual.suffix))
                    }
                    if media == nil {
                        out.append(OpenAPICheckFailure(check: "content_type_conformance",
                                                       message: "Content-Type \"\(header)\" is not documented for \(op.name) \(key) (documented: \(content.map(\.0).joined(separator: ", ")))"))
                    }
                } else {
                    out.append(OpenAPICheckFailure(check: "content_type_conformance", message: "malformed Content-Type \"\(header)\""))
                }
            } else {
                out.append(OpenAPICheckFailure(check: "content_type_conformance",
                                               message: "the response has no Content-Type header (documented: \(content.map(\.0).joined(separator: ", ")))"))
            }
        }
        // Headers.
        for (name, h) in spec["headers"]?.objectValue ?? [] {
            let header = h["$ref"]?.stringValue.flatMap(v.resolve) ?? h
            if name.lowercased() == "content-type" { continue }
            guard let value = response.header(name) else {
                if header["required"]?.boolValue == true {
                    out.append(OpenAPICheckFailure(check: "response_headers_conformance", message: "required header \"\(name)\" is missing"))
                }
                continue
            }
            if let schema = header["schema"] {
                let typed = coerce(value, schema: schema, v)
                for violation in v.validate(typed, against: schema) {
                    out.append(OpenAPICheckFailure(check: "response_headers_conformance", path: name, message: violation.message))
                }
            }
        }
        // Schema.
        if let (type, mediaObject) = media, let schema = mediaObject["schema"] {
            let isJSON = MediaType(type).map { $0.isJSON || $0.type == "*" } ?? true
            let actualJSON = response.header("content-type").flatMap(MediaType.init)?.isJSON ?? false
            if isJSON || actualJSON {
                if let body = try? JSON.parse(bytes: response.body) {
                    for violation in v.validate(body, against: schema) {
                        out.append(OpenAPICheckFailure(check: "response_schema_conformance", path: violation.path, message: violation.message))
                    }
                } else {
                    out.append(OpenAPICheckFailure(check: "response_schema_conformance", path: "$",
                                                   message: response.body.isEmpty ? "the body is empty, a JSON document was documented" : "the body is not valid JSON"))
                }
            }
        }
        return out
    }

    /// A header value typed as its schema says (headers are text on the wire).
    static func coerce(_ value: String, schema: JSON, _ v: SchemaValidator) -> JSON {
        let s = schema["$ref"]?.stringValue.flatMap(v.resolve) ?? schema
        switch s["type"]?.stringValue {
        case "integer"?: return Int(value).map(JSON.int) ?? .string(value)
        case "number"?: return Double(value).map(JSON.double) ?? .string(value)
        case "boolean"?: return value == "true" ? .bool(true) : value == "false" ? .bool(false) : .string(value)
        default: return .string(value)
        }
    }
}
