import CYaml

/// A problem found while reading YAML text, with its position.
public struct YAMLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where the problem is.
    public var mark: SourceMark
    /// What is wrong, lowercase, with a hint where one helps.
    public var message: String

    /// Creates an error.
    public init(mark: SourceMark, message: String) {
        self.mark = mark
        self.message = message
    }

    public var description: String { "\(mark): \(message)" }
}

/// Limits that keep hostile documents from exhausting memory or the stack.
public struct YAMLLimits: Sendable {
    /// Deepest nesting of lists and maps accepted.
    public var maxDepth: Int = 128
    /// Most nodes the document may expand to once aliases are resolved.
    public var maxExpandedNodes: Int = 1_000_000

    /// The defaults: depth 128, one million expanded nodes.
    public init() {}
}

/// Parses YAML text into `YAMLNode` trees using libyaml.
public enum YAMLParser {
    /// Parses the first document of `text`. An empty document yields `nil`.
    /// A stream with more than one document is an error: msvc.yaml is one document.
    public static func parse(_ text: String, limits: YAMLLimits = YAMLLimits()) throws(YAMLError) -> YAMLNode? {
        var builder = TreeBuilder(limits: limits)
        var bytes = Array(text.utf8)
        if bytes.contains(0) {
            let index = bytes.firstIndex(of: 0)!
            let prefix = bytes[..<index]
            let line = prefix.filter { $0 == UInt8(ascii: "\n") }.count + 1
            let lastNewline = prefix.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
            throw YAMLError(
                mark: SourceMark(line: line, column: index - lastNewline + 1),
                message: "file contains a NUL byte; msvc.yaml must be UTF-8 text")
        }
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            throw YAMLError(mark: SourceMark(line: 1, column: 1), message: "out of memory starting the YAML parser")
        }
        defer { yaml_parser_delete(&parser) }
        return try bytes.withUnsafeMutableBufferPointer { (buffer) throws(YAMLError) -> YAMLNode? in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            var event = yaml_event_t()
            while true {
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    throw parserError(parser)
                }
                defer { yaml_event_delete(&event) }
                if event.type == YAML_STREAM_END_EVENT { break }
                try builder.handle(event)
            }
            return builder.document
        }
    }

    private static func parserError(_ parser: yaml_parser_t) -> YAMLError {
        let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
        let mark = parser.problem_mark
        var message = "invalid YAML: \(problem)"
        if let context = parser.context.map({ String(cString: $0) }) {
            message += " (\(context) at \(parser.context_mark.line + 1):\(parser.context_mark.column + 1))"
        }
        if problem.contains("tab") {
            message += "; indent with spaces, not tabs"
        } else if problem.contains("mapping values are not allowed") {
            message += "; a value containing \": \" must be quoted"
        } else if problem.contains("did not find expected key") {
            message += "; check the indentation of this line"
        }
        return YAMLError(mark: SourceMark(line: Int(mark.line) + 1, column: Int(mark.column) + 1), message: message)
    }
}

/// Turns the libyaml event stream into nodes without recursion.
private struct TreeBuilder {
    enum Frame {
        case sequence(mark: SourceMark, tag: String?, anchor: String?, items: [YAMLNode])
        case mapping(mark: SourceMark, tag: String?, anchor: String?, pairs: [YAMLPair], pendingKey: YAMLNode?)
    }

    let limits: YAMLLimits
    var stack: [Frame] = []
    var anchors: [String: (node: YAMLNode, size: Int)] = [:]
    var sizes: [Int] = []  // expanded node count of each open frame
    var expanded = 0
    var document: YAMLNode?
    var documents = 0

    init(limits: YAMLLimits) { self.limits = limits }

    static func mark(_ m: yaml_mark_t) -> SourceMark {
        SourceMark(line: Int(m.line) + 1, column: Int(m.column) + 1)
    }

