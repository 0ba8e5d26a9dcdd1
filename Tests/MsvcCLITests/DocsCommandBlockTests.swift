import Foundation
import MsvcTestSupport
import Testing

/// Every ```sh and ```console block of README.md, docs/tutorial.md and examples/shop/README.md, run as written against
/// the built binary, in order, in a fresh temporary folder. A comment line right before a block
/// changes how it runs:
///
///   <!-- docs-test: skip (why it cannot run here) -->            not run; the reason is required
///   <!-- docs-test: cwd=examples/shop -->                          run in that folder of a fresh copy of the repository
///                                                                  (its examples/); `cwd=.` is the copy's root
///   <!-- docs-test: interactive expect="TEXT"... keys="q" -->     run in tmux (120×34); pass once every TEXT is on
///                                                                  screen, then send the keys (tmux names, default q)
///                                                                  and wait for it to exit; may follow cwd=PATH
///
/// A `sh` block runs with `sh -e` and must exit 0. In a `console` block, `$ ` lines are commands
/// and the lines after them their expected output: each must match an output line, in order,
/// with `…` matching anything and runs of spaces compared as one. A `cd` carries over to the
/// next block of the same file; the first block starts in an empty folder. Blocks run with
/// `SHOP_PORT` set to a free port, so the shop's gateway does not need 8080.
@Suite("README, tutorial and shop README command blocks work as written")
struct DocsCommandBlockTests {
    @Test func readme() async throws { try await Self.runAll(in: "README.md") }
    @Test func tutorial() async throws { try await Self.runAll(in: "docs/tutorial.md") }
    @Test func shopReadme() async throws { try await Self.runAll(in: "examples/shop/README.md") }

    @Test func parser_readsDirectivesAndConsoleOutput() throws {
        let blocks = try DocsBlock.parse("""
            text
            <!-- docs-test: skip (needs a cluster) -->
            ```sh
            kubectl apply -f k8s
            ```
            <!-- docs-test: cwd=examples/shop interactive expect="api" expect="web ok" keys="C-c" -->
            ```sh
            msvc dash
            ```
            ```console
            $ msvc validate
            msvc.yaml: ok (…)
            $ echo a \\
                b
            ```
            ```yaml
            not: run
            ```
            """, file: "x.md")
        #expect(blocks.count == 3)
        #expect(blocks[0].directive == DocsBlock.Directive(skip: "needs a cluster"))
        #expect(blocks[1].directive == DocsBlock.Directive(cwd: "examples/shop", interactive: (["api", "web ok"], ["C-c"])))
        #expect(blocks[2].steps.map(\.command) == ["msvc validate", "echo a \\\n    b"])
        #expect(blocks[2].steps[0].expected == ["msvc.yaml: ok (…)"])
        #expect(throws: DocsBlock.Problem.self) { try DocsBlock.parse("<!-- docs-test: skip -->\n```sh\nx\n```\n", file: "x.md") }
        #expect(throws: DocsBlock.Problem.self) { try DocsBlock.parse("<!-- docs-test: sometimes -->\n```sh\nx\n```\n", file: "x.md") }
        #expect(DocsBlock.matches(expected: ["go-http  builtin …", "done"], output: "go-http            builtin  Go service\nx\ndone\n"))
        #expect(!DocsBlock.matches(expected: ["done", "go-http"], output: "go-http\ndone\n"))
    }

