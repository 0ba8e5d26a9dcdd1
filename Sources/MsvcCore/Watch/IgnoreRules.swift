import Foundation

/// One line of a `.gitignore` (or of `watch.ignore`), compiled.
public struct IgnorePattern: Sendable, Equatable {
    /// `!pattern`: re-includes what an earlier pattern excluded.
    public let negated: Bool
    /// `pattern/`: matches folders only.
    public let folderOnly: Bool
    /// Whether it is relative to its base (it has a `/` other than a trailing one); otherwise
    /// it matches a name at any depth.
    public let anchored: Bool
    /// The pattern's `/`-separated parts.
    let parts: [String]
    /// The folder the pattern is relative to (absolute, no trailing `/`).
    public let base: String

    /// Compiles one line; nil for blank lines and comments.
    public init?(line raw: String, base: String) {
        var line = Substring(raw)
        // Trailing spaces are ignored unless escaped.
        while line.hasSuffix(" ") && !line.hasSuffix("\\ ") { line = line.dropLast() }
        if line.isEmpty || line.hasPrefix("#") { return nil }
        var negated = false
        if line.hasPrefix("!") {
            negated = true
            line = line.dropFirst()
        } else if line.hasPrefix("\\!") || line.hasPrefix("\\#") {
            line = line.dropFirst()
        }
        var folderOnly = false
        while line.hasSuffix("/") {
            folderOnly = true
            line = line.dropLast()
        }
        if line.isEmpty { return nil }
        let anchored = line.contains("/")
        if line.hasPrefix("/") { line = line.dropFirst() }
        self.negated = negated
        self.folderOnly = folderOnly
        self.anchored = anchored
        parts = line.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        self.base = base.hasSuffix("/") && base.count > 1 ? String(base.dropLast()) : base
    }

    /// Whether the pattern matches `path` (absolute), a folder when `isFolder`.
    public func matches(_ path: String, isFolder: Bool) -> Bool {
        if folderOnly && !isFolder { return false }
        let prefix = base == "/" ? "/" : base + "/"
        guard path.hasPrefix(prefix) else { return false }
        let components = path.dropFirst(prefix.count).split(separator: "/").map(String.init)
        guard !components.isEmpty else { return false }
        if !anchored { return Glob.match(parts[0], components[components.count - 1]) }
        return Self.match(parts[...], components[...])
    }

    /// Matches pattern parts against path components, `**` spanning any number of them.
    static func match(_ pattern: ArraySlice<String>, _ path: ArraySlice<String>) -> Bool {
        guard let first = pattern.first else { return path.isEmpty }
        if first == "**" {
            let rest = pattern.dropFirst()
            if rest.isEmpty { return true }
            var tail = path
            while true {
                if match(rest, tail) { return true }
                guard !tail.isEmpty else { return false }
                tail = tail.dropFirst()
            }
        }
        guard let head = path.first, Glob.match(first, head) else { return false }
        return match(pattern.dropFirst(), path.dropFirst())
    }
}

/// Shell-style matching of one path component: `*`, `?`, `[a-z]`, `[!x]`, `\` escapes.
enum Glob {
    /// Whether `name` matches `pattern` as a whole.
    static func match(_ pattern: String, _ name: String) -> Bool {
        let p = Array(pattern.unicodeScalars), n = Array(name.unicodeScalars)
        var pi = 0, ni = 0
        var star: Int? = nil, starName = 0
        while ni < n.count {
            if pi < p.count {
                switch p[pi] {
                case "*":
                    star = pi
                    starName = ni
                    pi += 1
                    continue
                case "?":
                    pi += 1
                    ni += 1
                    continue
                case "[":
                    if let (matched, next) = bracket(p, pi, n[ni]) {
                        if matched {
                            pi = next
                            ni += 1
                            continue
                        }
                    } else if n[ni] == "[" {
                        pi += 1
                        ni += 1
                        continue
                    }
                case "\\" where pi + 1 < p.count:
                    if p[pi + 1] == n[ni] {
                        pi += 2
                        ni += 1
                        continue
                    }
                default:
                    if p[pi] == n[ni] {
                        pi += 1
                        ni += 1
                        continue
                    }
                }
            }
            guard let s = star else { return false }
            pi = s + 1
            starName += 1
            ni = starName
        }
        while pi < p.count && p[pi] == "*" { pi += 1 }
        return pi == p.count
    }

