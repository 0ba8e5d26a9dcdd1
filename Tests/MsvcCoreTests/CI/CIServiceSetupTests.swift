import Foundation
@testable import MsvcCore
import MsvcTestSupport
import Testing

/// Toolchain versions and dependency installs read from each service's folder.
@Suite struct CIServiceSetupTests {
    /// Files given inline: path relative to msvc.yaml → text.
    static func files(_ map: [String: String]) -> CIProjectFiles { CIProjectFiles { map[$0] } }

    @Test func polyglot_readsVersionsAndLockFilesPerService() throws {
        let plan = try CIPlan.make(CIFixtures.load("polyglot"), files: CIFixtures.files("polyglot"))
        let byName = Dictionary(uniqueKeysWithValues: plan.services.map { ($0.service, $0) })
        let gateway = try #require(byName["gateway"])
        #expect(gateway.version == "20" && gateway.setup.versionSource == "services/gateway/.nvmrc", ".nvmrc wins over engines")
        #expect(gateway.setup.install == ["npm ci --no-audit --no-fund"])
        #expect(gateway.image == "node:20-bookworm-slim")
        let orders = try #require(byName["orders"])
        #expect(orders.version == "3.12", "requires-python >=3.10,<3.13 excludes the pinned 3.13")
        #expect(orders.setup.versionSource == "services/orders/pyproject.toml")
        #expect(orders.setup.install == ["python3 -m pip install -r requirements.txt", "python3 -m pip install -e ."])
        let inventory = try #require(byName["inventory-api"])
        #expect(inventory.version == "1.22.3" && inventory.setup.install == ["go mod download"])
        #expect(inventory.image == "golang:1.22.3-bookworm")
        #expect(byName["pricing"]?.setup.install == ["swift package resolve"])
        #expect(byName["legacy"]?.setup.install == [])
        #expect(byName["legacy"]?.summary.contains("no known language") == true)
        // migrate shares orders' folder: the suites install its dependencies once.
        let ordersFolder = plan.stackServices.filter { $0.cwd == "services/orders" }
        #expect(ordersFolder.count == 1 && ordersFolder[0].install.count == 2, "\(plan.stackServices)")
        #expect(plan.buildStackScript.contains("(cd services/orders && python3 -m pip install -r requirements.txt && python3 -m pip install -e . && python3 -m compileall -q .)\n"))
        #expect(plan.buildStackScript.contains("(cd services/gateway && npm ci --no-audit --no-fund && npm run build)\n"))
    }

    @Test func noFiles_meansPinnedVersions_andNothingToInstall_saidInTheComment() throws {
        let plan = try CIPlan.make(CIFixtures.load("one-service"), files: .none)
        let api = try #require(plan.services.first)
        #expect(api.version == CIPins.python && api.setup.install.isEmpty)
        #expect(api.summary == "api: Python 3.13 (msvc's default); nothing to install (no requirements.txt or pyproject.toml).")
    }

