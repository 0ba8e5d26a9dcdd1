import Foundation
import OpenAPIKit
import OpenAPIKit30
import OpenAPIKitCompat

/// Why an OpenAPI document could not be used.
public typealias OpenAPILoadError = DocumentLoadError

/// A parameter of an operation.
public struct OpenAPIParameter: Sendable, Equatable {
    /// Name.
    public var name: String
    /// `path`, `query`, `header` or `cookie`.
    public var location: String
    /// Whether a request must carry it.
    public var required: Bool
    /// An example value (the parameter's, its schema's, or the schema's default).
    public var example: JSON?
}

/// One operation of the document.
public struct OpenAPIOperation: Sendable, Equatable {
    /// Upper-case method.
    public var method: String
    /// The path template (`/orders/{id}`).
    public var path: String
    /// `operationId`, if any.
    public var operationId: String?
    /// Parameters (path-level ones merged in).
    public var parameters: [OpenAPIParameter]
    /// Whether a request body is required, its media type and an example.
    public var body: (required: Bool, contentType: String?, example: JSON?)?
    /// The raw operation object.
    public var raw: JSON

    public static func == (a: OpenAPIOperation, b: OpenAPIOperation) -> Bool {
        a.method == b.method && a.path == b.path && a.operationId == b.operationId && a.parameters == b.parameters
    }

    /// `GET /orders/{id}`.
    public var name: String { "\(method) \(path)" }
}

/// An OpenAPI 3.0 or 3.1 document, parsed and checked with OpenAPIKit, with its operations.
public struct OpenAPIDocument: Sendable {
    /// The document as JSON (schemas are validated on this form; `$ref` resolve in it).
    public let raw: JSON
    /// `3.0.3`, `3.1.0`, ...
    public let version: String
    /// The operations in document order.
    public let operations: [OpenAPIOperation]
    /// Where it was read from.
    public let source: String

    /// True for a 3.0 document (`nullable`, boolean exclusive bounds).
    public var isOpenAPI30: Bool { version.hasPrefix("3.0") }

    /// A schema validator for this document.
    public var validator: SchemaValidator { SchemaValidator(document: raw, isOpenAPI30: isOpenAPI30) }

    /// The same document, named `source` in reports (the path as the user wrote it).
    public func named(_ source: String) -> OpenAPIDocument {
        OpenAPIDocument(raw: raw, version: version, operations: operations, source: source)
    }

