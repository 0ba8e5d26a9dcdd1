import Foundation
import MsvcTestSupport
import Testing

/// `msvc new` never writes outside the project or through a link, with or without --force,
/// and keeps msvc.yaml's mode and owner.
@Suite struct ScaffoldSafetyTests {
    static let nested = "name: nested\nservice:\n  command: python3 src/main.py\n"

    /// Runs `args`, expects `status` with `message` on stderr and nothing changed on disk
    /// (the project, its temp folder and `outside`).
    func expectRefusal(_ p: ScaffoldProject, _ args: [String], status: Int32 = 65, _ message: String, outside: String? = nil,
                       sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let before = p.tree()
        let outsideBefore = outside.map(Self.snapshot)
        let r = try await p.msvc(args)
        #expect(r.status == status, "\(r.stdout)\(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.contains(message), "stderr: \(r.stderr)", sourceLocation: sourceLocation)
        #expect(p.tree() == before, "something was written in the project", sourceLocation: sourceLocation)
        if let outside { #expect(Self.snapshot(outside) == outsideBefore, "something was written outside", sourceLocation: sourceLocation) }
    }

    static func snapshot(_ dir: String) -> [String: String] {
        var out: [String: String] = [:]
        let e = FileManager.default.enumerator(atPath: dir)
        while let rel = e?.nextObject() as? String {
            out[rel] = (try? String(contentsOfFile: dir + "/" + rel, encoding: .utf8)) ?? "<dir>"
        }
        return out
    }

    @Test func dirOutsideTheProject_isAUsageError_andRegistersNothing() async throws {
        let p = try await ScaffoldProject()
        let escape = "escaped-\(UUID().uuidString.prefix(8))"
        try await expectRefusal(p, ["new", "orders", "-t", "python-http", "--dir", "../../" + escape], status: 64,
                          "is outside the project", outside: p.dir.path)
        #expect(!FileManager.default.fileExists(atPath: p.dir.path + "/../" + escape))
        try await expectRefusal(p, ["new", "orders", "-t", "python-http", "--dir", p.dir.path + "/elsewhere"], status: 64, "is outside the project")
        try await expectRefusal(p, ["new", "orders", "-t", "python-http", "--dir", "."], status: 64, "is outside the project")
        #expect(try await p.msvc(["new", "orders", "-t", "python-http", "--dir", "apps/../services/orders"]).status == 0)
    }

    @Test func linksInTheTargetFolder_areNeverWrittenThrough_evenWithForce() async throws {
        let p = try await ScaffoldProject()
        let outside = p.dir.path + "/outside"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try "precious".write(toFile: outside + "/main.py", atomically: true, encoding: .utf8)
        try await p.template("nested", manifest: Self.nested, files: ["src/main.py": "print('{{service}}')", "README.md": "x"])
        // A linked folder inside the target.
        try FileManager.default.createDirectory(atPath: p.path + "/services/orders", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: p.path + "/services/orders/src", withDestinationPath: outside)
        try await expectRefusal(p, ["new", "orders", "-t", "nested", "--force"], "services/orders/src is a symbolic link", outside: outside)
        // A linked file inside the target.
        try FileManager.default.removeItem(atPath: p.path + "/services/orders/src")
        try FileManager.default.createDirectory(atPath: p.path + "/services/orders/src", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: p.path + "/services/orders/src/main.py", withDestinationPath: outside + "/main.py")
        try await expectRefusal(p, ["new", "orders", "-t", "nested", "--force"], "services/orders/src/main.py is a symbolic link", outside: outside)
        // The target folder itself, or a folder above it, is a link.
        try FileManager.default.removeItem(atPath: p.path + "/services")
        try FileManager.default.createDirectory(atPath: p.path + "/services", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: p.path + "/services/orders", withDestinationPath: outside)
        try await expectRefusal(p, ["new", "orders", "-t", "nested", "--force"], "services/orders is a symbolic link", outside: outside)
        try FileManager.default.removeItem(atPath: p.path + "/services")
        try FileManager.default.createSymbolicLink(atPath: p.path + "/services", withDestinationPath: outside)
        try await expectRefusal(p, ["new", "orders", "-t", "nested"], "services is a symbolic link", outside: outside)
        #expect(try String(contentsOfFile: outside + "/main.py", encoding: .utf8) == "precious")
    }

    @Test func configThatIsALink_isNotReplaced() async throws {
        let p = try await ScaffoldProject()
        let real = p.dir.path + "/shared.yaml"
        try FileManager.default.moveItem(atPath: p.path + "/msvc.yaml", toPath: real)
        try FileManager.default.createSymbolicLink(atPath: p.path + "/msvc.yaml", withDestinationPath: real)
        let before = try String(contentsOfFile: real, encoding: .utf8)
        try await expectRefusal(p, ["new", "orders", "-t", "python-http"], "msvc.yaml is a symbolic link")
        try await expectRefusal(p, ["new", "orders", "-t", "python-http", "--force"], "msvc.yaml is a symbolic link")
        #expect(try String(contentsOfFile: real, encoding: .utf8) == before)
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: p.path + "/msvc.yaml")) == real)
    }

    @Test func new_keepsTheModeAndOwnerOfMsvcYaml() async throws {
        let p = try await ScaffoldProject()
        let config = p.path + "/msvc.yaml"
        chmod(config, 0o640)
        let root = geteuid() == 0
        if root { chown(config, 4242, 4343) }
        let r = try await p.msvc(["new", "orders", "-t", "python-http"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try String(contentsOfFile: config, encoding: .utf8).contains("  orders:"))
        var st = stat()
        #expect(lstat(config, &st) == 0)
        #expect(st.st_mode & 0o7777 == 0o640)
        if root { #expect(st.st_uid == 4242 && st.st_gid == 4343) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: p.path).allSatisfy { !$0.hasPrefix(".msvc-new") })
        let services = try FileManager.default.contentsOfDirectory(atPath: p.path + "/services")
        #expect(services.contains("orders") && services.allSatisfy { !$0.hasPrefix(".msvc-new") }, "\(services)")
    }

    @Test func force_overwritesFilesInPlace_andLeavesNoStagingBehind() async throws {
        let p = try await ScaffoldProject()
        try FileManager.default.createDirectory(atPath: p.path + "/services/orders", withIntermediateDirectories: true)
        try "old app".write(toFile: p.path + "/services/orders/app.py", atomically: true, encoding: .utf8)
        try "mine".write(toFile: p.path + "/services/orders/keep.txt", atomically: true, encoding: .utf8)
        let r = try await p.msvc(["new", "orders", "-t", "python-http", "--force"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try String(contentsOfFile: p.path + "/services/orders/app.py", encoding: .utf8) != "old app")
        #expect(try String(contentsOfFile: p.path + "/services/orders/keep.txt", encoding: .utf8) == "mine")
        #expect(try FileManager.default.contentsOfDirectory(atPath: p.path + "/services/orders").allSatisfy { !$0.hasPrefix(".msvc-new") })
    }
}
