/// `${VAR}` interpolation with the modifiers docker compose users know.
///
/// - `${VAR}`: the value; an unset variable is an error.
/// - `${VAR:-default}` / `${VAR-default}`: default when unset or empty / when unset.
/// - `${VAR:?message}` / `${VAR?message}`: error with message when unset or empty / when unset.
/// - `${VAR:+alt}` / `${VAR+alt}`: `alt` when set and non-empty / when set, else empty.
/// - `$$` is a literal `$`; a `$` not followed by `{` or `$` is kept as written, so
///   `$HOME` in a `shell: true` command still reaches the shell.
/// Defaults and alternatives may themselves contain `${...}`.
public enum Interpolation {
    /// What a variable lookup found.
    public enum Lookup: Sendable, Equatable {
        /// The variable is set to this value.
        case value(String)
        /// The variable is known to be set later (a service-discovery variable): keep the text.
        case deferred
        /// The variable is not set.
        case unset
    }

    /// Why a string could not be interpolated.
    public struct Failure: Error, Sendable, Equatable {
        /// 0-based character offset of the `$` that starts the bad reference.
        public var offset: Int
        /// What is wrong.
        public var message: String
    }

    /// Interpolates `text`, asking `lookup` for each variable.
    public static func expand(_ text: String, lookup: (String) -> Lookup) throws(Failure) -> String {
        guard text.contains("$") else { return text }
        let chars = Array(text)
        var index = 0
        return try expand(chars, &index, depth: 0, stopAtBrace: false, lookup: lookup)
    }

    private static func expand(
        _ chars: [Character], _ i: inout Int, depth: Int, stopAtBrace: Bool, lookup: (String) -> Lookup
    ) throws(Failure) -> String {
        var out = ""
        while i < chars.count {
            let c = chars[i]
            if stopAtBrace && c == "}" { return out }
            guard c == "$", i + 1 < chars.count else {
                out.append(c)
                i += 1
                continue
            }
            let next = chars[i + 1]
            if next == "$" {
                out.append("$")
                i += 2
            } else if next == "{" {
                out += try reference(chars, &i, depth: depth, lookup: lookup)
            } else {
                out.append(c)
                i += 1
            }
        }
        if stopAtBrace {
            throw Failure(offset: chars.count, message: "unterminated \"${\"; add the closing \"}\"")
        }
        return out
    }

    private static func reference(
        _ chars: [Character], _ i: inout Int, depth: Int, lookup: (String) -> Lookup
    ) throws(Failure) -> String {
        let start = i
        guard depth < 16 else {
            throw Failure(offset: start, message: "\"${...}\" nested more than 16 levels deep")
        }
        i += 2
        var name = ""
        while i < chars.count, chars[i].isASCII, chars[i].isLetter || chars[i].isNumber || chars[i] == "_" {
            name.append(chars[i])
            i += 1
        }
        guard i < chars.count else {
            throw Failure(offset: start, message: "unterminated \"${\"; add the closing \"}\"")
        }
        guard !name.isEmpty, !name.first!.isNumber else {
            throw Failure(offset: start, message: "invalid variable name in \"${\"; names are letters, digits and _, not starting with a digit (write $$ for a literal $)")
        }
        var op = ""
        if chars[i] == ":" {
            op = ":"
            i += 1
        }
        guard i < chars.count else {
            throw Failure(offset: start, message: "unterminated \"${\"; add the closing \"}\"")
        }
        if chars[i] == "}" {
            guard op.isEmpty else {
                throw Failure(offset: start, message: "\"${\(name):}\" needs one of :- :? :+ after the name")
            }
            i += 1
            switch lookup(name) {
            case .value(let v): return v
            case .deferred: return String(chars[start..<i])
            case .unset:
                throw Failure(offset: start, message: "variable \"\(name)\" is not set; set it, or write ${\(name):-default} or ${\(name):-} for empty")
            }
        }
        guard "-?+".contains(chars[i]) else {
            throw Failure(offset: start, message: "unexpected \"\(chars[i])\" after \"${\(name)\"; expected \"}\", \":-\", \":?\" or \":+\"")
        }
        op.append(chars[i])
        i += 1
        let argStart = i
        let argument = try expand(chars, &i, depth: depth + 1, stopAtBrace: true, lookup: lookup)
        i += 1  // the closing brace
        let found = lookup(name)
        if case .deferred = found { return String(chars[start..<i]) }
        let value: String? = if case .value(let v) = found { v } else { nil }
        let missing = op.hasPrefix(":") ? (value ?? "").isEmpty : value == nil
        switch op.last! {
        case "-": return missing ? argument : value!
        case "+": return missing ? "" : argument
        default:
            if missing {
                let reason = argument.isEmpty ? "variable \"\(name)\" is required but not set" : argument
                throw Failure(offset: start, message: reason)
            }
            _ = argStart
            return value!
        }
    }
}
