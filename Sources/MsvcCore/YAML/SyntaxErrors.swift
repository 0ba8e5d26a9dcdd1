import CYaml

/// Turns libyaml's terse errors into messages that say what is wrong and how to fix it,
/// placed where the fix goes.
enum SyntaxErrors {
    /// The error for libyaml's current failure, placed and worded for the user.
    static func translate(_ parser: yaml_parser_t, source: SourceText) -> YAMLError {
        let problem = parser.problem.map { String(cString: $0) } ?? "unknown problem"
        let context = parser.context.map { String(cString: $0) }
        let at = SourceMark(line: Int(parser.problem_mark.line) + 1, column: Int(parser.problem_mark.column) + 1)
        let contextAt = SourceMark(line: Int(parser.context_mark.line) + 1, column: Int(parser.context_mark.column) + 1)
        let found = source.character(line: Int(parser.problem_mark.line), column: Int(parser.problem_mark.column))

        switch parser.error {
        case YAML_MEMORY_ERROR:
            return YAMLError(mark: SourceMark(line: 1, column: 1), message: "out of memory reading the file")
        case YAML_READER_ERROR:
            // Reader errors carry a byte offset, not a mark.
            let mark = source.mark(ofByte: Int(parser.problem_offset))
            if problem.contains("control characters") {
                let code = String(UInt32(bitPattern: parser.problem_value), radix: 16, uppercase: true)
                let padded = String(repeating: "0", count: max(0, 4 - code.count)) + code
                return YAMLError(mark: mark, message: "invalid YAML: control character U+\(padded) is not allowed; remove it, or write it as an escape in a double-quoted string")
            }
            return YAMLError(mark: mark, message: "invalid YAML: \(problem); save the file as UTF-8 text")
        default:
            break
        }

        func error(_ message: String, at mark: SourceMark = at) -> YAMLError {
            YAMLError(mark: mark, message: "invalid YAML: " + message)
        }
        switch problem {
        case "found character that cannot start any token":
            switch found {
            case "\t":
                return error("tab character here; YAML indents with spaces only, replace it with spaces")
            case "@", "`":
                return error("\"\(found!)\" cannot start a plain value (it is reserved in YAML); put the value in quotes")
            case let c?:
                return error("unexpected character \"\(c)\"; put the value in quotes")
            case nil:
                return error("unexpected character; put the value in quotes")
            }
        case let p where p.hasPrefix("found a tab character"):
            return error("tab character in indentation; YAML indents with spaces only, replace it with spaces")
        case "found unexpected end of stream" where context?.contains("quoted scalar") == true:
            let quote = source.character(line: Int(parser.context_mark.line), column: Int(parser.context_mark.column)) ?? "\""
            return error("this quoted string is never closed; add the closing \(quote)", at: contextAt)
        case "found unexpected end of stream":
            return error("the file ends in the middle of a value; check the last lines")
        case "did not find expected ',' or ']'":
            return error("expected \",\" or \"]\": the list opened with \"[\" at \(contextAt) is not closed; add the missing \"]\"")
        case "did not find expected ',' or '}'":
            return error("expected \",\" or \"}\": the map opened with \"{\" at \(contextAt) is not closed; add the missing \"}\"")
        case "mapping values are not allowed in this context":
            return error("unexpected \":\"; quote a value that contains \": \", or fix the indentation of this line")
        case "did not find expected key" where context?.contains("block mapping") == true:
            return error("this line does not line up with the keys of the map at \(contextAt); fix its indentation")
        case "did not find expected '-' indicator":
            return error("expected another \"- \" item of the list at \(contextAt); fix the indentation, and do not mix list items with keys at one level")
        case "found unknown escape character":
            let escape = source.character(line: Int(parser.problem_mark.line), column: Int(parser.problem_mark.column) + 1)
            let shown = escape.map { "\"\\\($0)\"" } ?? "escape"
            return error("unknown escape \(shown) in a double-quoted string; write \"\\\\\" for a backslash, or use single quotes")
        case "block sequence entries are not allowed in this context":
            return error("a \"- \" list cannot start on the same line as its key; move it to the next line, indented")
        case "could not find expected ':'":
            return error("expected \":\" after the key that starts at \(contextAt); a key is followed by \": \" and its value")
        case "did not find expected node content":
            return error("expected a value here")
        case "found undefined tag handle", "did not find expected tag URI", "did not find the expected '>'":
            return error("invalid tag; msvc.yaml needs no tags, remove it or quote the value")
        case _ where context?.contains("directive") == true,
             "found unknown directive name", "found incompatible YAML document":
            return error("unsupported directive; remove the line starting with \"%\", or quote the value")
        case _ where context?.contains("alias") == true || context?.contains("anchor") == true:
            return error("\"&\" and \"*\" must be followed by an anchor name (&name, *name); put the value in quotes if it starts with & or *")
        case _ where context?.contains("block scalar") == true:
            return error("a value starting with \"|\" or \">\" is a block of text that begins on the next line; put the value in quotes")
        case "did not find expected <document start>":
            return error("unexpected content after the end of the document; fix the indentation of this line")
        case "found unexpected ':'":
            return error("unexpected \":\" in a value; put the value in quotes")
        default:
            var message = "invalid YAML: \(problem)"
            if let context { message += " (\(context) at \(contextAt))" }
            return YAMLError(mark: at, message: message)
        }
    }
}
