import MsvcCore
import Testing

@Suite("JSON parser")
struct JSONParserTests {
    @Test func strings_plainEscapedAndUnicode() throws {
        let j = try JSON.parse(#"{"plain":"abc","empty":"","esc":"a\"b\\c\/d\n\t\r\b\f","u":"\u00e9\u65e5","pair":"\ud83d\ude00","raw":"日本 ünï"}"#)
        #expect(j["plain"]?.stringValue == "abc")
        #expect(j["empty"]?.stringValue == "")
        #expect(j["esc"]?.stringValue == "a\"b\\c/d\n\t\r\u{8}\u{C}")
        #expect(j["u"]?.stringValue == "é日")
        #expect(j["pair"]?.stringValue == "😀")
        #expect(j["raw"]?.stringValue == "日本 ünï")
    }

    @Test func objects_keepKeyOrder_andNumbersKeepTheirKind() throws {
        let j = try JSON.parse(#"{"z":1,"a":-2.5,"m":[true,false,null],"n":{"k":"v"},"e":1e3}"#)
        #expect(j.objectValue?.map(\.0) == ["z", "a", "m", "n", "e"])
        #expect(j["z"] == .int(1))
        #expect(j["a"] == .double(-2.5))
        #expect(j["m"] == .array([.bool(true), .bool(false), .null]))
        #expect(j["n"]?["k"]?.stringValue == "v")
        #expect(j["e"]?.doubleValue == 1000)
    }

    @Test func roundTrip_ofEveryKindOfCharacter() throws {
        var text = ""
        for scalar in (0..<0x250).compactMap(Unicode.Scalar.init) { text.unicodeScalars.append(scalar) }
        text += "😀 \\ \" / 日本"
        let doc = JSON.object([("text", .string(text)), ("list", .array([.string(text), .int(7)]))])
        #expect(try JSON.parse(doc.serialized(pretty: false)) == doc)
    }

    @Test func errors_sayWhereAndWhat() {
        for (input, offset, message) in [
            ("{\"a\":\"x\ny\"}", 7, "control character in string"),
            ("{\"a\" 1}", 5, "expected \":\""),
            ("[1,2", 4, "unterminated array"),
            ("{\"a\":1} x", 8, "unexpected text after the value"),
            ("\"abc", 4, "unterminated string"),
        ] {
            do {
                _ = try JSON.parse(input)
                Issue.record("accepted \(input)")
            } catch {
                #expect(error.offset == offset && error.message == message, "\(input): \(error)")
            }
        }
    }
}