    @Test func node_withoutALockFile_usesNpmInstall_andSaysWhy() {
        let s = CIServiceSetup.detect(.node, cwd: "web", files: Self.files(["web/package.json": #"{"dependencies": {"a": "1"}}"#]))
        #expect(s.install == ["npm install --no-audit --no-fund"])
        #expect(s.installNote.contains("no package-lock.json") && s.installNote.contains("commit one"))
    }

    @Test func node_withNothingToInstall_installsNothing() {
        let bare = CIServiceSetup.detect(.node, cwd: ".", files: Self.files(["package.json": #"{"name": "x", "scripts": {}}"#]))
        #expect(bare.install.isEmpty && bare.installNote == "nothing to install (package.json lists no dependencies)")
        let emptyLock = CIServiceSetup.detect(.node, cwd: ".", files: Self.files([
            "package.json": "{}", "package-lock.json": #"{"lockfileVersion": 3, "packages": {"": {"name": "x"}}}"#,
        ]))
        #expect(emptyLock.install.isEmpty && emptyLock.installNote == "nothing to install (package-lock.json lists no packages)")
        let shrinkwrap = CIServiceSetup.detect(.node, cwd: ".", files: Self.files([
            "package.json": "{}", "npm-shrinkwrap.json": #"{"lockfileVersion": 1, "dependencies": {"a": {"version": "1.0.0"}}}"#,
        ]))
        #expect(shrinkwrap.install == ["npm ci --no-audit --no-fund"] && shrinkwrap.installNote == "npm ci (npm-shrinkwrap.json)")
    }

    @Test func python_requirementsWithOnlyComments_installNothing_andToolConfigIsNotAProject() {
        let s = CIServiceSetup.detect(.python, cwd: "a", files: Self.files([
            "a/requirements.txt": "# nothing yet\n\n", "a/pyproject.toml": "[tool.ruff]\nline-length = 100\n",
        ]))
        #expect(s.install.isEmpty && s.installNote == "nothing to install (requirements.txt lists no packages)")
    }

    @Test func version_fileThatCannotBeRead_keepsTheDefault_andSaysSo() {
        let s = CIServiceSetup.detect(.python, cwd: "inv", files: Self.files(["inv/.python-version": "pypy3.10\n"]))
        #expect(s.version == CIPins.python)
        #expect(s.versionSource == "msvc's default: the first line of inv/.python-version is \"pypy3.10\", which is not a version or range msvc reads")
        let go = CIServiceSetup.detect(.go, cwd: ".", files: Self.files(["go.mod": "module x\n\ngo 1.23rc1\n"]))
        #expect(go.version == CIPins.go && go.versionSource.contains("1.23rc1"))
        #expect(go.installNote == "nothing to install (no go.sum: no modules to download)")
    }

    @Test func version_sourcesInOrder() {
        let both = CIServiceSetup.detect(.python, cwd: ".", files: Self.files([
            ".python-version": "3.11.9\n", "pyproject.toml": "[project]\nrequires-python = \">=3.12\"\n",
        ]))
        #expect(both.version == "3.11.9" && both.versionSource == ".python-version")
        let engines = CIServiceSetup.detect(.node, cwd: ".", files: Self.files([".node-version": "lts/*\n", "package.json": #"{"engines": {"node": ">=24"}}"#]))
        #expect(engines.version == CIPins.node && engines.versionSource.contains("lts/*"), "the first file that states a version decides")
        let requires = CIServiceSetup.detect(.python, cwd: ".", files: Self.files(["pyproject.toml": "[tool.x]\nrequires-python = \"==3.9.*\"\n[project]\nname = \"a\"\nrequires-python = '~=3.10'\n"]))
        #expect(requires.version == "3.13", "~=3.10 allows 3.13; only [project] is read")
    }

    @Test(arguments: [
        (">=18", "22"), (">=24", "24"), ("^20.11", "20"), ("^18 || ^20", "20"), (">=18 <21", "20"), ("18.x", "18"),
        ("20.11.1", "20.11.1"), ("~20.11", "20.11"), ("v20", "20"), ("*", "22"), (">= 20 < 22", "20"), ("20 - 22", "22"),
        ("<22.5", "20"), ("=18.20.4", "18.20.4"),
    ])
    func nodeRange_picksTheLine(range: String, expected: String) {
        #expect(CIVersionRange.pickNode(range, preferred: "22", lines: CIPins.nodeLines) == expected, "\(range)")
    }

    @Test(arguments: ["lts/*", "node", "1.2.3.4", "^x.y", "latest"])
    func nodeRange_notUnderstood_isNil(range: String) {
        #expect(CIVersionRange.pickNode(range, preferred: "22", lines: CIPins.nodeLines) == nil, "\(range)")
    }

    @Test(arguments: [
        (">=3.9", "3.13"), (">=3.14", "3.14"), (">=3.10,<3.13", "3.12"), ("==3.11.*", "3.11"), ("~=3.11", "3.13"),
        ("~=3.11.2", "3.11"), ("!=3.13.*,>=3.12", "3.14"), ("==3.12.4", "3.12.4"), ("<=3.11", "3.10"), (">3.12", "3.13"),
    ])
    func pythonSpec_picksTheLine(spec: String, expected: String) {
        #expect(CIVersionRange.pickPython(spec, preferred: "3.13", lines: CIPins.pythonLines) == expected, "\(spec)")
    }

    @Test(arguments: ["3.10; python_version", "^3.10", "", ">=three"])
    func pythonSpec_notUnderstood_isNil(spec: String) {
        #expect(CIVersionRange.pickPython(spec, preferred: "3.13", lines: CIPins.pythonLines) == nil, "\(spec)")
    }

    @Test func circleImages_haveTagsCimgPublishes() {
        #expect(CIToolchain.node.circleImage(version: "20").image == "cimg/node:20.19")
        #expect(CIToolchain.node.circleImage(version: "20.11").image == "cimg/node:20.11")
        #expect(CIToolchain.node.circleImage(version: "21") == ("node:21-bookworm", "/root/project"))
        #expect(CIToolchain.python.circleImage(version: "3.12").image == "cimg/python:3.12")
    }
}
