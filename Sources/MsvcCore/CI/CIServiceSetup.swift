import Foundation

/// The project's files as `msvc ci generate` reads them, by path relative to the folder that
/// holds msvc.yaml: lock and version files in each service's folder.
public struct CIProjectFiles: Sendable {
    private let reader: @Sendable (String) -> String?

    /// Files served by `read` (nil: no such file).
    public init(read: @escaping @Sendable (String) -> String?) { reader = read }

    /// The text of `path`, or nil when there is no such file.
    public func read(_ path: String) -> String? { reader(path) }

    /// The files under `root` on disk.
    public static func directory(_ root: String) -> CIProjectFiles {
        CIProjectFiles { path in
            var isDirectory: ObjCBool = false
            let full = (root as NSString).appendingPathComponent(path)
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue,
                  let data = FileManager.default.contents(atPath: full) else { return nil }
            return String(decoding: data, as: UTF8.self)
        }
    }

    /// No files: every service gets the pinned toolchain and installs nothing.
    public static let none = CIProjectFiles { _ in nil }
}

/// What a service's CI job sets up before `build:` and `test:`, read from its folder at
/// generation time: the toolchain version and the commands that install its dependencies.
public struct CIServiceSetup: Sendable, Equatable {
    /// The toolchain release (`3.12`, `20`, `1.22.3`); for Swift, the pinned release.
    public var version: String
    /// Where the version came from (`services/web/.nvmrc`), or why the pinned one is used.
    public var versionSource: String
    /// Shell commands that install the dependencies, run in the service folder.
    public var install: [String]
    /// What `install` installs from which file, or why there is nothing to install.
    public var installNote: String

    /// The pinned toolchain and nothing to install, for a service msvc knows nothing about.
    public static func pinned(_ toolchain: CIToolchain) -> CIServiceSetup {
        CIServiceSetup(version: toolchain.pinnedVersion, versionSource: "msvc's default", install: [], installNote: "")
    }

    /// Reads the version and lock files in the service folder `cwd` (relative to msvc.yaml).
    public static func detect(_ toolchain: CIToolchain, cwd: String, files: CIProjectFiles) -> CIServiceSetup {
        let path = { (name: String) in CIPlan.join(cwd, name) }
        var setup = pinned(toolchain)
        switch toolchain {
        case .python:
            setup.pickVersion([
                VersionSource(file: path(".python-version"), key: "the first line", stated: firstLine, pick: pythonLine),
                VersionSource(file: path("pyproject.toml"), key: "requires-python", stated: requiresPython) {
                    CIVersionRange.pickPython($0, preferred: CIPins.python, lines: CIPins.pythonLines)
                },
            ], files: files)
            setup.pythonInstall(requirements: files.read(path("requirements.txt")), pyproject: files.read(path("pyproject.toml")))
        case .node:
            setup.pickVersion([
                VersionSource(file: path(".nvmrc"), key: "the first line", stated: firstLine, pick: CIVersionRange.plain),
                VersionSource(file: path(".node-version"), key: "the first line", stated: firstLine, pick: CIVersionRange.plain),
                VersionSource(file: path("package.json"), key: "engines.node", stated: enginesNode) {
                    CIVersionRange.pickNode($0, preferred: CIPins.node, lines: CIPins.nodeLines)
                },
            ], files: files)
            setup.nodeInstall(package: files.read(path("package.json")),
                              lock: files.read(path("package-lock.json")) ?? files.read(path("npm-shrinkwrap.json")),
                              lockName: files.read(path("package-lock.json")) != nil ? "package-lock.json" : "npm-shrinkwrap.json")
        case .go:
            setup.pickVersion([VersionSource(file: path("go.mod"), key: "the go line", stated: goDirective, pick: goVersion)], files: files)
            let sum = files.read(path("go.sum")) ?? ""
            if sum.contains(where: { !$0.isWhitespace }) {
                setup.install = ["go mod download"]
                setup.installNote = "go mod download (go.sum)"
            } else {
                setup.installNote = files.read(path("go.mod")) == nil ? "nothing to install (no go.mod)" : "nothing to install (no go.sum: no modules to download)"
            }
        case .swift:
            if let manifest = files.read(path("Package.swift")) {
                if manifest.contains(".package(") {
                    setup.install = ["swift package resolve"]
                    setup.installNote = "swift package resolve (Package.swift)"
                } else {
                    setup.installNote = "nothing to install (Package.swift has no dependencies)"
                }
            } else {
                setup.installNote = "nothing to install (no Package.swift)"
            }
        case .generic:
            break
        }
        return setup
    }

    /// A file that may state a version: `stated` finds what it says, `pick` turns that into a release line.
    struct VersionSource {
        /// The file, relative to msvc.yaml.
        var file: String
        /// Where in the file, for the note when it cannot be read (`engines.node`).
        var key: String
        /// What the file states, or nil when it says nothing about the version.
        var stated: (String) -> String?
        /// The release line for what the file states, or nil when msvc cannot pick one.
        var pick: (String) -> String?
    }

