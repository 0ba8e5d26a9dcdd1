/// A position in a source file, 1-based line and column.
public struct SourceMark: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// 1-based line number.
    public var line: Int
    /// 1-based column number (in Unicode scalars, as libyaml counts them).
    public var column: Int

    /// Creates a mark at the given 1-based line and column.
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public static func < (a: SourceMark, b: SourceMark) -> Bool {
        (a.line, a.column) < (b.line, b.column)
    }

    public var description: String { "\(line):\(column)" }
}

/// How a scalar was written, which decides how it is typed.
public enum ScalarStyle: Sendable, Hashable {
    case plain, singleQuoted, doubleQuoted, literal, folded
}

/// A YAML node that remembers where it came from.
public struct YAMLNode: Sendable, Equatable {
    /// The node's content.
    public indirect enum Content: Sendable, Equatable {
        case scalar(String, ScalarStyle)
        case sequence([YAMLNode])
        case mapping([YAMLPair])

        /// Whether this is a map.
        public var isMapping: Bool {
            if case .mapping = self { return true }
            return false
        }

        /// Whether this is a list.
        public var isSequence: Bool {
            if case .sequence = self { return true }
            return false
        }
    }

    /// The node's content.
    public var content: Content
    /// Where the node starts.
    public var mark: SourceMark
    /// An explicit tag (`!!str`), if any.
    public var tag: String?

    /// Creates a node.
    public init(_ content: Content, mark: SourceMark, tag: String? = nil) {
        self.content = content
        self.mark = mark
        self.tag = tag
    }

    /// A short English name of the node's kind, for error messages.
    public var kindName: String {
        switch content {
        case .scalar(let s, let style):
            if style != .plain { return "a string" }
            switch YAMLNode.plainScalarType(s) {
            case .null: return "null"
            case .bool: return "a boolean"
            case .int: return "a number"
            case .float: return "a number"
            case .string: return "a string"
            }
        case .sequence: return "a list"
        case .mapping: return "a map"
        }
    }

    /// The scalar string if this is a scalar.
    public var scalar: String? {
        if case .scalar(let s, _) = content { return s }
        return nil
    }

    /// Whether this is a plain `null`/`~`/empty scalar.
    public var isNull: Bool {
        if case .scalar(let s, .plain) = content, tag == nil { return YAMLNode.plainScalarType(s) == .null }
        return false
    }

    /// The YAML 1.2 core-schema type of a plain scalar.
    public enum PlainType: Sendable { case null, bool, int, float, string }

    /// Resolves a plain scalar by the YAML 1.2 core schema.
    public static func plainScalarType(_ s: String) -> PlainType {
        switch s {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE", "false", "False", "FALSE": return .bool
        default: break
        }
        if Int(s) != nil { return .int }
        if s.hasPrefix("0x"), Int(s.dropFirst(2), radix: 16) != nil { return .int }
        if s.hasPrefix("0o"), Int(s.dropFirst(2), radix: 8) != nil { return .int }
        if let first = s.first, first.isNumber || first == "-" || first == "+" || first == ".",
           Double(s) != nil, !s.contains("nan"), !s.contains("inf") { return .float }
        return .string
    }
}

/// A key/value entry of a mapping, in document order.
public struct YAMLPair: Sendable, Equatable {
    /// The key node (a scalar for every key msvc reads).
    public var key: YAMLNode
    /// The value node.
    public var value: YAMLNode

    /// Creates a pair.
    public init(key: YAMLNode, value: YAMLNode) {
        self.key = key
        self.value = value
    }
}
