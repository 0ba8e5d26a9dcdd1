import Foundation
@testable import MsvcCore
import MsvcTestSupport
import Testing

/// gitignore semantics for watch mode.
@Suite struct IgnoreRulesTests {
    func pattern(_ line: String, base: String = "/p") -> IgnorePattern { IgnorePattern(line: line, base: base)! }

    @Test func globsMatchOneComponent() {
        #expect(Glob.match("*.tmp", "a.tmp"))
        #expect(!Glob.match("*.tmp", "a.tmpx"))
        #expect(Glob.match("?.py", "a.py") && !Glob.match("?.py", "ab.py"))
        #expect(Glob.match("[abc].txt", "b.txt") && !Glob.match("[abc].txt", "d.txt"))
        #expect(Glob.match("[!abc].txt", "d.txt") && !Glob.match("[!abc].txt", "a.txt"))
        #expect(Glob.match("[a-c]x", "bx") && !Glob.match("[a-c]x", "dx"))
        #expect(Glob.match("\\*literal", "*literal") && !Glob.match("\\*literal", "xliteral"))
        #expect(Glob.match("a*b*c", "aXXbYYc") && !Glob.match("a*b*c", "aXXbYY"))
        #expect(Glob.match("[unclosed", "[unclosed"))
    }

    @Test func unanchoredPatternsMatchANameAtAnyDepth_anchoredOnesFromTheirBase() {
        #expect(pattern("*.log").matches("/p/a/b/x.log", isFolder: false))
        #expect(pattern("build").matches("/p/deep/build", isFolder: true))
        #expect(pattern("/build").matches("/p/build", isFolder: true))
        #expect(!pattern("/build").matches("/p/src/build", isFolder: true))
        #expect(pattern("src/*.gen").matches("/p/src/a.gen", isFolder: false))
        #expect(!pattern("src/*.gen").matches("/p/x/src/a.gen", isFolder: false))
        #expect(!pattern("*.log").matches("/elsewhere/x.log", isFolder: false), "outside its base")
    }

    @Test func doubleStarSpansFolders_andTrailingSlashMeansFoldersOnly() {
        #expect(pattern("**/gen").matches("/p/a/b/gen", isFolder: true))
        #expect(pattern("**/gen").matches("/p/gen", isFolder: true))
        #expect(pattern("a/**/z").matches("/p/a/z", isFolder: false))
        #expect(pattern("a/**/z").matches("/p/a/b/c/z", isFolder: false))
        #expect(pattern("logs/**").matches("/p/logs/x/y", isFolder: false))
        #expect(pattern("out/").matches("/p/out", isFolder: true))
        #expect(!pattern("out/").matches("/p/out", isFolder: false))
    }

    @Test func commentsBlanksAndEscapes() {
        #expect(IgnorePattern(line: "# comment", base: "/p") == nil)
        #expect(IgnorePattern(line: "   ", base: "/p") == nil)
        #expect(pattern("\\#hash").matches("/p/#hash", isFolder: false))
        #expect(pattern("!keep.log").negated)
    }

    @Test func rules_lastMatchWins_gitignoreFilesApply_builtInsAlwaysIgnored() throws {
        let dir = try TemporaryDirectory(prefix: "msvc-ignore")
        try dir.write(".gitignore", "*.log\n!keep.log\nsecrets/\n")
        try dir.write("svc/.gitignore", "local.txt\n")
        try dir.write("svc/x", "")
        let rules = IgnoreRules(projectRoot: dir.path, base: dir.path + "/svc", patterns: ["*.tmp", "!important.tmp"])
        let svc = dir.path + "/svc"
        #expect(rules.isIgnored(svc + "/a.log", isFolder: false))
        #expect(!rules.isIgnored(svc + "/keep.log", isFolder: false))
        #expect(rules.isIgnored(svc + "/secrets", isFolder: true))
        #expect(rules.isIgnored(svc + "/local.txt", isFolder: false))
        #expect(rules.isIgnored(svc + "/x.tmp", isFolder: false))
        #expect(!rules.isIgnored(svc + "/important.tmp", isFolder: false))
        #expect(!rules.isIgnored(svc + "/app.py", isFolder: false))
        for name in [".git", ".msvc", "node_modules", "__pycache__", ".build"] {
            #expect(rules.isIgnored(svc + "/" + name, isFolder: true), "\(name)")
        }
        // An edited .gitignore takes effect once invalidated.
        try dir.write("svc/.gitignore", "app.py\n")
        #expect(!rules.isIgnored(svc + "/app.py", isFolder: false))
        rules.invalidate(svc)
        #expect(rules.isIgnored(svc + "/app.py", isFolder: false))
    }

    @Test func editorAndAtomicWriteScratchFiles_areIgnored_realNamesAreNot() {
        for name in [".main.py.swp", ".main.py.swo", ".main.py.swx", "4913", "main.py~", ".#main.py", "#main.py#",
                     ".dat.nosync3817.GSq9AS", ".main.py.kate-swp", ".DS_Store"] {
            #expect(IgnoreRules.isScratch(name), "\(name)")
        }
        for name in ["main.py", "swap.swp.py", ".env", "#", "##", ".sw", "notes.sw1", "4914", ".swiftformat", "x.swift"] {
            #expect(!IgnoreRules.isScratch(name), "\(name)")
        }
        let rules = IgnoreRules(projectRoot: "/nonexistent-msvc", base: "/nonexistent-msvc/svc", patterns: [])
        #expect(rules.isIgnored("/nonexistent-msvc/svc/.app.py.swp", isFolder: false))
        // A folder with such a name is still walked: only files are scratch.
        #expect(!rules.isIgnored("/nonexistent-msvc/svc/backup~", isFolder: true))
    }
}