    // The first file that states a version wins; a statement msvc cannot read is named in
    // the note, so the pinned default is explained rather than silently used.
    private mutating func pickVersion(_ sources: [VersionSource], files: CIProjectFiles) {
        for source in sources {
            guard let text = files.read(source.file), let stated = source.stated(text) else { continue }
            if let v = source.pick(stated) {
                version = v
                versionSource = source.file
            } else {
                versionSource = "msvc's default: \(source.key) of \(source.file) is \"\(stated)\", which is not a version or range msvc reads"
            }
            return
        }
    }

    private mutating func pythonInstall(requirements: String?, pyproject: String?) {
        var notes: [String] = []
        if let requirements {
            let listed = requirements.split(whereSeparator: \.isNewline).contains { line in
                let t = line.trimmingCharacters(in: .whitespaces)
                return !t.isEmpty && !t.hasPrefix("#")
            }
            if listed {
                install.append("python3 -m pip install -r requirements.txt")
                notes.append("pip install -r requirements.txt")
            }
        }
        if let pyproject, pyproject.contains("[project]") || pyproject.contains("[build-system]") {
            install.append("python3 -m pip install -e .")
            notes.append("pip install -e . (pyproject.toml)")
        }
        if !notes.isEmpty {
            installNote = notes.joined(separator: ", then ")
        } else if requirements != nil {
            installNote = "nothing to install (requirements.txt lists no packages)"
        } else if pyproject != nil {
            installNote = "nothing to install (no requirements.txt, and pyproject.toml has no [project])"
        } else {
            installNote = "nothing to install (no requirements.txt or pyproject.toml)"
        }
    }

    private mutating func nodeInstall(package: String?, lock: String?, lockName: String) {
        guard let package else {
            installNote = "nothing to install (no package.json)"
            return
        }
        if let lock {
            if Self.lockListsPackages(lock) {
                install = ["npm ci --no-audit --no-fund"]
                installNote = "npm ci (\(lockName))"
            } else {
                installNote = "nothing to install (\(lockName) lists no packages)"
            }
        } else if Self.declaresDependencies(package) {
            install = ["npm install --no-audit --no-fund"]
            installNote = "npm install: there is no package-lock.json, so versions are resolved afresh on every run; commit one for repeatable builds"
        } else {
            installNote = "nothing to install (package.json lists no dependencies)"
        }
    }

    static func firstLine(_ text: String) -> String? {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.first { !$0.isEmpty && !$0.hasPrefix("#") }
    }

    // Python versions have a minor part: 3.12 or 3.12.4.
    static func pythonLine(_ text: String) -> String? {
        guard let v = CIVersionRange.plain(text), v.contains(".") else { return nil }
        return v
    }

    /// `requires-python = "…"` in the `[project]` table of a pyproject.toml.
    static func requiresPython(_ toml: String) -> String? {
        var inProject = false
        for raw in toml.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") { inProject = line == "[project]"; continue }
            guard inProject, line.hasPrefix("requires-python") else { continue }
            let rest = line.dropFirst("requires-python".count).trimmingCharacters(in: .whitespaces)
            guard rest.hasPrefix("=") else { continue }
            let value = rest.dropFirst().trimmingCharacters(in: .whitespaces)
            guard let q = value.first, q == "\"" || q == "'", let end = value.dropFirst().firstIndex(of: q) else { return nil }
            return String(value[value.index(after: value.startIndex)..<end])
        }
        return nil
    }

    /// `engines.node` of a package.json.
    static func enginesNode(_ json: String) -> String? {
        (try? JSON.parse(json))?["engines"]?["node"]?.stringValue
    }

    /// The version on the `go 1.22` line of a go.mod.
    static func goDirective(_ mod: String) -> String? {
        for raw in mod.split(whereSeparator: \.isNewline) {
            let words = raw.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if words.count >= 2, words[0] == "go" { return String(words[1]) }
        }
        return nil
    }

    // Go releases have a minor part: 1.22 or 1.22.3 (not 1.21rc2).
    static func goVersion(_ text: String) -> String? {
        guard let v = CIVersionRange.plain(text), v.contains(".") else { return nil }
        return v
    }

    // Lock file v2/v3 list packages under "packages" (the root is ""); v1 under "dependencies".
    static func lockListsPackages(_ lock: String) -> Bool {
        guard let doc = try? JSON.parse(lock) else { return true }
        if let packages = doc["packages"]?.objectValue { return packages.contains { $0.0 != "" } }
        return !(doc["dependencies"]?.objectValue ?? []).isEmpty
    }

    static func declaresDependencies(_ package: String) -> Bool {
        guard let doc = try? JSON.parse(package) else { return true }
        return ["dependencies", "devDependencies", "optionalDependencies"].contains { !(doc[$0]?.objectValue ?? []).isEmpty }
    }
}
