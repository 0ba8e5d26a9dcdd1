import Foundation
import Mustache

/// One file of a rendered template.
public struct RenderedFile: Sendable, Equatable {
    /// Path relative to the service folder, `/`-separated.
    public var path: String
    /// The bytes to write.
    public var contents: [UInt8]
    /// Whether the template file was executable.
    public var executable: Bool
}

/// Renders a template folder into memory; it never touches the target.
public enum TemplateRenderer {
    /// Renders every file of `template` except `template.yaml`, sorted by path.
    public static func render(_ template: TemplateInfo, values: TemplateValues) throws(ScaffoldError) -> [RenderedFile] {
        let root = URL(fileURLWithPath: template.directory).standardizedFileURL.path
        var files: [RenderedFile] = []
        try walk(root: root, relative: [], rendered: [], template: template, values: values, into: &files)
        var seen: Set<String> = []
        for f in files where !seen.insert(f.path).inserted { throw .duplicatePath(f.path) }
        return files.sorted { $0.path < $1.path }
    }

    /// Renders `text` with Mustache as plain text (no HTML escaping).
    public static func renderText(_ text: String, values: TemplateValues, path: String) throws(ScaffoldError) -> String {
        do {
            // The pragma turns off HTML escaping: these are source files, not web pages.
            let template = try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT}}" + text)
            return template.render(values.context)
        } catch {
            throw .renderFailed(path: path, message: "\(error)")
        }
    }

    private static func walk(
        root: String, relative: [String], rendered: [String], template: TemplateInfo, values: TemplateValues,
        into files: inout [RenderedFile]
    ) throws(ScaffoldError) {
        let fm = FileManager.default
        let dir = ([root] + relative).joined(separator: "/")
        let names: [String]
        do { names = try fm.contentsOfDirectory(atPath: dir).sorted() } catch { throw .io("cannot read template folder \(dir): \(error.localizedDescription)") }
        for name in names {
            if relative.isEmpty, name == "template.yaml" { continue }
            let sourceParts = relative + [name]
            let source = sourceParts.joined(separator: "/")
            if let variable = template.manifest.conditional[source], !values.isTruthy(variable) { continue }
            let full = root + "/" + source
            let renderedName = try renderText(name, values: values, path: source)
            // An empty rendered name drops the entry, so `{{#docker}}Dockerfile{{/docker}}` works too.
            if renderedName.isEmpty { continue }
            let target = try normalize(rendered + [renderedName], source: source)
            var isDir: ObjCBool = false
            let attributes = (try? fm.attributesOfItem(atPath: full)) ?? [:]
            var contentPath = full
            if attributes[.type] as? FileAttributeType == .typeSymbolicLink {
                contentPath = try resolveLink(full, source: source, root: root)
            }
            guard fm.fileExists(atPath: contentPath, isDirectory: &isDir) else { continue }
            if isDir.boolValue {
                guard contentPath == full else { throw .linkEscapes(path: source, destination: "a folder (links to folders are not supported)") }
                try walk(root: root, relative: sourceParts, rendered: target, template: template, values: values, into: &files)
                continue
            }
            guard let data = fm.contents(atPath: contentPath) else { throw .io("cannot read template file \(source)") }
            var bytes = [UInt8](data)
            if !bytes.contains(0), let text = String(validating: bytes, as: UTF8.self) {
                bytes = Array(try renderText(text, values: values, path: source).utf8)
            }
            files.append(RenderedFile(path: target.joined(separator: "/"), contents: bytes, executable: isExecutable(contentPath)))
        }
    }

    private static func isExecutable(_ path: String) -> Bool {
        let mode = (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int ?? 0
        return mode & 0o111 != 0
    }

    /// Resolves `.` and `..` in rendered path parts; refuses anything that leaves the folder.
    static func normalize(_ parts: [String], source: String) throws(ScaffoldError) -> [String] {
        let joined = parts.joined(separator: "/")
        if joined.hasPrefix("/") || joined.contains("\0") { throw .pathEscapes(source: source, rendered: joined) }
        var out: [String] = []
        for part in joined.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..":
                guard !out.isEmpty else { throw .pathEscapes(source: source, rendered: joined) }
                out.removeLast()
            default: out.append(String(part))
            }
        }
        guard !out.isEmpty else { throw .pathEscapes(source: source, rendered: joined) }
        return out
    }

    /// The real path a template link leads to, which must stay inside the template.
    private static func resolveLink(_ path: String, source: String, root: String) throws(ScaffoldError) -> String {
        guard let destination = try? FileManager.default.destinationOfSymbolicLink(atPath: path) else {
            throw .io("cannot read template link \(source)")
        }
        let realRoot = URL(fileURLWithPath: root).resolvingSymlinksInPath().path
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        guard resolved.hasPrefix(realRoot + "/"), resolved != realRoot + "/template.yaml" else {
            throw .linkEscapes(path: source, destination: destination)
        }
        return resolved
    }
}