    /// Runs the blocks of `file` in order; stops the stacks they leave running.
    static func runAll(in file: String) async throws {
        let root = packageRoot()
        let blocks = try DocsBlock.parse(try String(contentsOfFile: root + "/" + file, encoding: .utf8), file: file)
        let work = try TemporaryDirectory(prefix: "msvc-docs")
        let copy = await Spawn.run(["/bin/sh", "-c", "mkdir -p repo/examples home && tar -C '\(root)/examples' --exclude=.msvc --exclude=__pycache__ --exclude=node_modules -cf - . | tar -C repo/examples -xf -"],
                                   cwd: work.path)
        try #require(copy.status == 0, "\(copy.stderr)")
        let session = DocsSession(root: work.path)
        defer { session.stopStacks() }
        for block in blocks {
            let failure = await session.run(block)
            #expect(failure == nil, "\(file):\(block.line): \(failure ?? "")")
            if failure != nil { break }
        }
        session.stopStacks()
        // A tmux server that was told to quit takes a moment to take its pane with it.
        var left: [Int32] = []
        let clean = await eventually(10, interval: 0.1) { left = Leftovers.processes(containing: work.path); return left.isEmpty }
        #expect(clean, "\(file): processes left running: \(left)")
    }
}

/// One fenced command block of a Markdown file.
struct DocsBlock: Equatable {
    /// How the docs-test comment before the block says to run it.
    struct Directive: Equatable {
        /// Not run, for this reason.
        var skip: String?
        /// The folder to run in, relative to the copy of the repository; nil: where the last block ended.
        var cwd: String?
        /// Run in tmux until every text is on screen, then send these keys.
        var interactive: (expect: [String], keys: [String])?

        /// Field by field (a tuple is not Equatable by itself).
        static func == (a: Directive, b: Directive) -> Bool {
            a.skip == b.skip && a.cwd == b.cwd && a.interactive?.expect == b.interactive?.expect && a.interactive?.keys == b.interactive?.keys
        }
    }

    /// A command and, in a console block, the output lines it must print.
    struct Step: Equatable {
        var command: String
        var expected: [String]
    }

    /// A block the parser cannot accept, with where it is.
    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    /// Line of the opening fence, from 1.
    var line: Int
    /// `sh` or `console`.
    var language: String
    /// How to run it.
    var directive: Directive
    /// `sh`: one step with the whole block; `console`: one per `$ ` command.
    var steps: [Step]

    /// The `sh` and `console` blocks of `text`.
    static func parse(_ text: String, file: String) throws -> [DocsBlock] {
        let lines = text.components(separatedBy: "\n")
        var blocks: [DocsBlock] = []
        var i = 0
        var previous: String?
        while i < lines.count {
            let line = lines[i]
            guard line.hasPrefix("```") else {
                if !line.trimmingCharacters(in: .whitespaces).isEmpty { previous = line }
                i += 1
                continue
            }
            let language = line.dropFirst(3).trimmingCharacters(in: .whitespaces)
            let start = i
            var body: [String] = []
            i += 1
            while i < lines.count && !lines[i].hasPrefix("```") { body.append(lines[i]); i += 1 }
            i += 1
            defer { previous = nil }
            guard language == "sh" || language == "console" else { continue }
            let directive = try directive(previous, at: "\(file):\(start)")
            let steps = language == "sh" ? [Step(command: body.joined(separator: "\n"), expected: [])] : consoleSteps(body)
            blocks.append(DocsBlock(line: start + 1, language: language, directive: directive, steps: steps))
        }
        return blocks
    }

