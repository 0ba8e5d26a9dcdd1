import Foundation
@testable import MsvcCore
import MsvcTestSupport
import Testing

/// A failure in the middle of `msvc new --force` leaves every file as it was (real files; the
/// failure is injected after some files were already replaced).
@Suite struct ScaffoldCommitTests {
    struct Injected: Error {}

    func plan(in dir: TemporaryDirectory, files: [String: String], newConfig: String?) -> ScaffoldPlan {
        ScaffoldPlan(
            target: dir.path + "/services/orders", relativeTarget: "services/orders",
            files: files.sorted { $0.key < $1.key }.map { RenderedFile(path: $0.key, contents: Array($0.value.utf8), executable: false) },
            registeredEntry: newConfig == nil ? nil : "orders: {}", configPath: dir.path + "/msvc.yaml", newConfigText: newConfig,
            hooks: [], overwrites: true)
    }

    func tree(_ dir: String) -> [String: String] {
        var out: [String: String] = [:]
        let e = FileManager.default.enumerator(atPath: dir)
        while let rel = e?.nextObject() as? String {
            out[rel] = (try? String(contentsOfFile: dir + "/" + rel, encoding: .utf8)) ?? "<dir>"
        }
        return out
    }

    @Test func failureAfterOverwriting_restoresEveryFile() throws {
        let dir = try TemporaryDirectory()
        try dir.write("msvc.yaml", "services: {}\n")
        try dir.write("services/orders/app.py", "old app")
        try dir.write("services/orders/b/old.txt", "old b")
        try dir.write("services/orders/keep.txt", "mine")
        let before = tree(dir.path)
        let p = plan(in: dir, files: ["app.py": "new app", "b/old.txt": "new b", "c/d/new.txt": "new", "z.txt": "z"],
                     newConfig: "services: { orders: {} }\n")
        for failAt in 0..<4 {
            let error = #expect(throws: ScaffoldError.self) {
                try Scaffolder.commit(p) { (i: Int) throws(ScaffoldError) in if i == failAt { throw .io("injected") } }
            }
            #expect(error?.description == "cannot write the service: injected; every file is as it was")
            #expect(tree(dir.path) == before, "after a failure at file \(failAt)")
        }
        try Scaffolder.commit(p)
        #expect(try dir.read("services/orders/app.py") == "new app")
        #expect(try dir.read("services/orders/c/d/new.txt") == "new")
        #expect(try dir.read("services/orders/keep.txt") == "mine")
        #expect(try dir.read("msvc.yaml") == "services: { orders: {} }\n")
        #expect(tree(dir.path).keys.allSatisfy { !$0.contains(".msvc-new") })
    }

    @Test func failureInANewFolder_removesWhatWasCreated() throws {
        let dir = try TemporaryDirectory()
        try dir.write("msvc.yaml", "services: {}\n")
        let before = tree(dir.path)
        var p = plan(in: dir, files: ["app.py": "new app"], newConfig: "services: { orders: {} }\n")
        p.target = dir.path + "/apps/deep/orders"
        p.relativeTarget = "apps/deep/orders"
        #expect(throws: ScaffoldError.self) {
            try Scaffolder.commit(p) { (_: Int) throws(ScaffoldError) in throw .io("injected") }
        }
        #expect(tree(dir.path) == before)
    }
}
