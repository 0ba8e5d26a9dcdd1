import Foundation

/// Reads dotenv files: `KEY=value`, `export KEY=value`, `#` comments, single quotes (literal),
/// double quotes (with `\n`, `\t`, `\"`, `\\` escapes and `${VAR}` interpolation) and
/// unquoted values (trailing ` #comment` dropped, `${VAR}` interpolated).
public enum EnvFile {
    /// One problem in an env file.
    public struct Problem: Error, Sendable, Equatable {
        /// Where.
        public var mark: SourceMark
        /// What.
        public var message: String
    }

    /// Parses `text`; `lookup` resolves `${VAR}` against what is known so far (earlier lines
    /// included). Throws the first problem; `parseAll` reports every one.
    public static func parse(
        _ text: String, lookup: (String) -> Interpolation.Lookup
    ) throws(Problem) -> [(key: String, value: String)] {
        let (entries, problems) = parseAll(text, lookup: lookup)
        if let first = problems.first { throw first }
        return entries
    }

    /// Parses `text`, skipping bad lines: the good entries and a problem for each bad line.
    public static func parseAll(
        _ text: String, lookup: (String) -> Interpolation.Lookup
    ) -> (entries: [(key: String, value: String)], problems: [Problem]) {
        var result: [(key: String, value: String)] = []
        var problems: [Problem] = []
        var defined: [String: String] = [:]
        var lineNumber = 0
        // "\r\n" is a single Character in Swift, so splitting on "\n" alone misses CRLF files.
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            do throws(Problem) {
                guard let (key, value) = try entry(rawLine, line: lineNumber, lookup: { name in
                    if let v = defined[name] { return .value(v) }
                    return lookup(name)
                }) else { continue }
                defined[key] = value
                result.append((key, value))
            } catch {
                problems.append(error)
            }
        }
        return (result, problems)
    }

    /// One line: nil for blank lines and comments.
    private static func entry(
        _ rawLine: Substring, line lineNumber: Int, lookup scope: (String) -> Interpolation.Lookup
    ) throws(Problem) -> (String, String)? {
        var line = Substring(rawLine)
        if line.hasSuffix("\r") { line = line.dropLast() }
        let indent = line.prefix { $0 == " " || $0 == "\t" }.count
        line = line.dropFirst(indent)
        if line.isEmpty || line.hasPrefix("#") { return nil }
        var column = indent + 1
        if line.hasPrefix("export ") {
            line = line.dropFirst(7).drop { $0 == " " }
            column = indent + 1 + (rawLine.count - indent - line.count)
        }
        guard let eq = line.firstIndex(of: "=") else {
            throw Problem(mark: SourceMark(line: lineNumber, column: column),
                          message: "expected KEY=value, found \"\(line.prefix(40))\"; write KEY=value or comment the line out with #")
        }
        let key = String(line[..<eq]).trimmingTrailingSpaces()
        guard isValidName(key) else {
            throw Problem(mark: SourceMark(line: lineNumber, column: column),
                          message: "invalid variable name \"\(key)\"; use letters, digits and _, not starting with a digit")
        }
        let valueColumn = column + line.distance(from: line.startIndex, to: eq) + 1
        var raw = line[line.index(after: eq)...]
        let spaces = raw.prefix { $0 == " " }.count
        raw = raw.dropFirst(spaces)
        let value: String
        do throws(Interpolation.Failure) {
            if raw.hasPrefix("'") {
                guard let end = raw.dropFirst().firstIndex(of: "'") else {
                    throw Interpolation.Failure(offset: 0, message: "unterminated single quote; add the closing ' (values cannot span lines)")
                }
                value = String(raw[raw.index(after: raw.startIndex)..<end])
            } else if raw.hasPrefix("\"") {
                var body = ""
                var closed = false
                var it = raw.dropFirst().makeIterator()
                while let c = it.next() {
                    if c == "\"" { closed = true; break }
                    if c == "\\", let n = it.next() {
                        switch n {
                        case "n": body.append("\n")
                        case "t": body.append("\t")
                        case "r": body.append("\r")
                        default: body.append(n)
                        }
                    } else {
                        body.append(c)
                    }
                }
                guard closed else {
                    throw Interpolation.Failure(offset: 0, message: "unterminated double quote; add the closing \" (values cannot span lines)")
                }
                // Offsets inside the quotes are shifted by the opening quote.
                do throws(Interpolation.Failure) {
                    value = try Interpolation.expand(body, lookup: scope)
                } catch {
                    throw Interpolation.Failure(offset: error.offset + 1, message: error.message)
                }
            } else {
                var plain = raw
                if let hash = plain.range(of: " #") { plain = plain[..<hash.lowerBound] }
                value = try Interpolation.expand(String(plain).trimmingTrailingSpaces(), lookup: scope)
            }
        } catch {
            throw Problem(mark: SourceMark(line: lineNumber, column: valueColumn + spaces + error.offset), message: error.message)
        }
        return (key, value)
    }

    /// Whether `name` is a valid environment variable name.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.first, first == "_" || (first.isASCII && first.isLetter) else { return false }
        return name.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = Substring(self)
        while let last = s.last, last == " " || last == "\t" { s = s.dropLast() }
        return String(s)
    }
}
