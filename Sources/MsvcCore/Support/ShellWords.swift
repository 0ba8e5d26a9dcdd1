import Foundation

/// Splits a command line into words the way a POSIX shell would, without running a shell:
/// single quotes, double quotes (with `\"`, `\\`, `\$` escapes) and backslash escapes.
public enum ShellWords {
    /// Why a command line could not be split.
    public struct SplitError: Error, Equatable, Sendable {
        /// 0-based offset in the string, in characters, where the problem starts.
        public var offset: Int
        /// What is wrong.
        public var message: String
    }

    /// Splits `line` into words.
    public static func split(_ line: String) throws(SplitError) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var chars = Array(line)
        chars.append(" ")
        var i = 0
        while i < chars.count {
            let c = chars[i]
            switch c {
            case " ", "\t", "\n", "\r":
                if inWord { words.append(current); current = ""; inWord = false }
            case "'":
                inWord = true
                guard let end = chars[(i + 1)...].firstIndex(of: "'") else {
                    throw SplitError(offset: i, message: "unterminated single quote")
                }
                current += String(chars[(i + 1)..<end])
                i = end
            case "\"":
                inWord = true
                var j = i + 1
                var closed = false
                while j < chars.count - 1 {
                    let d = chars[j]
                    if d == "\"" { closed = true; break }
                    if d == "\\", j + 1 < chars.count - 1, "\"\\$`".contains(chars[j + 1]) {
                        current.append(chars[j + 1])
                        j += 2
                        continue
                    }
                    current.append(d)
                    j += 1
                }
                guard closed else { throw SplitError(offset: i, message: "unterminated double quote") }
                i = j
            case "\\":
                inWord = true
                guard i + 1 < chars.count - 1 else {
                    throw SplitError(offset: i, message: "trailing backslash")
                }
                current.append(chars[i + 1])
                i += 1
            default:
                inWord = true
                current.append(c)
            }
            i += 1
        }
        return words
    }

    /// Quotes one word so that `split` gives it back unchanged.
    public static func quote(_ word: String) -> String {
        if !word.isEmpty, word.allSatisfy({ $0.isLetter || $0.isNumber || "-_./=:,@%+".contains($0) }) {
            return word
        }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
