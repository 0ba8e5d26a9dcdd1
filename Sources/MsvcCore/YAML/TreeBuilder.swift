import CYaml

/// Turns the libyaml event stream into nodes without recursion, in time linear in the
/// size of the expanded document.
struct TreeBuilder {
    /// A list or map under construction.
    struct Frame {
        /// A map (else a list).
        var isMapping: Bool
        /// Where it starts.
        var mark: SourceMark
        /// Its explicit tag.
        var tag: String?
        /// The anchor it defines, registered when it is complete.
        var anchor: String?
        /// List items so far.
        var items: [YAMLNode] = []
        /// Map entries so far.
        var pairs: [YAMLPair] = []
        /// Key -> index in `pairs`, so duplicate checks stay O(1) on huge maps.
        var index: [String: Int] = [:]
        /// Keys that came in through `<<` and may still be overridden by an explicit key.
        var merged: Set<String> = []
        /// A key read whose value has not come yet.
        var pendingKey: YAMLNode?
        /// Expanded node count of everything in this frame, itself included.
        var size = 1
    }

    /// Depth and size limits.
    let limits: YAMLLimits
    /// Lists and maps still open, innermost last.
    var stack: [Frame] = []
    /// Anchored nodes with their expanded sizes.
    var anchors: [String: (node: YAMLNode, size: Int)] = [:]
    /// Nodes so far, aliases counted at their full expanded size.
    var expanded = 0
    /// Whether any alias was used (to word the size error).
    var usedAliases = false
    /// The finished root node.
    var document: YAMLNode?
    /// Documents started so far.
    var documents = 0

    /// Creates a builder enforcing `limits`.
    init(limits: YAMLLimits) { self.limits = limits }

    /// A libyaml mark as a 1-based position.
    static func mark(_ m: yaml_mark_t) -> SourceMark {
        SourceMark(line: Int(m.line) + 1, column: Int(m.column) + 1)
    }

    /// A libyaml string, if present.
    static func string(_ p: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        p.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
    }

    /// Folds one event into the tree.
    mutating func handle(_ event: yaml_event_t) throws(YAMLError) {
        let mark = Self.mark(event.start_mark)
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            if documents > 1 {
                throw YAMLError(mark: mark, message: "more than one YAML document; msvc.yaml holds exactly one (remove the second \"---\")")
            }
        case YAML_SCALAR_EVENT:
            let s = event.data.scalar
            let value = String(decoding: UnsafeBufferPointer(start: s.value, count: Int(s.length)), as: UTF8.self)
            let style: ScalarStyle
            switch s.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: style = .literal
            case YAML_FOLDED_SCALAR_STYLE: style = .folded
            default: style = .plain
            }
            let node = YAMLNode(.scalar(value, style), mark: mark, tag: Self.string(s.tag))
            try add(node, size: 1, anchor: Self.string(s.anchor))
        case YAML_ALIAS_EVENT:
            let name = Self.string(event.data.alias.anchor) ?? ""
            guard let target = anchors[name] else {
                throw YAMLError(mark: mark, message: "unknown anchor \"*\(name)\"; define it with \"&\(name)\" before using it")
            }
            usedAliases = true
            // The alias keeps the target's content but points at where it was used.
            var node = target.node
            node.mark = mark
            try add(node, size: target.size, anchor: nil)
        case YAML_SEQUENCE_START_EVENT:
            let s = event.data.sequence_start
            try push(Frame(isMapping: false, mark: mark, tag: Self.string(s.tag), anchor: Self.string(s.anchor)))
        case YAML_MAPPING_START_EVENT:
            let m = event.data.mapping_start
            try push(Frame(isMapping: true, mark: mark, tag: Self.string(m.tag), anchor: Self.string(m.anchor)))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            let frame = stack.removeLast()
            let content: YAMLNode.Content = frame.isMapping ? .mapping(frame.pairs) : .sequence(frame.items)
            try add(YAMLNode(content, mark: frame.mark, tag: frame.tag), size: frame.size, anchor: frame.anchor, counted: true)
        default:
            break
        }
    }

    /// Opens a list or map, enforcing the depth limit.
    mutating func push(_ frame: Frame) throws(YAMLError) {
        if stack.count >= limits.maxDepth {
            throw YAMLError(mark: frame.mark, message: "lists and maps nested deeper than \(limits.maxDepth) levels; msvc.yaml never needs this much, flatten the structure")
        }
        stack.append(frame)
        expanded += 1
        try checkBudget(frame.mark)
    }

    /// Fails once the expanded node count passes the limit.
    mutating func checkBudget(_ mark: SourceMark) throws(YAMLError) {
        guard expanded > limits.maxExpandedNodes else { return }
        let message = usedAliases
            ? "aliases expand this document to more than \(limits.maxExpandedNodes) nodes (an alias bomb such as \"billion laughs\"); msvc.yaml needs far fewer, use fewer nested aliases"
            : "document has more than \(limits.maxExpandedNodes) nodes; msvc.yaml should be far smaller (is this the right file?)"
        throw YAMLError(mark: mark, message: message)
    }

    /// Adds a finished node to the frame being built. `counted` nodes were counted at push.
    mutating func add(_ node: YAMLNode, size: Int, anchor: String?, counted: Bool = false) throws(YAMLError) {
        if !counted {
            expanded += size
            try checkBudget(node.mark)
        }
        if let anchor { anchors[anchor] = (node, size) }
        guard !stack.isEmpty else {
            document = node
            return
        }
        let top = stack.count - 1
        stack[top].size += size
        guard stack[top].isMapping else {
            stack[top].items.append(node)
            return
        }
        guard let key = stack[top].pendingKey else {
            guard case .scalar = node.content else {
                throw YAMLError(mark: node.mark, message: "map keys must be plain strings, not \(node.kindName); write the key as text")
            }
            stack[top].pendingKey = node
            return
        }
        stack[top].pendingKey = nil
        try Self.insert(YAMLPair(key: key, value: node), into: &stack[top])
    }

    /// Adds a pair, expanding `<<` merge keys and rejecting duplicates. Static, so that the
    /// frame is modified in place rather than through a copy of the whole builder.
    static func insert(_ pair: YAMLPair, into frame: inout Frame) throws(YAMLError) {
        let name = pair.key.scalar ?? ""
        if case .scalar("<<", .plain) = pair.key.content {
            let sources: [YAMLNode]
            switch pair.value.content {
            case .mapping: sources = [pair.value]
            case .sequence(let items): sources = items
            case .scalar: sources = [pair.value]
            }
            for source in sources {
                guard case .mapping(let merged) = source.content else {
                    throw YAMLError(mark: source.mark, message: "\"<<\" merges maps only, found \(source.kindName); point it at a map anchor such as *defaults")
                }
                // Explicit keys win over merged ones, and earlier merges over later ones.
                for p in merged {
                    let key = p.key.scalar ?? ""
                    guard frame.index[key] == nil else { continue }
                    frame.index[key] = frame.pairs.count
                    frame.pairs.append(p)
                    frame.merged.insert(key)
                }
            }
            return
        }
        if let existing = frame.index[name] {
            if frame.merged.remove(name) != nil {
                frame.pairs[existing] = pair
                return
            }
            let first = frame.pairs[existing].key
            throw YAMLError(
                mark: pair.key.mark,
                message: "duplicate key \"\(name)\" (first defined at \(first.mark)); remove one of them")
        }
        frame.index[name] = frame.pairs.count
        frame.pairs.append(pair)
    }
}
