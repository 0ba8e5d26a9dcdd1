import MsvcCore
import Testing

@Suite("Interpolation")
struct InterpolationTests {
    /// USER=u, EMPTY="", ORDERS_URL deferred (a discovery variable), everything else unset.
    static func lookup(_ name: String) -> Interpolation.Lookup {
        switch name {
        case "USER": return .value("u")
        case "EMPTY": return .value("")
        case "ORDERS_URL", "PORT": return .deferred
        default: return .unset
        }
    }

    func expand(_ text: String) throws(Interpolation.Failure) -> String {
        try Interpolation.expand(text, lookup: Self.lookup)
    }

    @Test(arguments: [
        ("no dollars", "no dollars"),
        ("${USER}", "u"),
        ("a-${USER}-b", "a-u-b"),
        ("${USER:-d}", "u"), ("${NOPE:-d}", "d"), ("${EMPTY:-d}", "d"),
        ("${USER-d}", "u"), ("${NOPE-d}", "d"), ("${EMPTY-d}", ""),
        ("${USER:?m}", "u"), ("${EMPTY?m}", ""),
        ("${USER:+alt}", "alt"), ("${EMPTY:+alt}", ""), ("${NOPE:+alt}", ""),
        ("${USER+alt}", "alt"), ("${EMPTY+alt}", "alt"), ("${NOPE+alt}", ""),
        ("$$", "$"), ("$${USER}", "${USER}"), ("cost: $$5", "cost: $5"),
        ("$HOME stays", "$HOME stays"), ("$", "$"), ("a$", "a$"), ("$1", "$1"),
        ("${NOPE:-${USER}}", "u"), ("${NOPE:-${ALSO:-deep}}", "deep"), ("${NOPE:-x${USER}y}", "xuy"),
        ("${USER:-${NOPE}}", "u"), ("${NOPE:+${ALSO}}", ""), ("${USER:?${NOPE:-m}}", "u"),
        ("${NOPE:-}", ""), ("${NOPE:-a:b}", "a:b"), ("${NOPE:-{x}", "{x"),
        ("${ORDERS_URL}", "${ORDERS_URL}"), ("${ORDERS_URL}/items", "${ORDERS_URL}/items"),
        ("${ORDERS_URL:-http://x}", "${ORDERS_URL:-http://x}"),
        ("${ORDERS_URL:-${NOPE}}", "${ORDERS_URL:-${NOPE}}"),
        ("${NOPE:-${PORT}}", "${PORT}"), ("port=${PORT}", "port=${PORT}"),
        ("${USER}${USER}", "uu"), ("ünï ${USER}", "ünï u"),
    ])
    func expand_appliesModifiers(_ text: String, _ expected: String) throws {
        #expect(try expand(text) == expected)
    }

    @Test(arguments: [
        ("${", 0, "unterminated \"${\"; add the closing \"}\""),
        ("ab ${USER", 3, "unterminated \"${\"; add the closing \"}\""),
        ("${NOPE:-${USER}", 0, "unterminated \"${\"; add the closing \"}\""),
        ("${USER:", 0, "unterminated \"${\"; add the closing \"}\""),
        ("x ${1X}", 2, "invalid variable name \"1X\"; names are letters, digits and _, not starting with a digit (write $$ for a literal $)"),
        ("${}", 0, "\"${\" must be followed by a variable name (letters, digits and _); write $$ for a literal $"),
        ("${USER!}", 0, "unexpected \"!\" after \"${USER\"; expected \"}\" or one of :- :? :+ (or - ? + without the colon)"),
        ("${USER:}", 0, "\"${USER:}\" needs one of :- :? :+ after the name, or no \":\" at all"),
        ("a ${NOPE} b", 2, "variable \"NOPE\" is not set; set it in the environment, an env_file or env:, or write ${NOPE:-default}"),
        ("${X:?must set X}", 0, "required variable \"X\" is not set: must set X"),
        ("${EMPTY:?must set it}", 0, "required variable \"EMPTY\" is empty: must set it"),
        ("${X?}", 0, "required variable \"X\" is not set; set it in the environment, an env_file or env:"),
        ("${X:?need ${USER}}", 0, "required variable \"X\" is not set: need u"),
        ("${NOPE:-${ALSO}}", 8, "variable \"ALSO\" is not set; set it in the environment, an env_file or env:, or write ${ALSO:-default}"),
        ("${USER:-${1X}}", 8, "invalid variable name \"1X\"; names are letters, digits and _, not starting with a digit (write $$ for a literal $)"),
    ])
    func expand_reportsProblemsWithOffsets(_ text: String, _ offset: Int, _ message: String) {
        let error = #expect(throws: Interpolation.Failure.self) { try expand(text) }
        #expect(error?.offset == offset)
        #expect(error?.message == message)
    }

    @Test func expand_limitsNestingDepth() throws {
        let ok = String(repeating: "${NOPE:-", count: 16) + "x" + String(repeating: "}", count: 16)
        #expect(try expand(ok) == "x")
        let deep = String(repeating: "${NOPE:-", count: 17) + "x" + String(repeating: "}", count: 17)
        #expect(throws: Interpolation.Failure.self) { try expand(deep) }
    }

    @Test func expand_asksOnlyForVariablesItNeeds() throws {
        var asked: [String] = []
        _ = try Interpolation.expand("${USER:-${A}} ${B:+${C}}") { name in
            asked.append(name)
            return name == "USER" ? .value("u") : .unset
        }
        #expect(asked == ["USER", "B"], "unneeded defaults and alternatives are not looked up")
    }
}