    /// The directive in `comment`, if it is a docs-test comment: `skip (REASON)`, or any of
    /// `cwd=PATH` and `interactive expect="TEXT"... keys="KEY..."`.
    static func directive(_ comment: String?, at place: String) throws -> Directive {
        var d = Directive()
        guard let comment, comment.hasPrefix("<!-- docs-test:"), comment.hasSuffix("-->") else { return d }
        var body = Substring(comment.dropFirst("<!-- docs-test:".count).dropLast(3).trimmingCharacters(in: .whitespaces))
        if body.hasPrefix("skip") {
            guard let open = body.firstIndex(of: "("), body.hasSuffix(")"), body.index(after: open) < body.index(before: body.endIndex) else {
                throw Problem(description: "\(place): `docs-test: skip` needs a reason: <!-- docs-test: skip (why) -->")
            }
            d.skip = String(body[body.index(after: open)..<body.index(before: body.endIndex)])
            return d
        }
        if let m = body.firstMatch(of: /^cwd=(\S+)\s*/) {
            d.cwd = String(m.output.1)
            body = body[m.range.upperBound...]
        }
        if body.hasPrefix("interactive") {
            let values = body.matches(of: /(expect|keys)="([^"]*)"/).map { (String($0.output.1), String($0.output.2)) }
            let expect = values.filter { $0.0 == "expect" }.map(\.1)
            guard !expect.isEmpty else { throw Problem(description: "\(place): an interactive block needs expect=\"TEXT\"") }
            let keys = values.last { $0.0 == "keys" }.map { $0.1.split(separator: " ").map(String.init) } ?? ["q"]
            d.interactive = (expect, keys)
            body = body[body.endIndex...]
        }
        guard body.isEmpty else {
            throw Problem(description: "\(place): unknown docs-test directive \"\(body)\"; expected skip (REASON), cwd=PATH, interactive expect=\"TEXT\"")
        }
        return d
    }

    /// `$ ` commands (with `\` continuation lines) and the output lines after each.
    static func consoleSteps(_ body: [String]) -> [Step] {
        var steps: [Step] = []
        var continuing = false
        for line in body {
            if line.hasPrefix("$ ") {
                steps.append(Step(command: String(line.dropFirst(2)), expected: []))
                continuing = line.hasSuffix("\\")
            } else if continuing, !steps.isEmpty {
                steps[steps.count - 1].command += "\n" + line
                continuing = line.hasSuffix("\\")
            } else if !steps.isEmpty, !line.trimmingCharacters(in: .whitespaces).isEmpty {
                steps[steps.count - 1].expected.append(line)
            }
        }
        return steps
    }

    /// Whether each expected line matches an output line, in order.
    static func matches(expected: [String], output: String) -> Bool {
        let squeeze = { (s: Substring) in s.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
        var lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(squeeze)[...]
        for want in expected {
            let pieces = squeeze(Substring(want)).components(separatedBy: "…").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let hit = lines.firstIndex(where: { matchesLine(pieces, $0) }) else { return false }
            lines = lines[(hit + 1)...]
        }
        return true
    }

    /// Whether every text is on `screen`, runs of spaces compared as one.
    static func shows(_ screen: String, _ texts: [String]) -> Bool {
        let squeeze = { (s: Substring) in s.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
        let lines = screen.split(separator: "\n").map(squeeze)
        return texts.allSatisfy { text in lines.contains { $0.contains(squeeze(Substring(text))) } }
    }

    /// Whether `line` holds `pieces` in order (the text between them is free).
    static func matchesLine(_ pieces: [String], _ line: String) -> Bool {
        var rest = Substring(line)
        for (i, piece) in pieces.enumerated() where !piece.isEmpty {
            guard let r = rest.range(of: piece) else { return false }
            if i == 0 && r.lowerBound != rest.startIndex { return false }
            rest = rest[r.upperBound...]
        }
        return pieces.last?.isEmpty == true || rest.isEmpty
    }
}

/// The folder the blocks of one file run in, and what they started.
final class DocsSession: @unchecked Sendable {
    // Used by one test at a time, from one task; @unchecked because `cwd` changes between blocks.
    /// The session's temporary folder.
    let root: String
    /// Where the next block runs.
    var cwd: String
    /// What every block runs with: the built msvc first on PATH, no colour, and the shop's
    /// gateway on a free port (`SHOP_PORT`), so a shop you have running does not clash.
    let environment: [String: String]

    /// A session in `root`: blocks start in `root/home`, `cwd=` folders are under `root/repo`.
    init(root: String) {
        self.root = root
        cwd = root + "/home"
        let bin = URL(fileURLWithPath: MsvcBinary.path).deletingLastPathComponent().path
        environment = ["PATH": bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"), "NO_COLOR": "1", "SHOP_PORT": "\(Self.freePort())"]
    }

    /// A port nothing listens on now: the kernel's pick for 127.0.0.1:0.
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 ? getsockname(fd, $0, &len) : -1 }
        }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// Runs `block`; nil when it worked as written, else what went wrong.
    func run(_ block: DocsBlock) async -> String? {
        let d = block.directive
        if d.skip != nil { return nil }
        let folder = d.cwd.map { root + "/repo/" + $0 } ?? cwd
        if let (expect, keys) = d.interactive {
            return await interactive(block.steps.map(\.command).joined(separator: "\n"), in: folder, expect: expect, keys: keys)
        }
        return await runSteps(block, in: folder, carry: d.cwd == nil)
    }

    /// Runs each step with `sh -e`, checking console output; `carry` keeps the last `cd`.
    private func runSteps(_ block: DocsBlock, in folder: String, carry: Bool) async -> String? {
        let marker = root + "/.docs-test-cwd"
        for step in block.steps {
            let script = "set -e\n\(step.command)\npwd > '\(marker)'\n"
            let r = await Spawn.run(["/bin/sh", "-c", script], cwd: folder, environment: environment, timeout: 180)
            let output = r.stdout + r.stderr
            if r.status != 0 { return "`\(step.command)` exited \(r.status):\n\(output)" }
            if !DocsBlock.matches(expected: step.expected, output: output) {
                return "`\(step.command)` printed\n\(output)\nbut the docs show\n\(step.expected.joined(separator: "\n"))"
            }
            if carry, let now = try? String(contentsOfFile: marker, encoding: .utf8) {
                cwd = now.trimmingCharacters(in: .whitespacesAndNewlines)
            }
        }
        return nil
    }

    /// Runs `command` in a tmux pane of its own until `expect` is on screen, then sends `keys`.
    private func interactive(_ command: String, in folder: String, expect: [String], keys: [String]) async -> String? {
        let socket = "msvc-docs-\(UUID().uuidString.prefix(8))"
        let tmux = { (args: [String]) async -> Spawn.Result in
            await Spawn.run(["tmux", "-L", socket, "-f", "/dev/null"] + args, cwd: folder, environment: self.environment, timeout: 10)
        }
        defer { _ = Spawn.run(["tmux", "-L", socket, "kill-server"], cwd: folder, timeout: 10) }
        let assignments = environment.sorted { $0.key < $1.key }.map { "\($0.key)='\($0.value)'" }.joined(separator: " ")
        let shell = "env \(assignments) TERM=xterm-256color sh -c '\(command.replacingOccurrences(of: "'", with: "'\\''"))'"
        // Spawn, not Foundation's Process: its output goes to files (the tmux server would hold
        // pipes open) and it reaps with waitpid (Process can miss an exit after `up -d`).
        let start = await tmux(["new-session", "-d", "-x", "120", "-y", "34", "-s", "t", "-c", folder, shell])
        if start.status != 0 { return "tmux new-session failed: \(start.stderr)" }
        var screen = ""
        let shown = await eventually(60, interval: 0.2) {
            screen = await tmux(["capture-pane", "-p", "-t", "t"]).stdout
            return DocsBlock.shows(screen, expect)
        }
        if !shown { return "`\(command)` did not show \(expect) within 60 s; the screen:\n\(screen)" }
        _ = await tmux(["send-keys", "-t", "t"] + keys)
        let exited = await eventually(30, interval: 0.1) { await tmux(["has-session", "-t", "t"]).status != 0 }
        return exited ? nil : "`\(command)` still running 30 s after the keys \(keys)"
    }

    /// `msvc down` in every folder under the session where a stack may run.
    func stopStacks() {
        let found = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".msvc/run") } ?? []
        for run in found {
            let folder = root + "/" + String(run.dropLast(".msvc/run".count))
            _ = Spawn.run([MsvcBinary.path, "down"], cwd: folder, timeout: 60)
        }
    }
}
