import Foundation

/// What `msvc new` was asked to do.
public struct ScaffoldRequest: Sendable {
    /// The new service's name.
    public var service: String
    /// The template found on the search path.
    public var template: TemplateInfo
    /// The absolute path of msvc.yaml.
    public var configPath: String
    /// The target folder (absolute); default `services/SERVICE` beside msvc.yaml.
    public var directory: String?
    /// `--set` values.
    public var values: [String: String]
    /// `--port`: `auto` or a number; nil keeps the template's.
    public var port: String?
    /// Write over an existing folder's files and keep an existing registration.
    public var force: Bool

    /// Creates a request.
    public init(service: String, template: TemplateInfo, configPath: String, directory: String? = nil,
                values: [String: String] = [:], port: String? = nil, force: Bool = false) {
        self.service = service
        self.template = template
        self.configPath = configPath
        self.directory = directory
        self.values = values
        self.port = port
        self.force = force
    }
}

/// Everything `msvc new` will write, computed and checked before anything is written.
public struct ScaffoldPlan: Sendable {
    /// The service folder (absolute).
    public var target: String
    /// The service folder relative to msvc.yaml's folder.
    public var relativeTarget: String
    /// The rendered files.
    public var files: [RenderedFile]
    /// The entry added to msvc.yaml (nil when the service was already registered).
    public var registeredEntry: String?
    /// msvc.yaml's path and its new text (nil when unchanged).
    public var configPath: String
    /// The new msvc.yaml text, validated.
    public var newConfigText: String?
    /// Post hooks (run only with `--run-hooks`).
    public var hooks: [String]
    /// Whether files in an existing folder are written over.
    public var overwrites: Bool
}

/// Plans and writes a new service: render in memory, check everything, stage beside the
/// target, then swap into place (see `Scaffolder+Commit.swift`).
public enum Scaffolder {
    /// Renders and validates; writes nothing.
    public static func plan(_ request: ScaffoldRequest) throws(ScaffoldError) -> ScaffoldPlan {
        guard Naming.isValidServiceName(request.service) else { throw .invalidServiceName(request.service) }
        let projectDir = (request.configPath as NSString).deletingLastPathComponent
        let configName = (request.configPath as NSString).lastPathComponent
        let target = URL(fileURLWithPath: request.directory ?? projectDir + "/services/" + request.service).standardizedFileURL.path
        guard target.hasPrefix(projectDir + "/") else {
            throw .targetOutsideProject(directory: target, project: projectDir)
        }
        let relative = String(target.dropFirst(projectDir.count + 1))
        guard let data = FileManager.default.contents(atPath: request.configPath) else {
            throw .io("cannot read \(request.configPath)")
        }
        let original = String(decoding: data, as: UTF8.self)
        let context = LoadContext.live(directory: projectDir)
        let loaded: LoadedStack
        do { loaded = try ConfigLoader.load(text: original, file: configName, context: context) } catch {
            throw .projectInvalid(error.description)
        }
        let values = try TemplateValues.resolve(
            manifest: request.template.manifest, service: request.service, project: loaded.config.name,
            port: request.port ?? "auto", set: request.values)
        let files = try TemplateRenderer.render(request.template, values: values)

        let exists = FileManager.default.fileExists(atPath: target)
        let empty = ((try? FileManager.default.contentsOfDirectory(atPath: target)) ?? ["x"]).isEmpty
        if exists, !empty, !request.force { throw .targetExists(relative) }
        try checkPaths(projectDir: projectDir, relativeTarget: relative, files: files)

        let registered = loaded.config.services[request.service] != nil
        if registered, !request.force { throw .alreadyRegistered(service: request.service, file: configName) }
        var entryText: String?
        var newText: String?
        if !registered {
            let block = try TemplateRenderer.renderText(request.template.manifest.serviceBlock, values: values, path: "template.yaml (service:)")
            let entry = ServiceRegistration.entry(
                service: request.service, block: block, cwd: relative, port: request.port,
                language: request.template.manifest.language, unit: ServiceRegistration.indentUnit(in: original))
            let text = ServiceRegistration.append(entry: entry, to: original)
            do { _ = try ConfigLoader.load(text: text, file: configName, context: context) } catch {
                throw .registrationInvalid(block: entry.joined(separator: "\n"), problems: error.description)
            }
            entryText = entry.joined(separator: "\n")
            newText = text
            if (try? FileManager.default.destinationOfSymbolicLink(atPath: request.configPath)) != nil {
                throw .linkInTheWay(configName)
            }
        }
        return ScaffoldPlan(target: target, relativeTarget: relative, files: files, registeredEntry: entryText,
                            configPath: request.configPath, newConfigText: newText,
                            hooks: request.template.manifest.postHooks, overwrites: exists && !empty)
    }

    /// Refuses links on the way to the target and to every file in it (the target must be
    /// reached through real folders from msvc.yaml's folder), and entries of the wrong kind.
    static func checkPaths(projectDir: String, relativeTarget: String, files: [RenderedFile]) throws(ScaffoldError) {
        let fm = FileManager.default
        func kind(_ path: String) -> FileAttributeType? {
            (try? fm.attributesOfItem(atPath: path))?[.type] as? FileAttributeType
        }
        var path = projectDir
        for part in relativeTarget.split(separator: "/") {
            path += "/" + part
            switch kind(path) {
            case nil: return
            case .typeSymbolicLink?: throw .linkInTheWay(path)
            case .typeDirectory?: continue
            default: throw .wrongKind(path: path, expected: "a folder")
            }
        }
        for file in files {
            var path = projectDir + "/" + relativeTarget
            let parts = file.path.split(separator: "/")
            for (i, part) in parts.enumerated() {
                path += "/" + part
                let last = i == parts.count - 1
                switch kind(path) {
                case nil: break
                case .typeSymbolicLink?: throw .linkInTheWay(path)
                case .typeDirectory? where !last: continue
                case .typeRegular? where last: continue
                default: throw .wrongKind(path: path, expected: last ? "a file" : "a folder")
                }
                break
            }
        }
    }
}
