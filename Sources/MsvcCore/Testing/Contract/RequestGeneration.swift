/// Applies an interaction's request generators before it is sent to the provider: provider-state
/// values (`${id}` from the state change response or the state's params) and random values.
enum RequestGeneration {
    /// `request` with every provider-applicable generator applied.
    static func apply(_ request: PactRequest, context: [String: JSON]) -> PactRequest {
        var r = request
        let g = request.generators
        for (_, gen) in g.categories["path"] ?? [] where gen.appliesToProvider {
            if let v = gen.generate(current: .string(r.path), context: context) { r.path = ValueRules.jsonText(v) }
        }
        for (path, gen) in g.categories["header"] ?? [] where gen.appliesToProvider {
            guard let name = path.firstField else { continue }
            var headers = r.headers ?? []
            if let i = headers.firstIndex(where: { $0.name.lowercased() == name.lowercased() }) {
                headers[i].values = headers[i].values.map { old in gen.generate(current: .string(old), context: context).map(ValueRules.jsonText) ?? old }
            } else if let v = gen.generate(current: .string(""), context: context) {
                headers.append((name, [ValueRules.jsonText(v)]))
            }
            r.headers = headers
        }
        for (path, gen) in g.categories["query"] ?? [] where gen.appliesToProvider {
            guard let name = path.firstField else { continue }
            var query = r.query ?? []
            if let i = query.firstIndex(where: { $0.name == name }) {
                query[i].values = query[i].values.map { old in gen.generate(current: .string(old), context: context).map(ValueRules.jsonText) ?? old }
            } else if let v = gen.generate(current: .string(""), context: context) {
                query.append((name, [ValueRules.jsonText(v)]))
            }
            r.query = query
        }
        let bodyGenerators = (g.categories["body"] ?? []).filter { $0.generator.appliesToProvider }
        if !bodyGenerators.isEmpty, case .present(let bytes, let type) = r.body, (r.contentType ?? .json).isJSON,
           var json = try? JSON.parse(bytes: bytes) {
            for (path, gen) in bodyGenerators {
                json = replace(in: json, tokens: ArraySlice(path.tokens.dropFirst()), gen, context)
            }
            r.body = .present(Array(json.serialized(pretty: false).utf8), contentType: type)
        }
        return r
    }

    /// `value` with every node selected by `tokens` (wildcards allowed) regenerated.
    static func replace(in value: JSON, tokens: ArraySlice<PathToken>, _ gen: PactGenerator, _ context: [String: JSON]) -> JSON {
        guard let first = tokens.first else { return gen.generate(current: value, context: context) ?? value }
        let rest = tokens.dropFirst()
        switch (first, value) {
        case (.field(let k), .object(let pairs)):
            return .object(pairs.map { $0.0 == k ? ($0.0, replace(in: $0.1, tokens: rest, gen, context)) : $0 })
        case (.star, .object(let pairs)):
            return .object(pairs.map { ($0.0, replace(in: $0.1, tokens: rest, gen, context)) })
        case (.index(let n), .array(let items)) where n < items.count:
            var items = items
            items[n] = replace(in: items[n], tokens: rest, gen, context)
            return .array(items)
        case (.star, .array(let items)), (.starIndex, .array(let items)):
            return .array(items.map { replace(in: $0, tokens: rest, gen, context) })
        default:
            return value
        }
    }
}