    /// Reads a YAML or JSON document from `path`.
    public static func load(path: String) throws(OpenAPILoadError) -> OpenAPIDocument {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw OpenAPILoadError(file: path, message: "cannot read the OpenAPI document (no such file?)")
        }
        return try parse(String(decoding: data, as: UTF8.self), source: path)
    }

    /// Parses document text (YAML or JSON).
    public static func parse(_ text: String, source: String) throws(OpenAPILoadError) -> OpenAPIDocument {
        let raw: JSON
        let tree: YAMLNode
        do {
            guard let node = try YAMLParser.parse(text) else { throw OpenAPILoadError(file: source, message: "the document is empty") }
            tree = node
            raw = json(node)
        } catch let e as OpenAPILoadError {
            throw e
        } catch let e as YAMLError {
            throw OpenAPILoadError(file: source, line: e.mark.line, column: e.mark.column, message: e.message)
        } catch {
            throw OpenAPILoadError(file: source, message: "\(error)")
        }
        guard let version = raw["openapi"]?.stringValue else {
            throw OpenAPILoadError(file: source, line: tree.mark.line, column: tree.mark.column,
                                   message: "not an OpenAPI 3 document (no \"openapi\" version key; Swagger 2.0 is not supported)")
        }
        let data = Data(raw.serialized(pretty: false).utf8)
        let document: OpenAPIKit.OpenAPI.Document
        do {
            if version.hasPrefix("3.0") {
                document = try JSONDecoder().decode(OpenAPIKit30.OpenAPI.Document.self, from: data).convert(to: .v3_1_0)
            } else if version.hasPrefix("3.1") || version.hasPrefix("3.2") {
                document = try JSONDecoder().decode(OpenAPIKit.OpenAPI.Document.self, from: data)
            } else {
                let at = OpenAPIPositions.mark(of: ["openapi"], in: tree)
                throw OpenAPILoadError(file: source, line: at.line, column: at.column,
                                       message: "unsupported OpenAPI version \(version) (3.0 and 3.1 are supported)")
            }
        } catch let e as OpenAPILoadError {
            throw e
        } catch {
            let e = OpenAPIKit.OpenAPI.Error(from: error)
            let at = e.codingPathString.isEmpty ? "" : " at \(e.codingPathString)"
            let mark = OpenAPIPositions.mark(of: e.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }, in: tree)
            throw OpenAPILoadError(file: source, line: mark.line, column: mark.column,
                                   message: "invalid OpenAPI document\(at): \(e.localizedDescription)")
        }
        if let problem = OpenAPIPositions.unresolvedReference(in: tree, raw: raw, isOpenAPI30: version.hasPrefix("3.0")) {
            throw OpenAPILoadError(file: source, line: problem.mark.line, column: problem.mark.column, message: problem.message)
        }
        var operations: [OpenAPIOperation] = []
        for (path, itemOrRef) in document.paths {
            guard let item = try? document.components.lookup(itemOrRef) else { continue }
            let pathParams = item.parameters
            for endpoint in item.endpoints {
                let method = endpoint.method.rawValue.uppercased()
                let rawOp = raw["paths"]?[path.rawValue]?[method.lowercased()] ?? .object([])
                var params: [OpenAPIParameter] = []
                for p in pathParams + endpoint.operation.parameters {
                    guard let param = try? document.components.lookup(p) else { continue }
                    let entry = OpenAPIParameter(name: param.name, location: param.location.rawValue, required: param.required,
                                                 example: nil)
                    params.removeAll { $0.name == entry.name && $0.location == entry.location }
                    params.append(entry)
                }
                // Examples come from the raw JSON, where every spelling of them is at hand.
                let rawParams = (raw["paths"]?[path.rawValue]?["parameters"]?.arrayValue ?? []) + (rawOp["parameters"]?.arrayValue ?? [])
                let validator = SchemaValidator(document: raw, isOpenAPI30: version.hasPrefix("3.0"))
                for rp in rawParams {
                    let p = rp["$ref"]?.stringValue.flatMap(validator.resolve) ?? rp
                    guard let name = p["name"]?.stringValue, let loc = p["in"]?.stringValue,
                          let i = params.firstIndex(where: { $0.name == name && $0.location == loc }) else { continue }
                    params[i].example = example(of: p, validator)
                }
                var body: (Bool, String?, JSON?)?
                if let rb = rawOp["requestBody"] {
                    let b = rb["$ref"]?.stringValue.flatMap(validator.resolve) ?? rb
                    let media = b["content"]?.objectValue?.first
                    body = (b["required"]?.boolValue ?? false, media?.0, media.flatMap { example(of: $0.1, validator) })
                }
                operations.append(OpenAPIOperation(method: method, path: path.rawValue, operationId: endpoint.operation.operationId,
                                                   parameters: params, body: body, raw: rawOp))
            }
        }
        // JSONDecoder does not keep key order; the document's own order is the raw JSON's.
        let pathOrder = (raw["paths"]?.objectValue ?? []).map(\.0)
        func rank(_ op: OpenAPIOperation) -> (Int, Int) {
            let p = pathOrder.firstIndex(of: op.path) ?? Int.max
            let methods = (raw["paths"]?[op.path]?.objectValue ?? []).map { $0.0.uppercased() }
            return (p, methods.firstIndex(of: op.method) ?? Int.max)
        }
        operations.sort { rank($0) < rank($1) }
        return OpenAPIDocument(raw: raw, version: version, operations: operations, source: source)
    }

    /// An example for a parameter or media type: `example`, the first of `examples`, or the
    /// schema's `example`, `examples`, `default`, first `enum` value.
    static func example(of node: JSON, _ v: SchemaValidator) -> JSON? {
        if let e = node["example"] { return e }
        if case .object(let pairs)? = node["examples"], let first = pairs.first?.1 {
            let ex = first["$ref"]?.stringValue.flatMap(v.resolve) ?? first
            if let value = ex["value"] { return value }
        }
        guard var schema = node["schema"] else { return nil }
        if let ref = schema["$ref"]?.stringValue, let s = v.resolve(ref) { schema = s }
        if let e = schema["example"] { return e }
        if let e = schema["examples"]?.arrayValue?.first { return e }
        if let d = schema["default"] { return d }
        return schema["enum"]?.arrayValue?.first
    }

    /// The YAML tree as JSON: plain scalars typed (numbers, booleans, null), quoted ones strings.
    static func json(_ node: YAMLNode) -> JSON {
        switch node.content {
        case .scalar(let s, let style):
            guard style == .plain, node.tag == nil else { return .string(s) }
            switch YAMLNode.plainScalarType(s) {
            case .null: return .null
            case .bool: return .bool(s.lowercased() == "true")
            case .int: return Int(s).map(JSON.int) ?? .string(s)
            case .float: return Double(s).map(JSON.double) ?? .string(s)
            case .string: return .string(s)
            }
        case .sequence(let items): return .array(items.map(json))
        case .mapping(let pairs): return .object(pairs.map { ($0.key.scalar ?? "", json($0.value)) })
        }
    }
}
