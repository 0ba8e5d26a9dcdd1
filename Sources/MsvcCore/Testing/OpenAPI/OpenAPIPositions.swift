/// Positions in an OpenAPI document's YAML tree, for errors found after it was parsed.
enum OpenAPIPositions {
    /// Where the value at `path` (member names and item indexes) is, or the deepest part of the
    /// path that exists.
    static func mark(of path: [String], in tree: YAMLNode) -> SourceMark {
        var node = tree
        for step in path {
            switch node.content {
            case .mapping(let pairs):
                guard let next = pairs.first(where: { $0.key.scalar == step })?.value else { return node.mark }
                node = next
            case .sequence(let items):
                guard let i = Int(step), items.indices.contains(i) else { return node.mark }
                node = items[i]
            case .scalar:
                return node.mark
            }
        }
        return node.mark
    }

    /// The first `$ref` that does not resolve inside the document (a typo in a local pointer,
    /// or a reference to another file, which msvc does not load), with where it is.
    static func unresolvedReference(in tree: YAMLNode, raw: JSON, isOpenAPI30: Bool) -> (mark: SourceMark, message: String)? {
        let validator = SchemaValidator(document: raw, isOpenAPI30: isOpenAPI30)
        var stack = [tree]
        while let node = stack.popLast() {
            switch node.content {
            case .scalar: continue
            case .sequence(let items): stack += items.reversed()
            case .mapping(let pairs):
                for pair in pairs.reversed() {
                    // Examples are data, not schema: a "$ref" member there is a value.
                    if pair.key.scalar == "example" || pair.key.scalar == "examples" && !isExampleMap(pair.value) { continue }
                    if pair.key.scalar == "$ref", let ref = pair.value.scalar {
                        if !ref.hasPrefix("#") {
                            return (pair.value.mark, "$ref \"\(ref)\" points into another file; msvc reads one self-contained document, so bundle it first (e.g. redocly bundle)")
                        }
                        if validator.resolve(ref) == nil {
                            return (pair.value.mark, "$ref \"\(ref)\" does not resolve: the document has nothing at that path")
                        }
                    } else {
                        stack.append(pair.value)
                    }
                }
            }
        }
        return nil
    }

    /// Whether an `examples` member is OpenAPI's map of Example objects (which may be `$ref`s)
    /// rather than a JSON Schema `examples` list of values.
    private static func isExampleMap(_ node: YAMLNode) -> Bool {
        node.content.isMapping
    }
}
