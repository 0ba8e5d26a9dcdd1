import Foundation
import MsvcTestSupport
import Testing

/// A project folder with msvc.yaml and its own TMPDIR, so staging leftovers are visible.
final class ScaffoldProject {
    let dir: TemporaryDirectory
    var path: String { dir.path + "/app" }
    var tmp: String { dir.path + "/tmp" }

    init() async throws {
        dir = try TemporaryDirectory(prefix: "msvc-scaffold")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        let r = try await MsvcBinary.run(["init", "--name", "shop"], cwd: path)
        precondition(r.status == 0, r.stderr)
    }

    /// Runs msvc in the project with TMPDIR pointing at our own folder.
    func msvc(_ args: [String], stdin: String? = nil) async throws -> CommandResult {
        try await MsvcBinary.run(args, cwd: path, environment: ["TMPDIR": tmp, "XDG_CONFIG_HOME": dir.path + "/xdg"], stdin: stdin)
    }

    /// Every file under the project and the temp folder with its contents: equal before and after means nothing was written.
    func tree() -> [String: String] {
        var out: [String: String] = [:]
        for base in [path, tmp] {
            let e = FileManager.default.enumerator(atPath: base)
            while let rel = e?.nextObject() as? String {
                let full = base + "/" + rel
                out[full] = (try? String(contentsOfFile: full, encoding: .utf8)) ?? "<dir or binary>"
            }
        }
        return out
    }

    /// Writes a project template under .msvc/templates/NAME.
    func template(_ name: String, manifest: String, files: [String: String]) async throws {
        let base = path + "/.msvc/templates/" + name
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        try manifest.write(toFile: base + "/template.yaml", atomically: true, encoding: .utf8)
        for (rel, text) in files {
            try FileManager.default.createDirectory(atPath: ((base + "/" + rel) as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: base + "/" + rel, atomically: true, encoding: .utf8)
        }
    }
}

@Suite struct ScaffoldRefusalTests {
    /// Runs `args`, expects exit 65 with `message` on stderr and no change on disk.
    func expectRefusal(_ p: ScaffoldProject, _ args: [String], _ message: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let before = p.tree()
        let r = try await p.msvc(args)
        #expect(r.status == 65, "\(r.stdout)\(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.contains(message), "stderr: \(r.stderr)", sourceLocation: sourceLocation)
        #expect(p.tree() == before, "something was written", sourceLocation: sourceLocation)
    }

    static let simple = "name: evil\nvariables:\n  - { name: path, default: ok.txt }\nservice:\n  command: python3 app.py\n"

    @Test(arguments: ["Orders", "../x", "9lives", "a_b", String(repeating: "a", count: 64)])
    func invalidServiceName_isRefused(name: String) async throws {
        try await expectRefusal(ScaffoldProject(), ["new", name, "-t", "python-http"], "invalid service name")
    }

    @Test func renderedPathOutsideTheFolder_isRefused() async throws {
        let p = try await ScaffoldProject()
        try await p.template("evil", manifest: Self.simple, files: ["{{path}}": "x", "app.py": "print(1)"])
        try await expectRefusal(p, ["new", "orders", "-t", "evil", "--set", "path=../../escaped.txt"], "outside the service folder")
        try await expectRefusal(p, ["new", "orders", "-t", "evil", "--set", "path=/tmp/abs.txt"], "outside the service folder")
    }

    @Test func linkOutOfTheTemplate_isRefused() async throws {
        let p = try await ScaffoldProject()
        try await p.template("evil", manifest: Self.simple, files: ["app.py": "print(1)"])
        try FileManager.default.createSymbolicLink(atPath: p.path + "/.msvc/templates/evil/secret", withDestinationPath: "/etc/hostname")
        try await expectRefusal(p, ["new", "orders", "-t", "evil"], "outside the template")
    }

