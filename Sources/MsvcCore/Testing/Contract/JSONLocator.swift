/// Finds where a value sits in JSON text, so that a problem found in the parsed value can be
/// reported at its line and column (the parser keeps no positions, to stay fast).
enum JSONLocator {
    /// One step into a JSON value.
    enum Step: Sendable, Equatable {
        /// A member of an object.
        case key(String)
        /// An item of an array.
        case index(Int)
    }

    /// The byte offset where the value at `path` starts, or nil when it is not there; the
    /// text must be valid JSON.
    static func offset(of path: [Step], in bytes: [UInt8]) -> Int? {
        var s = Scanner(bytes: bytes)
        s.space()
        for step in path {
            switch step {
            case .key(let wanted):
                guard s.peek == UInt8(ascii: "{") else { return nil }
                s.i += 1
                var found = false
                while true {
                    s.space()
                    guard s.peek == UInt8(ascii: "\"") else { return nil }
                    let key = s.string()
                    s.space()
                    s.i += 1  // ':'
                    s.space()
                    if key == wanted { found = true; break }
                    s.skipValue()
                    s.space()
                    guard s.peek == UInt8(ascii: ",") else { return nil }
                    s.i += 1
                }
                if !found { return nil }
            case .index(let wanted):
                guard s.peek == UInt8(ascii: "[") else { return nil }
                s.i += 1
                s.space()
                if s.peek == UInt8(ascii: "]") { return nil }
                var n = 0
                while n < wanted {
                    s.skipValue()
                    s.space()
                    guard s.peek == UInt8(ascii: ",") else { return nil }
                    s.i += 1
                    s.space()
                    n += 1
                }
            }
        }
        return s.i < bytes.count ? s.i : nil
    }

    /// A forward scanner over valid JSON.
    private struct Scanner {
        let bytes: [UInt8]
        var i = 0

        var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

        mutating func space() {
            while let b = peek, b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { i += 1 }
        }

        /// Reads a string at `i` (which is at its opening quote) and returns its text.
        mutating func string() -> String {
            i += 1
            var out: [UInt8] = []
            while let b = peek, b != UInt8(ascii: "\"") {
                if b == UInt8(ascii: "\\"), i + 1 < bytes.count {
                    out.append(contentsOf: [b, bytes[i + 1]])
                    i += 2
                } else {
                    out.append(b)
                    i += 1
                }
            }
            i += 1
            let raw = String(decoding: out, as: UTF8.self)
            guard raw.contains("\\") else { return raw }
            return (try? JSON.parse("\"" + raw + "\""))?.stringValue ?? raw
        }

        /// Moves past the value at `i`.
        mutating func skipValue() {
            var depth = 0
            repeat {
                guard let b = peek else { return }
                switch b {
                case UInt8(ascii: "\""): _ = string(); continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
                case UInt8(ascii: ","), UInt8(ascii: ":"), 0x20, 0x0A, 0x0D, 0x09: break
                default:
                    if depth == 0 {
                        // A scalar: up to the next delimiter.
                        while let c = peek, !(c == UInt8(ascii: ",") || c == UInt8(ascii: "}") || c == UInt8(ascii: "]")
                                               || c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09) { i += 1 }
                        return
                    }
                }
                i += 1
            } while depth > 0
        }
    }
}