    /// Evaluates a `[...]` class at `start` against `c`: (matched, index after `]`), or nil
    /// when the bracket is not closed (then `[` is literal).
    static func bracket(_ p: [Unicode.Scalar], _ start: Int, _ c: Unicode.Scalar) -> (Bool, Int)? {
        var i = start + 1
        var negate = false
        if i < p.count && (p[i] == "!" || p[i] == "^") {
            negate = true
            i += 1
        }
        var matched = false
        var first = true
        while i < p.count && (p[i] != "]" || first) {
            first = false
            var lo = p[i]
            if lo == "\\" && i + 1 < p.count { i += 1; lo = p[i] }
            if i + 2 < p.count && p[i + 1] == "-" && p[i + 2] != "]" {
                var hi = p[i + 2]
                var skip = 3
                if hi == "\\" && i + 3 < p.count { hi = p[i + 3]; skip = 4 }
                if lo.value <= c.value && c.value <= hi.value { matched = true }
                i += skip
            } else {
                if lo == c { matched = true }
                i += 1
            }
        }
        guard i < p.count else { return nil }
        return (matched != negate, i + 1)
    }
}

/// Decides which paths watch mode ignores: built-in folders (`.git`, `.msvc`, `node_modules`,
/// `__pycache__`, `.build`) and editors' and atomic writers' temporary files (vim's swap files
/// and `4913`, emacs' `.#x` and `#x#`, `x~` backups, Foundation's `.dat.nosync*`), the project's `.gitignore` files (the one at the project root,
/// those between it and the watched folder, and those inside the watched tree), then the
/// service's `watch.ignore`, which wins. As in git, the last matching pattern decides and `!`
/// re-includes. Used on the watcher's thread only; `.gitignore` files are read once and
/// re-read when they change.
final class IgnoreRules {
    /// Names ignored everywhere, whatever the patterns say.
    static let builtIn: Set<String> = [".git", ".msvc", "node_modules", "__pycache__", ".build"]

    /// Whether a file name is an editor's or an atomic write's temporary file: saving through
    /// one must not count as a change of its own (the rename onto the real file does), however
    /// long the writer takes between creating and renaming it.
    static func isScratch(_ name: String) -> Bool {
        if name == "4913" || name == ".DS_Store" || name.hasSuffix("~") || name.hasPrefix(".#") { return true }
        if name.hasPrefix(".dat.nosync") || name.hasSuffix(".kate-swp") { return true }
        if name.count > 2 && name.hasPrefix("#") && name.hasSuffix("#") { return true }
        // vim: .name.swp, .swo, ... .swa (and .swx while it probes the folder).
        if name.hasPrefix("."), let dot = name.lastIndex(of: "."), dot != name.startIndex {
            let ext = name[name.index(after: dot)...]
            if ext.count == 3 && ext.hasPrefix("sw") && ext.last!.isLetter { return true }
        }
        return false
    }

    let projectRoot: String
    private let extra: [IgnorePattern]
    private var gitignores: [String: [IgnorePattern]] = [:]

    /// Rules for a service whose patterns (`watch.ignore`) are relative to `base`.
    init(projectRoot: String, base: String, patterns: [String]) {
        self.projectRoot = projectRoot
        extra = patterns.compactMap { IgnorePattern(line: $0, base: base) }
    }

    /// Whether `path` (absolute) is ignored. Its folders were checked when they were walked.
    func isIgnored(_ path: String, isFolder: Bool) -> Bool {
        let name = (path as NSString).lastPathComponent
        if Self.builtIn.contains(name) || name.hasPrefix(".build-") || name.hasPrefix(".build_") { return true }
        if !isFolder && Self.isScratch(name) { return true }
        var ignored = false
        for pattern in patterns(for: path) where pattern.matches(path, isFolder: isFolder) {
            ignored = !pattern.negated
        }
        for pattern in extra where pattern.matches(path, isFolder: isFolder) {
            ignored = !pattern.negated
        }
        return ignored
    }

    /// Forgets the `.gitignore` of `folder` (it changed).
    func invalidate(_ folder: String) {
        gitignores[folder] = nil
    }

    /// The `.gitignore` patterns that apply to `path`: from the project root down to its folder.
    private func patterns(for path: String) -> [IgnorePattern] {
        var folders: [String] = []
        var dir = (path as NSString).deletingLastPathComponent
        while dir.hasPrefix(projectRoot) {
            folders.append(dir)
            if dir == projectRoot || dir == "/" { break }
            dir = (dir as NSString).deletingLastPathComponent
        }
        return folders.reversed().flatMap { load($0) }
    }

    private func load(_ folder: String) -> [IgnorePattern] {
        if let cached = gitignores[folder] { return cached }
        let text = (try? String(contentsOfFile: folder + "/.gitignore", encoding: .utf8)) ?? ""
        let compiled = text.split(separator: "\n", omittingEmptySubsequences: false)
            .compactMap { IgnorePattern(line: String($0).replacingOccurrences(of: "\r", with: ""), base: folder) }
        gitignores[folder] = compiled
        return compiled
    }
}