    @Test func existingTarget_withoutForce_isRefused_andForceWritesOverIt() async throws {
        let p = try await ScaffoldProject()
        try FileManager.default.createDirectory(atPath: p.path + "/services/orders", withIntermediateDirectories: true)
        try "mine".write(toFile: p.path + "/services/orders/keep.txt", atomically: true, encoding: .utf8)
        try await expectRefusal(p, ["new", "orders", "-t", "python-http"], "already exists; pick another --dir or pass --force")
        let r = try await p.msvc(["new", "orders", "-t", "python-http", "--force"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(FileManager.default.fileExists(atPath: p.path + "/services/orders/app.py"))
        #expect(try String(contentsOfFile: p.path + "/services/orders/keep.txt", encoding: .utf8) == "mine")
    }

    @Test func alreadyRegisteredService_isRefused() async throws {
        try await expectRefusal(ScaffoldProject(), ["new", "hello", "-t", "python-http"], "already in msvc.yaml")
    }

    @Test func badVariableValues_areRefused() async throws {
        let p = try await ScaffoldProject()
        try await expectRefusal(p, ["new", "orders", "-t", "python-http", "--set", "owner=Not Valid"], "invalid value \"Not Valid\" for owner")
        try await expectRefusal(p, ["new", "orders", "-t", "python-http", "--set", "nope=1"], "has no variable \"nope\"")
        try await expectRefusal(p, ["new", "orders", "-t", "no-such-template"], "no template named \"no-such-template\"")
    }

    @Test func blockThatWouldNotValidate_isRefused() async throws {
        let p = try await ScaffoldProject()
        try await p.template("bad", manifest: "name: bad\nservice:\n  command: x\n  port: lots\n", files: ["a.txt": "a"])
        try await expectRefusal(p, ["new", "orders", "-t", "bad"], "would not validate")
    }

    @Test func mustacheSyntaxError_isRefused() async throws {
        let p = try await ScaffoldProject()
        try await p.template("broken", manifest: "name: broken\nservice:\n  command: x\n", files: ["a.txt": "{{#open}} never closed"])
        try await expectRefusal(p, ["new", "orders", "-t", "broken"], "mustache error")
    }

    @Test func badSetSyntax_isAUsageError() async throws {
        let p = try await ScaffoldProject()
        let before = p.tree()
        let r = try await p.msvc(["new", "orders", "-t", "python-http", "--set", "novalue"])
        #expect(r.status == 64)
        #expect(p.tree() == before)
    }
}

@Suite struct ScaffoldCommandTests {
    @Test func dryRun_listsFilesAndTheBlock_andWritesNothing() async throws {
        let p = try await ScaffoldProject()
        let before = p.tree()
        let r = try await p.msvc(["new", "orders", "-t", "python-http", "--dry-run", "--set", "docker=false", "--port", "9123"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("would create services/orders/\n  .gitignore\n  README.md\n  app.py\n"))
        #expect(!r.stdout.contains("Dockerfile"), "conditional file dropped")
        #expect(r.stdout.contains("    port: 9123"))
        #expect(p.tree() == before)
    }

    @Test func new_rendersRegistersAndValidates_keepingComments() async throws {
        let p = try await ScaffoldProject()
        let original = try String(contentsOfFile: p.path + "/msvc.yaml", encoding: .utf8)
        let r = try await p.msvc(["new", "order-db", "-t", "python-worker", "--set", "interval=2", "--dir", "workers/db"])
        #expect(r.status == 0, "\(r.stderr)")
        let yaml = try String(contentsOfFile: p.path + "/msvc.yaml", encoding: .utf8)
        for line in original.split(separator: "\n") { #expect(yaml.contains(line)) }
        #expect(yaml.contains("  order-db:\n    cwd: workers/db\n    command: python3 worker.py\n"))
        #expect(yaml.contains("WORK_INTERVAL: \"2\""))
        #expect(try await p.msvc(["validate"]).status == 0)
        #expect(FileManager.default.fileExists(atPath: p.path + "/workers/db/worker.py"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: p.tmp).isEmpty, "staging folder removed")
    }

    @Test func projectTemplates_shadowBuiltins_andListShowsOrigins() async throws {
        let p = try await ScaffoldProject()
        try await p.template("python-http", manifest: "name: python-http\ndescription: ours\nservice:\n  command: x\n", files: ["a.txt": "{{service}}"])
        let list = try await p.msvc(["templates", "list", "--json"])
        #expect(list.status == 0, "\(list.stderr)")
        let doc = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any]
        let templates = doc?["templates"] as? [[String: Any]] ?? []
        #expect(templates.map { $0["name"] as? String } == ["go-http", "node-http", "python-http", "python-worker", "swift-hummingbird"])
        #expect(templates.first { $0["name"] as? String == "python-http" }?["origin"] as? String == "project")
        let show = try await p.msvc(["templates", "show", "go-http"])
        #expect(show.status == 0 && show.stdout.contains("go.mod") && show.stdout.contains("origin: builtin"))
        let showJSON = try await p.msvc(["templates", "show", "python-worker", "--json"])
        #expect(showJSON.status == 0 && showJSON.stdout.contains("\"files\""))
        #expect(try await p.msvc(["templates", "show", "nope"]).status == 65)
    }

    @Test func builtinsAreFoundFromAnotherFolder_andMSVCTemplatesDirOverrides() async throws {
        let dir = try TemporaryDirectory(prefix: "msvc-scaffold-nowhere")
        let r = try await MsvcBinary.run(["templates", "list"], cwd: dir.path, environment: ["XDG_CONFIG_HOME": dir.path])
        #expect(r.status == 0 && r.stdout.contains("swift-hummingbird  builtin"), "\(r.stdout)\(r.stderr)")
        let empty = try await MsvcBinary.run(["templates", "list"], cwd: dir.path,
                                       environment: ["XDG_CONFIG_HOME": dir.path, "MSVC_TEMPLATES_DIR": dir.path])
        #expect(empty.stdout.hasPrefix("no templates"))
    }
}