    static func string(_ p: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        p.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
    }

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
            try add(target.node, size: target.size, anchor: nil)
        case YAML_SEQUENCE_START_EVENT:
            let s = event.data.sequence_start
            try push(.sequence(mark: mark, tag: Self.string(s.tag), anchor: Self.string(s.anchor), items: []), at: mark)
        case YAML_MAPPING_START_EVENT:
            let m = event.data.mapping_start
            try push(.mapping(mark: mark, tag: Self.string(m.tag), anchor: Self.string(m.anchor), pairs: [], pendingKey: nil), at: mark)
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            let frame = stack.removeLast()
            let size = sizes.removeLast()
            switch frame {
            case .sequence(let m, let tag, let anchor, let items):
                try add(YAMLNode(.sequence(items), mark: m, tag: tag), size: size, anchor: anchor, counted: true)
            case .mapping(let m, let tag, let anchor, let pairs, _):
                try add(YAMLNode(.mapping(pairs), mark: m, tag: tag), size: size, anchor: anchor, counted: true)
            }
        default:
            break
        }
    }

    mutating func push(_ frame: Frame, at mark: SourceMark) throws(YAMLError) {
        if stack.count >= limits.maxDepth {
            throw YAMLError(mark: mark, message: "nesting deeper than \(limits.maxDepth) levels; msvc.yaml never needs this much")
        }
        stack.append(frame)
        sizes.append(1)
    }

    mutating func add(_ node: YAMLNode, size: Int, anchor: String?, counted: Bool = false) throws(YAMLError) {
        if !counted {
            expanded += size
            if expanded > limits.maxExpandedNodes {
                throw YAMLError(
                    mark: node.mark,
                    message: "document expands to more than \(limits.maxExpandedNodes) nodes through aliases (an alias bomb?); use fewer nested aliases")
            }
        } else {
            expanded += 1
        }
        if let anchor { anchors[anchor] = (node, size) }
        guard !stack.isEmpty else {
            document = node
            return
        }
        sizes[sizes.count - 1] += size
        switch stack[stack.count - 1] {
        case .sequence(let m, let tag, let a, var items):
            stack[stack.count - 1] = .sequence(mark: m, tag: tag, anchor: a, items: [])
            items.append(node)
            stack[stack.count - 1] = .sequence(mark: m, tag: tag, anchor: a, items: items)
        case .mapping(let m, let tag, let a, var pairs, let pendingKey):
            stack[stack.count - 1] = .mapping(mark: m, tag: tag, anchor: a, pairs: [], pendingKey: nil)
            if let key = pendingKey {
                try insert(YAMLPair(key: key, value: node), into: &pairs)
                stack[stack.count - 1] = .mapping(mark: m, tag: tag, anchor: a, pairs: pairs, pendingKey: nil)
            } else {
                guard case .scalar = node.content else {
                    throw YAMLError(mark: node.mark, message: "map keys must be plain strings, not \(node.kindName)")
                }
                stack[stack.count - 1] = .mapping(mark: m, tag: tag, anchor: a, pairs: pairs, pendingKey: node)
            }
        }
    }

    /// Adds a pair, expanding `<<` merge keys and rejecting duplicates.
    func insert(_ pair: YAMLPair, into pairs: inout [YAMLPair]) throws(YAMLError) {
        if case .scalar("<<", .plain) = pair.key.content {
            var sources: [YAMLNode] = []
            switch pair.value.content {
            case .mapping: sources = [pair.value]
            case .sequence(let items): sources = items
            case .scalar: break
            }
            for source in sources {
                guard case .mapping(let merged) = source.content else {
                    throw YAMLError(mark: source.mark, message: "\"<<\" merges maps only, found \(source.kindName)")
                }
                // Explicit keys win over merged ones, and earlier merges over later ones.
                for p in merged where !pairs.contains(where: { $0.key.scalar == p.key.scalar }) {
                    pairs.append(p)
                }
            }
            if sources.isEmpty {
                throw YAMLError(mark: pair.value.mark, message: "\"<<\" merges maps only, found \(pair.value.kindName)")
            }
            return
        }
        if let existing = pairs.firstIndex(where: { $0.key.scalar == pair.key.scalar }) {
            let first = pairs[existing].key
            // A key that came in through "<<" may be overridden.
            if first.mark < pair.key.mark || first.mark == pair.key.mark {
                if isFromMerge(first, pairs: pairs) {
                    pairs[existing] = pair
                    return
                }
            }
            throw YAMLError(
                mark: pair.key.mark,
                message: "duplicate key \"\(pair.key.scalar ?? "")\" (first defined at \(first.mark)); remove one of them")
        }
        pairs.append(pair)
    }

    private func isFromMerge(_ key: YAMLNode, pairs: [YAMLPair]) -> Bool {
        // Keys copied in by a merge keep the mark of the anchored map, which lies before the
        // mapping being built; own keys are always after the mapping's last own key.
        guard case .mapping(let m, _, _, _, _) = stack.last else { return false }
        return key.mark < m
    }
}
