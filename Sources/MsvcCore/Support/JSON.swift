/// A JSON value with ordered object keys, so output is deterministic and reads like the input.
public indirect enum JSON: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])

    public static func == (a: JSON, b: JSON) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.double(let x), .double(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)): return x == y
        case (.object(let x), .object(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// The value serialized; `pretty` indents by two spaces, otherwise one line.
    public func serialized(pretty: Bool = true) -> String {
        var out = ""
        write(to: &out, indent: pretty ? 0 : nil)
        return out
    }

    private func write(to out: inout String, indent: Int?) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d):
            out += d.isFinite ? (d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)) : "null"
        case .string(let s): JSON.quote(s, into: &out)
        case .array(let items):
            out += "["
            for (i, value) in items.enumerated() {
                JSON.separate(i, into: &out, indent: indent)
                value.write(to: &out, indent: indent.map { $0 + 1 })
            }
            JSON.close("]", empty: items.isEmpty, into: &out, indent: indent)
        case .object(let pairs):
            out += "{"
            for (i, (key, value)) in pairs.enumerated() {
                JSON.separate(i, into: &out, indent: indent)
                JSON.quote(key, into: &out)
                out += indent == nil ? ":" : ": "
                value.write(to: &out, indent: indent.map { $0 + 1 })
            }
            JSON.close("}", empty: pairs.isEmpty, into: &out, indent: indent)
        }
    }

    /// What goes before item `i` of a container: a comma after the first, a new line when pretty.
    private static func separate(_ i: Int, into out: inout String, indent: Int?) {
        if i > 0 { out += "," }
        if let indent { newLine(indent + 1, into: &out) }
    }

    private static func close(_ bracket: String, empty: Bool, into out: inout String, indent: Int?) {
        if !empty, let indent { newLine(indent, into: &out) }
        out += bracket
    }

    private static func newLine(_ depth: Int, into out: inout String) {
        out += "\n"
        for _ in 0..<depth { out += "  " }
    }

    /// Appends `s` as a JSON string literal.
    public static func quote(_ s: String, into out: inout String) {
        out += "\""
        // Most strings need no escape: appended whole, not scalar by scalar (a snapshot of
        // 200 services holds thousands of them).
        if !s.utf8.contains(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 < 0x20 }) {
            out += s
            out += "\""
            return
        }
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20:
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        out += "\""
    }
}
