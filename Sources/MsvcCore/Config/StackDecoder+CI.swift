import Foundation

extension StackDecoder {
    /// The example shown when `ci.msvc` has the wrong shape.
    static let ciMsvcExample = "{ git: https://github.com/OWNER/msvc.git, ref: v0.2.0 } or { install: COMMAND }"

    /// `ci.msvc`: `{ git: URL, ref: REF }` or `{ install: COMMAND }`, every problem reported.
    mutating func ciMsvc(_ node: YAMLNode) -> CIMsvcSource? {
        let path = "ci.msvc"
        guard node.content.isMapping else {
            r.marks[path] = node.mark
            r.sink.error(node.mark, path, "expected a map such as \(Self.ciMsvcExample), found \(node.kindName)")
            return nil
        }
        guard let pairs = r.map(node, path) else { return nil }
        let f = r.fields(pairs, path, allowed: ["git", "ref", "install"])
        let git = f["git"].flatMap { gitURL($0, join(path, "git")) }
        let ref = f["ref"].flatMap { gitRef($0, join(path, "ref")) }
        let install = f["install"].flatMap { installCommand($0, join(path, "install")) }
        if let n = f["install"], f["git"] != nil || f["ref"] != nil {
            r.sink.error(n.mark, join(path, "install"), "set either install: or git: with ref:, not both")
            return nil
        }
        if f["install"] != nil { return install.map { .install(command: $0) } }
        switch (f["git"], f["ref"]) {
        case (nil, nil):
            r.sink.error(node.mark, path, "says nothing about where CI gets msvc; set \(Self.ciMsvcExample)")
            return nil
        case (.some, nil):
            r.sink.error(node.mark, path, "git: needs ref:, the tag, branch or commit to build (e.g. ref: v\(Msvc.version))")
            return nil
        case (nil, .some):
            r.sink.error(node.mark, path, "ref: needs git:, the repository to build msvc from (e.g. git: https://github.com/OWNER/msvc.git)")
            return nil
        case (.some, .some):
            guard let git, let ref else { return nil }
            return .git(url: git, ref: ref)
        }
    }

    private mutating func gitURL(_ node: YAMLNode, _ path: String) -> String? {
        guard let v = r.string(node, path) else { return nil }
        if v.isEmpty || v.hasPrefix("-") || v.contains(where: { $0.isWhitespace || $0.isNewline || ($0.asciiValue ?? 0x20) < 0x20 }) {
            r.sink.error(node.mark, path, "invalid git repository \"\(v)\" (expected a URL such as https://github.com/OWNER/msvc.git, with no spaces)")
            return nil
        }
        return v
    }

    private mutating func gitRef(_ node: YAMLNode, _ path: String) -> String? {
        guard let v = r.string(node, path) else { return nil }
        // The rules of git check-ref-format that matter for a name passed to git fetch.
        let bad = v.isEmpty || v.hasPrefix("-") || v.hasPrefix("/") || v.hasSuffix("/") || v.hasSuffix(".") || v.hasSuffix(".lock")
            || v.contains("..") || v.contains("@{") || v.contains("//")
            || v.contains(where: { $0.isWhitespace || "~^:?*[\\".contains($0) || ($0.asciiValue ?? 0x20) < 0x20 })
        if bad {
            r.sink.error(node.mark, path, "invalid git ref \"\(v)\" (expected a tag, branch or commit such as v\(Msvc.version))")
            return nil
        }
        return v
    }

    private mutating func installCommand(_ node: YAMLNode, _ path: String) -> String? {
        guard let v = r.string(node, path) else { return nil }
        if v.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            r.sink.error(node.mark, path, "expected a shell command that puts msvc on PATH (e.g. install: ./ci/install-msvc.sh)")
            return nil
        }
        return v
    }
}
