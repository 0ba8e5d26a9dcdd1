import Foundation

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
    ///
    /// When a reference is `.deferred`, the result keeps msvc.yaml syntax so that a second
    /// `expand` at start time is exact: deferred references stay as written and every literal
    /// `$` (from `$$`, a bare `$`, or a substituted value) is written `$$`.
    public static func expand(_ text: String, lookup: (String) -> Lookup) throws(Failure) -> String {
        guard text.contains("$") else { return text }
        let chars = Array(text)
        var sawDeferred = false
        let recording: (String) -> Lookup = { name in
            let found = lookup(name)
            if found == .deferred { sawDeferred = true }
            return found
        }
        var index = 0
        let plain = try expand(chars, &index, depth: 0, nested: false, evaluate: true, escape: false, lookup: recording).text
        guard sawDeferred else { return plain }
        index = 0
        return try expand(chars, &index, depth: 0, nested: false, evaluate: true, escape: true, lookup: lookup).text
    }

    /// Expands until the end of the text, or (when `nested`) until the `}` that closes the
    /// reference being read. With `evaluate` false nothing is looked up: the text is only
    /// checked, as a default that is not needed must not fail for an unset variable in it.
    private static func expand(
        _ chars: [Character], _ i: inout Int, depth: Int, nested: Bool, evaluate: Bool, escape: Bool,
        lookup: (String) -> Lookup
    ) throws(Failure) -> (text: String, closed: Bool) {
        var out = ""
        let dollar = escape ? "$$" : "$"
        while i < chars.count {
            let c = chars[i]
            if nested && c == "}" { return (out, true) }
            guard c == "$", i + 1 < chars.count else {
                out += c == "$" ? dollar : String(c)
                i += 1
                continue
            }
            let next = chars[i + 1]
            if next == "$" {
                out += dollar
                i += 2
            } else if next == "{" {
                out += try reference(chars, &i, depth: depth, evaluate: evaluate, escape: escape, lookup: lookup)
            } else {
                out += dollar
                i += 1
            }
        }
        return (out, false)
    }

    private static func reference(
        _ chars: [Character], _ i: inout Int, depth: Int, evaluate: Bool, escape: Bool, lookup: (String) -> Lookup
    ) throws(Failure) -> String {
        // In escape mode a substituted value's own `$` must stay literal at start time.
        func literal(_ v: String) -> String { escape ? v.replacingOccurrences(of: "$", with: "$$") : v }
        let start = i
        let unterminated = Failure(offset: start, message: "unterminated \"${\"; add the closing \"}\"")
        guard depth < 16 else {
            throw Failure(offset: start, message: "\"${...}\" nested more than 16 levels deep; simplify the default values")
        }
        i += 2
        var name = ""
        while i < chars.count, chars[i].isASCII, chars[i].isLetter || chars[i].isNumber || chars[i] == "_" {
            name.append(chars[i])
            i += 1
        }
        guard i < chars.count else { throw unterminated }
        guard let first = name.first else {
            throw Failure(offset: start, message: "\"${\" must be followed by a variable name (letters, digits and _); write $$ for a literal $")
        }
        guard !first.isNumber else {
            throw Failure(offset: start, message: "invalid variable name \"\(name)\"; names are letters, digits and _, not starting with a digit (write $$ for a literal $)")
        }
        var op = ""
        if chars[i] == ":" {
            op = ":"
            i += 1
        }
        guard i < chars.count else { throw unterminated }
        let found = evaluate ? lookup(name) : .deferred
        if chars[i] == "}" {
            guard op.isEmpty else {
                throw Failure(offset: start, message: "\"${\(name):}\" needs one of :- :? :+ after the name, or no \":\" at all")
            }
            i += 1
            switch found {
            case .value(let v): return literal(v)
            case .deferred: return String(chars[start..<i])
            case .unset:
                throw Failure(offset: start, message: "variable \"\(name)\" is not set; set it in the environment, an env_file or env:, or write ${\(name):-default}")
            }
        }
        guard "-?+".contains(chars[i]) else {
            throw Failure(offset: start, message: "unexpected \"\(chars[i])\" after \"${\(name)\"; expected \"}\" or one of :- :? :+ (or - ? + without the colon)")
        }
        op.append(chars[i])
        i += 1
        let value: String? = if case .value(let v) = found { v } else { nil }
        let missing = op.hasPrefix(":") ? (value ?? "").isEmpty : value == nil
        let deferred = found == .deferred
        let needed = !deferred && (op.last == "+" ? !missing : missing)
        let argument = try expand(chars, &i, depth: depth + 1, nested: true, evaluate: needed, escape: escape, lookup: lookup)
        guard argument.closed else { throw unterminated }
        i += 1  // the closing brace
        if deferred { return String(chars[start..<i]) }
        switch op.last! {
        case "-": return missing ? argument.text : literal(value!)
        case "+": return missing ? "" : argument.text
        default:
            guard missing else { return literal(value!) }
            let state = value == nil ? "is not set" : "is empty"
            let reason = argument.text.isEmpty ? "; set it in the environment, an env_file or env:" : ": \(argument.text)"
            throw Failure(offset: start, message: "required variable \"\(name)\" \(state)\(reason)")
        }
    }
}
