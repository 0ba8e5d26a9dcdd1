import Foundation

/// Where a template came from, in search order.
public enum TemplateOrigin: String, Sendable, Equatable {
    /// `.msvc/templates/` beside msvc.yaml.
    case project
    /// `$XDG_CONFIG_HOME/msvc/templates/` (default `~/.config/msvc/templates/`).
    case user
    /// Shipped with msvc.
    case builtin
}

/// A template found on the search path.
public struct TemplateInfo: Sendable, Equatable {
    /// Its manifest.
    public var manifest: TemplateManifest
    /// The template folder.
    public var directory: String
    /// Which search-path entry it came from.
    public var origin: TemplateOrigin
}

/// The template search path: project, then user, then built-in; the first of a name wins.
public struct TemplateCatalog: Sendable {
    /// Folders searched, with their origin, first wins.
    public var roots: [(path: String, origin: TemplateOrigin)]

    /// Why the built-in templates are missing from `roots`, and how to fix it; nil when found.
    public var missingBuiltins: String?

    /// Creates a catalog over explicit roots.
    public init(roots: [(path: String, origin: TemplateOrigin)], missingBuiltins: String? = nil) {
        self.roots = roots
        self.missingBuiltins = missingBuiltins
    }

    /// The standard search path for a project folder (nil outside a project), the
    /// environment and the running executable's path.
    public static func standard(projectDirectory: String?, environment: [String: String], executable: String) -> TemplateCatalog {
        var roots: [(String, TemplateOrigin)] = []
        if let projectDirectory { roots.append((projectDirectory + "/.msvc/templates", .project)) }
        let home = environment["HOME"] ?? NSHomeDirectory()
        let xdg = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.config"
        roots.append((xdg + "/msvc/templates", .user))
        var missing: String?
        if let builtin = builtinDirectory(environment: environment, executable: executable) {
            roots.append((builtin, .builtin))
        } else {
            let folder = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent().path
            missing = "the built-in templates were not found: msvc looks for templates/ and share/msvc/templates/ in \(folder) "
                + "and the folders above it; install them beside msvc (cp -R templates PREFIX/share/msvc/ for msvc in PREFIX/bin) "
                + "or point MSVC_TEMPLATES_DIR at them"
        }
        return TemplateCatalog(roots: roots, missingBuiltins: missing)
    }

    /// The built-in templates: `$MSVC_TEMPLATES_DIR`, else the first `templates/` or
    /// `share/msvc/templates/` holding a template, beside the executable's folder or an ancestor
    /// (`.build/debug/msvc` finds `<checkout>/templates`, `PREFIX/bin/msvc` finds `PREFIX/share/msvc/templates`).
    public static func builtinDirectory(environment: [String: String], executable: String) -> String? {
        if let explicit = environment["MSVC_TEMPLATES_DIR"], !explicit.isEmpty { return explicit }
        var dir = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        while true {
            for candidate in ["templates", "share/msvc/templates"] {
                let path = dir.appendingPathComponent(candidate).path
                if holdsTemplates(path) { return path }
            }
            if dir.path == "/" { return nil }
            dir = dir.deletingLastPathComponent()
        }
    }

    private static func holdsTemplates(_ path: String) -> Bool {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return false }
        return names.contains { FileManager.default.fileExists(atPath: path + "/" + $0 + "/template.yaml") }
    }

    /// Every template, first-of-a-name wins, sorted by name; a broken manifest is an error.
    public func all() throws(ScaffoldError) -> [TemplateInfo] {
        var seen: [String: TemplateInfo] = [:]
        for root in roots {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []).sorted()
            for name in names where seen[name] == nil {
                let dir = root.path + "/" + name
                guard FileManager.default.fileExists(atPath: dir + "/template.yaml") else { continue }
                seen[name] = try load(directory: dir, origin: root.origin)
            }
        }
        return seen.values.sorted { $0.manifest.name < $1.manifest.name }
    }

    /// The template called `name` (a folder name on the search path, or a path to a template folder).
    public func find(_ name: String) throws(ScaffoldError) -> TemplateInfo {
        if name.contains("/"), FileManager.default.fileExists(atPath: name + "/template.yaml") {
            return try load(directory: URL(fileURLWithPath: name).standardizedFileURL.path, origin: .project)
        }
        for root in roots {
            let dir = root.path + "/" + name
            if Naming.isValidProjectName(name), FileManager.default.fileExists(atPath: dir + "/template.yaml") {
                return try load(directory: dir, origin: root.origin)
            }
        }
        let available = ((try? all()) ?? []).map(\.manifest.name)
        throw .templateNotFound(name: name, searched: roots.map(\.path) + (missingBuiltins.map { [$0] } ?? []), available: available)
    }

    /// Loads the template in `directory`.
    public func load(directory: String, origin: TemplateOrigin) throws(ScaffoldError) -> TemplateInfo {
        let path = directory + "/template.yaml"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .invalidManifest(path: path, message: "cannot read the file")
        }
        let folder = (directory as NSString).lastPathComponent
        let manifest = try TemplateManifest.parse(String(decoding: data, as: UTF8.self), path: path, folderName: folder)
        return TemplateInfo(manifest: manifest, directory: directory, origin: origin)
    }
}
