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

/// Plans and writes a new service: render in memory, check everything, stage in a temporary
/// folder, then move into place.
public enum Scaffolder {
    /// Renders and validates; writes nothing.
    public static func plan(_ request: ScaffoldRequest) throws(ScaffoldError) -> ScaffoldPlan {
        guard Naming.isValidServiceName(request.service) else { throw .invalidServiceName(request.service) }
        let projectDir = (request.configPath as NSString).deletingLastPathComponent
        let configName = (request.configPath as NSString).lastPathComponent
        let target = URL(fileURLWithPath: request.directory ?? projectDir + "/services/" + request.service).standardizedFileURL.path
        let relative = target.hasPrefix(projectDir + "/") ? String(target.dropFirst(projectDir.count + 1)) : target
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
        }
        return ScaffoldPlan(target: target, relativeTarget: relative, files: files, registeredEntry: entryText,
                            configPath: request.configPath, newConfigText: newText,
                            hooks: request.template.manifest.postHooks, overwrites: exists && !empty)
    }

    /// Writes a plan: stage the files in a temporary folder, move them into place, then
    /// replace msvc.yaml atomically. On failure everything written so far is removed.
    public static func commit(_ plan: ScaffoldPlan, temporaryDirectory: String = NSTemporaryDirectory()) throws(ScaffoldError) {
        let fm = FileManager.default
        let stage = (temporaryDirectory as NSString).appendingPathComponent("msvc-new-\(UUID().uuidString.prefix(8))")
        var created: [String] = []
        var configTemp: String?
        func rollback() {
            for path in created.reversed() { try? fm.removeItem(atPath: path) }
            if let configTemp { try? fm.removeItem(atPath: configTemp) }
            try? fm.removeItem(atPath: stage)
        }
        do {
            for file in plan.files {
                let path = stage + "/" + file.path
                try fm.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                guard fm.createFile(atPath: path, contents: Data(file.contents),
                                    attributes: [.posixPermissions: file.executable ? 0o755 : 0o644]) else {
                    throw ScaffoldError.io("cannot write \(path)")
                }
            }
            if let text = plan.newConfigText {
                let temp = (plan.configPath as NSString).deletingLastPathComponent + "/.msvc-new-\(UUID().uuidString.prefix(8)).yaml"
                configTemp = temp
                try text.write(toFile: temp, atomically: false, encoding: .utf8)
            }
            // Create missing parents one by one so a rollback removes exactly those.
            var parent = (plan.target as NSString).deletingLastPathComponent
            var missing: [String] = []
            while !fm.fileExists(atPath: parent) { missing.insert(parent, at: 0); parent = (parent as NSString).deletingLastPathComponent }
            for dir in missing { try fm.createDirectory(atPath: dir, withIntermediateDirectories: false); created.append(dir) }
            if !fm.fileExists(atPath: plan.target) {
                try fm.moveItem(atPath: stage, toPath: plan.target)
                created.append(plan.target)
            } else {
                for file in plan.files {
                    let destination = plan.target + "/" + file.path
                    try fm.createDirectory(atPath: (destination as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                    if fm.fileExists(atPath: destination) { try fm.removeItem(atPath: destination) }
                    try fm.moveItem(atPath: stage + "/" + file.path, toPath: destination)
                }
                try? fm.removeItem(atPath: stage)
            }
            if let temp = configTemp {
                guard rename(temp, plan.configPath) == 0 else { throw ScaffoldError.io("cannot replace \(plan.configPath): \(String(cString: strerror(errno)))") }
                configTemp = nil
            }
        } catch let error as ScaffoldError {
            rollback()
            throw error
        } catch {
            rollback()
            throw .io("cannot write the service: \(error.localizedDescription); nothing was kept")
        }
    }
}
