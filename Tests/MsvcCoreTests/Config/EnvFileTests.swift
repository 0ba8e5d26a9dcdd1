import MsvcCore
import Testing

@Suite("EnvFile")
struct EnvFileTests {
    static func lookup(_ name: String) -> Interpolation.Lookup {
        name == "USER" ? .value("u") : name == "ORDERS_URL" ? .deferred : .unset
    }

    func parse(_ text: String) throws(EnvFile.Problem) -> [String] {
        try EnvFile.parse(text, lookup: Self.lookup).map { "\($0.key)=\($0.value)" }
    }

    @Test func parse_readsEveryForm() throws {
        let text = """
            # a comment

              INDENTED=yes
            export EXPORTED=1
            export   SPACED=2
            PLAIN=a b c # trailing comment
            HASH=a#b
            SINGLE='literal ${USER} \\n'
            DOUBLE="line\\nnext\\t\\"q\\" \\\\ ${USER}"
            EMPTY=
            SPACE_BEFORE= value
            KEY_SPACE =x
            REF=${PLAIN}-${USER:-nobody}
            DEFERRED=${ORDERS_URL}/x
            EQUALS=a=b=c
            """
        #expect(try parse(text) == [
            "INDENTED=yes", "EXPORTED=1", "SPACED=2", "PLAIN=a b c", "HASH=a#b",
            "SINGLE=literal ${USER} \\n", "DOUBLE=line\nnext\t\"q\" \\ u", "EMPTY=", "SPACE_BEFORE=value",
            "KEY_SPACE=x", "REF=a b c-u", "DEFERRED=${ORDERS_URL}/x", "EQUALS=a=b=c",
        ])
    }

    @Test func parse_acceptsCRLFLineEndings() throws {
        #expect(try parse("A=1\r\nB=2\r\n") == ["A=1", "B=2"])
    }

    @Test(arguments: [
        ("A=1\nnot a pair\n", 2, 1, "expected KEY=value, found \"not a pair\"; write KEY=value or comment the line out with #"),
        ("  9LIVES=cat", 1, 3, "invalid variable name \"9LIVES\"; use letters, digits and _, not starting with a digit"),
        ("export A-B=1", 1, 8, "invalid variable name \"A-B\"; use letters, digits and _, not starting with a digit"),
        ("Q=\"open", 1, 3, "unterminated double quote; add the closing \" (values cannot span lines)"),
        ("Q='open", 1, 3, "unterminated single quote; add the closing ' (values cannot span lines)"),
        ("R=x ${NOPE}", 1, 5, "variable \"NOPE\" is not set; set it in the environment, an env_file or env:, or write ${NOPE:-default}"),
        ("R=\"x ${NOPE}\"", 1, 6, "variable \"NOPE\" is not set; set it in the environment, an env_file or env:, or write ${NOPE:-default}"),
        ("R=  ${", 1, 5, "unterminated \"${\"; add the closing \"}\""),
    ])
    func parse_reportsLineAndColumn(_ text: String, _ line: Int, _ column: Int, _ message: String) {
        let error = #expect(throws: EnvFile.Problem.self) { try parse(text) }
        #expect(error?.mark == SourceMark(line: line, column: column))
        #expect(error?.message == message)
    }

    @Test func parseAll_reportsEveryBadLineAndKeepsTheGoodOnes() {
        let (entries, problems) = EnvFile.parseAll("A=1\nbad\nB=2\n1C=3\nD=${A}\n", lookup: Self.lookup)
        #expect(entries.map(\.key) == ["A", "B", "D"])
        #expect(entries.last?.value == "1")
        #expect(problems.map(\.mark.line) == [2, 4])
    }

    @Test func isValidName_followsShellRules() {
        for good in ["A", "_", "a_b", "A1", "_9"] { #expect(EnvFile.isValidName(good), "\(good)") }
        for bad in ["", "1A", "A-B", "A B", "Ä", "A.B"] { #expect(!EnvFile.isValidName(bad), "\(bad)") }
    }
}

@Suite("Suggest")
struct SuggestTests {
    static let serviceKeys = [
        "command", "shell", "cwd", "env", "env_file", "port", "ports", "depends_on", "health",
        "liveness", "restart", "max_restarts", "backoff", "replicas", "stop_signal",
    ]

    @Test(arguments: [
        ("depend_on", "depends_on"), ("helth", "health"), ("prot", "port"), ("PORT", "port"),
        ("comand", "command"), ("replica", "replicas"), ("dependson", "depends_on"), ("envfile", "env_file"),
    ])
    func closest_findsLikelyTypos(_ word: String, _ expected: String) {
        #expect(Suggest.closest(to: word, in: Self.serviceKeys) == expected)
    }

    @Test func closest_handlesOtherVocabularies() {
        #expect(Suggest.closest(to: "intervall", in: ["interval", "timeout", "retries", "start_period"]) == "interval")
        #expect(Suggest.closest(to: "service", in: ["version", "name", "env", "services", "tests"]) == "services")
        #expect(Suggest.closest(to: "healty", in: ["started", "healthy", "completed"]) == "healthy")
    }

    @Test(arguments: ["colour", "x", "completely-unrelated", String(repeating: "a", count: 2000), ""])
    func closest_givesNothingForUnlikeWords(_ word: String) {
        #expect(Suggest.closest(to: word, in: Self.serviceKeys) == nil)
    }

    @Test func closest_withNoCandidates_isNil() {
        #expect(Suggest.closest(to: "port", in: []) == nil)
    }

    @Test func distance_countsEditsAndTranspositions() {
        #expect(Suggest.distance("", "abc") == 3)
        #expect(Suggest.distance("abc", "abc") == 0)
        #expect(Suggest.distance("prot", "port") == 1)
        #expect(Suggest.distance("kitten", "sitting") == 3)
    }
}
