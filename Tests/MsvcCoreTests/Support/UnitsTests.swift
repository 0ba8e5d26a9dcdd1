import MsvcCore
import Testing

@Suite("Units")
struct UnitsTests {
    @Test(arguments: [
        ("250ms", Duration.milliseconds(250)), ("2s", .seconds(2)), ("1m30s", .seconds(90)),
        ("1h", .seconds(3600)), ("1.5s", .milliseconds(1500)), ("0", .zero), ("0s", .zero),
        ("1h2m3s4ms", .milliseconds(3_723_004)), ("90m", .seconds(5400)),
    ])
    func parseDuration_acceptsValidSpellings(_ text: String, _ expected: Duration) {
        #expect(Units.parseDuration(text) == expected)
    }

    @Test(arguments: [
        "", "5x", "1m1h", "-1s", "1s1s", "30s1m", "ms", ".5s", "1.s", "1e3s", "5", "1 s", " 1s",
        "1.2.3s", "9999999999999999s", "367d", "1sm", "s1",
    ])
    func parseDuration_rejectsInvalidSpellings(_ text: String) {
        #expect(Units.parseDuration(text) == nil)
    }

    @Test func parseDuration_rejectsMoreThanAYear() {
        #expect(Units.parseDuration("8784h") != nil)
        #expect(Units.parseDuration("8785h") == nil)
    }

    @Test(arguments: [
        ("512B", Int64(512)), ("64KiB", 65_536), ("10MiB", 10_485_760), ("1GiB", 1 << 30),
        ("1GB", 1_000_000_000), ("2KB", 2000), ("3MB", 3_000_000), ("100", 100), ("0B", 0),
    ])
    func parseSize_acceptsValidSpellings(_ text: String, _ expected: Int64) {
        #expect(Units.parseSize(text) == expected)
    }

    @Test(arguments: ["", "10mb", "-1MiB", "MiB", "1.5MiB", "99999999999GiB", "10 MiB", "1TiB", "1KiBs"])
    func parseSize_rejectsInvalidSpellings(_ text: String) {
        #expect(Units.parseSize(text) == nil)
    }

    @Test(arguments: [
        (Duration.zero, "0s"), (.milliseconds(250), "250ms"), (.seconds(90), "1m30s"),
        (.seconds(3600), "1h"), (.milliseconds(3_723_004), "1h2m3s4ms"), (.milliseconds(1500), "1s500ms"),
    ])
    func format_printsTheShortestSpelling(_ d: Duration, _ expected: String) {
        #expect(Units.format(d) == expected)
        #expect(Units.parseDuration(expected) == d, "format and parse round-trip")
    }

    @Test func milliseconds_andSeconds_convert() {
        #expect(Units.milliseconds(.milliseconds(1500)) == 1500)
        #expect(Units.seconds(.milliseconds(1500)) == 1.5)
    }
}

@Suite("ShellWords")
struct ShellWordsTests {
    @Test(arguments: [
        ("python3 app.py", ["python3", "app.py"]),
        ("  a   b\tc\n", ["a", "b", "c"]),
        ("", []),
        ("   ", []),
        ("echo 'hello world'", ["echo", "hello world"]),
        ("echo \"a \\\"b\\\" \\\\ \\$x `y`\"", ["echo", "a \"b\" \\ $x `y`"]),
        ("echo \"\\n\"", ["echo", "\\n"]),
        ("a\\ b c", ["a b", "c"]),
        ("''", [""]),
        ("a'b'\"c\"d", ["abcd"]),
        ("sh -c 'echo $HOME'", ["sh", "-c", "echo $HOME"]),
        ("'it'\\''s'", ["it's"]),
    ])
    func split_followsShellQuoting(_ line: String, _ words: [String]) throws {
        #expect(try ShellWords.split(line) == words)
    }

    @Test(arguments: [
        ("echo 'oops", 5, "unterminated single quote"),
        ("echo \"oops", 5, "unterminated double quote"),
        ("echo oops\\", 9, "trailing backslash"),
        ("a \"b\\\"", 2, "unterminated double quote"),
    ])
    func split_reportsWhereQuotingBreaks(_ line: String, _ offset: Int, _ message: String) {
        let error = #expect(throws: ShellWords.SplitError.self) { try ShellWords.split(line) }
        #expect(error?.offset == offset)
        #expect(error?.message == message)
    }

    @Test(arguments: ["plain", "", "two words", "it's", "a\"b", "$HOME", "tab\there", "back\\slash", "ünï"])
    func quote_roundTripsThroughSplit(_ word: String) throws {
        #expect(try ShellWords.split(ShellWords.quote(word)) == [word])
    }

    @Test func quote_leavesSafeWordsBare() {
        #expect(ShellWords.quote("--port=8080") == "--port=8080")
        #expect(ShellWords.quote("a b") == "'a b'")
    }
}
