import MsvcCore
import Testing

@Suite("YAMLParser")
struct YAMLParserTests {
    func parse(_ text: String, limits: YAMLLimits = YAMLLimits()) throws(YAMLError) -> YAMLNode? {
        try YAMLParser.parse(text, limits: limits)
    }

    func pairs(_ node: YAMLNode?) -> [(String, String)] {
        guard case .mapping(let pairs)? = node?.content else { return [] }
        return pairs.map { ($0.key.scalar ?? "?", $0.value.scalar ?? "<\($0.value.kindName)>") }
    }

    @Test func emptyAndCommentOnlyDocuments_areNil() throws {
        #expect(try parse("") == nil)
        #expect(try parse("# only a comment\n") == nil)
        #expect(try parse("---\n")?.isNull == true)
    }

    @Test func nodes_rememberPositionsAndStyles() throws {
        let root = try #require(try parse("a: 1\nb:\n  - 'x'\n  - \"y\"\n"))
        guard case .mapping(let top) = root.content, case .sequence(let items) = top[1].value.content else {
            Issue.record("unexpected shape \(root)")
            return
        }
        #expect(top[0].key.mark == SourceMark(line: 1, column: 1))
        #expect(top[0].value.mark == SourceMark(line: 1, column: 4))
        #expect(items.map(\.mark) == [SourceMark(line: 3, column: 5), SourceMark(line: 4, column: 5)])
        #expect(items.map(\.content) == [.scalar("x", .singleQuoted), .scalar("y", .doubleQuoted)])
        #expect(top[0].value.kindName == "a number" && items[0].kindName == "a string")
    }

    @Test func merges_explicitKeysWinAndEarlierMergesWin() throws {
        let text = """
            a: &a { x: 1, y: 1 }
            b: &b { y: 2, z: 2 }
            c:
              x: own
              <<: [*a, *b]
            d:
              <<: *a
              x: override
            """
        let root = try parse(text)
        guard case .mapping(let top)? = root?.content else { Issue.record("not a map"); return }
        #expect(pairs(top[2].value).map { "\($0.0)=\($0.1)" } == ["x=own", "y=1", "z=2"])
        #expect(pairs(top[3].value).map { "\($0.0)=\($0.1)" } == ["x=override", "y=1"])
    }

    @Test func merges_intoTheRootMapWork() throws {
        // The anchor is defined inside the very map that merges it.
        let root = try parse("base: &b { port: 1 }\n<<: *b\nport: 2\n")
        #expect(pairs(root).map { "\($0.0)=\($0.1)" } == ["base=<a map>", "port=2"])
    }

    @Test(arguments: [
        ("a: 1\nb: 2\na: 3\n", SourceMark(line: 3, column: 1), "duplicate key \"a\" (first defined at 1:1); remove one of them"),
        ("m: &m { a: 1 }\nn:\n  <<: *m\n  a: 2\n  a: 3\n", SourceMark(line: 5, column: 3), "duplicate key \"a\" (first defined at 4:3); remove one of them"),
        ("a: *nope\n", SourceMark(line: 1, column: 4), "unknown anchor \"*nope\"; define it with \"&nope\" before using it"),
        ("a: &x [*x]\n", SourceMark(line: 1, column: 8), "unknown anchor \"*x\"; define it with \"&x\" before using it"),
        ("s: &s str\nm:\n  <<: *s\n", SourceMark(line: 3, column: 7), "\"<<\" merges maps only, found a string; point it at a map anchor such as *defaults"),
        ("? [a]\n: 1\n", SourceMark(line: 1, column: 3), "map keys must be plain strings, not a list; write the key as text"),
        ("a: 1\n---\nb: 2\n", SourceMark(line: 2, column: 1), "more than one YAML document; msvc.yaml holds exactly one (remove the second \"---\")"),
        ("a: b\u{0}c\n", SourceMark(line: 1, column: 5), "file contains a NUL byte; msvc.yaml must be UTF-8 text (is it a binary file?)"),
        ("é: 1\nb: \u{7}\n", SourceMark(line: 2, column: 4), "invalid YAML: control character U+0007 is not allowed; remove it, or write it as an escape in a double-quoted string"),
    ])
    func errors_sayWhatAndWhere(_ text: String, _ mark: SourceMark, _ message: String) {
        let error = #expect(throws: YAMLError.self) { try parse(text) }
        #expect(error?.mark == mark)
        #expect(error?.message == message)
    }

    @Test func depthLimit_allowsExactlyMaxDepth() throws {
        var limits = YAMLLimits()
        limits.maxDepth = 5
        #expect(try parse(String(repeating: "[", count: 5) + String(repeating: "]", count: 5), limits: limits) != nil)
        let error = #expect(throws: YAMLError.self) {
            try parse(String(repeating: "[", count: 6) + String(repeating: "]", count: 6), limits: limits)
        }
        #expect(error?.mark == SourceMark(line: 1, column: 6))
        #expect(error?.message.hasPrefix("lists and maps nested deeper than 5 levels") == true)
    }

    @Test func nodeBudget_countsAliasExpansion() throws {
        var limits = YAMLLimits()
        limits.maxExpandedNodes = 100
        // 25 nodes written, 125 once the ten aliases are expanded.
        let bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        let error = #expect(throws: YAMLError.self) { try parse(bomb, limits: limits) }
        #expect(error?.message.contains("aliases expand this document to more than 100 nodes") == true)
        let plain = "[" + Array(repeating: "x", count: 150).joined(separator: ", ") + "]"
        let big = #expect(throws: YAMLError.self) { try parse(plain, limits: limits) }
        #expect(big?.message.hasPrefix("document has more than 100 nodes") == true, "no alias, so no talk of alias bombs")
    }

    @Test func aliases_pointAtWhereTheyAreUsed() throws {
        let root = try parse("a: &a { x: 1 }\nb: *a\n")
        guard case .mapping(let top)? = root?.content else { Issue.record("not a map"); return }
        #expect(top[1].value.mark == SourceMark(line: 2, column: 4))
        #expect(top[1].value.content == top[0].value.content)
    }

    @Test(arguments: [
        ("", YAMLNode.PlainType.null), ("~", .null), ("null", .null), ("true", .bool), ("False", .bool),
        ("yes", .string), ("3", .int), ("-3", .int), ("0x1F", .int), ("0o17", .int), ("1.5", .float),
        ("-.5", .float), ("1e3", .float), ("abc", .string), ("nan", .string), ("8080/tcp", .string),
    ])
    func plainScalarType_followsTheCoreSchema(_ text: String, _ type: YAMLNode.PlainType) {
        #expect(YAMLNode.plainScalarType(text) == type)
    }
}
