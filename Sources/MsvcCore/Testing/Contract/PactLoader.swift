import Foundation

/// Why a pact could not be loaded.
public typealias PactLoadError = DocumentLoadError

/// Why a document (a pact, an OpenAPI document) could not be loaded: the file, where in it
/// when known, and what is wrong.
public struct DocumentLoadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file as named by the user.
    public var file: String
    /// 1-based line and column, when the problem has a position.
    public var line: Int?
    public var column: Int?
    /// What is wrong and what to do.
    public var message: String

    /// Creates an error.
    public init(file: String, line: Int? = nil, column: Int? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        if let line, let column { return "\(file):\(line):\(column): error: \(message)" }
        return "\(file): error: \(message)"
    }
}

/// Reads pact files (Pact specification V1 to V4) into `Pact` values.
public enum PactLoader {
    /// Loads `path`: one file, or every `*.json` file in a folder (sorted by name).
    public static func load(path: String) throws(PactLoadError) -> [Pact] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw PactLoadError(file: path, message: "no such file or folder")
        }
        if isDir.boolValue {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
            guard !names.isEmpty else { throw PactLoadError(file: path, message: "no pact files (*.json) in this folder") }
            var pacts: [Pact] = []
            for n in names { pacts.append(try loadFile((path as NSString).appendingPathComponent(n))) }
            return pacts
        }
        return [try loadFile(path)]
    }

    /// Reads and parses one file.
    static func loadFile(_ path: String) throws(PactLoadError) -> Pact {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PactLoadError(file: path, message: "cannot read the file")
        }
        return try parse(Array(data), source: path)
    }

    /// Parses the bytes of a pact file; `source` names it in errors.
    public static func parse(_ bytes: [UInt8], source: String) throws(PactLoadError) -> Pact {
        let json: JSON
        do {
            json = try JSON.parse(bytes: bytes)
        } catch {
            let (line, column) = position(of: error.offset, in: bytes)
            throw PactLoadError(file: source, line: line, column: column, message: "not valid JSON: \(error.message)")
        }
        do {
            return try pact(json, source: source)
        } catch {
            // The deepest part of the error's location that the file has.
            for n in stride(from: error.location.count, through: 1, by: -1) {
                guard let offset = JSONLocator.offset(of: Array(error.location.prefix(n)), in: bytes) else { continue }
                let (line, column) = position(of: offset, in: bytes)
                throw PactLoadError(file: source, line: line, column: column, message: error.message)
            }
            let start = bytes.firstIndex { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 } ?? 0
            let (line, column) = position(of: start, in: bytes)
            throw PactLoadError(file: source, line: line, column: column, message: error.message)
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    static func position(of offset: Int, in bytes: [UInt8]) -> (Int, Int) {
        var line = 1, lineStart = 0
        for i in 0..<min(offset, bytes.count) where bytes[i] == 0x0A {
            line += 1
            lineStart = i + 1
        }
        let column = String(decoding: bytes[lineStart..<min(offset, bytes.count)], as: UTF8.self).count + 1
        return (line, column)
    }

    /// The declared specification version (V3 when the metadata names none).
    static func specification(_ json: JSON) -> PactSpecification {
        let meta = json["metadata"]
        let raw = meta?["pactSpecification"]?["version"]?.stringValue
            ?? meta?["pact-specification"]?["version"]?.stringValue
            ?? meta?["pactSpecificationVersion"]?.stringValue
        guard let raw, let major = raw.split(separator: ".").first.flatMap({ Int($0) }) else {
            if case .array(let items)? = json["interactions"], items.contains(where: { $0["type"] != nil }) { return .v4 }
            return .v3
        }
        switch major {
        case ...1: return .v1
        case 2: return .v2
        case 3: return .v3
        default: return .v4
        }
    }

    /// The pact object: names and HTTP interactions; other kinds are listed as skipped.
    static func pact(_ json: JSON, source: String) throws(PactFormatError) -> Pact {
        guard case .object = json else { throw PactFormatError("a pact file must be a JSON object with consumer, provider and interactions") }
        let spec = specification(json)
        let consumer = json["consumer"]?["name"]?.stringValue ?? ""
        let provider = json["provider"]?["name"]?.stringValue ?? ""
        var interactions: [PactInteraction] = []
        var skipped: [(String, String)] = []
        let list: [JSON]
        switch json["interactions"] {
        case .array(let items)?: list = items
        case nil:
            if json["messages"] != nil { list = [] } else { throw PactFormatError("the pact has no \"interactions\" list") }
        default: throw PactFormatError("\"interactions\" must be a list", at: [.key("interactions")])
        }
        for (i, item) in list.enumerated() {
            let at = "interactions[\(i)]"
            guard case .object = item else { throw PactFormatError("\(at): an interaction must be an object", at: [.key("interactions"), .index(i)]) }
            if let type = item["type"]?.stringValue, type != "Synchronous/HTTP" {
                skipped.append((item["description"]?.stringValue ?? "", type))
                continue
            }
            do {
                var interaction = try self.interaction(item, spec: spec)
                interaction.ordinal = i + 1
                interactions.append(interaction)
            } catch {
                throw PactFormatError("\(at) (\"\(item["description"]?.stringValue ?? "")\"): \(error.message)", at: [.key("interactions"), .index(i)] + error.location)
            }
        }
        if let messages = json["messages"]?.arrayValue {
            for m in messages { skipped.append((m["description"]?.stringValue ?? "", "Asynchronous/Messages")) }
        }
        return Pact(consumer: consumer, provider: provider, specification: spec, interactions: interactions,
                    skippedKinds: skipped, source: source)
    }

    /// One interaction: description, key, states, pending, comments, request, response.
    static func interaction(_ json: JSON, spec: PactSpecification) throws(PactFormatError) -> PactInteraction {
        guard let description = json["description"]?.stringValue else { throw PactFormatError("\"description\" is missing") }
        var i = PactInteraction(description: description)
        i.key = json["key"]?.stringValue
        i.pending = json["pending"]?.boolValue ?? false
        if let c = json["comments"], c != .null { i.comments = c }
        if case .array(let states)? = json["providerStates"] {
            for (k, s) in states.enumerated() {
                guard let name = s["name"]?.stringValue else { throw PactFormatError("a provider state needs a \"name\"", at: [.key("providerStates"), .index(k)]) }
                var params = s["params"] ?? .object([])
                if case .null = params { params = .object([]) }
                i.states.append(ProviderState(name: name, params: params))
            }
        } else if let name = json["providerState"]?.stringValue ?? json["provider_state"]?.stringValue, !name.isEmpty {
            i.states = [ProviderState(name: name)]
        }
        guard let req = json["request"], case .object = req else { throw PactFormatError("\"request\" is missing") }
        guard let res = json["response"], case .object = res else { throw PactFormatError("\"response\" is missing") }
        do {
            i.request = try request(req, v4: spec >= .v4 || json["type"] != nil)
        } catch {
            throw error.inside([.key("request")])
        }
        do {
            i.response = try response(res, v4: spec >= .v4 || json["type"] != nil)
        } catch {
            throw error.inside([.key("response")])
        }
        return i
    }

    /// Reads a request (also the `expected`/`actual` of specification test cases).
    public static func request(_ json: JSON, v4: Bool = false) throws(PactFormatError) -> PactRequest {
        var r = PactRequest()
        r.method = (json["method"]?.stringValue ?? "GET").uppercased()
        r.path = json["path"]?.stringValue ?? "/"
        r.query = try within("query") { () throws(PactFormatError) in try query(json["query"]) }
        r.headers = headers(json["headers"])
        r.body = body(json, headers: r.headers, v4: v4)
        r.rules = try within("matchingRules") { () throws(PactFormatError) in try MatchingRules.parse(json["matchingRules"]) }
        r.generators = try within("generators") { () throws(PactFormatError) in try PactGenerators.parse(json["generators"]) }
        return r
    }

    /// Reads a response (also the `expected`/`actual` of specification test cases).
    public static func response(_ json: JSON, v4: Bool = false) throws(PactFormatError) -> PactResponse {
        var r = PactResponse()
        if let s = json["status"] {
            guard let n = s.intValue, (100...599).contains(n) else { throw PactFormatError("\"status\" must be a number from 100 to 599", at: [.key("status")]) }
            r.status = n
        }
        r.headers = headers(json["headers"])
        r.body = body(json, headers: r.headers, v4: v4)
        r.rules = try within("matchingRules") { () throws(PactFormatError) in try MatchingRules.parse(json["matchingRules"]) }
        r.generators = try within("generators") { () throws(PactFormatError) in try PactGenerators.parse(json["generators"]) }
        return r
    }

    /// `body`, with its errors located inside the member `key`.
    static func within<T>(_ key: String, _ body: () throws(PactFormatError) -> T) throws(PactFormatError) -> T {
        do { return try body() } catch { throw error.inside([.key(key)]) }
    }

    /// Headers: a string value is split on commas only for headers that are lists by definition.
    static func headers(_ json: JSON?) -> PactHeaders? {
        guard case .object(let pairs)? = json else { return nil }
        return pairs.map { name, value in
            switch value {
            case .string(let s): return (name, HeaderValues.split(name, s))
            case .array(let items): return (name, items.map { $0.stringValue ?? $0.serialized(pretty: false) })
            default: return (name, [value.serialized(pretty: false)])
            }
        }
    }

    /// V3+ query maps (`{"a": ["1"]}`) or V2 query strings (`a=1&b=2`).
    static func query(_ json: JSON?) throws(PactFormatError) -> [(name: String, values: [String])]? {
        switch json {
        case nil, .null?: return nil
        case .string(let s)?: return QueryString.parse(s)
        case .object(let pairs)?:
            return pairs.map { name, v in
                switch v {
                case .array(let items): return (name, items.map { $0.stringValue ?? ValueRules.jsonText($0) })
                default: return (name, [ValueRules.jsonText(v)])
                }
            }
        default: throw PactFormatError("\"query\" must be a string or a map of names to lists of values")
        }
    }

    /// A V1-V3 body (or a V4 body object), as the official verifier reads it.
    static func body(_ json: JSON, headers: PactHeaders?, v4: Bool) -> PactBody {
        guard let b = json["body"] else { return .missing }
        let headerType = headers?.first { $0.name.lowercased() == "content-type" }.flatMap { MediaType($0.values.first ?? "") }
        if v4, case .object = b, b["content"] != nil || b["contentType"] != nil || b["encoded"] != nil {
            return v4Body(b, headerType: headerType)
        }
        switch b {
        case .null: return .null
        case .string(let s):
            if s.isEmpty { return .empty }
            let type = headerType ?? MediaType.sniff(Substring(s))
            if type.isJSON {
                // A string that is not itself JSON text is the JSON string value.
                if (try? JSON.parse(s)) != nil { return .present(Array(s.utf8), contentType: nil) }
                return .present(Array(JSON.string(s).serialized(pretty: false).utf8), contentType: nil)
            }
            if type.isText { return .present(Array(s.utf8), contentType: nil) }
            if let d = Data(base64Encoded: s) { return .present(Array(d), contentType: nil) }
            return .present(Array(s.utf8), contentType: nil)
        default:
            return .present(Array(b.serialized(pretty: false).utf8), contentType: nil)
        }
    }

    /// A V4 body object: `content`, `contentType`, `encoded` (false, base64, json).
    static func v4Body(_ b: JSON, headerType: MediaType?) -> PactBody {
        guard let content = b["content"] else { return .missing }
        if case .null = content { return .null }
        let type = b["contentType"]?.stringValue.flatMap(MediaType.init) ?? headerType
        var bytes: [UInt8]
        switch b["encoded"] {
        case .string(let enc)? where enc.lowercased() == "base64":
            let text = ValueRules.jsonText(content)
            bytes = Data(base64Encoded: text).map(Array.init) ?? Array(text.utf8)
        case .string?, .bool(true)?:
            bytes = Array(ValueRules.jsonText(content).utf8)
        default:
            if let type, type.isJSON {
                if case .string(let s) = content, s.isEmpty { bytes = [] } else { bytes = Array(content.serialized(pretty: false).utf8) }
            } else {
                bytes = Array(ValueRules.jsonText(content).utf8)
            }
        }
        if bytes.isEmpty { return .empty }
        let t = type ?? MediaType.sniff(Substring(String(decoding: bytes.prefix(64), as: UTF8.self)))
        return .present(bytes, contentType: t)
    }
}

/// How header values split into lists.
enum HeaderValues {
    /// Headers whose value is a comma-separated list by definition (RFC 9110).
    static let lists: Set<String> = [
        "accept", "accept-encoding", "accept-language", "access-control-allow-headers", "access-control-allow-methods",
        "access-control-expose-headers", "access-control-request-headers", "allow", "cache-control", "if-match",
        "if-none-match", "vary",
    ]
    /// Headers compared with their parameters (`charset=...`) parsed.
    static let parameterised: Set<String> = ["accept", "content-type"]

    /// `value` split on commas for list headers, trimmed otherwise.
    static func split(_ name: String, _ value: String) -> [String] {
        if lists.contains(name.lowercased()) {
            return value.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        }
        return [value.trimmingCharacters(in: .whitespacesAndNewlines)]
    }
}

/// Query strings, percent-decoded, `+` read as a space.
enum QueryString {
    /// Parses `a=1&b=2`; nil for an empty string.
    static func parse(_ s: String) -> [(name: String, values: [String])]? {
        let text = s.hasPrefix("?") ? String(s.dropFirst()) : s
        guard !text.isEmpty else { return nil }
        var out: [(name: String, values: [String])] = []
        for part in text.split(separator: "&") where !part.isEmpty {
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let k = decode(String(kv[0])), v = kv.count > 1 ? decode(String(kv[1])) : ""
            if let i = out.firstIndex(where: { $0.name == k }) { out[i].values.append(v) } else { out.append((k, [v])) }
        }
        return out
    }

    /// Percent-decodes, with `+` as a space.
    static func decode(_ s: String) -> String {
        let spaced = s.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// Encodes name/value pairs for a request target.
    static func encode(_ q: [(name: String, values: [String])]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        func enc(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s }
        return q.flatMap { p in p.values.map { enc(p.name) + "=" + enc($0) } }.joined(separator: "&")
    }
}
