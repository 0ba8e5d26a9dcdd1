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
        ("A=1\nnot a pair\n", 2, 1, "expected KEY=value, found a line without \"=\"; write KEY=value or comment the line out with #"),
        ("  9LIVES=cat", 1, 3, "a variable name cannot start with a digit; use letters, digits and _, not starting with a digit"),
        ("export A-B=1", 1, 9, "invalid variable name: a character that is not allowed here; use letters, digits and _, not starting with a digit"),
        ("MY VAR=1", 1, 3, "invalid variable name: a space is not allowed here; use letters, digits and _, not starting with a digit"),
        ("  =v", 1, 3, "missing variable name before \"=\"; write KEY=value"),
        ("Q=\"open", 1, 3, "unterminated double quote; add the closing \" (values cannot span lines)"),
        ("Q='open", 1, 3, "unterminated single quote; add the closing ' (values cannot span lines)"),
        ("R=x ${NOPE}", 1, 5, "the variable referenced here is not set; set it in the environment or on an earlier line, or give a default with ${NAME:-default}"),
        ("R=\"x ${NOPE}\"", 1, 6, "the variable referenced here is not set; set it in the environment or on an earlier line, or give a default with ${NAME:-default}"),
        ("R=  ${", 1, 5, "unterminated \"${\"; add the closing \"}\""),
        ("R=${HIDDEN:?secret words}", 1, 3, "a required variable (${NAME:?...}) is not set or is empty here; set it before this line"),
        ("R=${A:-${HIDDEN}}", 1, 8, "the variable referenced here is not set; set it in the environment or on an earlier line, or give a default with ${NAME:-default}"),
        ("R=${A:x}", 1, 3, "\"${NAME:\" needs one of :- :? :+ after the name, or no \":\" at all"),
        ("R=${A!}", 1, 3, "unexpected character after the variable name; expected \"}\" or one of :- :? :+"),
        ("R=${}", 1, 3, "\"${\" must be followed by a variable name (letters, digits and _); write $$ for a literal $"),
        ("R=${9X}", 1, 3, "a variable name after \"${\" cannot start with a digit; write $$ for a literal $"),
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

    /// `env_file: [/etc/shadow]` in an untrusted change must not put the file into CI logs.
    @Test func problems_neverQuoteTheFile() {
        let secrets = ["root", "s3cr3t", "hunter2", "HIDDEN_NAME", "private words", "AKIA1234", "sk_live", "9KEY", "BAD-KEY", "MY KEY"]
        let text = """
            root:$6$s3cr3t$hunter2:19000:0:99999:7:::
            AKIA1234 sk_live
            9KEY=hunter2
            BAD-KEY=hunter2
            MY KEY=hunter2
            A=${HIDDEN_NAME}
            B=${HIDDEN_NAME:?private words}
            C="${HIDDEN_NAME"
            D=${HIDDEN_NAME:x}
            E=${HIDDEN_NAME!}
            F='hunter2
            G="hunter2
            """
        let (_, problems) = EnvFile.parseAll(text, lookup: Self.lookup)
        #expect(problems.count == 12)
        for p in problems {
            for s in secrets { #expect(!p.message.contains(s), "line \(p.mark.line) quotes the file: \(p.message)") }
        }
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
