import Foundation

/// Reads dotenv files: `KEY=value`, `export KEY=value`, `#` comments, single quotes (literal),
/// double quotes (with `\n`, `\t`, `\"`, `\\` escapes and `${VAR}` interpolation) and
/// unquoted values (trailing ` #comment` dropped, `${VAR}` interpolated).
///
/// Problems never quote the file: an env file may be anything (`env_file: [/etc/shadow]` in an
/// untrusted change), and messages end up in CI logs. They give the line, the column and what
/// is wrong there, which is enough for whoever may read the file.
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
                          message: "expected KEY=value, found a line without \"=\"; write KEY=value or comment the line out with #")
        }
        let key = String(line[..<eq]).trimmingTrailingSpaces()
        guard isValidName(key) else {
            let (offset, what) = nameProblem(key)
            throw Problem(mark: SourceMark(line: lineNumber, column: column + offset), message: what)
        }
        let valueColumn = column + line.distance(from: line.startIndex, to: eq) + 1
        var raw = line[line.index(after: eq)...]
        let spaces = raw.prefix { $0 == " " }.count
        raw = raw.dropFirst(spaces)
        let value: String
        // The text being expanded, and where it starts after the "=" and spaces, to describe a
        // failure without quoting it.
        var expanding = ""
        var expandingShift = 0
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
                expanding = body
                expandingShift = 1
                do throws(Interpolation.Failure) {
                    value = try Interpolation.expand(body, lookup: scope)
                } catch {
                    throw Interpolation.Failure(offset: error.offset + 1, message: error.message)
                }
            } else {
                var plain = raw
                if let hash = plain.range(of: " #") { plain = plain[..<hash.lowerBound] }
                expanding = String(plain).trimmingTrailingSpaces()
                value = try Interpolation.expand(expanding, lookup: scope)
            }
        } catch {
            // Interpolation's messages quote names and `:?` texts; only the nesting one does not.
            let quotesNothing = error.message.contains("nested more than") || expanding.isEmpty
            let message = quotesNothing ? error.message : referenceProblem(in: Array(expanding), at: error.offset - expandingShift)
            throw Problem(mark: SourceMark(line: lineNumber, column: valueColumn + spaces + error.offset), message: message)
        }
        return (key, value)
    }

    /// Where a bad variable name goes wrong (0-based) and why, without quoting it.
    static func nameProblem(_ key: String) -> (offset: Int, message: String) {
        let rule = "use letters, digits and _, not starting with a digit"
        guard let first = key.first else { return (0, "missing variable name before \"=\"; write KEY=value") }
        if first.isASCII, first.isNumber { return (0, "a variable name cannot start with a digit; \(rule)") }
        let bad = key.firstIndex { !($0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber))) } ?? key.startIndex
        let what = key[bad] == " " || key[bad] == "\t" ? "a space" : "a character that"
        return (key.distance(from: key.startIndex, to: bad), "invalid variable name: \(what) is not allowed here; \(rule)")
    }

    /// What is wrong with the `${...}` reference at `offset` of `text`, without quoting the
    /// file: the names and messages in it are the file's contents.
    static func referenceProblem(in text: [Character], at offset: Int) -> String {
        guard offset >= 0, offset + 1 < text.count, text[offset] == "$", text[offset + 1] == "{" else {
            return "cannot expand this ${...} reference; check it, or write $$ for a literal $"
        }
        var i = offset + 2
        let nameStart = i
        while i < text.count, text[i].isASCII, text[i].isLetter || text[i].isNumber || text[i] == "_" { i += 1 }
        var depth = 0, closed = false
        for c in text[(offset + 2)...] {
            if c == "{" { depth += 1 }
            if c == "}" { if depth == 0 { closed = true; break } else { depth -= 1 } }
        }
        if i >= text.count { return "unterminated \"${\"; add the closing \"}\"" }
        if i == nameStart { return "\"${\" must be followed by a variable name (letters, digits and _); write $$ for a literal $" }
        if text[nameStart].isNumber { return "a variable name after \"${\" cannot start with a digit; write $$ for a literal $" }
        if !closed { return "unterminated \"${\"; add the closing \"}\"" }
        let op: Character
        switch text[i] {
        case "}":
            return "the variable referenced here is not set; set it in the environment or on an earlier line, or give a default with ${NAME:-default}"
        case ":":
            guard i + 1 < text.count, "-?+".contains(text[i + 1]) else {
                return "\"${NAME:\" needs one of :- :? :+ after the name, or no \":\" at all"
            }
            op = text[i + 1]
        case "-", "?", "+": op = text[i]
        default: return "unexpected character after the variable name; expected \"}\" or one of :- :? :+"
        }
        if op == "?" { return "a required variable (${NAME:?...}) is not set or is empty here; set it before this line" }
        return "cannot expand this ${...} reference: a variable in its default is not set; set it, or change the default"
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
