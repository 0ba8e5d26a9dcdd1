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
        if let index = bytes.firstIndex(of: 0) {
            throw YAMLError(mark: SourceText(bytes).mark(ofByte: index),
                            message: "file contains a NUL byte; msvc.yaml must be UTF-8 text (is it a binary file?)")
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
                    throw SyntaxErrors.translate(parser, source: SourceText(UnsafeBufferPointer(buffer)))
                }
                defer { yaml_event_delete(&event) }
                if event.type == YAML_STREAM_END_EVENT { break }
                try builder.handle(event)
            }
            return builder.document
        }
    }
}

/// The raw bytes of a document, for turning libyaml's offsets and marks back into text.
struct SourceText {
    /// The document as UTF-8.
    let bytes: [UInt8]

    /// Wraps bytes.
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    /// Copies a buffer.
    init(_ buffer: UnsafeBufferPointer<UInt8>) { bytes = Array(buffer) }

    /// The 1-based line and column (in Unicode scalars, line breaks as libyaml counts them)
    /// of the byte at `offset`.
    func mark(ofByte offset: Int) -> SourceMark {
        var line = 1, column = 1, i = 0
        let end = min(offset, bytes.count)
        while i < end {
            let b = bytes[i]
            if b == 0x0A || (b == 0x0D && (i + 1 >= bytes.count || bytes[i + 1] != 0x0A)) {
                line += 1
                column = 1
            } else if b & 0xC0 != 0x80 && b != 0x0D {
                column += 1
            }
            i += 1
        }
        return SourceMark(line: line, column: column)
    }

    /// The character at a libyaml position (0-based line and column), if there is one.
    func character(line: Int, column: Int) -> Character? {
        var i = 0, currentLine = 0
        while currentLine < line, i < bytes.count {
            if bytes[i] == 0x0A || (bytes[i] == 0x0D && (i + 1 >= bytes.count || bytes[i + 1] != 0x0A)) {
                currentLine += 1
            }
            i += 1
        }
        var lineEnd = i
        while lineEnd < bytes.count, bytes[lineEnd] != 0x0A, bytes[lineEnd] != 0x0D { lineEnd += 1 }
        let text = String(decoding: bytes[i..<lineEnd], as: UTF8.self)
        let scalars = Array(text.unicodeScalars)
        return column < scalars.count ? Character(scalars[column]) : nil
    }
}
