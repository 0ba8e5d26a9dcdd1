/// The JSONPath subset captures use: `$`, `.name`, `['name']`, `["name"]`, `[index]` (negative
/// counts from the end), e.g. `$.items[0].id` or `$['order id']`.
public struct JSONPath: Sendable, Equatable, CustomStringConvertible {
    /// One step into a value.
    public enum Segment: Sendable, Equatable {
        /// An object member.
        case key(String)
        /// An array item; negative counts from the end.
        case index(Int)
    }

    /// The segments after `$`.
    public var segments: [Segment]
    /// The path as written.
    public var description: String

    /// Parses `text`; the error says what was expected and where (0-based character offset).
    public static func parse(_ text: String) throws(JSONPathError) -> JSONPath {
        let chars = Array(text)
        guard chars.first == "$" else { throw JSONPathError(offset: 0, message: "a JSONPath starts with $ (e.g. $.id)") }
        var i = 1
        var segments: [Segment] = []
        while i < chars.count {
            switch chars[i] {
            case ".":
                i += 1
                let start = i
                while i < chars.count, chars[i] != ".", chars[i] != "[" { i += 1 }
                guard i > start else { throw JSONPathError(offset: start, message: "expected a member name after \".\"") }
                segments.append(.key(String(chars[start..<i])))
            case "[":
                i += 1
                guard i < chars.count else { throw JSONPathError(offset: i, message: "unclosed \"[\"") }
                if chars[i] == "'" || chars[i] == "\"" {
                    let quote = chars[i]
                    i += 1
                    let start = i
                    while i < chars.count, chars[i] != quote { i += 1 }
                    guard i + 1 < chars.count, chars[i + 1] == "]" else {
                        throw JSONPathError(offset: start - 1, message: "unclosed quoted name; write ['name']")
                    }
                    segments.append(.key(String(chars[start..<i])))
                    i += 2
                } else {
                    let start = i
                    while i < chars.count, chars[i] != "]" { i += 1 }
                    guard i < chars.count else { throw JSONPathError(offset: start - 1, message: "unclosed \"[\"") }
                    guard let n = Int(String(chars[start..<i])) else {
                        throw JSONPathError(offset: start, message: "expected an index or a quoted name in [...], found \"\(String(chars[start..<i]))\" (wildcards and filters are not supported)")
                    }
                    segments.append(.index(n))
                    i += 1
                }
            default:
                throw JSONPathError(offset: i, message: "unexpected \"\(chars[i])\"; expected .name or [index]")
            }
        }
        return JSONPath(segments: segments, description: text)
    }

    /// The value at this path in `json`, or nil when a member or item is missing.
    public func evaluate(_ json: JSON) -> JSON? {
        var current = json
        for segment in segments {
            switch segment {
            case .key(let k):
                guard let next = current[k] else { return nil }
                current = next
            case .index(let n):
                guard let items = current.arrayValue else { return nil }
                let i = n < 0 ? items.count + n : n
                guard items.indices.contains(i) else { return nil }
                current = items[i]
            }
        }
        return current
    }
}

/// Why a JSONPath could not be parsed.
public struct JSONPathError: Error, Sendable, Equatable {
    /// 0-based character offset of the problem.
    public var offset: Int
    /// What was expected.
    public var message: String
}
